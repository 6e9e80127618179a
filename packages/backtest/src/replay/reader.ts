import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { BotmmError } from "@botmm/core";
import { parseRecordingLine, RECORDING_FORMAT, RecordingError } from "./format.ts";
import { eventTime, type MarketEvent } from "./types.ts";

/**
 * Lines of a text file, gunzipped when its name ends in `.gz`, with 1-based line numbers. A damaged or
 * truncated gzip stream becomes a {@link RecordingError} naming the file and the last line read.
 *
 * @example
 * ```ts
 * for await (const { text, line } of readLines("BTC/20240101/12.jsonl.gz")) console.log(line, text.length);
 * ```
 */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  if (file.endsWith(".lz4")) {
    throw new RecordingError(
      "UNSUPPORTED_COMPRESSION",
      file,
      0,
      "lz4 files are not read directly: decompress first (`lz4 -d file.lz4 file.jsonl`, or `unlz4`), then pass the .jsonl (or gzip it)",
    );
  }
  const source = createReadStream(file);
  let streamError: Error | null = null;
  const input = file.endsWith(".gz") ? source.pipe(createGunzip()) : source;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const fail = (error: Error) => {
    streamError ??= error;
    lines.close();
  };
  source.on("error", fail);
  if (input !== source) input.on("error", fail);
  let line = 0;
  try {
    for await (const text of lines) {
      if (streamError !== null) break;
      line++;
      if (text.length === 0) continue;
      yield { text, line };
    }
  } catch (error) {
    streamError ??= error as Error;
  } finally {
    lines.close();
    source.destroy();
  }
  if (streamError !== null) {
    const error = streamError as NodeJS.ErrnoException;
    if (error.code === "ENOENT") throw new RecordingError("NOT_FOUND", file, 0, "no such file");
    throw new RecordingError(
      "CORRUPT_FILE",
      file,
      line,
      `cannot read past line ${line}: ${error.message} (a truncated .gz is what a crashed writer leaves)`,
      { cause: error },
    );
  }
}

/**
 * Reads one recording file (format v1, see FORMAT.md): checks its header and yields its events in file order,
 * each tagged with the header's coin. A header may reappear further down (a restarted recorder appended a new
 * gzip member); it must name the same coin.
 *
 * @throws RecordingError naming the file and line of the first bad line.
 * @example
 * ```ts
 * for await (const event of readRecordingFile("rec/BTC/20240101/12.jsonl.gz")) if (event.type === "book") console.log(event.bids[0]);
 * ```
 */
export async function* readRecordingFile(file: string): AsyncGenerator<MarketEvent> {
  let coin: string | null = null;
  for await (const { text, line } of readLines(file)) {
    const parsed = parseRecordingLine(text, coin ?? "", file, line);
    if (parsed.type === "header") {
      if (coin !== null && parsed.coin !== coin) {
        throw new RecordingError(
          "INVALID_RECORDING",
          file,
          line,
          `header names coin ${parsed.coin}, but the file's first header named ${coin}`,
        );
      }
      coin = parsed.coin;
      continue;
    }
    if (coin === null) {
      throw new RecordingError(
        "INVALID_RECORDING",
        file,
        line,
        `the first line must be a header {"type":"header","format":"${RECORDING_FORMAT}","version":1,…}`,
      );
    }
    yield parsed;
  }
}

/** Which part of a recording directory to read. */
export interface ReadRecordingOptions {
  /** Coins to read (default: every coin directory). */
  coins?: readonly string[];
  /** Only files whose hour overlaps [fromMs, toMs) (UTC); events themselves are not filtered. */
  fromMs?: number;
  toMs?: number;
}

const HOUR_MS = 3_600_000;
const DAY_DIR = /^\d{8}$/;
const HOUR_FILE = /^(\d{2})\.jsonl(\.gz)?$/;

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
  const days = (await readdir(coinDir)).filter((name) => DAY_DIR.test(name)).sort();
  for (const day of days) {
    const names = (await readdir(join(coinDir, day))).filter((name) => HOUR_FILE.test(name)).sort();
    for (const name of names) {
      const hour = Number(HOUR_FILE.exec(name)![1]);
      const startMs = Date.UTC(
        Number(day.slice(0, 4)),
        Number(day.slice(4, 6)) - 1,
        Number(day.slice(6, 8)),
        hour,
      );
      if (options.fromMs !== undefined && startMs + HOUR_MS <= options.fromMs) continue;
      if (options.toMs !== undefined && startMs >= options.toMs) continue;
      files.push(join(coinDir, day, name));
    }
  }
  return files;
}

async function* readCoin(files: readonly string[]): AsyncGenerator<MarketEvent> {
  for (const file of files) yield* readRecordingFile(file);
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
    streams.push(readCoin(files));
  }
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  // k-way merge: one event ahead per coin; ties go to the coin listed first.
  const heads: (MarketEvent | null)[] = [];
  for (const stream of streams) {
    const next = await stream.next();
    heads.push(next.done === true ? null : next.value);
  }
  for (;;) {
    let best = -1;
    let bestTime = 0;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head === null || head === undefined) continue;
      const time = eventTime(head);
      if (best < 0 || time < bestTime) {
        best = i;
        bestTime = time;
      }
    }
    if (best < 0) return;
    yield heads[best]!;
    const next = await streams[best]!.next();
    heads[best] = next.done === true ? null : next.value;
  }
}
