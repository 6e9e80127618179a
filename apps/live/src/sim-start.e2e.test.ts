import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_STRATEGY_CONFIG } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { buildConfig, LIVE_DEFAULTS, parseCli } from "./config.ts";
import { Journal } from "./journal.ts";
import { simQuotesLine, startSession } from "./run.ts";
import { memoryLogger, startTestEmulator } from "./test-support.ts";

// Seed 9's 5-minute runs got 7–11 fills at the starter quotes (seeds 1–14: 2–11, mean 6; none without a fill).
const SEED = 9;
const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

// `--sim --duration 5m` with every default (1m bars, primed from the emulator's candles, the starter quotes,
// speed 60), against a seeded in-process emulator on 127.0.0.1, with nothing pushed: the emulated market's own
// taker flow fills the quotes. Every assertion is on the simulated clock or on counts; the real-time waits are
// generous upper bounds that only fail a hung run.
describe("--sim --duration 5m with default settings", () => {
  it("primes from candleSnapshot, quotes in its first simulated minute, gets filled and ends with a summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-sim-start-"));
    const journalPath = join(dir, "journal.sqlite");
    const emulator = await startTestEmulator({ seed: SEED, speed: LIVE_DEFAULTS.sim.speed });
    const { logger, lines } = memoryLogger("info");
    const config = buildConfig([
      { mode: "sim", duration: "5m", statusIntervalMs: 0, journal: journalPath, sim: { seed: SEED } },
    ]);
    expect(config.strategy.volatilityWarmupBars).toBe(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars);
    expect(config.strategy).toMatchObject(LIVE_DEFAULTS.simStarterStrategy);
    const session = await startSession(config, io, { emulator, logger });
    try {
      // Primed: the emulator serves a day of 1-minute history, so the strategy needs no live bars.
      const primed = session.bot.summary().primedBars.BTC ?? 0;
      expect(primed).toBeGreaterThan(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars);
      expect(lines.some((line) => line.includes("strategy primed from the venue's candles"))).toBe(true);
      expect(lines.some((line) => line.includes("warming up on live bars"))).toBe(false);
      expect(
        lines.some((line) => line.includes("sim quotes: starter") && line.includes("--sim-quotes defaults")),
      ).toBe(true);

      const summary = await Promise.race([
        session.bot.finished,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("the 5m run did not end within 90 s")), 90_000),
        ),
      ]);
      const quotingSince = summary.quotingSince ?? Number.NaN;
      expect(summary.stopReason).toBe("duration");
      // --duration counts from the first quote.
      expect(summary.endedAt - quotingSince).toBeGreaterThanOrEqual(5 * 60_000);
      expect(summary.orders.placed).toBeGreaterThan(0);
      expect(summary.fills.buy + summary.fills.sell).toBeGreaterThan(0);
      expect(summary.openOrdersAtExit).toBe(0);
      expect(Object.keys(summary.pnl).sort()).toEqual(["fees", "funding", "inventory", "spread", "total"]);

      // Orders went out in the first simulated minute of quoting (journal times are on the simulated clock).
      await session.close("test");
      const journal = Journal.open(journalPath);
      try {
        const firstPlace = journal.events().find((event) => event.kind === "place");
        expect(firstPlace).toBeDefined();
        expect((firstPlace?.time ?? Number.POSITIVE_INFINITY) - quotingSince).toBeLessThan(60_000);
      } finally {
        journal.close();
      }
    } finally {
      await session.close("test");
      await emulator.stop();
    }
  }, 150_000);

  it("without usable candles: warns naming the host, shows the warm-up, and --duration counts from the first quote", async () => {
    // 1 s bars have no Hyperliquid candle interval, so candleSnapshot cannot prime them.
    const emulator = await startTestEmulator({ seed: SEED, speed: 20 });
    const { logger, lines } = memoryLogger("info");
    const config = buildConfig([
      {
        mode: "sim",
        duration: "5s",
        statusIntervalMs: 0,
        barIntervalMs: 1_000,
        sim: { seed: SEED, speed: 20 },
        strategy: { volatilityWarmupBars: 4 },
      },
    ]);
    const session = await startSession(config, io, { emulator, logger });
    try {
      const host = new URL(emulator.url).host;
      const warning = lines.find((line) => line.includes("warming up on live bars"));
      expect(warning).toContain(host);
      expect(session.bot.summary().primedBars.BTC).toBe(0);
      expect(session.bot.statusLine()).toMatch(/BTC mid \S+ pos 0 warming up [0-3]\/4 bars/);
      const summary = await Promise.race([
        session.bot.finished,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("the 5s run did not end within 60 s")), 60_000),
        ),
      ]);
      expect(summary.stopReason).toBe("duration");
      const quotingSince = summary.quotingSince ?? Number.NaN;
      // The warm-up (4 bars of 1 s) came first and did not count towards the 5 s.
      expect(quotingSince - summary.startedAt).toBeGreaterThanOrEqual(4_000);
      expect(summary.endedAt - quotingSince).toBeGreaterThanOrEqual(5_000);
    } finally {
      await session.close("test");
      await emulator.stop();
    }
  }, 120_000);
});

describe("--sim-quotes", () => {
  const strategyOf = async (argv: string[], env: Record<string, string> = {}) => {
    const request = await parseCli(argv, env);
    if (request.kind === "help") throw new Error("expected a config");
    return request.config;
  };

  it("quotes the starter spreads in --sim by default, and the strategy's defaults with --sim-quotes defaults", async () => {
    const starter = await strategyOf(["--sim"]);
    expect(starter.sim.quotes).toBe("starter");
    expect(starter.strategy).toMatchObject(LIVE_DEFAULTS.simStarterStrategy);
    expect(starter.strategy.feeAware).toBe(true);
    expect(starter.simStarterApplied).toEqual(LIVE_DEFAULTS.simStarterStrategy);
    expect(simQuotesLine(starter)).toContain("--sim-quotes defaults");

    const defaults = await strategyOf(["--sim", "--sim-quotes", "defaults"]);
    expect(defaults.strategy.baseSpreadBps).toBe(DEFAULT_STRATEGY_CONFIG.baseSpreadBps);
    expect(defaults.strategy.volMultiplier).toBe(DEFAULT_STRATEGY_CONFIG.volMultiplier);
    expect(defaults.simStarterApplied).toEqual({});
    expect(simQuotesLine(defaults)).toContain("live defaults");
    // Other modes never see the starter quotes.
    const paper = await strategyOf(["--paper"]);
    expect(paper.strategy.volMultiplier).toBe(DEFAULT_STRATEGY_CONFIG.volMultiplier);
    expect(paper.simStarterApplied).toEqual({});
  });

  it("lets a spread setting given explicitly win: flag or config file", async () => {
    const flag = await strategyOf(["--sim", "--vol-multiplier", "1"]);
    expect(flag.strategy.volMultiplier).toBe(1);
    expect(flag.strategy.baseSpreadBps).toBe(LIVE_DEFAULTS.simStarterStrategy.baseSpreadBps);
    expect(flag.simStarterApplied).not.toHaveProperty("volMultiplier");
    expect(simQuotesLine(flag)).toContain("with your own spread settings");

    const dir = mkdtempSync(join(tmpdir(), "botmm-sim-quotes-"));
    const file = join(dir, "live.yaml");
    writeFileSync(file, "strategy:\n  baseSpreadBps: 5\n  volMultiplier: 1.5\n");
    const fromFile = await strategyOf(["--sim", "--config", file]);
    expect(fromFile.strategy).toMatchObject({ baseSpreadBps: 5, volMultiplier: 1.5 });
    expect(fromFile.simStarterApplied).toEqual({});
    expect(simQuotesLine(fromFile)).toContain("your strategy settings");
  });

  it("is a --sim flag: refused in another mode", async () => {
    await expect(parseCli(["--paper", "--sim-quotes", "defaults"], {})).rejects.toThrow(
      /--sim-quotes only applies to --sim/,
    );
  });
});
