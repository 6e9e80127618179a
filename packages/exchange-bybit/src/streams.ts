import { type CcxtAdapterStreamContext, CcxtStreams } from "@botmm/exchange-ccxt";
import ccxt from "ccxt";
import { type BybitExecutionJson, type BybitOrderJson, fillFromBybit } from "./convert.ts";
import { BybitVenueError } from "./errors.ts";
import type { BybitLinearClient } from "./ws-client.ts";
import { type BybitPublicTradeJson, orderUpdateFromBybit, tradeFromBybit } from "./ws-convert.ts";

/** What the stream manager needs from the venue (and the `orderLinkId` prefix its fills are read with). */
export type BybitStreamContext = CcxtAdapterStreamContext<BybitLinearClient> & { clientIdPrefix: string };

/** Bybit's linear book depths ccxt may subscribe to; 50 is what the adapter uses. */
const BOOK_TOPIC_DEPTH = 50;

/**
 * The Bybit adapter's streams over ccxt's pro API (`CcxtStreams` of `@botmm/exchange-ccxt`, around core's
 * `VenueStreams`): per coin `watchOrderBook` (`orderbook.50`: a snapshot, then deltas ccxt applies) and
 * `watchTrades` (`publicTrade`) on the public linear socket; for the account `watchOrders` (`order`) and
 * `watchMyTrades` (`execution`) on the private socket after `auth`, each up once Bybit confirmed the topic.
 * When a socket drops every listener gets `disconnected`; ccxt dials again, re-authenticates, resubscribes and
 * gets a fresh book snapshot; once every socket is back the fills made meanwhile are fetched over REST
 * (`/v5/execution/list`), tracked orders are reconciled by client id, and only then `reconnected`.
 *
 * @example
 * ```ts
 * const streams = new BybitStreams(context);
 * const stop = await streams.subscribe({ coins: ["BTCUSDT"], book: "l2", trades: true, account: true }, onEvent);
 * await stop();
 * await streams.close();
 * ```
 */
export class BybitStreams extends CcxtStreams {
  constructor(context: BybitStreamContext) {
    const ex = context.exchange;
    super({
      ...context,
      error: (code, message, cause) =>
        new BybitVenueError(code, message, cause === undefined ? undefined : { cause }),
      refusedErrors: [ccxt.BadRequest],
      fillKey: (fill) => `${fill.coin}:${fill.tradeId}`,
      compareFills: (a, b) => a.time - b.time || (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0),
      // Every private socket is one "user" socket; public ones are told apart by URL.
      socketKey: (url) => (url.includes("/v5/private") ? "user" : url),
      book: { limit: BOOK_TOPIC_DEPTH, unwatchParams: { limit: BOOK_TOPIC_DEPTH } },
      live: {
        trades: (symbol) => ex.isAcked("/v5/public/", `trade:${symbol}`),
        // Up once Bybit confirmed the topic: an order placed right after subscribe cannot be missed.
        orders: () => ex.isAcked("/v5/private", "orders"),
        myTrades: () => ex.isAcked("/v5/private", "myTrades"),
      },
      convert: {
        trade: (info) => tradeFromBybit(info as BybitPublicTradeJson),
        orderUpdate: (info) => orderUpdateFromBybit(info as BybitOrderJson, (w) => context.clientIdOf(w)),
        fill: (info) => {
          const row = info as BybitExecutionJson & { execType?: string };
          if (row.execType !== undefined && row.execType !== "Trade") return null; // funding, ADL, …
          return fillFromBybit(context.clientIdPrefix, row, context.clientIdOf(row.orderLinkId));
        },
      },
    });
  }
}
