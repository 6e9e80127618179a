import { readFileSync } from "node:fs";
import { vi } from "vitest";

/**
 * Helpers every package's `src/readme.test.ts` shares: a README must embed its examples verbatim, and each
 * example must print what its comments say when run.
 */

/** A package's README, from its `src/readme.test.ts` (`import.meta.url`). */
export function readmeOf(testUrl: string): string {
  return readFileSync(new URL("../README.md", testUrl), "utf8");
}

/** A package's `examples/<name>.ts`, trimmed, from its `src/readme.test.ts` (`import.meta.url`). */
export function exampleOf(testUrl: string, name: string): string {
  return readFileSync(new URL(`../examples/${name}.ts`, testUrl), "utf8").trim();
}

/**
 * Runs an example (the test's own `import("../examples/….ts")`, so its path resolves beside the test) and
 * answers what it printed with `console.log`, a line a call (strings as they are, anything else as JSON).
 */
export async function logLinesOf(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}
