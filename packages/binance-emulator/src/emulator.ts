import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, type Instrument, instrumentSchema } from "@botmm/core";
import {
  closeEmulatorServer,
  createEmulatorServer,
  FaultQueue,
  LostAnswers,
  listenEmulator,
  sendJson,
  signatureMatches,
} from "@botmm/sim-exchange";
import {
  BINANCE_ERRORS,
  type BinanceError,
  type EmulatedOrder,
  formatQty,
  MatchingEngine,
} from "./engine.ts";
import { aggregatedDepth, StreamEvents } from "./stream-events.ts";
import { BinanceStreamServer, type BinanceWsTarget } from "./ws-server.ts";

/** A listed USDⓈ-M perp: its filters (exact decimal strings) and where house liquidity rests. */
export interface BinanceSymbolSpec {
  symbol: string;
  baseAsset: string;
  tickSize: string;
  stepSize: string;
  /** MIN_NOTIONAL filter in USDT. */
  minNotional: number;
  midPrice: number;
}

/** An API key pair the emulator accepts (the secret never leaves the process in any answer). */
export interface BinanceApiAccount {
  apiKey: string;
  secret: string;
}

/** An HTTP fault for the next `count` (default 1) signed or public `/fapi` requests. */
export type BinanceHttpFault =
  | { kind: "status"; status: 500 | 502 | 503 | 504; count?: number }
  | { kind: "rate-limit"; status: 429 | 418; retryAfterSeconds: number; count?: number }
  | { kind: "delay"; ms: number; count?: number }
  /** `before`: the request is never executed and never answered; `after`: executed, then the answer is lost. */
  | { kind: "drop"; when: "before" | "after"; count?: number };

/** Options of {@link startBinanceEmulator}. */
export interface BinanceEmulatorOptions {
  /** Server time, checked against each signed request's `timestamp` and `recvWindow`. */
  clock: Clock;
  accounts: readonly BinanceApiAccount[];
  /** Default: BTCUSDT (tick 0.10, lot 0.001, $100 min notional) and ETHUSDT (tick 0.01, lot 0.001, $20). */
  symbols?: readonly BinanceSymbolSpec[];
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: ephemeral). */
  port?: number;
  /** House levels each side of mid (default 10) and their size (default 5). */
  houseLevels?: number;
  houseSize?: number;
  /**
   * Accept signed requests whatever their timestamp (default false: checked against the clock and the receive
   * window). For an accelerated clock (`--sim` at speed > 1), since ccxt stamps requests with real time.
   */
  ignoreRequestTimestamps?: boolean;
}

/** A WebSocket fault: drop open sockets now, or refuse (`true`) / accept again (`false`) new connections. */
export type BinanceWsFault =
  | { kind: "drop"; target?: BinanceWsTarget }
  | { kind: "refuse-connections"; refuse: boolean }
  /** Ends every listen key now: its sockets get `listenKeyExpired` and close. */
  | { kind: "expire-listen-keys" };

/** A running emulator. */
export interface BinanceEmulator {
  /** `http://127.0.0.1:<port>`; the fapi roots are `${url}/fapi/v1`, `/fapi/v2`, `/fapi/v3`. */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/ws`: ccxt's `urls.api.ws.future` (it derives `/public/ws`, `/private/ws` from it). */
  readonly wsUrl: string;
  readonly engine: MatchingEngine;
  /** Queues an HTTP fault (see {@link BinanceHttpFault}). */
  injectHttpFault(fault: BinanceHttpFault): void;
  /** Applies a WebSocket fault now (see {@link BinanceWsFault}); answers how many sockets it closed. */
  injectWsFault(fault: BinanceWsFault): number;
  /**
   * Publishes anything still queued for the streams. Engine changes go out as they happen, so this is a no-op
   * once the emulator has started; kept for callers that flush after changing `emulator.engine` directly.
   */
  flushStreams(): void;
  /** Open WebSocket connections by kind, and how many were ever accepted. */
  webSocketStats(): { market: number; user: number; accepted: number };
  /** The last 10,000 requests the server saw: method, path and whether its signature checked out. */
  readonly requests: readonly { method: string; path: string; signed: boolean }[];
  close(): Promise<void>;
}

/** Default listing, shaped like the venue's (BTCUSDT's min notional is $100 on Binance). */
export const DEFAULT_BINANCE_SYMBOLS: readonly BinanceSymbolSpec[] = Object.freeze([
  {
    symbol: "BTCUSDT",
    baseAsset: "BTC",
    tickSize: "0.10",
    stepSize: "0.001",
    minNotional: 100,
    midPrice: 60_000,
  },
  {
    symbol: "ETHUSDT",
    baseAsset: "ETH",
    tickSize: "0.01",
    stepSize: "0.001",
    minNotional: 20,
    midPrice: 3_000,
  },
]);

const DEFAULT_RECV_WINDOW_MS = 5_000;

/**
 * Builds the core instrument the emulator enforces for a symbol spec (tick, lot and min notional exactly).
 *
 * @example
 * ```ts
 * binanceSpecInstrument(DEFAULT_BINANCE_SYMBOLS[0]!, 0).priceRule; // { type: "tick", tickSize: "0.10" }
 * ```
 */
export function binanceSpecInstrument(spec: BinanceSymbolSpec, assetId: number): Instrument {
  return instrumentSchema.parse({
    venue: "binance-usdm",
    coin: spec.symbol,
    assetId,
    priceRule: { type: "tick", tickSize: spec.tickSize },
    sizeRule: { type: "step", stepSize: spec.stepSize },
    minNotionalUsd: spec.minNotional,
    maxLeverage: 125,
  }) as Instrument;
}

/**
 * Signs a query string as Binance expects (HMAC-SHA256, hex): what tests and non-ccxt clients use.
 *
 * @example
 * ```ts
 * const query = `symbol=BTCUSDT&timestamp=${clock.now()}`;
 * await fetch(`${emulator.url}/fapi/v1/openOrders?${query}&signature=${signQuery(query, secret)}`, { headers: { "X-MBX-APIKEY": key } });
 * ```
 */
export function signQuery(query: string, secret: string): string {
  return createHmac("sha256", secret).update(query).digest("hex");
}

/**
 * Starts a local Binance USDⓈ-M emulator on 127.0.0.1 (ephemeral port) that ccxt's `binanceusdm` (REST and
 * pro) talks to unchanged when its `urls.api.fapi*` point at `url` and `urls.api.ws.future` at `wsUrl`. REST:
 * `exchangeInfo`, `time`, `ticker/bookTicker`, `depth` (with the stream's `lastUpdateId`), `order` (POST / PUT
 * / DELETE / GET), `batchOrders`, `openOrders`, `allOpenOrders`, `countdownCancelAll`, `userTrades`,
 * `leverageBracket`, `positionRisk` and `account` (v2, v3), `listenKey` (POST / PUT / DELETE, API key only);
 * it checks `X-MBX-APIKEY`, the HMAC-SHA256 `signature` over the query string plus body, and `timestamp`
 * within `recvWindow`, and answers Binance's error codes and messages. WebSocket, same port: `<symbol>@depth`
 * diffs (`U`/`u`/`pu`), `@trade`, `@aggTrade`, and the user data stream (`ORDER_TRADE_UPDATE`,
 * `ACCOUNT_UPDATE`, `listenKeyExpired`). Faults: 5xx, 429/418 with `Retry-After`, delays, dropped requests or
 * answers ({@link BinanceEmulator.injectHttpFault}); dropped sockets, refused connections, expired listen keys
 * ({@link BinanceEmulator.injectWsFault}).
 *
 * @example
 * ```ts
 * const emulator = await startBinanceEmulator({ clock: systemClock(), accounts: [{ apiKey: "k", secret: "s" }] });
 * // point ccxt's urls.api.fapiPublic / fapiPrivate (and V2, V3) at `${emulator.url}/fapi/v1` (v2, v3),
 * // and urls.api.ws.future at emulator.wsUrl
 * emulator.injectWsFault({ kind: "drop", target: "user" }); // the user data streams drop now
 * await emulator.close();
 * ```
 */
export async function startBinanceEmulator(options: BinanceEmulatorOptions): Promise<BinanceEmulator> {
  const specs = options.symbols ?? DEFAULT_BINANCE_SYMBOLS;
  const engine = new MatchingEngine(
    specs.map((spec, i) => ({ instrument: binanceSpecInstrument(spec, i), midPrice: spec.midPrice })),
    { houseLevels: options.houseLevels ?? 10, houseSize: options.houseSize ?? 5 },
  );
  const secrets = new Map(options.accounts.map((a) => [a.apiKey, a.secret]));
  const faults = new FaultQueue<BinanceHttpFault>();
  const requests: { method: string; path: string; signed: boolean }[] = [];
  const countdowns = new Map<string, number>(); // account\0symbol -> cancel-at (clock ms)
  const lost = new LostAnswers();
  const clock = options.clock;

  const fireCountdowns = () => {
    const now = clock.now();
    for (const [key, at] of countdowns) {
      if (now < at) continue;
      const [account, symbol] = key.split("\u0000") as [string, string];
      engine.cancelAll(account, symbol, now);
      countdowns.delete(key);
    }
  };
  // Binance's engine fees, which the matching engine charges by default.
  const events = new StreamEvents(engine, [...secrets.keys()], {
    makerFeeRate: 0.0002,
    takerFeeRate: 0.0005,
  });
  let streams: BinanceStreamServer | null = null;
  const flush = () => {
    const live = streams;
    if (!live) return;
    events.flush(clock.now(), {
      market: (symbol, channel, event) => live.publishMarket(symbol, channel, event),
      user: (account, event) => live.publishUser(account, event),
    });
  };
  // Countdowns and listen-key expiry are due on the emulator's clock even while no request comes in.
  const timer = setInterval(() => {
    fireCountdowns();
    streams?.expireListenKeys();
  }, 100);
  timer.unref();

  const server = createEmulatorServer(handle, (res, error) =>
    sendJson(res, 500, { code: -1000, msg: `emulator error: ${String(error)}` }),
  );

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    fireCountdowns();
    const fault = faults.next();
    if (fault?.kind === "status") return void res.writeHead(fault.status).end(`<html>${fault.status}</html>`);
    if (fault?.kind === "rate-limit") {
      const error =
        fault.status === 418
          ? { code: -1003, msg: "Way too many requests; IP banned until the Retry-After time." }
          : BINANCE_ERRORS.tooManyRequests;
      res.setHeader("Retry-After", String(fault.retryAfterSeconds));
      return sendJson(res, fault.status, { code: error.code, msg: error.msg });
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "drop" && fault.when === "before") return lost.lose(res);
    const params = new URLSearchParams(url.search.slice(1));
    for (const [k, v] of new URLSearchParams(body)) params.append(k, v);
    const route = `${method} ${url.pathname}`;
    if (requests.length >= 10_000) requests.splice(0, requests.length - 9_999);
    const isPrivate = PRIVATE_ROUTES.has(route);
    let account = "";
    if (LISTEN_KEY_ROUTES.has(route)) {
      // Binance's listen key endpoints take the API key only, no signature.
      const apiKey = req.headers["x-mbx-apikey"];
      const known = typeof apiKey === "string" && secrets.has(apiKey);
      requests.push({ method, path: url.pathname, signed: false });
      if (!known) {
        const error = BINANCE_ERRORS.badApiKey;
        return sendJson(res, error.status, { code: error.code, msg: error.msg });
      }
      account = apiKey;
    } else if (isPrivate) {
      const check = authenticate(req, url, body, params);
      requests.push({ method, path: url.pathname, signed: typeof check === "string" });
      if (typeof check !== "string") return sendJson(res, check.status, { code: check.code, msg: check.msg });
      account = check;
    } else {
      requests.push({ method, path: url.pathname, signed: false });
    }
    const answer = route2(route, params, account);
    if (fault?.kind === "drop" && fault.when === "after") {
      // Executed, answer lost: the client sees a timeout.
      return lost.lose(res);
    }
    if ("code" in answer && "status" in answer && "msg" in answer) {
      const error = answer as BinanceError;
      return sendJson(res, error.status, { code: error.code, msg: error.msg });
    }
    sendJson(res, 200, (answer as { json: unknown }).json);
  }

  function authenticate(
    req: IncomingMessage,
    url: URL,
    body: string,
    params: URLSearchParams,
  ): string | BinanceError {
    const apiKey = req.headers["x-mbx-apikey"];
    const secret = typeof apiKey === "string" ? secrets.get(apiKey) : undefined;
    if (secret === undefined) return BINANCE_ERRORS.badApiKey;
    const signature = params.get("signature") ?? "";
    const unsigned = (text: string) => text.replace(/&?signature=[^&]*/, "");
    const payload = unsigned(url.search.slice(1)) + unsigned(body);
    if (!signatureMatches(signQuery(payload, secret), signature)) return BINANCE_ERRORS.badSignature;
    const timestamp = Number(params.get("timestamp"));
    const recvWindow = Number(params.get("recvWindow") ?? DEFAULT_RECV_WINDOW_MS);
    const now = clock.now();
    const late = options.ignoreRequestTimestamps
      ? false
      : timestamp > now + 1_000 || now - timestamp > recvWindow;
    if (!Number.isFinite(timestamp) || late) return BINANCE_ERRORS.outsideRecvWindow;
    return apiKey as string;
  }

  function route2(route: string, p: URLSearchParams, account: string): { json: unknown } | BinanceError {
    const now = clock.now();
    const symbol = p.get("symbol") ?? "";
    const ref = () => ({
      symbol,
      ...(p.get("orderId") ? { orderId: Number(p.get("orderId")) } : {}),
      ...(p.get("origClientOrderId") ? { origClientOrderId: p.get("origClientOrderId")! } : {}),
    });
    const wrap = (x: EmulatedOrder | BinanceError) => ("code" in x ? x : { json: orderJson(x) });
    switch (route) {
      case "GET /fapi/v1/ping":
        return { json: {} };
      case "GET /fapi/v1/time":
        return { json: { serverTime: now } };
      case "GET /fapi/v1/exchangeInfo":
        return { json: exchangeInfo(specs, now) };
      case "GET /fapi/v1/ticker/bookTicker": {
        const { bid, ask } = engine.top(symbol);
        return {
          json: {
            symbol,
            bidPrice: bid?.price ?? "0",
            bidQty: bid ? formatQty(bid.origQty - bid.executedQty) : "0",
            askPrice: ask?.price ?? "0",
            askQty: ask ? formatQty(ask.origQty - ask.executedQty) : "0",
            time: now,
          },
        };
      }
      case "GET /fapi/v1/depth":
        if (!engine.symbols().some((s) => s.instrument.coin === symbol))
          return { status: 400, code: -1121, msg: "Invalid symbol." };
        return {
          json: {
            lastUpdateId: events.lastUpdateId(symbol),
            E: now,
            T: now,
            ...aggregatedDepth(engine, symbol, Number(p.get("limit") ?? 20)),
          },
        };
      case "POST /fapi/v1/order":
        return wrap(placeOne(account, (key) => p.get(key) ?? undefined, now));
      case "POST /fapi/v1/batchOrders": {
        let batch: unknown;
        try {
          batch = JSON.parse(p.get("batchOrders") ?? "");
        } catch {
          return { status: 400, code: -1130, msg: "Data sent for parameter 'batchOrders' is not valid." };
        }
        if (!Array.isArray(batch) || batch.length === 0 || batch.length > 5)
          return { status: 400, code: -1130, msg: "Data sent for parameter 'batchOrders' is not valid." };
        return {
          json: batch.map((item: Record<string, unknown>) => {
            const get = (key: string) => (item?.[key] === undefined ? undefined : String(item[key]));
            const result = placeOne(account, get, now);
            return "code" in result ? { code: result.code, msg: result.msg } : orderJson(result);
          }),
        };
      }
      case "POST /fapi/v1/listenKey":
        return { json: { listenKey: streams!.issueListenKey(account) } };
      case "PUT /fapi/v1/listenKey":
        return streams!.keepAliveListenKey(account)
          ? { json: {} }
          : { status: 400, code: -1125, msg: "This listenKey does not exist." };
      case "DELETE /fapi/v1/listenKey":
        streams!.deleteListenKeys(account);
        return { json: {} };
      case "GET /fapi/v1/userTrades": {
        const num = (key: string) => (p.get(key) === null ? undefined : Number(p.get(key)));
        return {
          json: events.accountTrades(account, symbol, {
            ...(num("startTime") === undefined ? {} : { startTime: num("startTime")! }),
            ...(num("endTime") === undefined ? {} : { endTime: num("endTime")! }),
            ...(num("fromId") === undefined ? {} : { fromId: num("fromId")! }),
            ...(num("limit") === undefined ? {} : { limit: num("limit")! }),
          }),
        };
      }
      case "PUT /fapi/v1/order":
        return wrap(engine.modify(account, ref(), p.get("price") ?? "", p.get("quantity") ?? "", now));
      case "DELETE /fapi/v1/order":
        return wrap(engine.cancel(account, ref(), now));
      case "GET /fapi/v1/order": {
        const order = engine.find(account, ref());
        return order ? { json: orderJson(order) } : BINANCE_ERRORS.orderDoesNotExist;
      }
      case "GET /fapi/v1/openOrders":
        return { json: engine.openOrders(account, symbol || undefined).map(orderJson) };
      case "DELETE /fapi/v1/allOpenOrders":
        engine.cancelAll(account, symbol, now);
        return { json: { code: 200, msg: "The operation of cancel all open order is done." } };
      case "POST /fapi/v1/countdownCancelAll": {
        const countdown = Number(p.get("countdownTime") ?? 0);
        const key = `${account}\u0000${symbol}`;
        if (countdown === 0) countdowns.delete(key);
        else countdowns.set(key, now + countdown);
        return { json: { symbol, countdownTime: String(countdown) } };
      }
      case "GET /fapi/v1/leverageBracket":
        // One bracket per symbol (ccxt reads them before parsing positions).
        return {
          json: (symbol ? [symbol] : specs.map((s) => s.symbol)).map((s) => ({
            symbol: s,
            brackets: [
              {
                bracket: 1,
                initialLeverage: 125,
                notionalCap: 50_000_000,
                notionalFloor: 0,
                maintMarginRatio: 0.004,
                cum: 0,
              },
            ],
          })),
        };
      case "GET /fapi/v2/positionRisk":
      case "GET /fapi/v3/positionRisk":
        return {
          json: (symbol ? [symbol] : specs.map((s) => s.symbol)).map((s) => positionJson(s, account)),
        };
      case "GET /fapi/v2/account":
      case "GET /fapi/v3/account":
        return {
          json: {
            totalWalletBalance: "100000",
            availableBalance: "100000",
            assets: [{ asset: "USDT", walletBalance: "100000", availableBalance: "100000" }],
            positions: specs.map((s) => positionJson(s.symbol, account)),
          },
        };
      default:
        return { status: 404, code: -1000, msg: `the emulator does not serve ${route}` };
    }
  }

  function placeOne(
    account: string,
    get: (key: string) => string | undefined,
    now: number,
  ): EmulatedOrder | BinanceError {
    const tif = get("timeInForce") ?? "GTC";
    if (get("type") !== "LIMIT" || !["GTC", "GTX", "IOC"].includes(tif))
      return { status: 400, code: -1116, msg: "Invalid orderType." };
    const symbol = get("symbol") ?? "";
    const placed = engine.place(
      account,
      {
        symbol,
        side: get("side") === "SELL" ? "SELL" : "BUY",
        timeInForce: tif as "GTC" | "GTX" | "IOC",
        price: get("price") ?? "",
        quantity: get("quantity") ?? "",
        clientOrderId: get("newClientOrderId") ?? `emu-${now}`,
        reduceOnly: get("reduceOnly") === "true",
      },
      now,
    );
    return placed;
  }

  function positionJson(symbol: string, account: string) {
    const pos = engine.position(account, symbol);
    const { bid, ask } = engine.top(symbol);
    const mark = bid && ask ? (Number(bid.price) + Number(ask.price)) / 2 : pos.entryPrice;
    return {
      symbol,
      positionSide: "BOTH",
      positionAmt: formatQty(pos.size),
      entryPrice: String(pos.entryPrice),
      breakEvenPrice: String(pos.entryPrice),
      markPrice: String(mark),
      unRealizedProfit: String(pos.size * (mark - pos.entryPrice)),
      liquidationPrice: "0",
      leverage: "20",
      marginType: "cross",
      isolatedMargin: "0",
      notional: String(pos.size * mark),
      updateTime: clock.now(),
    };
  }

  const port = await listenEmulator(server, options.host ?? "127.0.0.1", options.port ?? 0);
  const liveStreams = new BinanceStreamServer(server, clock, (symbol) =>
    specs.some((s) => s.symbol === symbol),
  );
  streams = liveStreams;
  // Naming the sink once sends every engine event out as it happens from here on.
  flush();
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    wsUrl: `ws://${options.host ?? "127.0.0.1"}:${port}/ws`,
    engine,
    requests,
    injectHttpFault(fault) {
      faults.push(fault);
    },
    injectWsFault(fault) {
      flush();
      if (fault.kind === "drop") return liveStreams.drop(fault.target ?? "all");
      if (fault.kind === "refuse-connections") liveStreams.refuseConnections(fault.refuse);
      else liveStreams.expireListenKeys(true);
      return 0;
    },
    flushStreams: flush,
    webSocketStats() {
      return {
        market: liveStreams.openSockets("market"),
        user: liveStreams.openSockets("user"),
        accepted: liveStreams.accepted,
      };
    },
    async close() {
      clearInterval(timer);
      liveStreams.close();
      lost.close();
      await closeEmulatorServer(server);
    },
  };
}

const LISTEN_KEY_ROUTES = new Set([
  "POST /fapi/v1/listenKey",
  "PUT /fapi/v1/listenKey",
  "DELETE /fapi/v1/listenKey",
]);

const PRIVATE_ROUTES = new Set([
  "POST /fapi/v1/order",
  "POST /fapi/v1/batchOrders",
  "GET /fapi/v1/userTrades",
  "PUT /fapi/v1/order",
  "DELETE /fapi/v1/order",
  "GET /fapi/v1/order",
  "GET /fapi/v1/openOrders",
  "DELETE /fapi/v1/allOpenOrders",
  "POST /fapi/v1/countdownCancelAll",
  "GET /fapi/v1/leverageBracket",
  "GET /fapi/v2/positionRisk",
  "GET /fapi/v3/positionRisk",
  "GET /fapi/v2/account",
  "GET /fapi/v3/account",
]);

function orderJson(o: EmulatedOrder) {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: o.price,
    avgPrice: o.executedQty > 0 ? String(o.cumQuote / o.executedQty) : "0",
    origQty: formatQty(o.origQty),
    executedQty: formatQty(o.executedQty),
    cumQty: formatQty(o.executedQty),
    cumQuote: String(o.cumQuote),
    timeInForce: o.timeInForce,
    type: "LIMIT",
    origType: "LIMIT",
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: "BOTH",
    stopPrice: "0",
    workingType: "CONTRACT_PRICE",
    priceProtect: false,
    priceMatch: "NONE",
    selfTradePreventionMode: "NONE",
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

function exchangeInfo(specs: readonly BinanceSymbolSpec[], now: number) {
  const decimals = (d: string) => (d.includes(".") ? d.split(".")[1]!.length : 0);
  return {
    timezone: "UTC",
    serverTime: now,
    futuresType: "U_MARGINED",
    rateLimits: [
      { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 2400 },
      { rateLimitType: "ORDERS", interval: "MINUTE", intervalNum: 1, limit: 1200 },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 300 },
    ],
    exchangeFilters: [],
    assets: [{ asset: "USDT", marginAvailable: true, autoAssetExchange: "-10000" }],
    symbols: specs.map((s) => ({
      symbol: s.symbol,
      pair: s.symbol,
      contractType: "PERPETUAL",
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: "TRADING",
      maintMarginPercent: "2.5000",
      requiredMarginPercent: "5.0000",
      baseAsset: s.baseAsset,
      quoteAsset: "USDT",
      marginAsset: "USDT",
      pricePrecision: decimals(s.tickSize),
      quantityPrecision: decimals(s.stepSize),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: "COIN",
      underlyingSubType: [],
      triggerProtect: "0.0500",
      liquidationFee: "0.012500",
      marketTakeBound: "0.05",
      maxMoveOrderLimit: 10000,
      filters: [
        { filterType: "PRICE_FILTER", minPrice: s.tickSize, maxPrice: "4529764", tickSize: s.tickSize },
        { filterType: "LOT_SIZE", stepSize: s.stepSize, minQty: s.stepSize, maxQty: "1000" },
        { filterType: "MARKET_LOT_SIZE", stepSize: s.stepSize, minQty: s.stepSize, maxQty: "120" },
        { filterType: "MAX_NUM_ORDERS", limit: 200 },
        { filterType: "MIN_NOTIONAL", notional: String(s.minNotional) },
        {
          filterType: "PERCENT_PRICE",
          multiplierUp: "1.0500",
          multiplierDown: "0.9500",
          multiplierDecimal: "4",
        },
      ],
      orderTypes: [
        "LIMIT",
        "MARKET",
        "STOP",
        "STOP_MARKET",
        "TAKE_PROFIT",
        "TAKE_PROFIT_MARKET",
        "TRAILING_STOP_MARKET",
      ],
      timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
    })),
  };
}
