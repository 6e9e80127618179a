import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_STRATEGY_CONFIG } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { buildConfig } from "./config.ts";
import { Journal } from "./journal.ts";
import { startSession } from "./run.ts";
import { memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

const SEED = 3;
const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

// `--sim --duration 5m` with every default (1m bars, 30-bar warm-up, default spreads, speed 60), against a seeded
// in-process emulator on 127.0.0.1. Every assertion is on the simulated clock or on counts; the real-time waits
// are generous upper bounds that only fail a hung run.
describe("--sim --duration 5m with default settings", () => {
  it("primes from candleSnapshot, quotes in its first simulated minute, gets filled and ends with a summary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-sim-start-"));
    const journalPath = join(dir, "journal.sqlite");
    const emulator = await startTestEmulator({ seed: SEED, speed: 60 });
    const { logger, lines } = memoryLogger("info");
    const config = buildConfig([
      { mode: "sim", duration: "5m", statusIntervalMs: 0, journal: journalPath, sim: { seed: SEED } },
    ]);
    expect(config.strategy.volatilityWarmupBars).toBe(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars);
    const session = await startSession(config, io, { emulator, logger });
    try {
      // Primed: the emulator serves a day of 1-minute history, so the strategy needs no live bars.
      const primed = session.bot.summary().primedBars.BTC ?? 0;
      expect(primed).toBeGreaterThan(DEFAULT_STRATEGY_CONFIG.volatilityWarmupBars);
      expect(lines.some((line) => line.includes("strategy primed from the venue's candles"))).toBe(true);
      expect(lines.some((line) => line.includes("warming up on live bars"))).toBe(false);

      // A market move through the quotes two simulated minutes after the first quote: the resting ask is
      // filled as a maker. The default quote rests about 2 + 1.5 × σ(1m) ≈ 8–10 bps from the mid, so 40 bps
      // goes through it whatever the timing (on its own, this seeded market fills it a few times an hour).
      expect(await waitFor(() => session.bot.summary().quotingSince !== null, 30_000)).toBe(true);
      const quotingSince = session.bot.summary().quotingSince ?? 0;
      expect(await waitFor(() => emulator.now() >= quotingSince + 120_000, 30_000)).toBe(true);
      const btc = emulator.engine.coin("BTC");
      if (!btc) throw new Error("the emulator lists no BTC");
      btc.fairPx *= 1.004;

      const summary = await Promise.race([
        session.bot.finished,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("the 5m run did not end within 60 s")), 60_000),
        ),
      ]);
      expect(summary.stopReason).toBe("duration");
      // --duration counts from the first quote.
      expect(summary.endedAt - (summary.quotingSince ?? Number.NaN)).toBeGreaterThanOrEqual(5 * 60_000);
      expect(summary.fills.buy + summary.fills.sell).toBeGreaterThan(0);
      expect(summary.orders.placed).toBeGreaterThan(0);
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
  }, 120_000);

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
