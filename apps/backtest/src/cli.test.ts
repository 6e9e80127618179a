import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runBacktestCli } from "./run.ts";
import { captureIo } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-backtest-cli-"));
const synthetic = [
  "--source",
  "synthetic",
  "--symbol",
  "BTCUSDT",
  "--days",
  "3",
  "--cache-dir",
  join(dir, "cache"),
];

describe("backtest CLI on synthetic data", () => {
  it("prints the summary under a banner that says it is not a market result, in every output", async () => {
    const io = captureIo();
    const json = join(dir, "run.json");
    const html = join(dir, "run.html");
    const fills = join(dir, "fills.csv");
    const code = await runBacktestCli([...synthetic, "--json", json, "--report", html, "--fills", fills], io);
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^!!! SYNTHETIC DATA/);
    for (const section of [
      "period",
      "assumptions",
      "pnl",
      "= spread",
      "+ inventory",
      "− fees",
      "+ funding",
      "mark-outs",
      "sharpe",
      "daily PnL",
    ]) {
      expect(out).toContain(section);
    }
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.banner).toMatch(/SYNTHETIC DATA/);
    expect(report.data).toMatchObject({
      symbol: "BTCUSDT",
      interval: "1m",
      source: "synthetic",
      candles: 3 * 1440,
    });
    expect(report.assumptions).toMatchObject({
      fillModel: "cross",
      makerFee: 0.00015,
      takerFee: 0.00045,
      latencyMs: 200,
      synthetic: true,
    });
    for (const key of ["total", "spread", "inventory", "fees", "funding"])
      expect(typeof report.pnl[key]).toBe("number");
    expect(report.pnl.total).toBeCloseTo(
      report.pnl.spread + report.pnl.inventory - report.pnl.fees + report.pnl.funding,
      9,
    );
    expect(report.fills.buy + report.fills.sell).toBeGreaterThan(0);
    for (const key of ["volumeUsd", "maxAbsInventoryUsd", "maxDrawdownUsd", "runtimeMs"])
      expect(typeof report[key]).toBe("number");
    expect(report.daily).toHaveLength(3);
    expect(report.daily[0]).toMatchObject({
      date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      pnl: expect.any(Number),
    });
    expect(readFileSync(html, "utf8")).toMatch(/SYNTHETIC DATA[\s\S]*<svg/);
    const csv = readFileSync(fills, "utf8").trim().split("\n");
    expect(csv[0]).toMatch(/^# SYNTHETIC DATA/);
    expect(csv[1]).toBe("timestamp,side,price,size,fee,liquidity,inventory_after,reference_mid");
    expect(csv[2]).toMatch(/^\d{13},(buy|sell),/);
  });

  it("is deterministic: same input and seed give the same JSON except runtimeMs", async () => {
    const runOnce = async (seed: string, name: string) => {
      const path = join(dir, name);
      expect(
        await runBacktestCli(
          [...synthetic, "--seed", seed, "--fill-model", "probabilistic", "--json", path],
          captureIo(),
        ),
      ).toBe(0);
      const report = JSON.parse(readFileSync(path, "utf8"));
      delete report.runtimeMs;
      return report;
    };
    const a = await runOnce("7", "a.json");
    const b = await runOnce("7", "b.json");
    const c = await runOnce("8", "c.json");
    expect(b).toEqual(a);
    expect(c.pnl).not.toEqual(a.pnl);
  });

  it("takes a YAML config file, and flags override it", async () => {
    const config = join(dir, "config.yaml");
    writeFileSync(config, "model: glft\norderSizeUsd: 50\nlatencyMs: 500\nstrategy:\n  levels: 2\n");
    const json = join(dir, "config.json");
    expect(
      await runBacktestCli(
        [...synthetic, "--config", config, "--latency-ms", "300", "--json", json],
        captureIo(),
      ),
    ).toBe(0);
    const report = JSON.parse(readFileSync(json, "utf8"));
    expect(report.strategy).toMatchObject({ model: "glft", orderSizeUsd: 50, levels: 2 });
    expect(report.assumptions.latencyMs).toBe(300);
  });

  it("says a rebate was assumed when the maker fee is negative", async () => {
    const io = captureIo();
    expect(await runBacktestCli([...synthetic, "--maker-fee", "-0.00015"], io)).toBe(0);
    expect(io.out()).toContain("a REBATE — assumed");
  });
});

describe("backtest CLI errors", () => {
  it.each([
    [["--fill-model", "magic"], /fillModel \/ --fill-model/],
    [["--days", "abc"], /--days must be a number, got "abc"/],
    [["--levels", "0"], /strategy.levels/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--source", "csv"], /--source csv needs --csv PATH/],
  ])("%j → a usage error naming the flag", async (args, message) => {
    const io = captureIo();
    expect(await runBacktestCli([...synthetic, ...args], io)).toBe(2);
    expect(io.err()).toMatch(message);
  });

  it("names the bad row of a CSV", async () => {
    const path = join(dir, "bad.csv.gz");
    const rows = [
      "open_time,open,high,low,close,volume",
      "1716163200000,100,101,99,100.5,10",
      "1716163260000,100,99,101,100,10",
    ];
    writeFileSync(path, gzipSync(`${rows.join("\n")}\n`));
    const io = captureIo();
    expect(await runBacktestCli(["--csv", path, "--symbol", "BTCUSDT"], io)).toBe(1);
    expect(io.err()).toMatch(/row 3/);
    expect(io.err()).toMatch(/high 99 < low 101|high/);
  });

  it("reads a funding series and rejects a malformed one with the row", async () => {
    const funding = join(dir, "funding.csv");
    writeFileSync(funding, "time_ms,funding_rate\n0,0.00001\n3600000,abc\n");
    const io = captureIo();
    expect(await runBacktestCli([...synthetic, "--funding", funding], io)).toBe(1);
    expect(io.err()).toMatch(/row 3/);
  });
});
