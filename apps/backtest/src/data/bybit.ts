import type { Candle } from "@botmm/core";
import { z } from "zod";
import type { CandlePageFetcher } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { type CandleInterval, intervalToMs } from "./intervals.ts";
import { describeUnreachable, networkErrorCode } from "./network-error.ts";

/** Bybit v5 `GET /v5/market/kline` returns at most 1000 bars a request. */
export const BYBIT_LINEAR_PAGE_LIMIT = 1000;

/** Bybit's interval codes (`1`, `60`, `D`, …) of the intervals it serves; it has no 8h or 3d bars. */
export const BYBIT_INTERVALS: Readonly<Partial<Record<CandleInterval, string>>> = {
  "1m": "1",
  "3m": "3",
  "5m": "5",
  "15m": "15",
  "30m": "30",
  "1h": "60",
  "2h": "120",
  "4h": "240",
  "6h": "360",
  "12h": "720",
  "1d": "D",
  "1w": "W",
};

/** Options of {@link createBybitLinearFetcher}. */
export interface BybitLinearFetcherOptions {
  /** Bybit linear (USDT perpetual) symbol, e.g. `BTCUSDT` — the same name as Binance's (see `mapSymbol`). */
  symbol: string;
  /** Interval name, e.g. `1m` (see {@link BYBIT_INTERVALS}). */
  interval: string;
  /** API base URL without path: default `https://api.bybit.com`; requests go to `<apiUrl>/v5/market/kline`. */
  apiUrl?: string;
  /** ccxt's request throttle (on by default). */
  enableRateLimit?: boolean;
}

const decimal = z
  .string()
  .min(1)
  .transform((value, context) => {
    const number = Number(value);
    if (!Number.isFinite(number)) {
      context.addIssue({ code: "custom", message: `not a number: ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return number;
  });

/** `{retCode, retMsg, result: {list: [[startTime, open, high, low, close, volume, turnover], …]}}`, newest first. */
const klineResponseSchema = z.object({
  retCode: z.literal(0),
  result: z.object({
    list: z.array(
      z
        .tuple([decimal, decimal, decimal, decimal, decimal, decimal])
        .rest(z.string())
        .transform(
          ([openTime, open, high, low, close, volume]): Candle => ({
            openTime,
            open,
            high,
            low,
            close,
            volume,
          }),
        ),
    ),
  }),
});

/**
 * A page fetcher for Bybit linear (USDT perpetual) klines through ccxt's `bybit`.
 *
 * Like the Binance fetcher it calls ccxt's implicit endpoint (`publicGetV5MarketKline`, the request
 * `fetchOHLCV` makes) so no market list is loaded. Bybit returns the newest bars of the window first and at
 * most 1000 of them, so each request asks for a window of at most 1000 bars from `fromMs` and the page is
 * sorted ascending. Overriding the base URL sets ccxt's `urls.api.public`.
 *
 * @example
 * ```ts
 * const fetcher = createBybitLinearFetcher({ symbol: "BTCUSDT", interval: "1m", apiUrl: "http://127.0.0.1:8080" });
 * const page = await fetcher.fetchPage(Date.UTC(2025, 4, 20), Date.UTC(2025, 4, 21), 10_000);
 * ```
 */
export function createBybitLinearFetcher(options: BybitLinearFetcherOptions): CandlePageFetcher {
  const { symbol, interval } = options;
  const intervalMs = intervalToMs(interval);
  const code = BYBIT_INTERVALS[interval as CandleInterval];
  if (code === undefined) {
    throw new CandleSourceError(
      "UNSUPPORTED_INTERVAL",
      `Bybit does not serve ${JSON.stringify(interval)} candles; use one of ${Object.keys(BYBIT_INTERVALS).join(", ")}`,
      { source: "bybit" },
    );
  }
  const apiUrl = (options.apiUrl ?? "https://api.bybit.com").replace(/\/+$/, "");
  type Exchange = InstanceType<typeof import("ccxt")["bybit"]>;
  let exchange: Promise<Exchange> | null = null;
  const getExchange = (): Promise<Exchange> => {
    exchange ??= import("ccxt").then(({ bybit }) => {
      const instance = new bybit({ enableRateLimit: options.enableRateLimit ?? true });
      instance.urls["api"]["public"] = apiUrl;
      return instance;
    });
    return exchange;
  };
  const url = `${apiUrl}/v5/market/kline`;

  return {
    name: "bybit",
    label: "Bybit linear",
    pageLimit: BYBIT_LINEAR_PAGE_LIMIT,
    historyLimitBars: null,
    async fetchPage(fromMs, toMs, timeoutMs) {
      const ccxt = await import("ccxt");
      const instance = await getExchange();
      instance.timeout = timeoutMs;
      const windowEnd = Math.min(toMs, fromMs + BYBIT_LINEAR_PAGE_LIMIT * intervalMs);
      let raw: unknown;
      try {
        raw = await instance.publicGetV5MarketKline({
          category: "linear",
          symbol,
          interval: code,
          start: fromMs,
          end: windowEnd - 1,
          limit: BYBIT_LINEAR_PAGE_LIMIT,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (error instanceof ccxt.OperationFailed) {
          const detail =
            networkErrorCode(error) !== null ? describeUnreachable(url, error) : `${url} failed: ${message}`;
          throw new CandleSourceError("NETWORK", `Bybit linear: ${detail}`, {
            source: "bybit",
            retryable: true,
            cause: error,
          });
        }
        throw new CandleSourceError(
          "EXCHANGE",
          `Bybit linear refused klines for ${symbol} ${interval}: ${message}`,
          {
            source: "bybit",
            cause: error,
          },
        );
      }
      const parsed = klineResponseSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CandleSourceError(
          "BAD_RESPONSE",
          `Bybit linear klines for ${symbol} are not in the documented format ({retCode: 0, result: {list: [[startTime, open, high, low, close, volume, turnover]]}}): ${issue?.path.join(".")}: ${issue?.message}`,
          { source: "bybit" },
        );
      }
      return parsed.data.result.list
        .filter((candle) => candle.openTime >= fromMs && candle.openTime < windowEnd)
        .sort((a, b) => a.openTime - b.openTime);
    },
  };
}
