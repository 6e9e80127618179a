// Shared by this app's tests only.
import type { CliIo } from "./run.ts";

/** A CLI IO that keeps what was written, with a fixed wall clock (2025-06-01) and no terminal. */
export function captureIo(): CliIo & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: { isTTY: false, write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    now: () => Date.UTC(2025, 5, 1),
    out: () => out,
    err: () => err,
  };
}
