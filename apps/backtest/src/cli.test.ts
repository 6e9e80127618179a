import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateSyntheticCandles } from "./data/synthetic.ts";
import { USAGE } from "./options.ts";
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
    // Three daily points say nothing about a Sharpe ratio: withheld everywhere, with the reason.
    expect(out).toContain("sharpe n/a (3 days)  sortino n/a (3 days)");
    expect(report.sharpe).toBeNull();
    expect(report.sortino).toBeNull();
    expect(report.ratiosUnavailable).toMatch(/only 3 daily points: Sharpe and Sortino need at least 30/);
    expect(readFileSync(html, "utf8")).toContain("sharpe n/a (3 days)");
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

  it("names the sub-bar model's own path and decision rule in the report", async () => {
    const json = join(dir, "subbar.json");
    expect(await runBacktestCli([...synthetic, "--fill-model", "subbar", "--json", json], captureIo())).toBe(
      0,
    );
    const { assumptions } = JSON.parse(readFileSync(json, "utf8"));
    expect(assumptions.barPath).toMatch(/seeded walk .* one step per requote/);
    expect(assumptions.noLookAhead).toMatch(/simulated path up to that step/);
    expect(assumptions.barPath).not.toMatch(/nearer extreme/);
  });

  it("keeps the parsed copy of a large --csv under --cache-dir, and the second run reads it", async () => {
    const lines = ["open_time,open,high,low,close,volume"];
    const t0 = Date.UTC(2025, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const mid = 100_000 + (i % 97) * 0.37;
      lines.push(
        `${t0 + i * 60_000},${mid},${mid + 1.1},${mid - 0.9},${mid + 0.1},${1 + (i % 13) * 0.00101}`,
      );
    }
    const csv = join(dir, "large.csv");
    writeFileSync(csv, `${lines.join("\n")}\n`);
    const cacheDir = join(dir, "csv-copy-cache");
    const run = async (name: string) => {
      const json = join(dir, name);
      const io = captureIo();
      expect(await runBacktestCli(["--csv", csv, "--cache-dir", cacheDir, "--json", json], io)).toBe(0);
      expect(io.err()).toBe("");
      const report = JSON.parse(readFileSync(json, "utf8"));
      delete report.runtimeMs;
      return report;
    };
    const first = await run("first.json");
    expect(readdirSync(join(cacheDir, "csv")).filter((f) => f.endsWith(".bin"))).toHaveLength(1);
    expect(await run("second.json")).toEqual(first);
  });

  it("says a rebate was assumed when the maker fee is negative", async () => {
    const io = captureIo();
    expect(await runBacktestCli([...synthetic, "--maker-fee", "-0.00015"], io)).toBe(0);
    expect(io.out()).toContain("a REBATE — assumed");
  });
});

describe("backtest CLI errors", () => {
  it.each([
    [["--fill-model", "magic"], /--fill-model: .*"magic"/],
    [["--days", "abc"], /--days must be a number, got "abc"/],
    [["--levels", "0"], /--levels: .*>=1.* \(got 0\)/],
    [["--bogus"], /unknown option --bogus/],
    [["--latency-msx", "5"], /unknown option --latency-msx \(did you mean --latency-ms\?\)/],
    [["--csv"], /--csv needs a value \(PATH\)/],
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

/** A headered 1m candle CSV of `days` days starting 2025-05-20, seeded. */
function writeCandleCsv(path: string, days: number): void {
  const start = Date.UTC(2025, 4, 20);
  const candles = generateSyntheticCandles({
    start,
    end: start + days * 86_400_000,
    intervalMs: 60_000,
    seed: 3,
    startPrice: 60_000,
  });
  const rows = candles.map((c) => `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  writeFileSync(path, `open_time,open,high,low,close,volume\n${rows.join("\n")}\n`);
}

describe("backtest CLI paths", () => {
  it("resolves relative paths against the user's directory and prints them absolute", async () => {
    const user = mkdtempSync(join(tmpdir(), "botmm-user-"));
    writeCandleCsv(join(user, "candles.csv"), 2);
    const io = captureIo(user);
    const args = [
      "--csv",
      "candles.csv",
      "--json",
      "out.json",
      "--report",
      "out.html",
      "--fills",
      "fills.csv",
    ];
    expect(await runBacktestCli([...args, "--no-progress"], io)).toBe(0);
    expect(io.err()).toBe("");
    for (const name of ["out.json", "out.html", "fills.csv"])
      expect(existsSync(join(user, name)), name).toBe(true);
    expect(io.out()).toContain(
      `wrote report ${join(user, "out.html")}, fills ${join(user, "fills.csv")}, json ${join(user, "out.json")}`,
    );
    expect(io.out()).toContain(`source       csv ${join(user, "candles.csv")}`);
  });

  it("reads paths in a config file relative to the file", async () => {
    const user = mkdtempSync(join(tmpdir(), "botmm-user-"));
    mkdirSync(join(user, "conf"));
    writeCandleCsv(join(user, "conf", "candles.csv"), 1);
    writeFileSync(join(user, "conf", "run.yaml"), "csv: candles.csv\njson: out.json\nprogress: false\n");
    const io = captureIo(user);
    expect(await runBacktestCli(["--config", "conf/run.yaml"], io)).toBe(0);
    expect(existsSync(join(user, "conf", "out.json"))).toBe(true);
  });

  it("as pnpm runs it: the user's directory is INIT_CWD, not the package directory", () => {
    const user = mkdtempSync(join(tmpdir(), "botmm-user-"));
    writeCandleCsv(join(user, "candles.csv"), 1);
    const appDir = join(import.meta.dirname, "..");
    const out = execFileSync(
      process.execPath,
      [
        "--conditions=@botmm/source",
        "src/cli.ts",
        "--",
        "--csv",
        "candles.csv",
        "--json",
        "init-cwd.json",
        "--no-progress",
      ],
      { cwd: appDir, env: { ...process.env, INIT_CWD: user }, encoding: "utf8", timeout: 120_000 },
    );
    expect(out).toContain(`wrote json ${join(user, "init-cwd.json")}`);
    expect(existsSync(join(user, "init-cwd.json"))).toBe(true);
    expect(existsSync(join(appDir, "init-cwd.json"))).toBe(false);
  });
});

describe("backtest CLI usage", () => {
  it("--help prints the usage generated from the option table, and nothing else", async () => {
    const io = captureIo();
    expect(await runBacktestCli(["--help"], io)).toBe(0);
    expect(io.out()).toBe(`${USAGE}\n`);
    expect(io.err()).toBe("");
  });

  it("reports every problem of the config file and the flags at once", async () => {
    const config = join(dir, "bad.yaml");
    writeFileSync(config, "latencyMs: -1\nbogusKey: 1\nstrategy:\n  levels: 0\n");
    const io = captureIo();
    const args = ["--config", config, "--days", "abc", "--fill-model", "magic", "--maker-fee", "0.5"];
    expect(await runBacktestCli([...synthetic, ...args], io)).toBe(2);
    const err = io.err();
    expect(err).toMatch(/6 problems with the options/);
    expect(err).toMatch(/bogusKey \(in .*bad\.yaml\): not a setting/);
    expect(err).toMatch(/--days must be a number, got "abc"/);
    expect(err).toMatch(/latencyMs \(in .*bad\.yaml\): .*>=0/);
    expect(err).toMatch(/strategy\.levels \(in .*bad\.yaml\): .*>=1/);
    expect(err).toMatch(/--fill-model: .*"magic"/);
    expect(err).toMatch(/--maker-fee: makerFee must be a fraction of notional/);
  });

  it("refuses a coin it does not know unless --sz-decimals says how it trades", async () => {
    const io = captureIo();
    const args = ["--source", "synthetic", "--symbol", "NOPE", "--days", "1", "--no-progress"];
    expect(await runBacktestCli(args, io)).toBe(2);
    expect(io.err()).toMatch(/--symbol NOPE: the backtester does not know how NOPE trades.*--sz-decimals N/);
    const json = join(dir, "nope.json");
    const ok = captureIo();
    expect(await runBacktestCli([...args, "--sz-decimals", "1", "--tick", "0.01", "--json", json], ok)).toBe(
      0,
    );
    expect(ok.err()).toBe("");
    expect(JSON.parse(readFileSync(json, "utf8")).data.symbol).toBe("NOPE");
  });

  it.each([
    [["--csv", "x.csv", "--days", "3"], /--days has no effect in a --csv run: .*use --start\/--end/],
    [["--csv", "x.csv", "--source", "binance"], /--csv .* cannot be combined with --source binance/],
    [
      ["--replay", "rec", "--fill-model", "touch"],
      /--fill-model has no effect in a --replay run: .*--compare-candles/,
    ],
    [["--replay", "rec", "--no-risk"], /--no-risk has no effect in a --replay run/],
    [
      ["--replay", "rec", "--days", "3", "--interval", "5m"],
      /--days has no effect[\s\S]*--interval has no effect/,
    ],
    [
      ["--replay", "rec", "--binance-url", "http://127.0.0.1:1"],
      /--binance-url has no effect.*--prime-download/,
    ],
    [["--queue-model", "probabilistic"], /--queue-model has no effect in a candle run/],
    [["--prime-download"], /--prime-download has no effect in a candle run/],
  ])(
    "%j → an option without effect in the mode is an error naming it and the mode",
    async (args, message) => {
      const io = captureIo();
      expect(await runBacktestCli(args, io)).toBe(2);
      expect(io.err()).toMatch(message);
    },
  );

  it("accepts the candle flags in a replay once --compare-candles runs the candle backtest", async () => {
    const io = captureIo();
    const args = ["--replay", join(dir, "missing"), "--compare-candles", "--fill-model", "touch"];
    expect(await runBacktestCli(args, io)).toBe(1);
    expect(io.err()).toMatch(/--replay .*missing: no such file or directory/);
  });
});
