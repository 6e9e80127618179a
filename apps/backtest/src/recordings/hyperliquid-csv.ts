import { access } from "node:fs/promises";
import { join } from "node:path";
import {
  HyperliquidCsvBookDecoder,
  type HyperliquidCsvTradeCounts,
  HyperliquidCsvTradeDecoder,
  type MarketEvent,
  mergeByTime,
} from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { BookCheck } from "./book-check.ts";
import { decodeFile } from "./decode.ts";
import { readLines } from "./lines.ts";

async function existing(dir: string, names: string[]): Promise<string | null> {
  for (const name of names) {
    const path = join(dir, name);
    if (
      await access(path).then(
        () => true,
        () => false,
      )
    )
      return path;
  }
  return null;
}

/** A Hyperliquid CSV capture being read: the merged events, and what the trades reader dropped. */
export interface HyperliquidCsvInput {
  events: AsyncGenerator<MarketEvent>;
  books: string;
  trades: string | null;
  tradeCounts: () => Readonly<HyperliquidCsvTradeCounts> | null;
}

/**
 * Reads one coin of a Hyperliquid WebSocket capture in the snapshot-plus-trades CSV layout
 * (`<dir>/orderbooks_<COIN>.csv.gz` and `<dir>/trades_<COIN>.csv.gz`, plain `.csv` too): every book row is a
 * full snapshot at its own depth; trades are de-duplicated on id + exchange time, trades from before the first
 * book (the venue's replay on subscription) are dropped, and both are merged by local receive time.
 *
 * @throws BotmmError `NOT_FOUND` without an orderbooks file for the coin; RecordingError naming the file and
 *   line of a bad row or a bad book.
 * @example
 * ```ts
 * const input = await readHyperliquidCsv("hyperliquid_ws_20250904_4coins_35min", "BTC");
 * const run = await runReplayBacktest(input.events, options);
 * ```
 */
export async function readHyperliquidCsv(
  dir: string,
  coin: string,
  options: { check?: BookCheck } = {},
): Promise<HyperliquidCsvInput> {
  const check = options.check ?? new BookCheck();
  const books = await existing(dir, [`orderbooks_${coin}.csv.gz`, `orderbooks_${coin}.csv`]);
  if (books === null) {
    throw new BotmmError("NOT_FOUND", `${dir}: no orderbooks_${coin}.csv.gz (or .csv) for ${coin}`);
  }
  const trades = await existing(dir, [`trades_${coin}.csv.gz`, `trades_${coin}.csv`]);
  // The first book's exchange time tells the trades replayed on subscription from the live ones.
  const header = await firstBookRow(books);
  const bookDecoder = new HyperliquidCsvBookDecoder({ file: books, coin });
  const tradeDecoder =
    trades === null ? null : new HyperliquidCsvTradeDecoder({ file: trades, coin, firstBookT: header });
  const streams = [decodeFile(books, bookDecoder, { check })];
  if (trades !== null && tradeDecoder !== null) streams.unshift(decodeFile(trades, tradeDecoder, { check }));
  return {
    events: mergeByTime(streams),
    books,
    trades,
    tradeCounts: () => tradeDecoder?.counts ?? null,
  };
}

async function firstBookRow(file: string): Promise<number> {
  const decoder = new HyperliquidCsvBookDecoder({ file, coin: "" });
  const out: MarketEvent[] = [];
  const lines = readLines(file);
  try {
    for await (const { text, line } of lines) {
      decoder.decode(text, line, out);
      const book = out[0];
      if (book?.type === "book") return book.t;
    }
  } finally {
    await lines.return(undefined);
  }
  return Number.POSITIVE_INFINITY;
}
