// The reading rules of recording format v1, without any I/O: the apps open, gunzip and list the files and
// hand the lines to a RecordingFileDecoder.
import { parseRecordingLine, RECORDING_FORMAT, RecordingError } from "./format.ts";
import { eventTime, type MarketEvent } from "./types.ts";

/**
 * The header rules of one recording file (format v1, see FORMAT.md), line by line: the first line must be a
 * header, and a header appearing again further down (a restarted recorder appended a gzip member) must name the
 * same coin. Each event comes back tagged with the header's coin; a header line gives null.
 *
 * @example
 * ```ts
 * const decoder = new RecordingFileDecoder("rec/BTC/20240101/12.jsonl.gz");
 * for (const [index, text] of lines.entries()) {
 *   const event = decoder.decode(text, index + 1);
 *   if (event !== null) events.push(event);
 * }
 * ```
 */
export class RecordingFileDecoder {
  readonly #file: string;
  #coin: string | null = null;

  constructor(file: string) {
    this.#file = file;
  }

  /** The coin of the file's header, or null before it. */
  get coin(): string | null {
    return this.#coin;
  }

  /**
   * One line (1-based `line`) → its event, or null for a header line.
   *
   * @throws RecordingError naming the file and line.
   */
  decode(text: string, line: number): MarketEvent | null {
    const parsed = parseRecordingLine(text, this.#coin ?? "", this.#file, line);
    if (parsed.type === "header") {
      if (this.#coin !== null && parsed.coin !== this.#coin) {
        throw new RecordingError(
          "INVALID_RECORDING",
          this.#file,
          line,
          `header names coin ${parsed.coin}, but the file's first header named ${this.#coin}`,
        );
      }
      this.#coin = parsed.coin;
      return null;
    }
    if (this.#coin === null) {
      throw new RecordingError(
        "INVALID_RECORDING",
        this.#file,
        line,
        `the first line must be a header {"type":"header","format":"${RECORDING_FORMAT}","version":1,…}`,
      );
    }
    return parsed;
  }
}

const DAY_DIR = /^\d{8}$/;
const HOUR_FILE = /^(\d{2})\.jsonl(\.gz)?$/;

/**
 * Where an hour file of a recording starts (UTC ms), from its day directory and file name
 * (`<root>/<coin>/<YYYYMMDD>/<HH>.jsonl.gz`), or null for a name that is not part of the layout.
 *
 * @example
 * ```ts
 * recordingFileStartMs("20240101", "12.jsonl.gz"); // Date.UTC(2024, 0, 1, 12)
 * recordingFileStartMs("20240101", "notes.txt"); // null
 * ```
 */
export function recordingFileStartMs(day: string, fileName: string): number | null {
  const hour = HOUR_FILE.exec(fileName);
  if (!DAY_DIR.test(day) || hour === null) return null;
  return Date.UTC(
    Number(day.slice(0, 4)),
    Number(day.slice(4, 6)) - 1,
    Number(day.slice(6, 8)),
    Number(hour[1]),
  );
}

/**
 * Merges event streams that are each in time order into one, by {@link eventTime} (local receive time; a gap
 * by its start); ties go to the stream listed first. Holds one event per stream.
 *
 * @example
 * ```ts
 * for await (const event of mergeByTime([btcEvents, ethEvents])) engine.push(event);
 * ```
 */
export async function* mergeByTime(
  streams: readonly (AsyncIterable<MarketEvent> | Iterable<MarketEvent>)[],
): AsyncGenerator<MarketEvent> {
  const iterators = streams.map((stream) =>
    Symbol.asyncIterator in stream
      ? (stream as AsyncIterable<MarketEvent>)[Symbol.asyncIterator]()
      : (stream as Iterable<MarketEvent>)[Symbol.iterator](),
  );
  if (iterators.length === 1) {
    const only = iterators[0]!;
    for (;;) {
      const next = await only.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  const heads: (MarketEvent | null)[] = [];
  for (const iterator of iterators) {
    const next = await iterator.next();
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
    const next = await iterators[best]!.next();
    heads[best] = next.done === true ? null : next.value;
  }
}
