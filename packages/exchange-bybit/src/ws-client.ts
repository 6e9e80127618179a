import ccxt from "ccxt";

/** What {@link BybitLinearClient} tells its owner about its WebSockets. */
export interface BybitSocketHooks {
  /** A socket to `url` opened (a first dial or a reconnect). */
  opened(url: string): void;
  /** A socket to `url` closed or failed (`reason` in ccxt's words, which may contain the URL). */
  closed(url: string, reason: string): void;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * ccxt's `bybit` with its "pro" WebSocket API (REST included), told to report socket opens and closes, and
 * with its deferred tasks on unref'd timers that {@link close} clears, so a closed venue never holds the
 * process open.
 *
 * @example
 * ```ts
 * const client = new BybitLinearClient({ apiKey, secret, urls: { api: { ...bybitUrls(base), ws: bybitWsUrls(wsBase) } } });
 * client.hooks = { opened: (url) => {}, closed: (url, reason) => {} };
 * const book = await client.watchOrderBook("BTC/USDT:USDT", 50);
 * await client.close();
 * ```
 */
export class BybitLinearClient extends ccxt.pro.bybit {
  hooks: BybitSocketHooks | null = null;
  readonly #timers = new Set<Timer>();

  /**
   * ccxt's hook when a socket opens; tells {@link hooks}.
   *
   * @example
   * ```ts
   * client.hooks = { opened: (url) => console.log("up", url), closed: () => {} };
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
   * client.hooks = { opened: () => {}, closed: (url, reason) => console.log("down", reason) };
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
   * client.hooks = { opened: () => {}, closed: (url, reason) => console.log(reason) }; // "WebSocket closed (code 1006)"
   * ```
   */
  override onClose(client: { url: string; error?: unknown }, event: unknown): void {
    super.onClose(client, event);
    const code = (event as { code?: number } | undefined)?.code;
    this.hooks?.closed(client.url, `WebSocket closed${code === undefined ? "" : ` (code ${code})`}`);
  }

  /**
   * ccxt's message dispatch, which marks a subscription `acked` once Bybit confirmed it (ccxt itself only
   * records that it asked): see {@link isAcked}.
   *
   * @example
   * ```ts
   * client.handleMessage(client.client(url), { op: "subscribe", success: true, req_id: "3" });
   * ```
   */
  override handleMessage(
    client: { url: string; subscriptions?: Record<string, unknown> },
    message: unknown,
  ): void {
    const m = message as { op?: unknown; success?: unknown; req_id?: unknown } | null;
    if (m?.op === "subscribe" && m.success === true && m.req_id !== undefined) {
      for (const sub of Object.values(client.subscriptions ?? {})) {
        const s = sub as { id?: unknown; acked?: boolean } | null;
        if (s && typeof s === "object" && String(s.id) === String(m.req_id)) s.acked = true;
      }
    }
    // biome-ignore lint/suspicious/noExplicitAny: ccxt types the client and message as its own classes.
    super.handleMessage(client as any, message as any);
  }

  /**
   * Whether a connected socket whose URL contains `urlPart` has Bybit's confirmation of the subscription
   * ccxt keeps under `messageHash` (`orders`, `myTrades`, `trade:BTC/USDT:USDT`).
   *
   * @example
   * ```ts
   * client.isAcked("/v5/private", "orders"); // true once Bybit answered the `order` subscribe
   * ```
   */
  isAcked(urlPart: string, messageHash: string): boolean {
    const clients = (this.clients ?? {}) as Record<
      string,
      { url: string; isConnected?: boolean; subscriptions?: Record<string, { acked?: boolean } | undefined> }
    >;
    return Object.values(clients).some(
      (c) =>
        c.isConnected === true && c.url.includes(urlPart) && c.subscriptions?.[messageHash]?.acked === true,
    );
  }

  /**
   * ccxt's deferred task, on an unref'd timer that {@link close} clears.
   *
   * @example
   * ```ts
   * client.delay(1_000, client.loadMarkets); // runs once, unless the client is closed first
   * ```
   */
  override delay(timeout: number, method: (...args: unknown[]) => unknown, ...args: unknown[]): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.spawn(method, ...args);
    }, timeout);
    timer.unref?.();
    this.#timers.add(timer);
  }

  /**
   * Clears deferred tasks and closes every socket (ccxt's `close`).
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  override async close(cleanInstanceCache?: boolean): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.hooks = null;
    await super.close(cleanInstanceCache);
  }
}
