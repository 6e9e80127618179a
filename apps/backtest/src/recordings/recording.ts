import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { type MarketEvent, mergeByTime, RecordingFileDecoder, recordingFileStartMs } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { BookCheck } from "./book-check.ts";
import { readLineBatches } from "./lines.ts";

/**
 * Reads one recording file (format v1, see `@botmm/backtest`'s FORMAT.md): checks its header and yields its
 * events in file order, each tagged with the header's coin; every book passes `check`.
 *
 * @throws RecordingError naming the file and line of the first bad line or bad book.
 * @example
 * ```ts
 * for await (const event of readRecordingFile("rec/BTC/20240101/12.jsonl.gz")) if (event.type === "book") console.log(event.bids[0]);
 * ```
 */
export async function* readRecordingFile(file: string, check = new BookCheck()): AsyncGenerator<MarketEvent> {
  const decoder = new RecordingFileDecoder(file);
  for await (const { lines, firstLine } of readLineBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (text.length === 0) continue;
      const event = decoder.decode(text, firstLine + i);
      if (event === null) continue;
      if (event.type === "book" && !check.accept(event, file, firstLine + i)) continue;
      yield event;
    }
  }
}

/** Which part of a recording directory to read. */
export interface ReadRecordingOptions {
  /** Coins to read (default: every coin directory). */
  coins?: readonly string[];
  /** Only files whose hour overlaps [fromMs, toMs) (UTC); events themselves are not filtered. */
  fromMs?: number;
  toMs?: number;
  /** The book check (default: crossed and locked books are errors). */
  check?: BookCheck;
}

const HOUR_MS = 3_600_000;

/**
 * The files of one coin in a recording directory, oldest first: `<root>/<coin>/<YYYYMMDD>/<HH>.jsonl.gz`.
 *
 * @example
 * ```ts
 * await listRecordingFiles("rec", "BTC"); // ["rec/BTC/20240101/12.jsonl.gz", "rec/BTC/20240101/13.jsonl.gz"]
 * ```
 */
export async function listRecordingFiles(
  rootDir: string,
  coin: string,
  options: Pick<ReadRecordingOptions, "fromMs" | "toMs"> = {},
): Promise<string[]> {
  const coinDir = join(rootDir, coin);
  const files: string[] = [];
  for (const day of (await readdir(coinDir)).sort()) {
    if (recordingFileStartMs(day, "00.jsonl.gz") === null) continue;
    for (const name of (await readdir(join(coinDir, day))).sort()) {
      const startMs = recordingFileStartMs(day, name);
      if (startMs === null) continue;
      if (options.fromMs !== undefined && startMs + HOUR_MS <= options.fromMs) continue;
      if (options.toMs !== undefined && startMs >= options.toMs) continue;
      files.push(join(coinDir, day, name));
    }
  }
  return files;
}

async function* readFiles(files: readonly string[], check: BookCheck): AsyncGenerator<MarketEvent> {
  for (const file of files) yield* readRecordingFile(file, check);
}

/**
 * Streams a recording directory (format v1): every file of every chosen coin, hour after hour, merged across
 * coins in time order (local receive time; a gap by its start). Memory stays flat: one event per coin is held.
 *
 * @throws RecordingError naming the file and line of the first bad line; BotmmError `NOT_FOUND` when the
 *   directory holds no recording.
 * @example
 * ```ts
 * const run = await runReplayBacktest(readRecording("rec", { coins: ["BTC"] }), options);
 * ```
 */
export async function* readRecording(
  rootDir: string,
  options: ReadRecordingOptions = {},
): AsyncGenerator<MarketEvent> {
  const check = options.check ?? new BookCheck();
  let coins = options.coins;
  if (coins === undefined) {
    const entries = await readdir(rootDir).catch(() => {
      throw new BotmmError("NOT_FOUND", `recording directory ${rootDir} does not exist`);
    });
    const found: string[] = [];
    for (const name of entries.sort()) if ((await stat(join(rootDir, name))).isDirectory()) found.push(name);
    coins = found;
  }
  const streams: AsyncGenerator<MarketEvent>[] = [];
  for (const coin of coins) {
    const files = await listRecordingFiles(rootDir, coin, options).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT")
        throw new BotmmError("NOT_FOUND", `no recording of ${coin} under ${rootDir}`);
      throw error;
    });
    streams.push(readFiles(files, check));
  }
  yield* mergeByTime(streams);
}
