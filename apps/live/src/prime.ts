import type { Candle } from "@botmm/core";
import { type BotContext, type CoinState, errorText } from "./context.ts";
import { orderBelowMinimumNotional } from "./order-size-check.ts";

/**
 * Start-up priming asks for this many volatility half-lives of closed bars (at least the warm-up), so the
 * estimate starts where a bot that had been running would be rather than at the first few bars' noise.
 */
const PRIME_HALF_LIVES = 5;

/** A venue's recent candles of a coin from `startMs` on, at `intervalMs`. */
export type CandleSource = (coin: string, intervalMs: number, startMs: number) => Promise<Candle[]>;

/** Where the priming bars come from: the venue's candles (absent: the venue serves none). */
export interface PrimeSource {
  candles: CandleSource | undefined;
  /** For log lines (e.g. `api.hyperliquid.xyz`). */
  host: string;
  /** Books one request against the bot's request budget. */
  spend: () => void;
}

/**
 * Primes each coin's kernel with the venue's recent closed bars (`candleSnapshot`), so no live warm-up is
 * needed. When the venue cannot serve them, or serves too few, the bot warms up on live bars and says how long
 * that takes. Also warns when the order size, at the last close, rounds below the venue's minimum notional.
 */
export async function primeFromCandles(context: BotContext, source: PrimeSource): Promise<void> {
  const { config, log, clock, coins } = context;
  const strategy = config.strategy;
  const intervalMs = config.barIntervalMs;
  const warmupBars = strategy.volatilityWarmupBars;
  // N returns need N + 1 closes.
  const wanted = Math.max(warmupBars, PRIME_HALF_LIVES * strategy.volatilityHalfLifeBars) + 1;
  for (const state of coins.values()) {
    const currentBarStart = Math.floor(clock.now() / intervalMs) * intervalMs;
    let reason = "";
    let closes: number[] = [];
    if (source.candles === undefined) reason = "this venue serves no candles";
    else {
      try {
        const candles = await source.candles(state.coin, intervalMs, currentBarStart - wanted * intervalMs);
        source.spend();
        closes = candles
          .filter((candle) => candle.openTime < currentBarStart && candle.close > 0)
          .slice(-wanted)
          .map((candle) => candle.close);
      } catch (error) {
        reason = errorText(error);
      }
    }
    for (const close of closes) state.kernel.onBarClose(close);
    state.primedBars = closes.length;
    warnIfOrderBelowMinimum(context, state, closes.at(-1) ?? Number.NaN);
    const seen = state.kernel.maker.barsSeen;
    if (seen >= warmupBars) {
      log.info(
        { coin: state.coin, bars: closes.length, host: source.host },
        "strategy primed from the venue's candles: no warm-up",
      );
      continue;
    }
    const minutes = ((warmupBars - seen) * intervalMs) / 60_000;
    log.warn(
      { coin: state.coin, host: source.host, bars: closes.length, needed: warmupBars + 1 },
      `candleSnapshot from ${source.host} gave ${closes.length} of ${warmupBars + 1} closed bars` +
        `${reason === "" ? "" : ` (${reason})`}: warming up on live bars for about ${Number(minutes.toFixed(1))} min ` +
        "of bot clock; --duration counts from the first quote",
    );
  }
}

function warnIfOrderBelowMinimum(context: BotContext, state: CoinState, price: number): void {
  const orderSizeUsd = context.config.strategy.orderSizeUsd;
  const notional = orderBelowMinimumNotional(state.instrument, orderSizeUsd, price);
  if (notional === null) return;
  context.log.warn(
    { coin: state.coin, orderSizeUsd, minNotionalUsd: state.instrument.minNotionalUsd },
    `an order of $${orderSizeUsd} is ${(notional / price).toPrecision(3)} ${state.coin} after lot rounding, ` +
      `$${notional.toFixed(2)} at ${price}: under the venue's $${state.instrument.minNotionalUsd} minimum, so no ` +
      "order would be placed; raise --order-size-usd",
  );
}
