import { type Candle, ManualClock } from "@botmm/core";
import { CoinKernel, parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import type { BotContext, CoinState } from "./context.ts";
import { primeFromCandles } from "./prime.ts";
import { BINANCE_BTC, memoryLogger } from "./test-support.ts";

const MINUTE = 60_000;

/** Primes one coin from 60 one-minute candles closing at 97,000 and returns the log lines. */
async function prime(orderSizeUsd: number): Promise<{ lines: string[]; primed: number }> {
  const strategy = parseStrategyConfig({ orderSizeUsd });
  const { logger, lines } = memoryLogger("info");
  const now = 100 * MINUTE;
  const state = {
    coin: "BTCUSDT",
    instrument: BINANCE_BTC,
    kernel: new CoinKernel(strategy, BINANCE_BTC),
    primedBars: 0,
  };
  const context = {
    config: { strategy, barIntervalMs: MINUTE },
    log: logger,
    clock: new ManualClock(now),
    coins: new Map([["BTCUSDT", state as unknown as CoinState]]),
  } as unknown as BotContext;
  const candles = async (_coin: string, _interval: number, startMs: number): Promise<Candle[]> =>
    Array.from({ length: (now - startMs) / MINUTE }, (_, i) => {
      const close = 97_000 + (i % 2) * 10;
      return { openTime: startMs + i * MINUTE, open: close, high: close, low: close, close, volume: 1 };
    }).map((candle, i, all) => (i === all.length - 1 ? { ...candle, close: 97_000 } : candle));
  await primeFromCandles(context, { candles, host: "127.0.0.1", spend: () => {} });
  return { lines, primed: state.primedBars };
}

describe("primeFromCandles", () => {
  it("warns when the order size rounds under the venue's minimum notional at the last close", async () => {
    const { lines, primed } = await prime(100);
    expect(primed).toBeGreaterThan(0);
    const warning = lines.find((line) => line.includes("minimum"));
    expect(warning).toContain("an order of $100 is 0.00100 BTCUSDT after lot rounding, $97.00 at 97000");
    expect(warning).toContain("raise --order-size-usd");
  });

  it("says nothing about the size when the rounded order meets the minimum", async () => {
    const { lines } = await prime(200);
    expect(lines.some((line) => line.includes("minimum"))).toBe(false);
    expect(lines.some((line) => line.includes("strategy primed from the venue's candles"))).toBe(true);
  });
});
