import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runRecordCli } from "./record-cli.ts";
import { readRecordedEvents } from "./test-support.ts";

function captureIo() {
  let out = "";
  let err = "";
  return {
    env: {},
    stdout: {
      write: (text: string) => {
        out += text;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stderr: {
      write: (text: string) => {
        err += text;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    onSignal: () => () => {},
    out: () => out,
    err: () => err,
  };
}

describe("live record", () => {
  it("records from an in-process emulator for a bounded time and says what it wrote", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "botmm-record-cli-")), "rec");
    const io = captureIo();
    expect(
      await runRecordCli(
        ["--sim", "--coins", "BTC", "--out", out, "--duration", "2s", "--status-interval", "500ms"],
        io,
      ),
    ).toBe(0);
    expect(io.err()).toMatch(/recording BTC: \d+ books/);
    expect(io.err()).toMatch(/botmm record: \d+ books, \d+ trades, 0 gaps in 1 files/);
    let books = 0;
    for (const event of readRecordedEvents(out, "BTC")) if (event.type === "book") books++;
    expect(books).toBeGreaterThan(0);
  });

  it("writes a relative --out under the directory pnpm was started from (INIT_CWD) and prints it absolute", async () => {
    const userDir = mkdtempSync(join(tmpdir(), "botmm-record-cwd-"));
    const io = { ...captureIo(), env: { INIT_CWD: userDir } };
    expect(await runRecordCli(["--sim", "--coins", "BTC", "--out", "rec", "--duration", "1s"], io)).toBe(0);
    expect(io.err()).toContain(`into ${join(userDir, "rec")}`);
    expect([...readRecordedEvents(join(userDir, "rec"), "BTC")].length).toBeGreaterThan(0);
  });

  it.each([
    [[], /--out DIR is required/],
    [["--out", "x", "--duration", "soon"], /--duration: expected a duration/],
    [["--out", "x", "--coins", "BTC;ETH"], /--coins: expected names/],
    [["--out", "x", "--bogus"], /Unknown option '--bogus'/],
  ])("%j → a usage error naming the flag", async (args, message) => {
    const io = captureIo();
    expect(await runRecordCli(args, io)).toBe(2);
    expect(io.err()).toMatch(message);
  });
});
