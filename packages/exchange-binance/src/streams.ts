import { type CcxtAdapterStreamContext, CcxtStreams, socketCarries } from "@botmm/exchange-ccxt";
import { BinanceVenueError } from "./errors.ts";
import type { BinanceUsdmClient } from "./ws-client.ts";
import {
  type BinanceOrderUpdateJson,
  fillFromOrderUpdate,
  fillKey,
  orderUpdateFromBinance,
  tradeFromBinance,
} from "./ws-convert.ts";

/** What the stream manager needs from the venue. */
export type BinanceStreamContext = CcxtAdapterStreamContext<BinanceUsdmClient>;

/**
 * The Binance adapter's streams over ccxt's pro API (`CcxtStreams` of `@botmm/exchange-ccxt`, around core's
 * `VenueStreams`): per coin `watchOrderBook` (diff depth synced to the REST snapshot by ccxt) and
 * `watchTrades`; for the account `watchOrders` and `watchMyTrades` on the listen-key user stream. A dropped
 * user stream gets a fresh listen key, as does one that said `listenKeyExpired`; once every socket is back the
 * fills made meanwhile are fetched over REST (`userTrades`), tracked orders are reconciled by client id, and
 * only then `connection: reconnected`.
 *
 * @example
 * ```ts
 * const streams = new BinanceStreams(context);
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * await stop();
 * await streams.close();
 * ```
 */
export class BinanceStreams extends CcxtStreams {
  constructor(context: BinanceStreamContext) {
    const ex = context.exchange;
    const userLive = () => socketCarries(ex, (socket) => socket.url.includes("listenKey="));
    super({
      ...context,
      error: (code, message, cause) =>
        new BinanceVenueError(code, message, cause === undefined ? undefined : { cause }),
      fillKey,
      compareFills: (a, b) => a.time - b.time || Number(a.tradeId) - Number(b.tradeId),
      // The user stream's URL carries the listen key, which changes: every user socket is one "user" socket.
      socketKey: (url) => (url.includes("listenKey=") || url.includes("/private/") ? "user" : url),
      onUserSocketClosed: () => ex.forgetListenKey(),
      book: { limit: 100 },
      live: {
        trades: (symbol) =>
          socketCarries(ex, (socket) => socket.subscriptions?.[`trade::${symbol}`] !== undefined),
        orders: userLive,
        myTrades: userLive,
      },
      convert: {
        trade: (info) => tradeFromBinance(info as Parameters<typeof tradeFromBinance>[0]),
        orderUpdate: (info) =>
          orderUpdateFromBinance(info as BinanceOrderUpdateJson, (w) => context.clientIdOf(w)),
        fill: (info) => fillFromOrderUpdate(info as BinanceOrderUpdateJson, (w) => context.clientIdOf(w)),
      },
    });
    ex.onListenKeyExpired = (url) => {
      context.log("warn", "the user data stream's listen key expired; getting a new one");
      ex.forgetListenKey();
      const client = (ex.clients as Record<string, { close(): unknown }> | undefined)?.[url];
      void Promise.resolve(client?.close()).catch(() => {});
    };
  }
}
