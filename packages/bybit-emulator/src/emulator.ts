import { createHmac } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Clock, type Instrument, instrumentSchema } from "@botmm/core";
import {
  closeEmulatorServer,
  createEmulatorServer,
  FaultQueue,
  formatSimQty,
  LostAnswers,
  listenEmulator,
  SimExchange,
  type SimFill,
  type SimOrder,
  type SimOrderRef,
  sendJson,
  signatureMatches,
} from "@botmm/sim-exchange";
import { BYBIT_ERRORS, type BybitError, bybitErrorOf, POST_ONLY_REJECT_REASON } from "./codes.ts";
import { BybitStreamServer, type BybitWsTarget } from "./ws-server.ts";

/** A listed USDT linear perp: its filters (exact decimal strings) and where house liquidity rests. */
export interface BybitSymbolSpec {
  symbol: string;
  baseCoin: string;
  tickSize: string;
  qtyStep: string;
  /** `lotSizeFilter.minNotionalValue` in USDT. */
  minNotionalValue: number;
  midPrice: number;
}

/** An API key pair the emulator accepts (the secret never leaves the process in any answer). */
export interface BybitApiAccount {
  apiKey: string;
  secret: string;
}

/** An HTTP fault for the next `count` (default 1) `/v5` requests. */
export type BybitHttpFault =
  | { kind: "status"; status: 500 | 502 | 503 | 504; count?: number }
  /** `10006`: HTTP 200 with retCode 10006 (the per-UID limit); `403`: the IP ban (HTTP 403, no JSON). */
  | { kind: "rate-limit"; as: "10006" | "403"; count?: number }
  | { kind: "delay"; ms: number; count?: number }
  /**
   * `before`: the request is never executed; `after`: executed, then the answer is lost. `hang` (default)
   * leaves the connection open until the client times out; `reset` closes it at once (the client sees a
   * connection reset instead of waiting for its timeout).
   */
  | { kind: "drop"; when: "before" | "after"; mode?: "hang" | "reset"; count?: number };

/** Options of {@link startBybitEmulator}. */
export interface BybitEmulatorOptions {
  /** Server time, checked against each signed request's `X-BAPI-TIMESTAMP` and `X-BAPI-RECV-WINDOW`. */
  clock: Clock;
  accounts: readonly BybitApiAccount[];
  /** Default: BTCUSDT (tick 0.10, step 0.001, $5) and ETHUSDT (tick 0.01, step 0.01, $5). */
  symbols?: readonly BybitSymbolSpec[];
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
  /** Fee rates (default Bybit VIP 0 linear: maker 0.0002, taker 0.00055). */
  makerFeeRate?: number;
  takerFeeRate?: number;
}

/** A running emulator. */
export interface BybitEmulator {
  /** `http://127.0.0.1:<port>`: the REST root ccxt's `urls.api.*` point at (paths are `/v5/...`). */
  readonly url: string;
  /** `ws://127.0.0.1:<port>`: ccxt's `urls.api.ws` go to `<wsUrl>/v5/public/linear` and `<wsUrl>/v5/private`. */
  readonly wsUrl: string;
  /** The shared simulated-execution core (accounts are API keys): drive takers with `sim.takeLiquidity`. */
  readonly sim: SimExchange;
  /** Queues an HTTP fault (see {@link BybitHttpFault}). */
  injectHttpFault(fault: BybitHttpFault): void;
  /**
   * Disconnection protection: the account's private stream dropped now. Once the window set with
   * `POST /v5/order/disconnected-cancel-all` passes without {@link restorePrivateStream}, every open order of
   * the account is cancelled (nothing happens if the account never set a window).
   */
  dropPrivateStream(apiKey: string): void;
  restorePrivateStream(apiKey: string): void;
  /**
   * WebSocket fault: terminates public and/or private sockets (clients see code 1006). Dropping an account's
   * last authenticated private socket starts its disconnection protection, as a real drop does.
   */
  dropStreams(target?: BybitWsTarget): number;
  /** WebSocket fault: while `true`, new WebSocket connections are refused (HTTP 503 on the upgrade). */
  refuseStreamConnections(refuse: boolean): void;
  /** Open WebSocket connections of a kind (private ones once authenticated). */
  openStreams(kind: "public" | "private"): number;
  /** The last 10,000 requests the server saw: method, path and whether its signature checked out. */
  readonly requests: readonly { method: string; path: string; signed: boolean }[];
  close(): Promise<void>;
}

/** Default listing, shaped like the venue's. */
export const DEFAULT_BYBIT_SYMBOLS: readonly BybitSymbolSpec[] = Object.freeze([
  {
    symbol: "BTCUSDT",
    baseCoin: "BTC",
    tickSize: "0.10",
    qtyStep: "0.001",
    minNotionalValue: 5,
    midPrice: 60_000,
  },
  {
    symbol: "ETHUSDT",
    baseCoin: "ETH",
    tickSize: "0.01",
    qtyStep: "0.01",
    minNotionalValue: 5,
    midPrice: 3_000,
  },
]);

const DEFAULT_RECV_WINDOW_MS = 5_000;

/**
 * The core instrument the emulator enforces for a symbol spec (tick, step and min notional exactly).
 *
 * @example
 * ```ts
 * bybitSpecInstrument(DEFAULT_BYBIT_SYMBOLS[0]!, 0).priceRule; // { type: "tick", tickSize: "0.10" }
 * ```
 */
export function bybitSpecInstrument(spec: BybitSymbolSpec, assetId: number): Instrument {
  return instrumentSchema.parse({
    venue: "bybit-linear",
    coin: spec.symbol,
    assetId,
    priceRule: { type: "tick", tickSize: spec.tickSize },
    sizeRule: { type: "step", stepSize: spec.qtyStep },
    minNotionalUsd: spec.minNotionalValue,
    maxLeverage: 100,
  }) as Instrument;
}

/**
 * Bybit v5's `X-BAPI-SIGN`: HMAC-SHA256 (hex) of timestamp + API key + recvWindow + (the query string of a
 * GET, or the JSON body of a POST). What tests and non-ccxt clients use.
 *
 * @example
 * ```ts
 * const query = "category=linear&symbol=BTCUSDT";
 * const sign = signBybit({ timestamp: clock.now(), apiKey, recvWindow: 5000, payload: query }, secret);
 * ```
 */
export function signBybit(
  request: { timestamp: number | string; apiKey: string; recvWindow: number | string; payload: string },
  secret: string,
): string {
  return createHmac("sha256", secret)
    .update(`${request.timestamp}${request.apiKey}${request.recvWindow}${request.payload}`)
    .digest("hex");
}

type Params = Record<string, unknown>;
type Answer = { result: unknown; retExtInfo?: unknown; retMsg?: string } | BybitError;

/**
 * Starts a local Bybit v5 REST emulator (USDT linear perps) on 127.0.0.1 (ephemeral port) that ccxt's
 * `bybit` talks to unchanged when its `urls.api.*` point here. It serves `market/time`,
 * `market/instruments-info`, `market/orderbook`, `market/tickers`; signed `order/create` (Limit: GTC, IOC,
 * PostOnly, `orderLinkId`), `order/create-batch`, `order/amend`, `order/cancel`, `order/cancel-batch`, `order/cancel-all`,
 * `order/disconnected-cancel-all`, `order/realtime`, `order/history`, `execution/list`, `position/list`,
 * `account/wallet-balance`, `account/info`, `user/query-api`. It checks `X-BAPI-API-KEY`, `X-BAPI-SIGN` and
 * `X-BAPI-TIMESTAMP` within `X-BAPI-RECV-WINDOW`; answers Bybit's envelope and retCodes; and injects faults.
 * On the same port it serves Bybit's WebSockets (see {@link BybitStreamServer}): `/v5/public/linear`
 * (`orderbook.50`, `publicTrade`) and `/v5/private` (`order`, `execution`, `position`), driven by the
 * engine's own events; a dropped private stream starts the disconnection protection.
 *
 * @example
 * ```ts
 * const emulator = await startBybitEmulator({ clock: systemClock(), accounts: [{ apiKey: "k", secret: "s" }] });
 * // point ccxt's urls.api.{public,private,spot,futures,v2} at emulator.url
 * await emulator.close();
 * ```
 */
export async function startBybitEmulator(options: BybitEmulatorOptions): Promise<BybitEmulator> {
  const specs = options.symbols ?? DEFAULT_BYBIT_SYMBOLS;
  const bySymbol = new Map(specs.map((s) => [s.symbol, s]));
  const sim = new SimExchange(
    specs.map((spec, i) => ({ instrument: bybitSpecInstrument(spec, i), midPrice: spec.midPrice })),
    {
      houseLevels: options.houseLevels ?? 10,
      houseSize: options.houseSize ?? 5,
      makerFeeRate: options.makerFeeRate ?? 0.0002,
      takerFeeRate: options.takerFeeRate ?? 0.00055,
      postOnlyCross: "expire",
    },
  );
  const secrets = new Map(options.accounts.map((a) => [a.apiKey, a.secret]));
  const faults = new FaultQueue<BybitHttpFault>();
  const requests: { method: string; path: string; signed: boolean }[] = [];
  const dcpWindowsMs = new Map<string, number>();
  const dropped = new Map<string, number>(); // account -> when its private stream dropped
  const lost = new LostAnswers();
  const clock = options.clock;
  let autoLinkId = 0;

  const fireDcp = () => {
    const now = clock.now();
    for (const [account, since] of dropped) {
      const window = dcpWindowsMs.get(account);
      if (window === undefined || now - since < window) continue;
      sim.cancelAll(account, undefined, now);
      dropped.delete(account);
    }
  };
  const timer = setInterval(fireDcp, 100);
  timer.unref();

  const server = createEmulatorServer(handle, (res, error) =>
    sendJson(res, 500, envelope({ retCode: 10016, retMsg: `Server error: ${String(error)}` }, clock.now())),
  );

  async function handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    fireDcp();
    const fault = faults.next();
    if (fault?.kind === "status") return void res.writeHead(fault.status).end(`<html>${fault.status}</html>`);
    if (fault?.kind === "rate-limit") {
      if (fault.as === "403") return void res.writeHead(403).end("<html>403 Forbidden</html>");
      const now = clock.now();
      res.setHeader("X-Bapi-Limit", "10");
      res.setHeader("X-Bapi-Limit-Status", "0");
      res.setHeader("X-Bapi-Limit-Reset-Timestamp", String(now + 1_000));
      return sendJson(res, 200, envelope(BYBIT_ERRORS.tooManyVisits, now));
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === "drop" && fault.when === "before") return lost.lose(res, fault.mode);
    const route = `${method} ${url.pathname}`;
    if (requests.length >= 10_000) requests.splice(0, requests.length - 9_999);
    let params: Params;
    if (method === "POST") {
      try {
        params = body === "" ? {} : (JSON.parse(body) as Params);
      } catch {
        return sendJson(
          res,
          200,
          envelope({ retCode: 10001, retMsg: "params error: the body is not JSON" }, clock.now()),
        );
      }
    } else {
      params = Object.fromEntries(new URLSearchParams(url.search.slice(1)));
    }
    let account = "";
    if (PRIVATE_ROUTES.has(route)) {
      const check = authenticate(req, method === "POST" ? body : url.search.slice(1));
      requests.push({ method, path: url.pathname, signed: typeof check === "string" });
      if (typeof check !== "string") return sendJson(res, 200, envelope(check, clock.now()));
      account = check;
    } else {
      requests.push({ method, path: url.pathname, signed: false });
    }
    const answer = dispatch(route, params, account);
    if (fault?.kind === "drop" && fault.when === "after") return lost.lose(res, fault.mode); // executed, answer lost
    const status = "retCode" in answer && answer.retCode === BYBIT_ERRORS.routeNotFound.retCode ? 404 : 200;
    sendJson(res, status, envelope(answer, clock.now()));
  }

  function authenticate(req: IncomingMessage, payload: string): string | BybitError {
    const header = (name: string) => {
      const v = req.headers[name];
      return typeof v === "string" ? v : "";
    };
    const apiKey = header("x-bapi-api-key");
    const secret = secrets.get(apiKey);
    if (secret === undefined) return BYBIT_ERRORS.badApiKey;
    const timestamp = header("x-bapi-timestamp");
    const recvWindow = header("x-bapi-recv-window") || String(DEFAULT_RECV_WINDOW_MS);
    if (
      !signatureMatches(signBybit({ timestamp, apiKey, recvWindow, payload }, secret), header("x-bapi-sign"))
    )
      return BYBIT_ERRORS.badSignature;
    const now = clock.now();
    const ts = Number(timestamp);
    const late = options.ignoreRequestTimestamps ? false : ts >= now + 1_000 || now - Number(recvWindow) > ts;
    if (!Number.isFinite(ts) || late) {
      return {
        retCode: 10002,
        retMsg: `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${now}],recv_window[${recvWindow}]`,
      };
    }
    return apiKey;
  }

  function dispatch(route: string, p: Params, account: string): Answer {
    const now = clock.now();
    const str = (key: string) => (p[key] === undefined || p[key] === null ? "" : String(p[key]));
    const symbol = str("symbol");
    const category = str("category");
    if (
      route.startsWith("GET /v5/market/") ||
      route.startsWith("GET /v5/order/") ||
      route.startsWith("POST /v5/order/c")
    ) {
      if (route !== "GET /v5/market/time" && route !== "POST /v5/order/create-batch" && category !== "linear")
        return {
          retCode: 10001,
          retMsg: `params error: category must be linear in this emulator, got "${category}"`,
        };
    }
    if (route === "POST /v5/order/amend" && category !== "linear")
      return {
        retCode: 10001,
        retMsg: `params error: category must be linear in this emulator, got "${category}"`,
      };
    const ref = (): SimOrderRef => ({
      symbol,
      ...(str("orderId") ? { orderId: orderIdFromWire(str("orderId")) } : {}),
      ...(str("orderLinkId") ? { clientId: str("orderLinkId") } : {}),
    });
    const ids = (o: SimOrder) => ({
      orderId: orderIdToWire(o.orderId),
      orderLinkId: linkIdToWire(o.clientId),
    });
    switch (route) {
      case "GET /v5/market/time":
        return { result: { timeSecond: String(Math.floor(now / 1_000)), timeNano: `${now}000000` } };
      case "GET /v5/market/instruments-info":
        return {
          result: {
            category: "linear",
            list:
              str("status") === "PreLaunch"
                ? []
                : specs.filter((s) => !symbol || s.symbol === symbol).map(instrumentJson),
            nextPageCursor: "",
          },
        };
      case "GET /v5/market/orderbook": {
        const depth = depthRows(symbol, Number(str("limit") || 25));
        const u = bySymbol.has(symbol) ? streams.updateId(symbol) : 0;
        return { result: { s: symbol, b: depth.b, a: depth.a, ts: now, u, seq: u, cts: now } };
      }
      case "GET /v5/market/tickers":
        return {
          result: {
            category: "linear",
            list: specs.filter((s) => !symbol || s.symbol === symbol).map((s) => tickerJson(s.symbol)),
          },
        };
      case "POST /v5/order/create": {
        const created = create(account, p, now);
        return "retCode" in created ? created : { result: ids(created) };
      }
      case "POST /v5/order/create-batch": {
        const list = Array.isArray(p.request) ? (p.request as Params[]) : [];
        if (str("category") !== "linear" || list.length === 0 || list.length > 20)
          return {
            retCode: 10001,
            retMsg: "params error: category must be linear and request 1 to 20 orders",
          };
        const results = list.map((one) => create(account, { ...one, category: "linear" }, now));
        return {
          result: {
            list: results.map((r, i) =>
              "retCode" in r
                ? {
                    category: "linear",
                    symbol: String(list[i]!.symbol ?? ""),
                    orderId: "",
                    orderLinkId: String(list[i]!.orderLinkId ?? ""),
                    createAt: "",
                  }
                : { category: "linear", symbol: r.symbol, ...ids(r), createAt: String(r.createdTime) },
            ),
          },
          retExtInfo: {
            list: results.map((r) =>
              "retCode" in r ? { code: r.retCode, msg: r.retMsg } : { code: 0, msg: "OK" },
            ),
          },
        };
      }
      case "POST /v5/order/amend": {
        const order = sim.find(account, ref());
        if (!order || (order.status !== "open" && order.status !== "partiallyFilled"))
          return bybitErrorOf("not-open", "amend");
        const price = str("price") || order.price;
        const qty = str("qty") || formatSimQty(order.quantity);
        const moved = sim.modify(account, ref(), price, qty, now);
        // A PostOnly amend that would cross is accepted, then Bybit cancels the order (EC_PostOnlyWillTakeLiquidity).
        if ("reject" in moved && moved.reject !== "post-only")
          return bybitErrorOf(moved.reject, "amend", rules(symbol));
        return { result: ids("reject" in moved ? moved.order! : moved) };
      }
      case "POST /v5/order/cancel": {
        const cancelled = sim.cancel(account, ref(), now);
        return "reject" in cancelled ? bybitErrorOf("not-open", "cancel") : { result: ids(cancelled) };
      }
      case "POST /v5/order/cancel-batch": {
        const list = Array.isArray(p.request) ? (p.request as Params[]) : [];
        if (list.length === 0 || list.length > 10)
          return { retCode: 10001, retMsg: "params error: request 1 to 10 orders (linear)" };
        const results = list.map((one) => {
          const s = String(one.symbol ?? "");
          const ref1: SimOrderRef = {
            symbol: s,
            ...(one.orderId ? { orderId: orderIdFromWire(String(one.orderId)) } : {}),
            ...(one.orderLinkId ? { clientId: String(one.orderLinkId) } : {}),
          };
          const cancelled = sim.cancel(account, ref1, now);
          return { symbol: s, linkId: String(one.orderLinkId ?? ""), cancelled };
        });
        return {
          result: {
            list: results.map((r) =>
              "reject" in r.cancelled
                ? { category: "linear", symbol: r.symbol, orderId: "", orderLinkId: r.linkId }
                : { category: "linear", symbol: r.symbol, ...ids(r.cancelled) },
            ),
          },
          retExtInfo: {
            list: results.map((r) => {
              const error = "reject" in r.cancelled ? bybitErrorOf("not-open", "cancel") : null;
              return error ? { code: error.retCode, msg: error.retMsg } : { code: 0, msg: "OK" };
            }),
          },
        };
      }
      case "POST /v5/order/cancel-all": {
        const cancelled = sim.cancelAll(account, symbol || undefined, now);
        return { result: { list: cancelled.map(ids), success: "1" } };
      }
      case "POST /v5/order/disconnected-cancel-all": {
        const seconds = Number(p.timeWindow);
        if (!Number.isInteger(seconds) || seconds < 3 || seconds > 300)
          return {
            retCode: 10001,
            retMsg: `params error: timeWindow must be an integer in [3, 300] seconds, got ${str("timeWindow") || "nothing"}`,
          };
        dcpWindowsMs.set(account, seconds * 1_000);
        return { result: {}, retMsg: "success" };
      }
      case "GET /v5/order/realtime": {
        if (str("orderId") || str("orderLinkId")) {
          const order = sim.find(account, ref());
          return {
            result: { list: order ? [orderJson(order)] : [], nextPageCursor: "", category: "linear" },
          };
        }
        const list =
          str("openOnly") === "1"
            ? sim.endedOrders(account, symbol || undefined).slice(0, 500)
            : sim.openOrders(account, symbol || undefined).reverse();
        return {
          result: {
            list: list.slice(0, Number(str("limit") || 50)).map(orderJson),
            nextPageCursor: "",
            category: "linear",
          },
        };
      }
      case "GET /v5/order/history": {
        const all = [
          ...sim.openOrders(account, symbol || undefined).reverse(),
          ...sim.endedOrders(account, symbol || undefined),
        ];
        const list = all.filter(
          (o) =>
            (!str("orderId") || orderIdToWire(o.orderId) === str("orderId")) &&
            (!str("orderLinkId") || o.clientId === str("orderLinkId")),
        );
        return {
          result: {
            list: list.slice(0, Number(str("limit") || 20)).map(orderJson),
            nextPageCursor: "",
            category: "linear",
          },
        };
      }
      case "GET /v5/execution/list": {
        const since = Number(str("startTime") || 0);
        const fills = sim
          .fills(account, symbol || undefined)
          .filter(
            (f) =>
              f.time >= since &&
              (!str("orderId") || orderIdToWire(f.orderId) === str("orderId")) &&
              (!str("orderLinkId") || f.clientId === str("orderLinkId")),
          );
        return {
          result: {
            list: fills.slice(0, Number(str("limit") || 50)).map((f) => executionJson(account, f)),
            nextPageCursor: "",
            category: "linear",
          },
        };
      }
      case "GET /v5/position/list":
        return {
          result: {
            list: (symbol ? specs.filter((s) => s.symbol === symbol) : specs).map((s) =>
              positionJson(account, s.symbol, now),
            ),
            nextPageCursor: "",
            category: "linear",
          },
        };
      case "GET /v5/account/wallet-balance":
        return {
          result: {
            list: [
              {
                accountType: "UNIFIED",
                totalEquity: "100000",
                totalWalletBalance: "100000",
                totalAvailableBalance: "100000",
                totalMarginBalance: "100000",
                totalInitialMargin: "0",
                totalMaintenanceMargin: "0",
                totalPerpUPL: "0",
                coin: [
                  {
                    coin: "USDT",
                    equity: "100000",
                    walletBalance: "100000",
                    locked: "0",
                    unrealisedPnl: "0",
                    cumRealisedPnl: "0",
                    usdValue: "100000",
                  },
                ],
              },
            ],
          },
        };
      case "GET /v5/account/info":
        return {
          result: {
            marginMode: "REGULAR_MARGIN",
            updatedTime: String(now),
            unifiedMarginStatus: 6,
            dcpStatus: dcpWindowsMs.has(account) ? "ON" : "OFF",
            timeWindow: (dcpWindowsMs.get(account) ?? 10_000) / 1_000,
            smpGroup: 0,
            isMasterTrader: false,
            spotHedgingStatus: "OFF",
          },
        };
      case "GET /v5/user/query-api":
        return {
          result: {
            id: "1",
            note: "emulator",
            apiKey: account,
            readOnly: 0,
            secret: "",
            permissions: { ContractTrade: ["Order", "Position"] },
            ips: ["*"],
            type: 1,
            unified: 0,
            uta: 1,
            isMaster: true,
          },
        };
      default:
        return {
          retCode: BYBIT_ERRORS.routeNotFound.retCode,
          retMsg: `${BYBIT_ERRORS.routeNotFound.retMsg} (the emulator does not serve ${route})`,
        };
    }
  }

  /** A symbol's depth as Bybit prints it: one level per price, with the tick's decimals. */
  function depthRows(symbol: string, limit: number): { b: [string, string][]; a: [string, string][] } {
    const tick = bySymbol.get(symbol)?.tickSize ?? "1";
    const decimals = tick.includes(".") ? tick.length - tick.indexOf(".") - 1 : 0;
    const { bids, asks } = sim.depth(symbol, limit * 2 + 10);
    const merge = (rows: [string, number][]) => {
      const levels = new Map<string, number>();
      for (const [price, qty] of rows) {
        const key = Number(price).toFixed(decimals);
        levels.set(key, (levels.get(key) ?? 0) + qty);
      }
      return [...levels].slice(0, limit).map(([p, q]): [string, string] => [p, formatSimQty(q)]);
    };
    return { b: merge(bids), a: merge(asks) };
  }

  function rules(symbol: string) {
    const spec = bySymbol.get(symbol);
    return spec ? { tickSize: spec.tickSize, qtyStep: spec.qtyStep, minNotional: spec.minNotionalValue } : {};
  }

  function create(account: string, p: Params, now: number): SimOrder | BybitError {
    const str = (key: string) => (p[key] === undefined || p[key] === null ? "" : String(p[key]));
    const symbol = str("symbol");
    if (str("category") !== "linear")
      return {
        retCode: 10001,
        retMsg: `params error: category must be linear in this emulator, got "${str("category")}"`,
      };
    if (str("orderType") !== "Limit")
      return {
        retCode: 10001,
        retMsg: `params error: the emulator accepts orderType Limit only, got "${str("orderType")}"`,
      };
    const tif = str("timeInForce") || "GTC";
    if (tif !== "GTC" && tif !== "IOC" && tif !== "PostOnly")
      return {
        retCode: 10001,
        retMsg: `params error: timeInForce must be GTC, IOC or PostOnly, got "${tif}"`,
      };
    if (str("side") !== "Buy" && str("side") !== "Sell")
      return { retCode: 10001, retMsg: `params error: side must be Buy or Sell, got "${str("side")}"` };
    const linkId = str("orderLinkId");
    if (linkId.length > 36 || !/^[A-Za-z0-9_-]*$/.test(linkId))
      return { retCode: 10001, retMsg: "params error: orderLinkId must be at most 36 of [A-Za-z0-9_-]" };
    // Bybit refuses any orderLinkId it still knows, live or ended.
    if (linkId && sim.knowsClientId(account, linkId)) return BYBIT_ERRORS.duplicateOrderLinkId;
    const placed = sim.place(
      account,
      {
        symbol,
        side: str("side") === "Buy" ? "buy" : "sell",
        timeInForce: tif === "PostOnly" ? "alo" : tif === "IOC" ? "ioc" : "gtc",
        price: str("price"),
        quantity: str("qty"),
        clientId: linkId || `${AUTO_LINK_PREFIX}${++autoLinkId}`,
        reduceOnly: p.reduceOnly === true || str("reduceOnly") === "true",
      },
      now,
    );
    return "reject" in placed ? bybitErrorOf(placed.reject, "create", rules(symbol)) : placed;
  }

  function mark(symbol: string, fallback: number): number {
    const { bid, ask } = sim.top(symbol);
    return bid && ask ? (Number(bid.price) + Number(ask.price)) / 2 : fallback;
  }

  function tickerJson(symbol: string) {
    const { bid, ask } = sim.top(symbol);
    const m = String(mark(symbol, bySymbol.get(symbol)?.midPrice ?? 0));
    return {
      symbol,
      lastPrice: m,
      markPrice: m,
      indexPrice: m,
      bid1Price: bid?.price ?? "",
      bid1Size: bid ? formatSimQty(bid.quantity - bid.executedQty) : "",
      ask1Price: ask?.price ?? "",
      ask1Size: ask ? formatSimQty(ask.quantity - ask.executedQty) : "",
      fundingRate: "0.0001",
      nextFundingTime: "0",
      volume24h: "0",
      turnover24h: "0",
      openInterest: "0",
    };
  }

  function positionJson(account: string, symbol: string, now: number) {
    const pos = sim.position(account, symbol);
    const m = mark(symbol, pos.entryPrice);
    return {
      positionIdx: 0,
      riskId: 1,
      riskLimitValue: "2000000",
      symbol,
      side: pos.size > 0 ? "Buy" : pos.size < 0 ? "Sell" : "",
      size: formatSimQty(Math.abs(pos.size)),
      avgPrice: String(pos.entryPrice),
      positionValue: String(Math.abs(pos.size) * pos.entryPrice),
      tradeMode: 0,
      positionStatus: "Normal",
      autoAddMargin: 0,
      adlRankIndicator: pos.size === 0 ? 0 : 2,
      leverage: "10",
      positionBalance: "0",
      markPrice: String(m),
      liqPrice: "",
      bustPrice: "",
      positionMM: "0",
      positionIM: "0",
      tpslMode: "Full",
      takeProfit: "0",
      stopLoss: "0",
      trailingStop: "0",
      unrealisedPnl: String(pos.size * (m - pos.entryPrice)),
      curRealisedPnl: "0",
      cumRealisedPnl: "0",
      seq: now,
      isReduceOnly: false,
      createdTime: "0",
      updatedTime: String(now),
    };
  }

  function executionJson(account: string, f: SimFill) {
    const order = sim.find(account, { symbol: f.symbol, orderId: f.orderId });
    return {
      symbol: f.symbol,
      orderType: "Limit",
      underlyingPrice: "",
      orderLinkId: linkIdToWire(f.clientId),
      side: f.side === "buy" ? "Buy" : "Sell",
      indexPrice: "",
      orderId: orderIdToWire(f.orderId),
      stopOrderType: "UNKNOWN",
      leavesQty: formatSimQty(f.leavesQty),
      execTime: String(f.time),
      feeCurrency: "USDT",
      isMaker: f.liquidity === "maker",
      execFee: String(f.fee),
      feeRate: String(f.feeRate),
      execId: tradeIdToWire(f.tradeId),
      tradeIv: "",
      blockTradeId: "",
      markPrice: String(mark(f.symbol, f.price)),
      execPrice: String(f.price),
      markIv: "",
      orderQty: order ? formatSimQty(order.quantity) : "",
      orderPrice: order?.price ?? "",
      execValue: String(f.price * f.quantity),
      execType: "Trade",
      execQty: formatSimQty(f.quantity),
      closedSize: "",
      seq: f.tradeId,
    };
  }

  const streams = new BybitStreamServer(server, clock, {
    secretOf: (apiKey) => secrets.get(apiKey),
    isSymbol: (symbol) => bySymbol.has(symbol),
    depth: depthRows,
    privateUp: (account) => dropped.delete(account),
    privateDown: (account) => dropped.set(account, clock.now()),
  });
  // The stream's baseline depth must predate the first change, or that change would print no delta.
  for (const spec of specs) streams.updateId(spec.symbol);
  // Streams follow the engine's own events: nothing is polled, nothing between two requests is missed.
  sim.onEvent((event) => {
    if (event.type === "order") {
      streams.publishPrivate(event.order.account, "order", [
        { category: "linear", ...orderJson(event.order) },
      ]);
      return;
    }
    const { account, symbol } = event.fill;
    streams.publishPrivate(account, "execution", [
      { category: "linear", ...executionJson(account, event.fill) },
    ]);
    streams.publishPrivate(account, "position", [
      { category: "linear", ...positionJson(account, symbol, clock.now()) },
    ]);
  });
  sim.onMarketEvent((event) => {
    if (event.type === "book") {
      streams.publishBook(event.symbol, depthRows(event.symbol, 1000));
      return;
    }
    streams.publishTrades(event.symbol, [
      {
        T: event.time,
        s: event.symbol,
        S: event.takerSide === "buy" ? "Buy" : "Sell",
        v: formatSimQty(event.quantity),
        p: String(event.price),
        L: "ZeroPlusTick",
        i: tradeIdToWire(event.tradeId),
        BT: false,
      },
    ]);
  });

  const port = await listenEmulator(server, options.host ?? "127.0.0.1", options.port ?? 0);
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    wsUrl: `ws://${options.host ?? "127.0.0.1"}:${port}`,
    sim,
    requests,
    injectHttpFault(fault) {
      faults.push(fault);
    },
    dropPrivateStream(apiKey) {
      dropped.set(apiKey, clock.now());
    },
    restorePrivateStream(apiKey) {
      dropped.delete(apiKey);
    },
    dropStreams(target = "all") {
      return streams.drop(target);
    },
    refuseStreamConnections(refuse) {
      streams.refuseConnections(refuse);
    },
    openStreams(kind) {
      return streams.openSockets(kind);
    },
    async close() {
      clearInterval(timer);
      streams.close();
      lost.close();
      await closeEmulatorServer(server);
    },
  };
}

const PRIVATE_ROUTES = new Set([
  "POST /v5/order/create",
  "POST /v5/order/create-batch",
  "POST /v5/order/amend",
  "POST /v5/order/cancel",
  "POST /v5/order/cancel-batch",
  "POST /v5/order/cancel-all",
  "POST /v5/order/disconnected-cancel-all",
  "GET /v5/order/realtime",
  "GET /v5/order/history",
  "GET /v5/execution/list",
  "GET /v5/position/list",
  "GET /v5/account/wallet-balance",
  "GET /v5/account/info",
  "GET /v5/user/query-api",
]);

/** Orders placed without an `orderLinkId` get an internal one that is printed as "" (as Bybit does). */
const AUTO_LINK_PREFIX = "\u0001auto-";

function linkIdToWire(clientId: string): string {
  return clientId.startsWith(AUTO_LINK_PREFIX) ? "" : clientId;
}

/** Bybit linear order ids are UUIDs; the core's are numbers: the number sits in the last group. */
function orderIdToWire(orderId: number): string {
  return `00000000-0000-4000-8000-${String(orderId).padStart(12, "0")}`;
}

function orderIdFromWire(wire: string): number {
  const match = /^00000000-0000-4000-8000-(\d{12})$/.exec(wire);
  return match ? Number(match[1]) : -1;
}

function tradeIdToWire(tradeId: number): string {
  return `00000000-0000-5000-8000-${String(tradeId).padStart(12, "0")}`;
}

function envelope(answer: Answer, now: number) {
  if ("retCode" in answer)
    return { retCode: answer.retCode, retMsg: answer.retMsg, result: {}, retExtInfo: {}, time: now };
  return {
    retCode: 0,
    retMsg: answer.retMsg ?? "OK",
    result: answer.result,
    retExtInfo: answer.retExtInfo ?? {},
    time: now,
  };
}

const ORDER_STATUS = {
  open: "New",
  partiallyFilled: "PartiallyFilled",
  filled: "Filled",
  cancelled: "Cancelled",
  expired: "Cancelled",
} as const satisfies Record<SimOrder["status"], string>;

function orderJson(o: SimOrder) {
  const leaves = o.status === "open" || o.status === "partiallyFilled" ? o.quantity - o.executedQty : 0;
  return {
    orderId: orderIdToWire(o.orderId),
    orderLinkId: linkIdToWire(o.clientId),
    blockTradeId: "",
    symbol: o.symbol,
    price: o.price,
    qty: formatSimQty(o.quantity),
    side: o.side === "buy" ? "Buy" : "Sell",
    isLeverage: "",
    positionIdx: 0,
    orderStatus: ORDER_STATUS[o.status],
    cancelType: o.endReason === "cancel" || o.endReason === "cancel-all" ? "CancelByUser" : "UNKNOWN",
    rejectReason:
      o.endReason === "post-only"
        ? POST_ONLY_REJECT_REASON
        : o.endReason === "ioc-remainder"
          ? "EC_CancelForNoFullFill"
          : "EC_NoError",
    avgPrice: o.executedQty > 0 ? String(o.cumQuote / o.executedQty) : "",
    leavesQty: formatSimQty(leaves),
    leavesValue: String(leaves * Number(o.price)),
    cumExecQty: formatSimQty(o.executedQty),
    cumExecValue: String(o.cumQuote),
    cumExecFee: String(o.cumFee),
    timeInForce: o.timeInForce === "alo" ? "PostOnly" : o.timeInForce === "ioc" ? "IOC" : "GTC",
    orderType: "Limit",
    stopOrderType: "",
    orderIv: "",
    triggerPrice: "",
    takeProfit: "",
    stopLoss: "",
    tpTriggerBy: "",
    slTriggerBy: "",
    triggerDirection: 0,
    triggerBy: "",
    lastPriceOnCreated: "",
    reduceOnly: o.reduceOnly,
    closeOnTrigger: false,
    smpType: "None",
    smpGroup: 0,
    smpOrderId: "",
    tpslMode: "",
    tpLimitPrice: "",
    slLimitPrice: "",
    placeType: "",
    createdTime: String(o.createdTime),
    updatedTime: String(o.updateTime),
  };
}

function instrumentJson(s: BybitSymbolSpec) {
  const decimals = s.tickSize.includes(".") ? s.tickSize.split(".")[1]!.length : 0;
  return {
    symbol: s.symbol,
    contractType: "LinearPerpetual",
    status: "Trading",
    baseCoin: s.baseCoin,
    quoteCoin: "USDT",
    launchTime: "1585526400000",
    deliveryTime: "0",
    deliveryFeeRate: "",
    priceScale: String(decimals),
    leverageFilter: { minLeverage: "1", maxLeverage: "100.00", leverageStep: "0.01" },
    priceFilter: { minPrice: s.tickSize, maxPrice: "1999999.80", tickSize: s.tickSize },
    lotSizeFilter: {
      maxOrderQty: "1190.000",
      minOrderQty: s.qtyStep,
      qtyStep: s.qtyStep,
      postOnlyMaxOrderQty: "1190.000",
      maxMktOrderQty: "500.000",
      minNotionalValue: String(s.minNotionalValue),
    },
    unifiedMarginTrade: true,
    fundingInterval: 480,
    settleCoin: "USDT",
    copyTrading: "both",
    upperFundingRate: "0.005",
    lowerFundingRate: "-0.005",
    isPreListing: false,
    preListingInfo: null,
  };
}
