import {
  type BookEvent,
  HftbacktestCaptureDecoder,
  parseArchiveL2Line,
  type TradesEvent,
} from "@botmm/backtest";
import { BookCheck } from "./book-check.ts";
import { readLineBatches } from "./lines.ts";

/**
 * Streams a Hyperliquid archive `l2Book` file (plain or gzip; `.lz4` must be decompressed first) as book
 * events. The archive has no trades: a replay on it infers fills from book changes and says so.
 *
 * @throws RecordingError naming the file and line; `UNSUPPORTED_COMPRESSION` for `.lz4`.
 * @example
 * ```ts
 * const run = await runReplayBacktest(readHyperliquidArchive("BTC_20240101_12.jsonl.gz"), options);
 * ```
 */
export async function* readHyperliquidArchive(
  file: string,
  check = new BookCheck(),
): AsyncGenerator<BookEvent> {
  for await (const { lines, firstLine } of readLineBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.length === 0) continue;
      const book = parseArchiveL2Line(lines[i]!, file, firstLine + i);
      if (check.accept(book, file, firstLine + i)) yield book;
    }
  }
}

/**
 * Streams an hftbacktest Hyperliquid capture (plain or gzip) as book and trades events; the first trades
 * message of each coin (the subscription snapshot) is marked `snapshot: true`.
 *
 * @throws RecordingError naming the file and line.
 * @example
 * ```ts
 * for await (const event of readHftbacktestCapture("btcusd_20250126.gz")) console.log(event.type, event.lt);
 * ```
 */
export async function* readHftbacktestCapture(
  file: string,
  check = new BookCheck(),
): AsyncGenerator<BookEvent | TradesEvent> {
  const decoder = new HftbacktestCaptureDecoder(file);
  for await (const { lines, firstLine } of readLineBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.length === 0) continue;
      const event = decoder.decode(lines[i]!, firstLine + i);
      if (event === null) continue;
      if (event.type === "book" && !check.accept(event, file, firstLine + i)) continue;
      yield event;
    }
  }
}
