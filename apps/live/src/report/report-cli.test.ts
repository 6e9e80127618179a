import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Journal } from "../journal.ts";
import { runReportCli } from "./report-cli.ts";
import { writeTestJournal } from "./test-journal.ts";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const MIN = 60_000;

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => {
    out += String(chunk);
  });
  stderr.on("data", (chunk) => {
    err += String(chunk);
  });
  return { io: { stdout, stderr, cwd }, out: () => out, err: () => err };
}

function smallJournal(dir: string, legacy?: { noBars?: boolean }): string {
  const path = join(dir, "journal.sqlite");
  writeTestJournal(path, {
    bars: [
      { coin: "ETH", start: T0, close: 2_000, position: 0 },
      { coin: "ETH", start: T0 + MIN, close: 2_010, position: 0.1 },
      { coin: "ETH", start: T0 + 2 * MIN, close: 2_004, position: 0.1 },
    ],
    fills: [
      {
        tradeId: "a",
        time: T0 + MIN + 1,
        coin: "ETH",
        side: "buy",
        price: 1_999,
        size: 0.1,
        fee: 0.03,
        referenceMid: 2_000,
      },
    ],
    funding: [],
    ...(legacy ? { legacy } : {}),
  });
  return path;
}

describe("pnpm --filter live report", () => {
  it("prints the summary and writes the HTML page and the JSON, resolving paths against the user's directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-report-cli-"));
    smallJournal(dir);
    const run = io(dir);
    const code = runReportCli(
      ["--", "--journal", "journal.sqlite", "--report", "live.html", "--json", "live.json"],
      run.io,
    );
    expect(run.err()).toBe("");
    expect(code).toBe(0);
    expect(run.out()).toContain("BotMM live run report — ETH (sim)");
    // Bought 0.1 at 1,999, marked at 2,004, fee 0.03: 0.5 − 0.03.
    expect(run.out()).toContain("total        $0.47");
    const json = JSON.parse(readFileSync(join(dir, "live.json"), "utf8"));
    expect(json.pnl.total).toBeCloseTo(0.47, 10);
    expect(json.pnl.spread).toBeCloseTo(0.1, 10);
    expect(json.pnl.whileHalted).toBe(0);
    expect(json.halted.share).toBe(0);
    const html = readFileSync(join(dir, "live.html"), "utf8");
    expect(html.match(/<svg/g)).toHaveLength(5);
  });

  it("exits 2 with the usage on bad flags", () => {
    const run = io(tmpdir());
    expect(runReportCli([], run.io)).toBe(2);
    expect(run.err()).toContain("--journal PATH is required");
    const capital = io(tmpdir());
    expect(runReportCli(["--journal", "x", "--capital", "lots"], capital.io)).toBe(2);
    expect(capital.err()).toContain('--capital: expected a positive number of USD, got "lots"');
    const onHalt = io(tmpdir());
    expect(runReportCli(["--journal", "x", "--on-halt", "sell"], onHalt.io)).toBe(2);
    expect(onHalt.err()).toContain('--on-halt: expected flatten or hold, got "sell"');
  });

  it("exits 1 naming the journal when it is missing or too old", () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-report-cli-"));
    const missing = io(dir);
    expect(runReportCli(["--journal", "nope.sqlite"], missing.io)).toBe(1);
    expect(missing.err()).toBe(`botmm report: journal ${join(dir, "nope.sqlite")}: no such file\n`);
    const path = smallJournal(dir, { noBars: true });
    const legacy = io(dir);
    expect(runReportCli(["--journal", path], legacy.io)).toBe(1);
    expect(legacy.err()).toContain(`journal ${path}: no bars table`);
    expect(legacy.out()).toBe("");
  });

  it("reads a journal written by the bot's Journal class (WAL mode), read-only", () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-report-cli-"));
    const path = join(dir, "bot.sqlite");
    const journal = Journal.open(path);
    journal.beginRun("paper", T0);
    const bar = (i: number, close: number) => ({
      startMs: T0 + i * MIN,
      open: close,
      high: close,
      low: close,
      close,
      volume: 0,
    });
    journal.recordBar("BTC", bar(0, 90_000), 0, false);
    journal.recordFill({
      clientId: "1",
      venueOrderId: null,
      tradeId: "x1",
      coin: "BTC",
      side: "sell",
      price: 90_010,
      size: 0.001,
      fee: 0.0135,
      liquidity: "maker",
      time: T0 + MIN + 5,
    });
    journal.setFillReferenceMid("x1", 90_000);
    journal.recordBar("BTC", bar(1, 90_100), -0.001, true);
    journal.recordBar("BTC", bar(2, 89_900), -0.001, true);
    journal.endRun(T0 + 3 * MIN, {});
    journal.close();

    const run = io(dir);
    expect(runReportCli(["--journal", path, "--json", "r.json"], run.io)).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "r.json"), "utf8"));
    // Short 0.001 from 90,010, marked at 89,900: +0.11, fee 0.0135; spread +0.01.
    expect(json.pnl.total).toBeCloseTo(0.11 - 0.0135, 9);
    expect(json.pnl.spread).toBeCloseTo(0.01, 9);
    expect(json.ledgerTotal).toBeCloseTo(json.pnl.total, 9);
    // Halted at the closes of bars 1 and 2: bar 2's PnL (+0.2) was made while halted.
    expect(json.halted).toMatchObject({ bars: 2, halts: 1 });
    expect(json.pnl.whileHalted).toBeCloseTo(0.2, 9);
    expect(json.banner).toMatch(/^PAPER/);
    expect(json.warnings).toEqual([]);
    // Read-only: the bot can reopen and append after the report.
    const again = Journal.open(path);
    expect(again.runs()).toHaveLength(1);
    again.close();
  });
});
