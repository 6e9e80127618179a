// `screen --online`: every listed Hyperliquid perp, its szDecimals from `meta`, its candles through
// `candleSnapshot` and the app's disk cache (the same cache a single run uses).
import type { CandleColumns } from "@botmm/backtest";
import { toCandleColumns } from "@botmm/backtest";
import { z } from "zod";
import { downloadWithCache } from "../data/download.ts";
import { createHyperliquidFetcher } from "../data/hyperliquid.ts";
import { intervalToMs } from "../data/intervals.ts";
import { describeUnreachable } from "../data/network-error.ts";
import { type CoinCandles, type ScreenCandles, ScreenInputError, selectCoins } from "./input.ts";

const metaSchema = z.object({
  universe: z.array(
    z.object({ name: z.string(), szDecimals: z.number().int(), isDelisted: z.boolean().optional() }),
  ),
});

/** What an online screen downloads. */
export interface OnlineScreenOptions {
  apiUrl: string;
  interval: string;
  days: number;
  /** The disk cache; null keeps candles in memory only. */
  cacheDir: string | null;
  now: number;
  coins?: readonly string[];
  timeoutMs?: number;
  onCoin?: (done: number, total: number, coin: string) => void;
}

/** The listed perps and their szDecimals, from `POST /info {"type":"meta"}` through the SDK. */
export async function fetchPerpUniverse(
  apiUrl: string,
  timeoutMs: number,
): Promise<Map<string, { szDecimals: number }>> {
  const sdk = await import("@nktkas/hyperliquid");
  const info = new sdk.InfoClient({ transport: new sdk.HttpTransport({ apiUrl, timeout: timeoutMs }) });
  let raw: unknown;
  try {
    raw = await info.meta();
  } catch (error) {
    throw new ScreenInputError(
      `--online: Hyperliquid meta failed: ${describeUnreachable(`${apiUrl}/info`, error)}; offline, screen a file with --csv FILE or --dir DIR`,
    );
  }
  const parsed = metaSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScreenInputError(
      `--online: ${apiUrl}/info meta is not in the documented format: ${parsed.error.issues[0]?.message}`,
    );
  return new Map(
    parsed.data.universe
      .filter((asset) => asset.isDelisted !== true)
      .map((asset) => [asset.name, { szDecimals: asset.szDecimals }]),
  );
}

/**
 * Downloads (or reads from the cache) the last `days` of candles of every listed perp, or of `coins`.
 * Returns them with each coin's szDecimals.
 */
export async function loadOnline(
  options: OnlineScreenOptions,
): Promise<ScreenCandles & { szDecimals: Map<string, number> }> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const universe = await fetchPerpUniverse(options.apiUrl, timeoutMs);
  const intervalMs = intervalToMs(options.interval);
  const end = Math.floor(options.now / intervalMs) * intervalMs;
  const start = end - options.days * 86_400_000;
  const names = options.coins ?? [...universe.keys()].sort();
  const absent = names.filter((coin) => !universe.has(coin));
  if (absent.length > 0)
    throw new ScreenInputError(
      `--coins: ${absent.join(", ")} ${absent.length === 1 ? "is" : "are"} not a listed Hyperliquid perp (${options.apiUrl} meta lists ${universe.size})`,
    );
  const available = new Map<string, CandleColumns>();
  for (const [i, coin] of names.entries()) {
    options.onCoin?.(i, names.length, coin);
    const result = await downloadWithCache({
      fetcher: createHyperliquidFetcher({ coin, interval: options.interval, apiUrl: options.apiUrl }),
      series: {
        cacheDir: options.cacheDir,
        source: "hyperliquid",
        symbol: coin,
        interval: options.interval,
        intervalMs,
      },
      start,
      end,
      now: options.now,
      timeoutMs,
    });
    if (result.candles.length >= 2) available.set(coin, toCandleColumns(result.candles));
  }
  options.onCoin?.(names.length, names.length, "");
  const coins: CoinCandles[] = selectCoins(
    available,
    names.filter((coin) => available.has(coin)),
    options.apiUrl,
  );
  if (coins.length === 0)
    throw new ScreenInputError(`--online: no coin had candles in the last ${options.days} days`);
  return {
    coins,
    intervalMs,
    source: `hyperliquid ${options.apiUrl} (${options.interval}, last ${options.days} days)`,
    szDecimals: new Map(names.map((coin) => [coin, universe.get(coin)!.szDecimals])),
  };
}
