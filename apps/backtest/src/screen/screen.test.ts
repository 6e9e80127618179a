import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type BookEvent, type CandleColumns, syntheticSpreadCandles } from "@botmm/backtest";
import { describe, expect, it } from "vitest";
import { unusedLocalUrl } from "../data/testing/fake-venues.ts";
import { writeRecordingFixture } from "../recordings/test-support.ts";
import { runBacktestCli } from "../run.ts";
import { captureIo } from "../test-support.ts";
import { parseLongCandleCsv } from "./input.ts";

const START = Date.UTC(2025, 6, 21);
const freshDir = () => mkdtempSync(join(tmpdir(), "botmm-screen-"));

/** Coins of a planted market: each its own spread, the same volatility and volume. */
function market(spreads: Record<string, number>, bars = 6 * 60): Map<string, CandleColumns> {
  return new Map(
    Object.entries(spreads).map(([coin, spreadBps], i) => [
      coin,
      syntheticSpreadCandles({
        bars,
        spreadBps,
        stepVolBps: 0.3,
        tradesPerBar: 20,
        startMs: START,
        startPrice: 20 + 10 * i,
        tradeSize: 50,
        seed: 11 + i,
      }),
    ]),
  );
}

function longCsv(coins: ReadonlyMap<string, CandleColumns>): string {
  const lines = ["coin,date,open,high,low,close,volume"];
  for (const [coin, c] of coins)
    for (let i = 0; i < c.length; i++)
      lines.push(
        `${coin},${new Date(c.openTime[i]!).toISOString()},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`,
      );
  return `${lines.join("\n")}\n`;
}

async function screen(args: string[]) {
  const io = captureIo();
  const code = await runBacktestCli(["screen", "--no-progress", ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe("screen", () => {
  it("ranks a planted wide-spread coin first and writes JSON, CSV and the heatmap page", async () => {
    const dir = freshDir();
    const file = join(dir, "coins.csv.gz");
    writeFileSync(file, gzipSync(longCsv(market({ AAA: 1, BBB: 2, WIDE: 15, CCC: 1.5 }))));
    const funding = join(dir, "funding.csv");
    writeFileSync(
      funding,
      [
        "coin,date,funding_rate",
        `WIDE,${new Date(START - 86_400_000 * 400).toISOString()},0.0001`,
        ...Array.from(
          { length: 6 },
          (_, h) => `WIDE,${new Date(START + h * 3_600_000).toISOString()},0.00001`,
        ),
        `AAA,${new Date(START + 3_600_000).toISOString()},-0.00002`,
      ].join("\n"),
    );
    const json = join(dir, "screen.json");
    const csv = join(dir, "screen.csv");
    const html = join(dir, "screen.html");
    const result = await screen([
      "--csv",
      file,
      "--funding",
      funding,
      "--fee-tier",
      "hl-0",
      "--json",
      json,
      "--results-csv",
      csv,
      "--report",
      html,
      "--workers",
      "1",
    ]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/ranked by edge/);
    expect(result.out).toMatch(/maker round trip costs 3\.00 bps/);
    expect(result.out).toMatch(/\n\s*1\s+WIDE\s/);
    const rows = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>[];
    expect(rows.map((row) => row.coin)).toEqual([
      "WIDE",
      expect.any(String),
      expect.any(String),
      expect.any(String),
    ]);
    const wide = rows[0] as {
      spreadBps: number;
      edgeBps: number;
      payingHoursShare: number;
      funding: { meanPerHour: number; points: number };
      backtest: { fills: number; pnlUsd: number };
      byHour: unknown[];
    };
    expect(wide.spreadBps).toBeGreaterThan(10);
    expect(wide.edgeBps).toBeCloseTo(wide.spreadBps - 3, 9);
    expect(wide.payingHoursShare).toBe(1);
    // The rate 400 days before lies outside the candles' span.
    expect(wide.funding).toMatchObject({ meanPerHour: 0.00001, points: 6 });
    expect(wide.backtest.fills).toBeGreaterThan(0);
    expect(wide.byHour).toHaveLength(24);
    for (const row of rows.slice(1)) expect(row.edgeBps as number).toBeLessThan(wide.edgeBps);
    const csvLines = readFileSync(csv, "utf8").trim().split("\n");
    expect(csvLines).toHaveLength(5);
    expect(csvLines[1]!.startsWith("WIDE,")).toBe(true);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("<svg");
    expect(page.match(/<rect /g)).toHaveLength(4 * 24);
  });

  it("gives the same backtests on 1 and 2 worker threads", async () => {
    const dir = freshDir();
    const file = join(dir, "coins.csv");
    writeFileSync(file, longCsv(market({ AAA: 1, BBB: 6, CCC: 3 }, 240)));
    const outputs = [];
    for (const workers of ["1", "2"]) {
      const json = join(dir, `w${workers}.json`);
      const result = await screen(["--csv", file, "--json", json, "--workers", workers]);
      expect(result.err).toBe("");
      outputs.push(readFileSync(json, "utf8"));
    }
    expect(outputs[1]).toBe(outputs[0]);
  });

  it("reads a directory of per-coin files, ranks by a chosen score and adds quoted spreads from recordings", async () => {
    const dir = freshDir();
    const coins = market({ AAA: 1, WIDE: 12 }, 180);
    mkdirSync(join(dir, "candles"));
    for (const [coin, c] of coins) {
      const lines = ["open_time,open,high,low,close,volume"];
      for (let i = 0; i < c.length; i++)
        lines.push(`${c.openTime[i]},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
      writeFileSync(join(dir, "candles", `${coin}-1m.csv`), `${lines.join("\n")}\n`);
    }
    const books: BookEvent[] = Array.from({ length: 20 }, (_, k) => ({
      type: "book",
      coin: "WIDE",
      t: START + k * 500,
      lt: START + k * 500,
      // 4 bps for the first half, 2 bps after: pays a 3 bps round trip half the time.
      bids: [[k < 10 ? 99.98 : 99.99, 10, 1]],
      asks: [[k < 10 ? 100.02 : 100.01, 10, 1]],
    }));
    writeRecordingFixture(join(dir, "rec"), books);
    const json = join(dir, "out.json");
    const result = await screen([
      "--dir",
      join(dir, "candles"),
      "--recordings",
      join(dir, "rec"),
      "--rank-by",
      "paying-hours",
      "--no-backtest",
      "--json",
      json,
    ]);
    expect(result.err).toBe("");
    expect(result.out).toMatch(/ranked by paying-hours/);
    expect(result.out).toMatch(/quoted p50 bps/);
    const rows = JSON.parse(readFileSync(json, "utf8")) as {
      coin: string;
      backtest: unknown;
      quoted: { payingShare: number; books: number } | null;
    }[];
    expect(rows.map((row) => row.coin)).toEqual(["WIDE", "AAA"]);
    expect(rows[0]!.backtest).toBeNull();
    expect(rows[0]!.quoted!.books).toBe(20);
    expect(rows[0]!.quoted!.payingShare).toBeCloseTo(10 / 19, 9);
    expect(rows[1]!.quoted).toBeNull();
  });

  it("names a coin missing from a multi-coin file, and what the file holds", async () => {
    const dir = freshDir();
    const file = join(dir, "coins.csv");
    writeFileSync(file, longCsv(market({ AAA: 1, BBB: 2 }, 30)));
    const result = await screen(["--csv", file, "--coins", "AAA,ZZZ,bbb"]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /--coins: ZZZ, bbb are not in .*coins\.csv \(bbb → BBB\?\); it holds 2 coins: AAA, BBB/,
    );
  });

  it("names the row and coin of a malformed row", () => {
    const header = "coin,date,open,high,low,close,volume";
    expect(() => parseLongCandleCsv(`${header}\nAAA,2025-07-21T00:00:00Z,1,2,0.5,1.5\n`, "f.csv")).toThrow(
      /f\.csv row 2: expected 7 fields/,
    );
    expect(() =>
      parseLongCandleCsv(
        `${header}\nAAA,2025-07-21T00:00:00Z,1,2,0.5,1.5,1\nBBB,2025-07-21T00:00:00Z,1,x,0.5,1.5,1\n`,
        "f.csv",
      ),
    ).toThrow(/f\.csv row 3 \(BBB\): high is not a number: "x"/);
    expect(() => parseLongCandleCsv(`${header}\nAAA,yesterday,1,2,0.5,1.5,1\n`, "f.csv")).toThrow(
      /row 2 \(AAA\): date is not a time: "yesterday"/,
    );
    expect(() =>
      parseLongCandleCsv(`${header}\nAAA,2025-07-21T00:00:00Z,1,0.9,0.5,1.5,1\n`, "f.csv"),
    ).toThrow(/row 2 \(AAA\): not a candle: open 1 high 0.9/);
    expect(() =>
      parseLongCandleCsv(
        `${header}\nAAA,2025-07-21T00:01:00Z,1,2,0.5,1.5,1\nAAA,2025-07-21T00:00:00Z,1,2,0.5,1.5,1\n`,
        "f.csv",
      ),
    ).toThrow(/row 3 \(AAA\): time 2025-07-21T00:00:00Z does not come after row 2's/);
    expect(() => parseLongCandleCsv("coin,date,open,high,low,close\n", "f.csv")).toThrow(
      /f\.csv: the header has no volume column/,
    );
  });

  it("reports a bad funding row through the CLI with its row and coin", async () => {
    const dir = freshDir();
    const file = join(dir, "coins.csv");
    writeFileSync(file, longCsv(market({ AAA: 1 }, 30)));
    const funding = join(dir, "funding.csv");
    writeFileSync(funding, `coin,date,funding_rate\nAAA,${new Date(START).toISOString()},abc\n`);
    const result = await screen(["--csv", file, "--funding", funding]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /--funding .*funding\.csv row 2 \(AAA\): expected a time and a funding_rate number/,
    );
  });

  it("rejects usage errors with exit code 2", async () => {
    expect((await screen([])).err).toMatch(/screen needs candles: --csv FILE/);
    const bad = await screen(["--csv", "x.csv", "--symbol", "BTC"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--symbol does not apply to a screen/);
    expect((await screen(["--csv", "x.csv", "--days", "3"])).err).toMatch(/--days applies to --online only/);
    expect((await screen(["--csv", "x.csv", "--fee-tier", "hl-9"])).err).toMatch(
      /--fee-tier "hl-9": expected one of hl-0/,
    );
    expect((await screen(["--csv", "x.csv", "--rank-by", "luck"])).err).toMatch(/--rank-by "luck"/);
    expect((await screen(["--csv", "x.csv", "--base-spread-bps", "-1"])).code).toBe(2);
    const help = await screen(["--help"]);
    expect(help.out).toMatch(/Corwin–Schultz/);
  });

  it("fails offline with an error naming the Hyperliquid host", async () => {
    const url = await unusedLocalUrl();
    const result = await screen(["--online", "--hyperliquid-url", url, "--cache-dir", freshDir()]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`cannot reach ${new URL(url).host}`);
    expect(result.err).toMatch(/offline, screen a file with --csv FILE/);
  });
});
