import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomically } from "./atomic-file.ts";
import { CandleSourceError } from "./errors.ts";
import { formatTime } from "./intervals.ts";
import { describeUnreachable, networkErrorCode } from "./network-error.ts";

/** Venues whose funding history can be downloaded. */
export type FundingVenue = "binance" | "bybit";

/** One funding settlement: its time and the rate paid then (per funding interval, longs pay when positive). */
export interface FundingSettlement {
  timeMs: number;
  rate: number;
}

/** Options of {@link loadFundingHistory}. */
export interface FundingHistoryOptions {
  venue: FundingVenue;
  /** The venue's symbol: `BTCUSDT` (both venues name linear perps alike). */
  symbol: string;
  /** Range [start, end), ms. The settlement in force at `start` (up to `lookbackMs` earlier) is included. */
  start: number;
  end: number;
  /** Wall-clock now (ms): months are cached only up to now. */
  now: number;
  /** The candle cache root (funding lives beside the candles) or null for no cache. */
  cacheDir: string | null;
  /** Base URL (`https://fapi.binance.com`, `https://api.bybit.com`; tests pass `http://127.0.0.1:<port>`). */
  apiUrl?: string;
  /** Per-request timeout, ms. Default 15 000. */
  timeoutMs?: number;
  /** Retries of a request that failed for a reason that may pass. Default 2. */
  retries?: number;
  /** Delay before the first retry, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  /** ccxt's throttle (default true). */
  rateLimit?: boolean;
  /** How far before `start` to look for the settlement in force. Default 8 h. */
  lookbackMs?: number;
}

/** What {@link loadFundingHistory} returns. */
export interface FundingHistoryResult {
  /** Settlements in [start − lookback, end), ascending. */
  settlements: FundingSettlement[];
  /** The funding interval in hours: the most common step between settlements (8 when there are fewer than two). */
  intervalHours: number;
  /** HTTP requests made (0 when the cache covered the range). */
  requests: number;
}

const HOUR_MS = 3_600_000;
const FUNDING_CACHE_VERSION = 1;
const CACHE_DIR_NAME: Record<FundingVenue, string> = { binance: "binance-usdm", bybit: "bybit-linear" };
const LABEL: Record<FundingVenue, string> = { binance: "Binance USDⓈ-M", bybit: "Bybit linear" };
const DEFAULT_URL: Record<FundingVenue, string> = {
  binance: "https://fapi.binance.com",
  bybit: "https://api.bybit.com",
};
const PATH: Record<FundingVenue, string> = {
  binance: "/fapi/v1/fundingRate",
  bybit: "/v5/market/funding/history",
};
/** Rows per request: Binance serves up to 1000, Bybit up to 200. */
const PAGE_LIMIT: Record<FundingVenue, number> = { binance: 1000, bybit: 200 };

const decimal = z.union([z.string().min(1), z.number()]).transform((value, context) => {
  const number = Number(value);
  if (!Number.isFinite(number)) {
    context.addIssue({ code: "custom", message: `not a number: ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return number;
});
/** Binance `GET /fapi/v1/fundingRate`: `[{symbol, fundingTime, fundingRate, markPrice}]`, ascending. */
const binanceSchema = z.array(
  z.object({ fundingTime: decimal, fundingRate: decimal }).transform((row) => ({
    timeMs: row.fundingTime,
    rate: row.fundingRate,
  })),
);
/** Bybit `GET /v5/market/funding/history`: `{retCode: 0, result: {list: [{symbol, fundingRate, fundingRateTimestamp}]}}`, newest first. */
const bybitSchema = z
  .object({
    retCode: z.literal(0),
    result: z.object({
      list: z.array(z.object({ fundingRate: decimal, fundingRateTimestamp: decimal })),
    }),
  })
  .transform((body) =>
    body.result.list.map((row) => ({ timeMs: row.fundingRateTimestamp, rate: row.fundingRate })),
  );

/**
 * The funding settlements of a Binance USDⓈ-M or Bybit linear perpetual over a range, through ccxt's implicit
 * endpoints (`fapiPublicGetFundingRate`, `publicGetV5MarketFundingHistory`: the requests
 * `fetchFundingRateHistory` makes, without loading every market first), cached beside the candles in
 * `<cacheDir>/<binance-usdm|bybit-linear>/<SYMBOL>/funding/<YYYY-MM>.csv` (`time_ms,funding_rate`, a
 * `covered=from-to` header as the candle cache has). ccxt is imported only when a request is needed.
 *
 * @throws CandleSourceError `NETWORK` (retryable), `EXCHANGE` or `BAD_RESPONSE` naming the venue and symbol.
 * @example
 * ```ts
 * const { settlements, intervalHours } = await loadFundingHistory({
 *   venue: "binance", symbol: "BTCUSDT", start: Date.UTC(2025, 4, 1), end: Date.UTC(2025, 5, 1),
 *   now: Date.now(), cacheDir: defaultCacheDir(),
 * });
 * ```
 */
export async function loadFundingHistory(options: FundingHistoryOptions): Promise<FundingHistoryResult> {
  const { venue, symbol, now } = options;
  const from = options.start - (options.lookbackMs ?? 8 * HOUR_MS);
  const to = Math.min(options.end, now);
  if (!(from < to)) {
    throw new CandleSourceError(
      "INVALID_OPTIONS",
      `${LABEL[venue]} funding for ${symbol}: the range ${formatTime(options.start)} to ${formatTime(options.end)} is empty or in the future`,
      { source: venue },
    );
  }
  const dir =
    options.cacheDir === null
      ? null
      : join(options.cacheDir, CACHE_DIR_NAME[venue], symbol.replace(/[^A-Za-z0-9._-]/g, "_"), "funding");
  const fetcher = makeFetcher(options);
  let requests = 0;
  const settlements: FundingSettlement[] = [];
  for (let month = monthStart(from); month < to; month = nextMonth(month)) {
    const monthEnd = nextMonth(month);
    const wantFrom = Math.max(month, from);
    const wantTo = Math.min(monthEnd, to);
    const path = dir === null ? null : join(dir, `${monthName(month)}.csv`);
    let rows = path === null ? null : await readMonth(path, month, monthEnd, wantFrom, wantTo);
    if (rows === null) {
      const coveredTo = Math.min(monthEnd, now);
      const fetched = await fetcher(month, coveredTo);
      requests += fetched.requests;
      rows = fetched.rows;
      if (path !== null && dir !== null) await writeMonth(dir, path, venue, symbol, month, coveredTo, rows);
    }
    for (const row of rows) if (row.timeMs >= wantFrom && row.timeMs < wantTo) settlements.push(row);
  }
  return { settlements, intervalHours: fundingIntervalHours(settlements), requests };
}

/**
 * The funding interval in hours: the most common step between consecutive settlements, 8 when there are
 * fewer than two (Binance's and Bybit's usual interval).
 *
 * @example
 * ```ts
 * fundingIntervalHours([{ timeMs: 0, rate: 0.0001 }, { timeMs: 28_800_000, rate: 0.0001 }]); // 8
 * ```
 */
export function fundingIntervalHours(settlements: readonly FundingSettlement[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < settlements.length; i++) {
    const hours = Math.round((settlements[i]!.timeMs - settlements[i - 1]!.timeMs) / HOUR_MS);
    if (hours > 0) counts.set(hours, (counts.get(hours) ?? 0) + 1);
  }
  let best = 8;
  let bestCount = 0;
  for (const [hours, count] of counts) {
    if (count > bestCount || (count === bestCount && hours < best)) {
      best = hours;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Hourly funding rows for the backtester (which charges funding at every hour's open, per hour) from
 * settlements every `intervalHours`: each settled rate is charged in equal parts over the hours after its
 * settlement until the next one (at most `intervalHours` of them), so nothing is charged or seen by the
 * funding skew before the venue published it, and the total over a range is the settlements' sum.
 *
 * @example
 * ```ts
 * hourlyFundingRows([{ timeMs: 0, rate: 0.0008 }], 8); // 8 rows of 0.0001, at 0 h … 7 h
 * ```
 */
export function hourlyFundingRows(
  settlements: readonly FundingSettlement[],
  intervalHours: number,
): FundingSettlement[] {
  const rows: FundingSettlement[] = [];
  for (let i = 0; i < settlements.length; i++) {
    const hour = Math.floor(settlements[i]!.timeMs / HOUR_MS) * HOUR_MS;
    const next = settlements[i + 1];
    const until =
      next === undefined ? hour + intervalHours * HOUR_MS : Math.floor(next.timeMs / HOUR_MS) * HOUR_MS;
    const hours = Math.min(intervalHours, Math.max(1, Math.round((until - hour) / HOUR_MS)));
    const perHour = settlements[i]!.rate / intervalHours;
    for (let k = 0; k < hours; k++) {
      const timeMs = hour + k * HOUR_MS;
      if (rows.length > 0 && rows.at(-1)!.timeMs >= timeMs) rows.pop();
      rows.push({ timeMs, rate: perHour });
    }
  }
  return rows;
}

type MonthFetcher = (from: number, to: number) => Promise<{ rows: FundingSettlement[]; requests: number }>;

function makeFetcher(options: FundingHistoryOptions): MonthFetcher {
  const { venue, symbol } = options;
  const apiUrl = (options.apiUrl ?? DEFAULT_URL[venue]).replace(/\/+$/, "");
  const url = `${apiUrl}${PATH[venue]}`;
  const limit = PAGE_LIMIT[venue];
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = options.retries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;
  type Exchange = {
    timeout: number;
    fapiPublicGetFundingRate?: (params: object) => Promise<unknown>;
    publicGetV5MarketFundingHistory?: (params: object) => Promise<unknown>;
  };
  let exchange: Promise<{ instance: Exchange; OperationFailed: new (...args: never[]) => Error }> | null =
    null;
  const getExchange = () => {
    exchange ??= import("ccxt").then((ccxt) => {
      const enableRateLimit = options.rateLimit ?? true;
      if (venue === "binance") {
        const instance = new ccxt.binanceusdm({ enableRateLimit });
        instance.urls["api"]["fapiPublic"] = `${apiUrl}/fapi/v1`;
        return { instance: instance as unknown as Exchange, OperationFailed: ccxt.OperationFailed };
      }
      const instance = new ccxt.bybit({ enableRateLimit });
      instance.urls["api"]["public"] = apiUrl;
      return { instance: instance as unknown as Exchange, OperationFailed: ccxt.OperationFailed };
    });
    return exchange;
  };

  const once = async (params: Record<string, unknown>): Promise<FundingSettlement[]> => {
    const { instance, OperationFailed } = await getExchange();
    instance.timeout = timeoutMs;
    let raw: unknown;
    try {
      raw =
        venue === "binance"
          ? await instance.fapiPublicGetFundingRate!(params)
          : await instance.publicGetV5MarketFundingHistory!(params);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof OperationFailed) {
        const detail =
          networkErrorCode(error) !== null ? describeUnreachable(url, error) : `${url} failed: ${message}`;
        throw new CandleSourceError("NETWORK", `${LABEL[venue]} funding: ${detail}`, {
          source: venue,
          retryable: true,
          cause: error,
        });
      }
      throw new CandleSourceError(
        "EXCHANGE",
        `${LABEL[venue]} refused funding history for ${symbol}: ${message}`,
        {
          source: venue,
          cause: error,
        },
      );
    }
    const parsed = (venue === "binance" ? binanceSchema : bybitSchema).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const expected =
        venue === "binance"
          ? "[{symbol, fundingTime, fundingRate, markPrice}]"
          : "{retCode: 0, result: {list: [{symbol, fundingRate, fundingRateTimestamp}]}}";
      throw new CandleSourceError(
        "BAD_RESPONSE",
        `${LABEL[venue]} funding history for ${symbol} is not in the documented format ${expected}: ${issue?.path.join(".")}: ${issue?.message}`,
        { source: venue },
      );
    }
    return parsed.data;
  };
  const withRetries = async (params: Record<string, unknown>): Promise<FundingSettlement[]> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(params);
      } catch (error) {
        if (!(error instanceof CandleSourceError && error.retryable) || attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
      }
    }
  };

  return async (from, to) => {
    const byTime = new Map<number, number>();
    let requests = 0;
    if (venue === "binance") {
      // Ascending from startTime: page forward.
      let cursor = from;
      while (cursor < to) {
        requests++;
        const page = await withRetries({ symbol, startTime: cursor, endTime: to - 1, limit });
        for (const row of page) if (row.timeMs >= from && row.timeMs < to) byTime.set(row.timeMs, row.rate);
        const last = page.reduce((max, row) => Math.max(max, row.timeMs), Number.NEGATIVE_INFINITY);
        if (page.length < limit || !(last >= cursor)) break;
        cursor = last + 1;
      }
    } else {
      // Newest first, at most `limit` ending at endTime: page backward.
      let cursor = to - 1;
      while (cursor >= from) {
        requests++;
        const page = await withRetries({
          category: "linear",
          symbol,
          startTime: from,
          endTime: cursor,
          limit,
        });
        for (const row of page) if (row.timeMs >= from && row.timeMs < to) byTime.set(row.timeMs, row.rate);
        const first = page.reduce((min, row) => Math.min(min, row.timeMs), Number.POSITIVE_INFINITY);
        if (page.length < limit || !(first <= cursor)) break;
        cursor = first - 1;
      }
    }
    const rows = [...byTime].map(([timeMs, rate]) => ({ timeMs, rate })).sort((a, b) => a.timeMs - b.timeMs);
    return { rows, requests };
  };
}

async function readMonth(
  path: string,
  month: number,
  monthEnd: number,
  wantFrom: number,
  wantTo: number,
): Promise<FundingSettlement[] | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return null;
  }
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const meta = /^# botmm funding cache v(\d+) .*\bcovered=(\d+)-(\d+)\s*$/.exec(lines[0] ?? "");
  if (!meta || Number(meta[1]) !== FUNDING_CACHE_VERSION || lines[1] !== "time_ms,funding_rate") return null;
  const coveredFrom = Number(meta[2]);
  const coveredTo = Number(meta[3]);
  if (coveredFrom !== month || coveredTo > monthEnd || coveredFrom > wantFrom || coveredTo < wantTo)
    return null;
  const rows: FundingSettlement[] = [];
  for (const line of lines.slice(2)) {
    const [time, rate] = line.split(",").map(Number);
    if (!Number.isFinite(time) || !Number.isFinite(rate) || time! < coveredFrom || time! >= coveredTo)
      return null;
    rows.push({ timeMs: time!, rate: rate! });
  }
  return rows;
}

async function writeMonth(
  dir: string,
  path: string,
  venue: FundingVenue,
  symbol: string,
  month: number,
  coveredTo: number,
  rows: readonly FundingSettlement[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const lines = [
    `# botmm funding cache v${FUNDING_CACHE_VERSION} source=${CACHE_DIR_NAME[venue]} symbol=${symbol} covered=${month}-${coveredTo}`,
    "time_ms,funding_rate",
    ...rows.map((row) => `${row.timeMs},${row.rate}`),
  ];
  await writeFileAtomically(path, `${lines.join("\n")}\n`);
}

function monthStart(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

function nextMonth(month: number): number {
  const date = new Date(month);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
}

function monthName(month: number): string {
  return new Date(month).toISOString().slice(0, 7);
}
