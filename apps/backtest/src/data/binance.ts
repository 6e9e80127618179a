import type { Candle } from "@botmm/core";
import { z } from "zod";
import type { CandlePageFetcher } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { intervalToMs } from "./intervals.ts";
import { describeUnreachable, networkErrorCode } from "./network-error.ts";

/** Binance USDⓈ-M `GET /fapi/v1/klines` returns at most 1500 bars a request. */
export const BINANCE_USDM_PAGE_LIMIT = 1500;

/** Options of {@link createBinanceUsdmFetcher}. */
export interface BinanceUsdmFetcherOptions {
  /** Binance USDⓈ-M symbol, e.g. `BTCUSDT` (see `mapSymbol`). */
  symbol: string;
  /** Interval name, e.g. `1m`. */
  interval: string;
  /**
   * Base URL of the futures API, without path: default `https://fapi.binance.com`. Requests go to
   * `<apiUrl>/fapi/v1/klines`; tests point it at a local server (`http://127.0.0.1:<port>`).
   */
  apiUrl?: string;
  /** ccxt's request-weight throttle (on by default; a 1500-bar request weighs 10, about 0.5 s). */
  enableRateLimit?: boolean;
}

/** One kline: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, ignore]`. */
const klineSchema = z
  .array(z.union([z.number(), z.string()]))
  .min(6)
  .transform((row, context) => {
    const values = row.slice(0, 6).map(Number);
    if (values.some((value) => !Number.isFinite(value))) {
      context.addIssue({
        code: "custom",
        message: `kline fields are not numbers: ${JSON.stringify(row.slice(0, 6))}`,
      });
      return z.NEVER;
    }
    const [openTime, open, high, low, close, volume] = values as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return { openTime, open, high, low, close, volume } satisfies Candle;
  });
const klinesSchema = z.array(klineSchema);

/**
 * A page fetcher for Binance USDⓈ-M perpetual klines through ccxt's `binanceusdm`.
 *
 * It calls ccxt's implicit endpoint `fapiPublicGetKlines` — the same request `fetchOHLCV` makes — rather than
 * `fetchOHLCV` itself, because in ccxt 4.5 `fetchOHLCV` first loads every market (`GET /fapi/v1/exchangeInfo`,
 * megabytes) and caps a page at 1000 bars, while the endpoint serves 1500. So no market loading happens, and the
 * symbol is Binance's own (`BTCUSDT`). ccxt still provides its rate limiter, timeouts and error mapping.
 * Overriding the base URL sets ccxt's `urls.api.fapiPublic` to `<apiUrl>/fapi/v1`.
 *
 * @example
 * ```ts
 * const fetcher = createBinanceUsdmFetcher({ symbol: "BTCUSDT", interval: "1m", apiUrl: "http://127.0.0.1:8080" });
 * const page = await fetcher.fetchPage(Date.UTC(2025, 4, 20), Date.UTC(2025, 4, 21), 10_000);
 * ```
 */
export function createBinanceUsdmFetcher(options: BinanceUsdmFetcherOptions): CandlePageFetcher {
  const { symbol, interval } = options;
  intervalToMs(interval);
  const apiUrl = (options.apiUrl ?? "https://fapi.binance.com").replace(/\/+$/, "");
  type Exchange = InstanceType<typeof import("ccxt")["binanceusdm"]>;
  let exchange: Promise<Exchange> | null = null;
  const getExchange = (): Promise<Exchange> => {
    exchange ??= import("ccxt").then(({ binanceusdm }) => {
      const instance = new binanceusdm({ enableRateLimit: options.enableRateLimit ?? true });
      instance.urls["api"]["fapiPublic"] = `${apiUrl}/fapi/v1`;
      return instance;
    });
    return exchange;
  };

  return {
    name: "binance",
    label: "Binance USDⓈ-M",
    pageLimit: BINANCE_USDM_PAGE_LIMIT,
    historyLimitBars: null,
    async fetchPage(fromMs, toMs, timeoutMs) {
      const ccxt = await import("ccxt");
      const instance = await getExchange();
      instance.timeout = timeoutMs;
      let raw: unknown;
      try {
        raw = await instance.fapiPublicGetKlines({
          symbol,
          interval,
          startTime: fromMs,
          endTime: toMs - 1,
          limit: BINANCE_USDM_PAGE_LIMIT,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        // OperationFailed covers NetworkError (timeouts, refused connections, 429/418/5xx) and Binance's
        // transient -1001 "Internal error; … Please try again": worth a retry.
        if (error instanceof ccxt.OperationFailed) {
          const detail =
            networkErrorCode(error) !== null
              ? describeUnreachable(`${apiUrl}/fapi/v1/klines`, error)
              : `${apiUrl}/fapi/v1/klines failed: ${message}`;
          throw new CandleSourceError("NETWORK", `Binance USDⓈ-M: ${detail}`, {
            source: "binance",
            retryable: true,
            cause: error,
          });
        }
        throw new CandleSourceError(
          "EXCHANGE",
          `Binance USDⓈ-M refused klines for ${symbol} ${interval}: ${message}`,
          {
            source: "binance",
            cause: error,
          },
        );
      }
      const parsed = klinesSchema.safeParse(raw);
      if (!parsed.success) {
        throw new CandleSourceError(
          "BAD_RESPONSE",
          `Binance USDⓈ-M klines for ${symbol} are not in the documented format: ${parsed.error.issues[0]?.message}`,
          { source: "binance" },
        );
      }
      return parsed.data
        .filter((candle) => candle.openTime >= fromMs && candle.openTime < toMs)
        .sort((a, b) => a.openTime - b.openTime);
    },
  };
}
