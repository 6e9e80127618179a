import { BinanceCollectorDecoder, type MarketEvent } from "@botmm/backtest";
import { BookCheck } from "./book-check.ts";
import { decodeFile } from "./decode.ts";

/** A Binance collector capture being read: its events, and the decoder's counts and problems as they stand. */
export interface BinanceCapture {
  events: AsyncGenerator<MarketEvent>;
  decoder: BinanceCollectorDecoder;
}

/**
 * Reads Binance USDⓈ-M or spot raw captures in hftbacktest's collector format (plain or gzip), one file or the
 * consecutive files of one capture in order (the book carries over from one day's file to the next). Books are
 * rebuilt from the REST snapshot and the depth diffs, checked for sequence gaps (a `gap` event and a problem in
 * `decoder.problems`) and by `check` for crossed books.
 *
 * @throws RecordingError naming the file and line of a line that is not a collector message, or a bad book.
 * @example
 * ```ts
 * const capture = readBinanceCollector(["btcusdt_20240808.gz"], { coinOf: () => "BTC" });
 * const run = await runReplayBacktest(capture.events, options);
 * capture.decoder.problems; // sequence gaps met
 * ```
 */
export function readBinanceCollector(
  files: readonly string[],
  options: { coinOf?: (symbol: string) => string; coin?: string; check?: BookCheck } = {},
): BinanceCapture {
  const check = options.check ?? new BookCheck();
  const decoder = new BinanceCollectorDecoder({
    file: files[0] ?? "",
    ...(options.coinOf === undefined ? {} : { coinOf: options.coinOf }),
    ...(options.coin === undefined ? {} : { coin: options.coin }),
  });
  async function* events(): AsyncGenerator<MarketEvent> {
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      if (i > 0) decoder.continueWith(file);
      const last = i === files.length - 1;
      yield* decodeFile(
        file,
        {
          decode: (text, line, out) => decoder.decode(text, line, out),
          ...(last ? { finish: (out) => decoder.finish(out) } : {}),
        },
        { check, levels: false },
      );
    }
  }
  return { events: events(), decoder };
}
