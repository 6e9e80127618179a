import ccxt from "ccxt";

/** What {@link BinanceUsdmClient} tells its owner about its WebSockets. */
export interface BinanceSocketHooks {
  /** A socket to `url` opened (a first dial or a reconnect). */
  opened(url: string): void;
  /** A socket to `url` closed or failed (`reason` in ccxt's words, which may contain the URL). */
  closed(url: string, reason: string): void;
  /** The user data stream said `listenKeyExpired` (ccxt itself ignores it). */
  listenKeyExpired(url: string): void;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * ccxt's `binanceusdm` with its "pro" WebSocket API (REST included), told to report socket opens and closes
 * and Binance's `listenKeyExpired`, and with its deferred tasks (the 20-minute listen key keep-alive) on
 * unref'd timers that {@link close} clears, so a closed venue never holds the process open.
 *
 * @example
 * ```ts
 * const client = new BinanceUsdmClient({ apiKey, secret, urls: { api: { ...binanceUsdmUrls(base), ws: { future: `${wsBase}/ws` } } } });
 * client.hooks = { opened: (url) => {}, closed: (url, reason) => {}, listenKeyExpired: () => {} };
 * const book = await client.watchOrderBook("BTC/USDT:USDT");
 * await client.close();
 * ```
 */
export class BinanceUsdmClient extends ccxt.pro.binanceusdm {
  hooks: BinanceSocketHooks | null = null;
  readonly #timers = new Set<Timer>();
  #keepAlive: Timer | null = null;

  /**
   * ccxt's hook when a socket opens; tells {@link hooks}.
   *
   * @example
   * ```ts
   * client.hooks = { opened: (url) => console.log("up", url), closed: () => {}, listenKeyExpired: () => {} };
   * ```
   */
  override onConnected(client: { url: string }, message?: unknown): void {
    super.onConnected(client, message);
    this.hooks?.opened(client.url);
  }

  /**
   * ccxt's hook when a socket fails (a refused dial, a missed pong); tells {@link hooks}.
   *
   * @example
   * ```ts
   * client.hooks = { opened: () => {}, closed: (url, reason) => console.log("down", reason), listenKeyExpired: () => {} };
   * ```
   */
  override onError(client: { url: string }, error: unknown): void {
    super.onError(client, error);
    this.hooks?.closed(client.url, error instanceof Error ? error.message : String(error));
  }

  /**
   * ccxt's hook when a socket closes; tells {@link hooks} with the close code.
   *
   * @example
   * ```ts
   * client.hooks = { opened: () => {}, closed: (url, reason) => console.log(reason), listenKeyExpired: () => {} }; // "WebSocket closed (code 1006)"
   * ```
   */
  override onClose(client: { url: string; error?: unknown }, event: unknown): void {
    super.onClose(client, event);
    const code = (event as { code?: number } | undefined)?.code;
    this.hooks?.closed(client.url, `WebSocket closed${code === undefined ? "" : ` (code ${code})`}`);
  }

  /**
   * ccxt's message dispatch, with Binance's `listenKeyExpired` (which ccxt ignores) reported to {@link hooks}.
   *
   * @example
   * ```ts
   * client.hooks = { opened: () => {}, closed: () => {}, listenKeyExpired: () => client.forgetListenKey() };
   * ```
   */
  override handleMessage(client: { url: string }, message: unknown): void {
    if ((message as { e?: unknown } | null)?.e === "listenKeyExpired")
      this.hooks?.listenKeyExpired(client.url);
    // biome-ignore lint/suspicious/noExplicitAny: ccxt types the client as its own Client class.
    super.handleMessage(client as any, message);
  }

  /**
   * ccxt's deferred task (its listen key keep-alive), on an unref'd timer that {@link close} clears; only the
   * newest keep-alive is kept.
   *
   * @example
   * ```ts
   * client.delay(1_200_000, client.keepAliveListenKey, {}); // what ccxt does after authenticating
   * ```
   */
  override delay(timeout: number, method: (...args: unknown[]) => unknown, ...args: unknown[]): void {
    const isKeepAlive = method === this.keepAliveListenKey;
    // Only the newest keep-alive matters: each re-authentication schedules one.
    if (isKeepAlive && this.#keepAlive !== null) {
      clearTimeout(this.#keepAlive);
      this.#timers.delete(this.#keepAlive);
    }
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#keepAlive === timer) this.#keepAlive = null;
      this.spawn(method, ...args);
    }, timeout);
    timer.unref?.();
    this.#timers.add(timer);
    if (isKeepAlive) this.#keepAlive = timer;
  }

  /**
   * Forgets the cached listen key, so the next private watch asks `POST /fapi/v1/listenKey` again (Binance
   * answers the live key, extended, or a new one after an expiry).
   *
   * @example
   * ```ts
   * client.forgetListenKey();
   * await client.watchOrders(); // re-authenticates first
   * ```
   */
  forgetListenKey(): void {
    const future = (this.options as Record<string, Record<string, unknown> | undefined>).future ?? {};
    (this.options as Record<string, unknown>).future = {
      ...future,
      listenKey: undefined,
      lastAuthenticatedTime: 0,
    };
  }

  /**
   * Clears the deferred keep-alive and closes every socket (ccxt's `close`).
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  override async close(cleanInstanceCache?: boolean): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#keepAlive = null;
    this.hooks = null;
    await super.close(cleanInstanceCache);
  }
}
