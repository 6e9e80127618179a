import type { Candle } from "@botmm/core";
import { z } from "zod";
import type { CandlePageFetcher } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { HYPERLIQUID_INTERVALS, isCandleInterval } from "./intervals.ts";
import { describeUnreachable, networkErrorCode } from "./network-error.ts";

/** Hyperliquid's `candleSnapshot` serves only the latest 5000 candles of an interval. */
export const HYPERLIQUID_HISTORY_LIMIT_BARS = 5000;

/** Options of {@link createHyperliquidFetcher}. */
export interface HyperliquidFetcherOptions {
  /** Perp coin, e.g. `BTC` (see `mapSymbol`). */
  coin: string;
  /** Interval name, e.g. `1m` (`6h` is not served). */
  interval: string;
  /** API base URL: default `https://api.hyperliquid.xyz`; requests go to `<apiUrl>/info`. */
  apiUrl?: string;
}

const decimal = z.union([z.string(), z.number()]).transform((value, context) => {
  const number = Number(value);
  if (typeof value === "string" && value.trim() === "") {
    context.addIssue({ code: "custom", message: "empty decimal" });
    return z.NEVER;
  }
  return number;
});
const candleSnapshotSchema = z.array(
  z
    .object({ t: z.number().int(), o: decimal, h: decimal, l: decimal, c: decimal, v: decimal })
    .transform(
      ({ t, o, h, l, c, v }): Candle => ({ openTime: t, open: o, high: h, low: l, close: c, volume: v }),
    ),
);

/**
 * A page fetcher for Hyperliquid perp candles through `@nktkas/hyperliquid`
 * (`InfoClient.candleSnapshot` over an `HttpTransport({ apiUrl, timeout })`). Hyperliquid serves only the
 * latest {@link HYPERLIQUID_HISTORY_LIMIT_BARS} candles; `downloadWithCache` turns a range reaching past them
 * into a warning.
 *
 * @example
 * ```ts
 * const fetcher = createHyperliquidFetcher({ coin: "BTC", interval: "5m" });
 * const page = await fetcher.fetchPage(Date.now() - 86_400_000, Date.now(), 10_000);
 * ```
 */
export function createHyperliquidFetcher(options: HyperliquidFetcherOptions): CandlePageFetcher {
  const { coin } = options;
  const interval = options.interval;
  if (!isCandleInterval(interval) || interval === "6h" || !HYPERLIQUID_INTERVALS.has(interval)) {
    throw new CandleSourceError(
      "UNSUPPORTED_INTERVAL",
      `Hyperliquid does not serve ${JSON.stringify(interval)} candles; use one of ${[...HYPERLIQUID_INTERVALS].join(", ")}`,
      { source: "hyperliquid" },
    );
  }
  const apiUrl = options.apiUrl ?? "https://api.hyperliquid.xyz";
  type Sdk = typeof import("@nktkas/hyperliquid");
  let client: Promise<{
    sdk: Sdk;
    transport: InstanceType<Sdk["HttpTransport"]>;
    info: InstanceType<Sdk["InfoClient"]>;
  }> | null = null;
  const getClient = () => {
    client ??= import("@nktkas/hyperliquid").then((sdk) => {
      const transport = new sdk.HttpTransport({ apiUrl });
      return { sdk, transport, info: new sdk.InfoClient({ transport }) };
    });
    return client;
  };

  return {
    name: "hyperliquid",
    label: "Hyperliquid",
    pageLimit: HYPERLIQUID_HISTORY_LIMIT_BARS,
    historyLimitBars: HYPERLIQUID_HISTORY_LIMIT_BARS,
    async fetchPage(fromMs, toMs, timeoutMs) {
      const { sdk, transport, info } = await getClient();
      transport.timeout = timeoutMs;
      let raw: unknown;
      try {
        raw = await info.candleSnapshot({ coin, interval, startTime: fromMs, endTime: toMs - 1 });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const status = error instanceof sdk.HttpRequestError ? error.response?.status : undefined;
        if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
          throw new CandleSourceError(
            "EXCHANGE",
            `Hyperliquid refused candles for ${coin} ${interval}: ${message}`,
            {
              source: "hyperliquid",
              cause: error,
            },
          );
        }
        const detail =
          status === undefined || networkErrorCode(error) !== null
            ? describeUnreachable(`${apiUrl}/info`, error)
            : `${apiUrl}/info answered HTTP ${status}: ${message}`;
        throw new CandleSourceError("NETWORK", `Hyperliquid: ${detail}`, {
          source: "hyperliquid",
          retryable: true,
          cause: error,
        });
      }
      const parsed = candleSnapshotSchema.safeParse(raw);
      if (!parsed.success) {
        throw new CandleSourceError(
          "BAD_RESPONSE",
          `Hyperliquid candleSnapshot for ${coin} is not in the documented format: ${parsed.error.issues[0]?.message}` +
            (raw === null ? " (null: is the coin listed?)" : ""),
          { source: "hyperliquid" },
        );
      }
      return parsed.data
        .filter((candle) => candle.openTime >= fromMs && candle.openTime < toMs)
        .sort((a, b) => a.openTime - b.openTime);
    },
  };
}
