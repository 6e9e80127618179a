import { type SocketHooked, socketCarries, withSocketHooks } from "@botmm/exchange-ccxt";
import ccxt from "ccxt";

// biome-ignore lint/suspicious/noExplicitAny: ccxt's constructor takes its user config.
const HookedBybit: typeof ccxt.pro.bybit & (new (...args: any[]) => SocketHooked) = withSocketHooks(
  ccxt.pro.bybit,
);

/**
 * ccxt's `bybit` with its "pro" WebSocket API (REST included), reporting socket opens and closes to `hooks`
 * and running its deferred tasks on unref'd timers that `close` clears (`withSocketHooks` of
 * `@botmm/exchange-ccxt`); on top, it records which subscriptions Bybit confirmed ({@link isAcked}).
 *
 * @example
 * ```ts
 * const client = new BybitLinearClient({ apiKey, secret, urls: { api: { ...bybitUrls(base), ws: bybitWsUrls(wsBase) } } });
 * client.hooks = { opened: (url) => {}, closed: (url, reason) => {} };
 * const book = await client.watchOrderBook("BTC/USDT:USDT", 50);
 * await client.close();
 * ```
 */
export class BybitLinearClient extends HookedBybit {
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
    return socketCarries(
      this,
      (socket) =>
        socket.url.includes(urlPart) &&
        (socket.subscriptions?.[messageHash] as { acked?: boolean } | undefined)?.acked === true,
    );
  }
}
