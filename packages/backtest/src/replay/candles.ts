import type { Candle } from "@botmm/core";
import type { MarketEvent } from "./types.ts";

/**
 * OHLCV candles from recorded events: open/high/low/close of the mid ((best bid + best ask) / 2) at each book,
 * volume = traded size (base units) of the trades in the interval. Intervals without any book or trade are
 * absent (a gap in the candles, as in real candle data); an interval with trades but no book opens at the last
 * mid. Subscription snapshot trades are skipped. `coin` picks one coin (default: the first event's).
 * These are the same bars the replay engine feeds the strategy, for comparing the candle model with replay.
 *
 * @example
 * ```ts
 * const candles = await aggregateToCandles(readRecording("rec", { coins: ["BTC"] }), 60_000);
 * runCandleBacktest(toCandleColumns(candles), candleOptions); // the candle engine on the same minutes
 * ```
 */
export async function aggregateToCandles(
  events: Iterable<MarketEvent> | AsyncIterable<MarketEvent>,
  intervalMs: number,
  coin?: string,
): Promise<Candle[]> {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const candles: Candle[] = [];
  let current: Candle | null = null;
  let mid = Number.NaN;
  let wanted = coin;
  const at = (time: number): Candle | null => {
    const openTime = Math.floor(time / intervalMs) * intervalMs;
    if (current !== null && current.openTime === openTime) return current;
    if (!(mid > 0)) return null;
    if (current !== null && openTime < current.openTime) return current; // a clock step back: stay
    current = { openTime, open: mid, high: mid, low: mid, close: mid, volume: 0 };
    candles.push(current);
    return current;
  };
  const onEvent = (event: MarketEvent) => {
    wanted ??= event.coin;
    if (event.coin !== wanted || event.type === "gap") return;
    if (event.type === "book") {
      const view = event.view;
      let next: number;
      if (view !== undefined) {
        if (view.bids.length === 0 || view.asks.length === 0) return;
        next = (view.bids.price(0) + view.asks.price(0)) / 2;
      } else {
        if (event.bids.length === 0 || event.asks.length === 0) return;
        next = (event.bids[0]![0] + event.asks[0]![0]) / 2;
      }
      mid = next;
      const candle = at(event.lt)!;
      if (next > candle.high) candle.high = next;
      if (next < candle.low) candle.low = next;
      candle.close = next;
      return;
    }
    if (event.snapshot === true) return;
    const candle = at(event.lt);
    if (candle === null) return;
    for (const trade of event.trades) candle.volume += trade.sz;
  };
  if (Symbol.iterator in events) for (const event of events as Iterable<MarketEvent>) onEvent(event);
  else for await (const event of events as AsyncIterable<MarketEvent>) onEvent(event);
  return candles;
}
