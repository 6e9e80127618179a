import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { type Candle, type ParsedCandleCsv, parseCandleCsvRows } from "@botmm/core";
import { CandleSourceError } from "./errors.ts";

const gunzipAsync = promisify(gunzip);

/**
 * Reads a candle CSV file, plain or gzip-compressed, and parses it with `@botmm/core`'s `parseCandleCsv`
 * (Binance's 12-column klines with or without a header, or a headered OHLCV file; open times in ms, or
 * unambiguous s / µs). Compression is detected from the gzip magic bytes, so `x.csv.gz` and a gzipped file
 * without the suffix both work. Errors: `CandleSourceError` `CSV_READ` when the file cannot be read or
 * decompressed; `CandleDataError` naming the file and line for bad rows.
 *
 * @example
 * ```ts
 * const candles = await loadCsvFile("data/BTCUSDT-1m-2025-05.csv.gz");
 * ```
 */
export async function loadCsvFile(path: string): Promise<Candle[]> {
  return (await loadCsvFileRows(path)).candles;
}

/**
 * {@link loadCsvFile}, also returning each candle's file line (pass it to `validateCandles` as `rowNumbers`
 * so gap errors name lines) and the layout found.
 *
 * @example
 * ```ts
 * const { candles, rowNumbers } = await loadCsvFileRows("btc.csv");
 * validateCandles(candles, { intervalMs: 60_000, rowNumbers, sourceName: "btc.csv" });
 * ```
 */
export async function loadCsvFileRows(path: string): Promise<ParsedCandleCsv> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CandleSourceError("CSV_READ", `cannot read CSV file ${path}: ${describe(error)}`, {
      source: "csv",
      cause: error,
    });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw new CandleSourceError(
        "CSV_READ",
        `cannot decompress ${path}: ${describe(error)} (the file starts like gzip but is damaged or truncated)`,
        { source: "csv", cause: error },
      );
    }
  }
  return parseCandleCsvRows(bytes.toString("utf8"), { sourceName: basename(path) });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
