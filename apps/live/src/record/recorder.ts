import { statSync } from "node:fs";
import type { BookEvent, RecordedLevel, TradesEvent } from "@botmm/backtest";
import type { Clock, Level, Venue, VenueEvent } from "@botmm/core";
import type { RecordingWriter } from "./writer.ts";

/** What a recording session is asked to do. */
export interface RecorderOptions {
  /** A venue used for public market data only (no orders are sent). */
  venue: Venue;
  /** The venue's market ids to subscribe to (`BTC` on Hyperliquid, `BTCUSDT` on Binance). */
  coins: string[];
  /**
   * The recording's coin of a venue market id (default: the id itself): a Binance `BTCUSDT` is recorded as
   * `BTC`, the coin the backtest's `--symbol` maps to.
   */
  recordAs?: Readonly<Record<string, string>>;
  writer: RecordingWriter;
  clock: Clock;
  /** Book levels kept per side (Hyperliquid sends up to 20). */
  depth?: number;
  /** Called with a one-line status every `statusIntervalMs` (default 10 s). */
  onStatus?: (line: string) => void;
  statusIntervalMs?: number;
}

/** What a finished recording session wrote. */
export interface RecorderSummary {
  books: number;
  trades: number;
  gaps: number;
  files: string[];
  startedAt: number;
  endedAt: number;
}

const toLevels = (levels: readonly Level[], depth: number): RecordedLevel[] =>
  levels.slice(0, depth).map((level) => [level.price, level.size, level.orders ?? 0]);

/**
 * Records L2 books and trades from a venue into the BotMM recording format (v1, hourly-rotated gzip JSON
 * Lines, see `@botmm/backtest`'s FORMAT.md) with both the venue's and the local timestamps. A disconnect is
 * written as a `gap` from the moment it was noticed to the reconnect — never papered over; trades the venue
 * replays on (re)subscription are marked `snapshot`.
 *
 * @example
 * ```ts
 * const recorder = new Recorder({ venue, coins: ["BTC"], writer: new RecordingWriter({ rootDir: "rec" }), clock });
 * await recorder.start();
 * // … later
 * const summary = await recorder.stop();
 * ```
 */
export class Recorder {
  readonly #options: RecorderOptions;
  readonly #depth: number;
  readonly #names: readonly string[];
  #unsubscribe: (() => Promise<void>) | null = null;
  #statusTimer: NodeJS.Timeout | null = null;
  #books = 0;
  #trades = 0;
  #gaps = 0;
  #disconnectedAt: number | null = null;
  #subscribedAt = 0;
  #startedAt = 0;
  #sinceStatus = 0;
  #failure: Error | null = null;

  constructor(options: RecorderOptions) {
    this.#options = options;
    this.#depth = options.depth ?? 20;
    this.#names = options.coins.map((coin) => this.#recorded(coin));
  }

  /** Subscribes and starts writing. */
  async start(): Promise<void> {
    const { venue, coins, clock } = this.#options;
    this.#startedAt = clock.now();
    this.#subscribedAt = this.#startedAt;
    this.#unsubscribe = await venue.subscribe({ coins, book: "l2", trades: true, account: false }, (event) =>
      this.#onEvent(event),
    );
    const interval = this.#options.statusIntervalMs ?? 10_000;
    if (this.#options.onStatus !== undefined && interval > 0) {
      this.#statusTimer = setInterval(() => this.#status(interval), interval);
      this.#statusTimer.unref();
    }
  }

  /** Stops the subscription, closes an open gap at the stop time, flushes and closes the files. */
  async stop(): Promise<RecorderSummary> {
    if (this.#statusTimer !== null) clearInterval(this.#statusTimer);
    await this.#unsubscribe?.();
    const endedAt = this.#options.clock.now();
    if (this.#disconnectedAt !== null)
      this.#writeGap(this.#disconnectedAt, endedAt, "stopped while disconnected");
    await this.#options.writer.close();
    if (this.#failure !== null) throw this.#failure;
    return {
      books: this.#books,
      trades: this.#trades,
      gaps: this.#gaps,
      files: [...this.#options.writer.files],
      startedAt: this.#startedAt,
      endedAt,
    };
  }

  #onEvent(event: VenueEvent): void {
    try {
      this.#write(event);
    } catch (error) {
      // A write failure (disk full, …) must not be swallowed: remember it and surface it on stop().
      this.#failure ??= error as Error;
    }
  }

  #write(event: VenueEvent): void {
    const writer = this.#options.writer;
    switch (event.type) {
      case "book": {
        const book: BookEvent = {
          type: "book",
          coin: this.#recorded(event.book.coin),
          t: event.book.time,
          lt: event.receivedAt,
          bids: toLevels(event.book.bids, this.#depth),
          asks: toLevels(event.book.asks, this.#depth),
        };
        writer.write(book);
        this.#books++;
        this.#sinceStatus++;
        return;
      }
      case "trades": {
        if (event.trades.length === 0) return;
        const coin = this.#recorded(event.trades[0]!.coin);
        // Hyperliquid replays recent trades on (re)subscription: older than the subscription = a snapshot.
        const snapshot = event.trades.every((trade) => trade.time < this.#subscribedAt - 1_000);
        const trades: TradesEvent = {
          type: "trades",
          coin,
          lt: event.receivedAt,
          trades: event.trades.map((trade) => ({
            t: trade.time,
            px: trade.price,
            sz: trade.size,
            side: trade.side === "buy" ? "B" : "A",
            tid: trade.id,
          })),
          ...(snapshot ? { snapshot: true } : {}),
        };
        writer.write(trades);
        this.#trades += event.trades.length;
        this.#sinceStatus++;
        return;
      }
      case "connection": {
        if (event.state === "disconnected") {
          this.#disconnectedAt ??= event.receivedAt;
        } else if (event.state === "reconnected") {
          const from = this.#disconnectedAt ?? event.receivedAt;
          this.#writeGap(from, event.receivedAt, event.reason ?? "websocket reconnected");
          this.#disconnectedAt = null;
          this.#subscribedAt = event.receivedAt;
        }
        return;
      }
      default:
        return;
    }
  }

  #recorded(venueCoin: string): string {
    const recordAs = this.#options.recordAs;
    return recordAs !== undefined && Object.hasOwn(recordAs, venueCoin) ? recordAs[venueCoin]! : venueCoin;
  }

  #writeGap(from: number, to: number, reason: string): void {
    for (const coin of this.#names) {
      this.#options.writer.write({ type: "gap", coin, from, to, reason });
    }
    this.#gaps++;
  }

  #status(intervalMs: number): void {
    const rate = (this.#sinceStatus * 1000) / intervalMs;
    this.#sinceStatus = 0;
    const files = this.#options.writer.files;
    let bytes = 0;
    for (const file of files) bytes += statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    this.#options.onStatus?.(
      `recording ${this.#names.join(",")}: ${this.#books} books, ${this.#trades} trades, ${this.#gaps} gaps, ` +
        `${rate.toFixed(1)} events/s, ${files.length} files, ${(bytes / 1_048_576).toFixed(2)} MiB compressed`,
    );
  }
}
