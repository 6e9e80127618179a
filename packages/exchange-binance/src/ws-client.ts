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
