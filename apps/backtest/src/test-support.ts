// Shared by this app's tests only.
import type { CliIo } from "./run.ts";

/**
 * A CLI IO that keeps what was written, with a fixed wall clock (2025-06-01), no terminal, and `cwd` as the
 * user's directory (default: the process's).
 */
export function captureIo(cwd: string = process.cwd()): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { isTTY: false, write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    now: () => Date.UTC(2025, 5, 1),
    cwd,
    out: () => out,
    err: () => err,
  };
}
