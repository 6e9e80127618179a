import { resolve } from "node:path";

/**
 * The directory the user ran the command from: pnpm runs a package's script in the package's directory and
 * leaves the caller's in `INIT_CWD`; run directly (`node src/cli.ts`), the process's own directory is it.
 *
 * @example
 * ```ts
 * userWorkingDirectory({ INIT_CWD: "/home/me/repo" }, "/home/me/repo/apps/backtest"); // "/home/me/repo"
 * userWorkingDirectory({}, "/tmp"); // "/tmp"
 * ```
 */
export function userWorkingDirectory(
  env: Readonly<Record<string, string | undefined>>,
  processCwd: string,
): string {
  const initCwd = env.INIT_CWD;
  return initCwd !== undefined && initCwd !== "" ? resolve(processCwd, initCwd) : processCwd;
}
