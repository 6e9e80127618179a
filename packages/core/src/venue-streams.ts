import type { Clock } from "./clock.ts";
import type { BookTop, Fill, L2Book, Level } from "./types.ts";
import type { OrderUpdate, SubscriptionRequest, Unsubscribe, VenueEvent } from "./venue.ts";

/** One subscription as a stream loop sees it: what it asked for. */
export interface StreamTarget {
  readonly request: SubscriptionRequest;
}

/** What a loop's `dispatch` may do with what its watcher delivered. */
export interface StreamOutput {
  /** The subscriptions that want this loop. */
  readonly targets: readonly StreamTarget[];
  emit(target: StreamTarget, event: VenueEvent): void;
  /** To every subscription with `account: true`. */
  emitAccount(event: VenueEvent): void;
  /** A fill to every account subscription unless it was delivered before (by the stream or by recovery). */
  deliverFill(fill: Fill): boolean;
}

/** One watcher (one ccxt `watch*` call in a loop), shared by every subscription that wants it. */
export interface StreamLoopSpec {
  /** Identity: two subscriptions naming the same key share one loop (`book:BTCUSDT`, `orders`). */
  key: string;
  /** A dropped `user` socket means fills may have been missed: recovery runs before `reconnected`. */
  kind: "market" | "user";
  watch(): Promise<unknown>;
  unwatch: (() => Promise<unknown>) | null;
  dispatch(value: unknown, out: StreamOutput): void;
  /** Whether the transport has a connected socket carrying this loop (before any data came). */
  live?(): boolean;
}

/** What a {@link VenueStreams} needs from its venue adapter. */
export interface VenueStreamsContext {
  clock: Clock;
  /** First retry delay; doubles per failure up to `maxRetryDelayMs` (default 5000). */
  reconnectDelayMs: number;
  maxRetryDelayMs?: number;
  /** How long `subscribe` waits for its streams before failing. */
  subscribeTimeoutMs: number;
  /** The loops a request needs. */
  loopsFor(request: SubscriptionRequest): StreamLoopSpec[];
  /** `network`: a dropped socket (reported once as `disconnected`); `refused`: retrying cannot fix it. */
  classify(error: unknown): "network" | "refused" | "other";
  /** An error's words with keys and signatures removed. */
  describe(error: unknown): string;
  log(level: "debug" | "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
  /** The venue's typed error. */
  error(code: "CLOSED" | "REQUEST_FAILED", message: string, cause?: unknown): Error;
  /** After a user socket was down: the fills made since `since` (REST) and where tracked orders now stand. */
  recover(since: number, coins: readonly string[]): Promise<{ fills: Fill[]; updates: OrderUpdate[] }>;
  /** How fills are told apart (the same key whether a fill came by stream or by REST). */
  fillKey(fill: Fill): string;
  /** Closes the transport's sockets. */
  closeTransport(): Promise<void>;
  /** How recovered fills are ordered (default: by time). */
  compareFills?(a: Fill, b: Fill): number;
}

interface Stream extends StreamTarget {
  listener: (event: VenueEvent) => void;
  loops: Loop[];
  closed: boolean;
}

interface Loop {
  spec: StreamLoopSpec;
  streams: Set<Stream>;
  stopped: boolean;
  ready: boolean;
  refused: boolean;
  failures: number;
  lastError: string;
}

/** Fills are deduplicated over this many recent keys. */
const SEEN_FILLS_CAPACITY = 20_000;
/** Recovery asks REST for fills from this long before the drop was noticed (the drop is seen late). */
const RECOVERY_MARGIN_MS = 60_000;

/**
 * The venue-neutral half of a WebSocket venue adapter: runs each watcher in a loop shared by every
 * subscription that wants it, retries with exponential backoff, and turns socket drops into one
 * `connection: disconnected`; once every dropped socket is open again (the transport resubscribes and
 * resyncs books), the fills made meanwhile are fetched over REST and tracked orders reconciled (only after a
 * user socket dropped), and only then `connection: reconnected`. Fills are delivered exactly once, whichever
 * way they came. The adapter reports its sockets with {@link socketOpened} / {@link socketClosed}.
 *
 * @example
 * ```ts
 * const streams = new VenueStreams({ clock, reconnectDelayMs: 250, subscribeTimeoutMs: 10_000, loopsFor, classify,
 *   describe, log, error, recover, fillKey, closeTransport: () => exchange.close() });
 * exchange.onSocket = (url, up) => (up ? streams.socketOpened(url) : streams.socketClosed(url, isPrivate(url), "closed"));
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * ```
 */
export class VenueStreams {
  readonly #c: VenueStreamsContext;
  readonly #loops = new Map<string, Loop>();
  readonly #streams = new Set<Stream>();
  readonly #opened = new Set<string>();
  readonly #down = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #seenOrder: string[] = [];
  #outage: { since: number; user: boolean } | null = null;
  #recovering = false;
  #closed = false;

  constructor(context: VenueStreamsContext) {
    this.#c = context;
  }

  /**
   * Whether {@link close} was called.
   *
   * @example
   * ```ts
   * if (streams.closed) return; // a late socket callback after close
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Opens the loops a request needs; resolves once each has delivered or its socket is open.
   *
   * @throws the context's error `CLOSED`, `REQUEST_FAILED` (a stream did not come up in time or was refused).
   * @example
   * ```ts
   * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "top", trades: false, account: false }, console.log);
   * await stop();
   * ```
   */
  async subscribe(request: SubscriptionRequest, listener: (event: VenueEvent) => void): Promise<Unsubscribe> {
    if (this.#closed) throw this.#c.error("CLOSED", "subscribe: the venue is closed");
    const stream: Stream = { listener, request, loops: [], closed: false };
    for (const spec of this.#c.loopsFor(request)) stream.loops.push(this.#loop(spec));
    this.#streams.add(stream);
    for (const loop of stream.loops) {
      const fresh = loop.streams.size === 0;
      loop.streams.add(stream);
      if (fresh) void this.#run(loop);
    }
    const deadline = this.#c.subscribeTimeoutMs;
    let waited = 0;
    const isUp = (l: Loop) => l.ready || (l.spec.live?.() ?? false);
    const up = () => stream.loops.every(isUp);
    while (!up() && !stream.loops.some((l) => l.refused && !l.ready) && waited < deadline && !this.#closed) {
      await sleep(20);
      waited += 20;
    }
    const missing = up() ? [] : stream.loops.filter((l) => !isUp(l));
    if (missing.length > 0) {
      await this.#remove(stream);
      throw this.#c.error(
        this.#closed ? "CLOSED" : "REQUEST_FAILED",
        `subscribe: no data within ${deadline} ms or refused: ${missing
          .map((l) => `${l.spec.key}${l.lastError ? ` (${l.lastError})` : ""}`)
          .join(", ")}`,
      );
    }
    return () => this.#remove(stream);
  }

  /**
   * Stops every loop and closes the transport.
   *
   * @example
   * ```ts
   * await streams.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of this.#streams) stream.closed = true;
    this.#streams.clear();
    for (const loop of this.#loops.values()) loop.stopped = true;
    this.#loops.clear();
    await this.#c.closeTransport().catch(() => {});
  }

  /**
   * The transport opened socket `key` (a first dial or a reconnect); finishes an outage once none is down.
   *
   * @example
   * ```ts
   * streams.socketOpened("wss://stream.bybit.com/v5/private");
   * ```
   */
  socketOpened(key: string): void {
    if (this.#closed) return;
    this.#opened.add(key);
    this.#down.delete(key);
    if (this.#outage && this.#down.size === 0) void this.#finishOutage();
  }

  /**
   * The transport lost socket `key` (`user`: it carried account data). The first loss of an outage tells
   * every subscription `disconnected`; a dial that never opened is not a new drop.
   *
   * @example
   * ```ts
   * streams.socketClosed("wss://stream.bybit.com/v5/private", true, "WebSocket closed (code 1006)");
   * ```
   */
  socketClosed(key: string, user: boolean, reason: string): void {
    if (this.#closed) return;
    if (!this.#opened.has(key) || this.#down.has(key)) return;
    this.#down.add(key);
    const words = this.#c.describe(reason);
    if (this.#outage) {
      this.#outage.user ||= user;
      return;
    }
    const now = this.#c.clock.now();
    this.#outage = { since: now, user };
    this.#c.log("warn", `${words}; reconnecting`, { socket: user ? "user" : "market" });
    for (const stream of this.#streams)
      this.#emit(stream, { type: "connection", state: "disconnected", reason: words, receivedAt: now });
  }

  #loop(spec: StreamLoopSpec): Loop {
    let loop = this.#loops.get(spec.key);
    if (!loop) {
      loop = {
        spec,
        streams: new Set(),
        stopped: false,
        ready: false,
        refused: false,
        failures: 0,
        lastError: "",
      };
      this.#loops.set(spec.key, loop);
    }
    return loop;
  }

  async #run(loop: Loop): Promise<void> {
    const out: StreamOutput = {
      get targets() {
        return [...loop.streams];
      },
      emit: (target, event) => this.#emit(target as Stream, event),
      emitAccount: (event) => this.#emitAccount(event),
      deliverFill: (fill) => this.#deliverFill(fill),
    };
    while (!loop.stopped && !this.#closed) {
      try {
        const value = await loop.spec.watch();
        if (loop.stopped || this.#closed) return;
        loop.failures = 0;
        loop.ready = true;
        loop.spec.dispatch(value, out);
      } catch (error) {
        if (loop.stopped || this.#closed) return;
        loop.failures++;
        loop.lastError = this.#c.describe(error);
        const kind = this.#c.classify(error);
        loop.refused = kind === "refused";
        // A dropped socket is reported once as `disconnected`; anything else (a refused subscription, a
        // failed authentication, a book gap the transport resyncs) is an `error` for this loop's streams.
        if (kind !== "network") {
          const words = `stream ${loop.spec.key} failed, retrying: ${loop.lastError}`;
          this.#c.log("error", words, { stream: loop.spec.key });
          const wrapped = this.#c.error("REQUEST_FAILED", words);
          for (const stream of loop.streams)
            this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#c.clock.now() });
        }
        const cap = this.#c.maxRetryDelayMs ?? 5_000;
        await sleep(Math.min(cap, this.#c.reconnectDelayMs * 2 ** (loop.failures - 1)));
      }
    }
  }

  async #remove(stream: Stream): Promise<void> {
    if (stream.closed) return;
    stream.closed = true;
    this.#streams.delete(stream);
    const unwatches: Promise<unknown>[] = [];
    for (const loop of stream.loops) {
      loop.streams.delete(stream);
      if (loop.streams.size > 0) continue;
      loop.stopped = true;
      this.#loops.delete(loop.spec.key);
      if (loop.spec.unwatch && !this.#closed) unwatches.push(loop.spec.unwatch().catch(() => {}));
    }
    if (this.#streams.size === 0) {
      // Nothing is listening: no outage to finish.
      this.#outage = null;
      this.#down.clear();
    }
    await Promise.all(unwatches);
  }

  async #finishOutage(): Promise<void> {
    if (this.#recovering || !this.#outage) return;
    this.#recovering = true;
    const outage = this.#outage;
    try {
      const accountStreams = [...this.#streams].filter((s) => s.request.account);
      if (outage.user && accountStreams.length > 0) {
        const coins = [...new Set(accountStreams.flatMap((s) => s.request.coins))];
        const { fills, updates } = await this.#c.recover(outage.since - RECOVERY_MARGIN_MS, coins);
        const now = this.#c.clock.now();
        for (const update of updates) this.#emitAccount({ type: "order", update, receivedAt: now });
        const order = this.#c.compareFills ?? ((a: Fill, b: Fill) => a.time - b.time);
        let recovered = 0;
        for (const fill of [...fills].sort(order)) if (this.#deliverFill(fill)) recovered++;
        this.#c.log("info", `user stream back: ${recovered} missed fill(s) recovered over REST`, {
          recovered,
          reconciled: updates.length,
        });
      }
    } catch (error) {
      const words = this.#c.describe(error);
      this.#c.log("error", `recovery after the reconnect failed: ${words}`);
      const wrapped = this.#c.error(
        "REQUEST_FAILED",
        `recovery after the reconnect failed (reconcile open orders and fills yourself): ${words}`,
        error,
      );
      for (const stream of this.#streams)
        this.#emit(stream, { type: "error", error: wrapped, receivedAt: this.#c.clock.now() });
    } finally {
      this.#recovering = false;
    }
    if (this.#closed || this.#outage !== outage) return;
    if (this.#down.size > 0) return; // dropped again meanwhile: the next open finishes it
    this.#outage = null;
    this.#c.log("info", "streams reconnected");
    const now = this.#c.clock.now();
    for (const stream of this.#streams)
      this.#emit(stream, { type: "connection", state: "reconnected", receivedAt: now });
  }

  #deliverFill(fill: Fill): boolean {
    const key = this.#c.fillKey(fill);
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    this.#seenOrder.push(key);
    if (this.#seenOrder.length > SEEN_FILLS_CAPACITY) {
      for (const old of this.#seenOrder.splice(0, SEEN_FILLS_CAPACITY / 2)) this.#seen.delete(old);
    }
    this.#emitAccount({ type: "fill", fill, receivedAt: this.#c.clock.now() });
    return true;
  }

  #emitAccount(event: VenueEvent): void {
    for (const stream of this.#streams) if (stream.request.account) this.#emit(stream, event);
  }

  #emit(stream: Stream, event: VenueEvent): void {
    if (stream.closed) return;
    try {
      stream.listener(event);
    } catch (error) {
      this.#c.log("error", `a venue event listener threw: ${this.#c.describe(error)}`, { event: event.type });
    }
  }
}

/** A streamed order book as transports (ccxt's `watchOrderBook`) keep it: `[price, size]` rows, best first. */
export interface BookRowsLike {
  bids: readonly (readonly number[])[];
  asks: readonly (readonly number[])[];
  timestamp?: number | undefined;
}

const levelsOf = (rows: readonly (readonly number[])[], depth: number): Level[] =>
  rows.slice(0, depth).map((row) => ({ price: Number(row[0]), size: Number(row[1]) }));

/**
 * A streamed order book as a core `L2Book` with at most `depth` levels a side.
 *
 * @example
 * ```ts
 * l2BookFromRows("BTCUSDT", { bids: [[59_999.9, 5]], asks: [[60_000.1, 5]], timestamp: 1 }, 20).bids; // [{ price: 59999.9, size: 5 }]
 * ```
 */
export function l2BookFromRows(coin: string, book: BookRowsLike, depth: number): L2Book {
  return {
    coin,
    time: book.timestamp ?? 0,
    bids: levelsOf(book.bids, depth),
    asks: levelsOf(book.asks, depth),
  };
}

/**
 * The best bid and ask of a streamed order book.
 *
 * @example
 * ```ts
 * bookTopFromRows("BTCUSDT", { bids: [], asks: [[60_000.1, 5]] }); // { coin: "BTCUSDT", time: 0, bid: null, ask: { price: 60000.1, size: 5 } }
 * ```
 */
export function bookTopFromRows(coin: string, book: BookRowsLike): BookTop {
  const [bid] = levelsOf(book.bids, 1);
  const [ask] = levelsOf(book.asks, 1);
  return { coin, time: book.timestamp ?? 0, bid: bid ?? null, ask: ask ?? null };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
}
