import { type SocketHooked, withSocketHooks } from "@botmm/exchange-ccxt";
import ccxt from "ccxt";

// biome-ignore lint/suspicious/noExplicitAny: ccxt's constructor takes its user config.
const HookedBinanceUsdm: typeof ccxt.pro.binanceusdm & (new (...args: any[]) => SocketHooked) =
  withSocketHooks(ccxt.pro.binanceusdm);

/**
 * ccxt's `binanceusdm` with its "pro" WebSocket API (REST included), reporting socket opens and closes to
 * `hooks` and running its deferred tasks on unref'd timers that `close` clears (`withSocketHooks` of
 * `@botmm/exchange-ccxt`); on top, Binance's `listenKeyExpired` (which ccxt ignores) goes to
 * {@link onListenKeyExpired}, and only the newest listen-key keep-alive is kept.
 *
 * @example
 * ```ts
 * const client = new BinanceUsdmClient({ apiKey, secret, urls: { api: { ...binanceUsdmUrls(base), ws: { future: `${wsBase}/ws` } } } });
 * client.hooks = { opened: (url) => {}, closed: (url, reason) => {} };
 * client.onListenKeyExpired = () => client.forgetListenKey();
 * const book = await client.watchOrderBook("BTC/USDT:USDT");
 * await client.close();
 * ```
 */
export class BinanceUsdmClient extends HookedBinanceUsdm {
  /** Told when the user data stream says `listenKeyExpired`. */
  onListenKeyExpired: ((url: string) => void) | null = null;
  /**
   * Told of each REST request ccxt's streams make on their own — the listen key (`POST`/`PUT /fapi/v1/listenKey`)
   * and the depth snapshot (`GET /fapi/v1/depth`) — with its Binance request weight (see {@link streamRequestWeight}),
   * so the adapter's local budget counts them.
   */
  onStreamRequest: ((weight: number, path: string) => void) | null = null;

  /**
   * ccxt's request path, reporting stream-made requests to {@link onStreamRequest} before they are sent.
   *
   * @example
   * ```ts
   * client.onStreamRequest = (weight) => budget.record(weight, 0);
   * ```
   */
  override async fetch2(
    path: unknown,
    api?: unknown,
    method?: string,
    params?: Record<string, unknown>,
    headers?: unknown,
    body?: unknown,
    config?: Record<string, unknown>,
  ) {
    const weight = streamRequestWeight(String(path), params ?? {});
    if (weight > 0) this.onStreamRequest?.(weight, String(path));
    return super.fetch2(path, api, method, params, headers, body, config);
  }

  /**
   * ccxt's message dispatch, with Binance's `listenKeyExpired` reported to {@link onListenKeyExpired}.
   *
   * @example
   * ```ts
   * client.onListenKeyExpired = () => client.forgetListenKey();
   * ```
   */
  override handleMessage(client: { url: string }, message: unknown): void {
    if ((message as { e?: unknown } | null)?.e === "listenKeyExpired") this.onListenKeyExpired?.(client.url);
    // biome-ignore lint/suspicious/noExplicitAny: ccxt types the client as its own Client class.
    super.handleMessage(client as any, message);
  }

  /**
   * Each re-authentication schedules a listen-key keep-alive: only the newest is kept.
   *
   * @example
   * ```ts
   * client.replacesPendingRun(client.keepAliveListenKey); // true
   * ```
   */
  override replacesPendingRun(method: (...args: unknown[]) => unknown): boolean {
    return method === this.keepAliveListenKey;
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
   * Stops reporting and closes every socket (ccxt's `close`, after the deferred tasks are cleared).
   *
   * @example
   * ```ts
   * await client.close();
   * ```
   */
  override async close(cleanInstanceCache?: boolean): Promise<void> {
    this.onListenKeyExpired = null;
    await super.close(cleanInstanceCache);
  }
}

/**
 * Binance USDⓈ-M's request weight of the REST calls ccxt's streams make (0 for any other path): a listen-key
 * create or keep-alive weighs 1; a depth snapshot 2 up to 50 levels, 5 for 100, 10 for 500 and 20 for 1000
 * (the adapter subscribes with 100 levels: 5).
 *
 * @example
 * ```ts
 * streamRequestWeight("depth", { symbol: "BTCUSDT", limit: 1000 }); // 20
 * streamRequestWeight("listenKey", {}); // 1
 * ```
 */
export function streamRequestWeight(path: string, params: Record<string, unknown>): number {
  if (path === "listenKey") return 1;
  if (path !== "depth") return 0;
  const limit = Number(params["limit"] ?? 500);
  return limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20;
}
