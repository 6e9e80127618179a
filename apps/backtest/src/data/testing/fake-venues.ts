/**
 * Local stand-ins for the venues' candle endpoints, for tests: `node:http` on 127.0.0.1, an ephemeral port,
 * responses in the recorded wire formats (Binance `GET /fapi/v1/klines` arrays of 12 fields with decimal
 * strings; Bybit `GET /v5/market/kline` lists newest first; Hyperliquid `POST /info` `candleSnapshot` objects;
 * Binance `GET /fapi/v1/fundingRate` and Bybit `GET /v5/market/funding/history`). Nothing here touches the internet.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Candle } from "@botmm/core";

/** A running fake venue. */
export interface FakeVenue {
  /** Base URL to pass as `apiUrls.binance` / `apiUrls.hyperliquid`. */
  url: string;
  /** Every request received: method, path, query parameters (Binance) or JSON body (Hyperliquid). */
  requests: Array<{ method: string; path: string; query: Record<string, string>; body: unknown }>;
  /** Fail the next `count` requests with HTTP `status`. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** Options of the fake venues. */
export interface FakeVenueOptions {
  /** The venue's full history (ascending, closed bars). */
  candles: Candle[];
  intervalMs: number;
  /** The symbol / coin the venue knows (`BTCUSDT` / `BTC`); others are refused. */
  symbol: string;
  /** Also serve the still-forming bar that opens at `formingBarOpenTime` (venues do). */
  formingBarOpenTime?: number;
  /** Cap on candles per response (Binance: min(limit, 1500); Hyperliquid: 5000). */
  maxPerResponse?: number;
  /** Hyperliquid only: serve only the latest N candles of the history (5000). */
  historyLimitBars?: number;
  /** Funding settlements (ascending) for the funding-history endpoints. */
  funding?: Array<{ timeMs: number; rate: number }>;
}

function withForming(options: FakeVenueOptions): Candle[] {
  const { candles, formingBarOpenTime } = options;
  if (formingBarOpenTime === undefined) return candles;
  const last = candles.at(-1)?.close ?? 100;
  return [
    ...candles,
    {
      openTime: formingBarOpenTime,
      open: last,
      high: last * 1.5,
      low: last * 0.5,
      close: last * 1.2,
      volume: 1,
    },
  ];
}

/** `GET /fapi/v1/klines` as Binance USDⓈ-M serves it; `/fapi/v1/exchangeInfo` answers 500 (it must not be needed). */
export function startFakeBinance(options: FakeVenueOptions): Promise<FakeVenue> {
  const series = withForming(options);
  const cap = options.maxPerResponse ?? 1500;
  return start((request, url, _body, respond) => {
    if (url.pathname === "/fapi/v1/fundingRate") {
      const query = Object.fromEntries(url.searchParams);
      const startTime = Number(query.startTime ?? 0);
      const endTime = query.endTime === undefined ? Number.POSITIVE_INFINITY : Number(query.endTime);
      const limit = Math.min(Number(query.limit ?? 100), 1000);
      respond(
        200,
        (options.funding ?? [])
          .filter(
            (row) => query.symbol === options.symbol && row.timeMs >= startTime && row.timeMs <= endTime,
          )
          .slice(0, limit)
          .map((row) => ({
            symbol: options.symbol,
            fundingTime: row.timeMs,
            fundingRate: row.rate.toFixed(8),
            markPrice: "34287.54619963",
          })),
      );
      return;
    }
    if (url.pathname !== "/fapi/v1/klines") {
      respond(500, { code: -1000, msg: `fake binance: ${url.pathname} is not served` });
      return;
    }
    const query = Object.fromEntries(url.searchParams);
    if (query.symbol !== options.symbol) {
      respond(400, { code: -1121, msg: "Invalid symbol." });
      return;
    }
    const startTime = Number(query.startTime ?? 0);
    const endTime = query.endTime === undefined ? Number.POSITIVE_INFINITY : Number(query.endTime);
    const limit = Math.min(Number(query.limit ?? 500), cap);
    const rows = series
      .filter((candle) => candle.openTime >= startTime && candle.openTime <= endTime)
      .slice(0, limit)
      .map((c) => [
        c.openTime,
        c.open.toFixed(2),
        c.high.toFixed(2),
        c.low.toFixed(2),
        c.close.toFixed(2),
        c.volume.toFixed(3),
        c.openTime + options.intervalMs - 1,
        (c.volume * c.close).toFixed(5),
        17,
        (c.volume / 2).toFixed(3),
        ((c.volume / 2) * c.close).toFixed(5),
        "0",
      ]);
    void request;
    respond(200, rows);
  });
}

/** `POST /info {"type":"candleSnapshot",…}` as Hyperliquid serves it, with its latest-N history window. */
export function startFakeHyperliquid(options: FakeVenueOptions): Promise<FakeVenue> {
  const window = options.candles.slice(-(options.historyLimitBars ?? 5000));
  const served = withForming({ ...options, candles: window });
  const cap = options.maxPerResponse ?? 5000;
  return start((_request, url, body, respond) => {
    const payload = body as {
      type?: string;
      req?: { coin?: string; interval?: string; startTime?: number; endTime?: number };
    };
    if (url.pathname !== "/info" || payload?.type !== "candleSnapshot" || !payload.req) {
      respond(422, "Failed to deserialize the JSON body into the target type");
      return;
    }
    const { coin, interval, startTime = 0, endTime = Number.POSITIVE_INFINITY } = payload.req;
    if (coin !== options.symbol) {
      respond(200, []);
      return;
    }
    const rows = served
      .filter((candle) => candle.openTime >= startTime && candle.openTime <= endTime)
      .slice(0, cap)
      .map((c) => ({
        t: c.openTime,
        T: c.openTime + options.intervalMs - 1,
        s: coin,
        i: interval,
        o: String(c.open),
        c: String(c.close),
        h: String(c.high),
        l: String(c.low),
        v: String(c.volume),
        n: 12,
      }));
    respond(200, rows);
  });
}

const BYBIT_INTERVAL_MS: Record<string, number> = {
  "1": 60_000,
  "5": 300_000,
  "60": 3_600_000,
  D: 86_400_000,
};

/**
 * Bybit v5 `GET /v5/market/kline` and `GET /v5/market/funding/history` (category linear): the newest rows of
 * the window first, at most `limit` (1000 / 200), in the `{retCode, retMsg, result, retExtInfo, time}`
 * envelope; an unknown symbol answers HTTP 200 with `retCode` 10001.
 */
export function startFakeBybit(options: FakeVenueOptions): Promise<FakeVenue> {
  const series = withForming(options);
  const cap = options.maxPerResponse ?? 1000;
  const envelope = (result: unknown) => ({
    retCode: 0,
    retMsg: "OK",
    result,
    retExtInfo: {},
    time: 1747699200000,
  });
  return start((_request, url, _body, respond) => {
    const query = Object.fromEntries(url.searchParams);
    if (query.category !== "linear" || query.symbol !== options.symbol) {
      respond(200, {
        retCode: 10001,
        retMsg: "params error: symbol invalid",
        result: {},
        retExtInfo: {},
        time: 0,
      });
      return;
    }
    if (url.pathname === "/v5/market/funding/history") {
      const endTime = query.endTime === undefined ? Number.POSITIVE_INFINITY : Number(query.endTime);
      const startTime = Number(query.startTime ?? 0);
      const limit = Math.min(Number(query.limit ?? 200), 200);
      const list = (options.funding ?? [])
        .filter((row) => row.timeMs >= startTime && row.timeMs <= endTime)
        .slice(-limit)
        .reverse()
        .map((row) => ({
          symbol: options.symbol,
          fundingRate: String(row.rate),
          fundingRateTimestamp: String(row.timeMs),
        }));
      respond(200, envelope({ category: "linear", list }));
      return;
    }
    if (url.pathname !== "/v5/market/kline") {
      respond(404, { retCode: 10001, retMsg: `fake bybit: ${url.pathname} is not served` });
      return;
    }
    if (BYBIT_INTERVAL_MS[query.interval ?? ""] !== options.intervalMs) {
      respond(200, { retCode: 10001, retMsg: "Invalid period!", result: {}, retExtInfo: {}, time: 0 });
      return;
    }
    const startTime = Number(query.start ?? 0);
    const endTime = query.end === undefined ? Number.POSITIVE_INFINITY : Number(query.end);
    const limit = Math.min(Number(query.limit ?? 200), cap);
    const list = series
      .filter((candle) => candle.openTime >= startTime && candle.openTime <= endTime)
      .slice(-limit)
      .reverse()
      .map((c) => [
        String(c.openTime),
        String(c.open),
        String(c.high),
        String(c.low),
        String(c.close),
        String(c.volume),
        String(c.volume * c.close),
      ]);
    respond(200, envelope({ symbol: options.symbol, category: "linear", list }));
  });
}

/** A server that accepts connections and never answers: a network that hangs. */
export function startBlackHole(): Promise<FakeVenue> {
  return start(() => {
    /* never respond */
  });
}

/** A base URL on 127.0.0.1 where nothing listens (the port was just released). */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

type Handler = (
  request: IncomingMessage,
  url: URL,
  body: unknown,
  respond: (status: number, payload: unknown) => void,
) => void;

async function start(handler: Handler): Promise<FakeVenue> {
  const requests: FakeVenue["requests"] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = null;
      try {
        body = text === "" ? null : JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({
        method: request.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
      });
      const respond = (status: number, payload: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(typeof payload === "string" ? payload : JSON.stringify(payload));
      };
      if (failures.count > 0) {
        failures = { count: failures.count - 1, status: failures.status };
        respond(failures.status, { code: -1001, msg: "Internal error; unable to process your request." });
        return;
      }
      handler(request, url, body, respond);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(count, status) {
      failures = { count, status };
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A deterministic random-walk history for fake venues: `count` closed bars from `start`, prices with two
 * decimals (so they survive the venues' decimal strings unchanged), `skip` open-time indexes left out (gaps).
 */
export function makeHistory(
  start: number,
  count: number,
  intervalMs: number,
  skip: ReadonlySet<number> = new Set(),
): Candle[] {
  const candles: Candle[] = [];
  let price = 60_000;
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  for (let i = 0; i < count; i++) {
    const open = price;
    const close = Math.round(open * (1 + (next() - 0.5) * 0.002) * 100) / 100;
    const high = Math.round(Math.max(open, close) * (1 + next() * 0.001) * 100) / 100;
    const low = Math.round(Math.min(open, close) * (1 - next() * 0.001) * 100) / 100;
    const volume = Math.round(next() * 100_000) / 1000;
    if (!skip.has(i)) candles.push({ openTime: start + i * intervalMs, open, high, low, close, volume });
    price = close;
  }
  return candles;
}
