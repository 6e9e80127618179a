import { type MarketEvent, mergeByTime, TardisCsvDecoder, type TardisReadCounts } from "@botmm/backtest";
import { BookCheck } from "./book-check.ts";
import { decodeFile } from "./decode.ts";

/** Tardis CSV files being read: the merged events, and each file's decoder counts as they stand. */
export interface TardisInput {
  events: AsyncGenerator<MarketEvent>;
  counts: () => { file: string; dataset: string | null; counts: TardisReadCounts }[];
}

/**
 * Reads Tardis.dev CSV files (plain or gzip) of one symbol — typically one book file (`incremental_book_L2`
 * or `book_snapshot_25` / `_5`) and its `trades` file — each in time order, merged by local receive time
 * (trades first at equal times: the book after a trade already shows it). Each file's dataset is told by its
 * header. Books rebuilt from `incremental_book_L2` keep every level; a re-snapshot is a gap.
 *
 * @throws RecordingError naming the file and line of a bad row or a bad book.
 * @example
 * ```ts
 * const input = readTardis(["binance-futures_trades_2024-08-08_BTCUSDT.csv.gz", "binance-futures_incremental_book_L2_2024-08-08_BTCUSDT.csv.gz"]);
 * const run = await runReplayBacktest(input.events, options);
 * ```
 */
export function readTardis(
  files: readonly string[],
  options: { coinOf?: (symbol: string) => string; check?: BookCheck } = {},
): TardisInput {
  const check = options.check ?? new BookCheck();
  const decoders = files.map(
    (file) =>
      new TardisCsvDecoder({ file, ...(options.coinOf === undefined ? {} : { coinOf: options.coinOf }) }),
  );
  const streams = files.map((file, i) => {
    const decoder = decoders[i]!;
    return decodeFile(file, decoder, {
      check,
      bookLine: () => {
        const [first, last] = decoder.lastBookLines;
        return first === last ? first : `${first}-${last}`;
      },
      levels: true,
    });
  });
  return {
    events: mergeByTime(streams),
    counts: () =>
      decoders.map((decoder, i) => ({ file: files[i]!, dataset: decoder.dataset, counts: decoder.counts })),
  };
}
