import type { LevelView } from "@botmm/sim-exchange";

/** One price level as recorded: `[price, size, orders]` (size in base units; orders = the venue's `n`). */
export type RecordedLevel = [price: number, size: number, orders: number];

export type { LevelView };

/** Both sides of a book as {@link LevelView}s. */
export interface BookView {
  readonly bids: LevelView;
  readonly asks: LevelView;
}

/**
 * A depth snapshot. `t` is the venue's timestamp, `lt` the local receive time (both ms since the epoch, UTC).
 * `bids` best (highest) first, `asks` best (lowest) first (the recording format keeps 20 levels; books rebuilt
 * from diffs keep every level). `view`, when present, holds the same levels as {@link LevelView}s: readers
 * of full-depth books set it and build `bids` / `asks` only when they are read, so consumers that can read
 * the view (the replay engine, the book check) should.
 */
export interface BookEvent {
  type: "book";
  coin: string;
  t: number;
  lt: number;
  bids: RecordedLevel[];
  asks: RecordedLevel[];
  view?: BookView;
}

/** One public trade. `side` is the aggressor's, as Hyperliquid writes it: `B` bought (lifted an ask), `A` sold. */
export interface RecordedTrade {
  /** Venue timestamp (ms). */
  t: number;
  px: number;
  sz: number;
  side: "B" | "A";
  tid: number | string;
}

/**
 * Trades received in one message at local time `lt`. `snapshot: true` marks the venue's replay of recent trades
 * sent on (re)subscription: readers keep it, the replay engine ignores it (those trades happened before).
 */
export interface TradesEvent {
  type: "trades";
  coin: string;
  lt: number;
  trades: RecordedTrade[];
  snapshot?: boolean;
}

/** A period without data (a disconnect, a restart), in local time. Never papered over. */
export interface GapEvent {
  type: "gap";
  coin: string;
  from: number;
  to: number;
  reason: string;
}

/** What a recording (or an archive reader) yields, in time order. */
export type MarketEvent = BookEvent | TradesEvent | GapEvent;

/** The first line of every recording file. */
export interface RecordingHeader {
  type: "header";
  format: "botmm-md";
  version: 1;
  coin: string;
  venue: string;
  /** Local time (ms) of the first event written to this file. */
  startedAt: number;
}

/**
 * The time an event is ordered by: local receive time for books and trades, the start for gaps.
 *
 * @example
 * ```ts
 * eventTime({ type: "gap", coin: "BTC", from: 5, to: 9, reason: "disconnect" }); // 5
 * ```
 */
export function eventTime(event: MarketEvent): number {
  return event.type === "gap" ? event.from : event.lt;
}
