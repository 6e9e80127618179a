import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { finished } from "node:stream/promises";
import { createGzip, type Gzip } from "node:zlib";
import { type MarketEvent, placeRecordingEvent, recordingHeaderLine } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";

/** Where and what a {@link RecordingWriter} writes. */
export interface RecordingWriterOptions {
  /** Root of the recording: files go to `<rootDir>/<coin>/<YYYYMMDD>/<HH>.jsonl.gz`. */
  rootDir: string;
  /** Venue named in each header (default `hyperliquid`). */
  venue?: string;
}

interface OpenFile {
  hour: number;
  path: string;
  gzip: Gzip;
  file: WriteStream;
}

/**
 * Writes a recording (format v1, see `@botmm/backtest`'s FORMAT.md): one gzip JSON Lines file per coin and UTC
 * hour, each starting with a header. The library says where each event goes and what its line is
 * (`placeRecordingEvent`); this class does the files. Append-only: reopening an hour that already has a file
 * appends a new gzip member (with its own header), which readers accept. The hour comes from each event's local
 * time, so the writer never reads a clock. Write errors surface on the next `write`, `flush` or `close`.
 *
 * @example
 * ```ts
 * const writer = new RecordingWriter({ rootDir: "rec" });
 * writer.write({ type: "book", coin: "BTC", t: 1, lt: 2, bids: [[100, 1, 1]], asks: [[101, 1, 1]] });
 * await writer.flush(); // readable on disk from here
 * await writer.close();
 * ```
 */
export class RecordingWriter {
  readonly #rootDir: string;
  readonly #venue: string;
  readonly #open = new Map<string, OpenFile>();
  readonly #closing: Promise<void>[] = [];
  readonly #files: string[] = [];
  #error: Error | null = null;
  #closed = false;
  #events = 0;

  constructor(options: RecordingWriterOptions) {
    this.#rootDir = options.rootDir;
    this.#venue = options.venue ?? "hyperliquid";
  }

  /** Files opened so far, in order (an hour reopened after a rotation appears twice). */
  get files(): readonly string[] {
    return this.#files;
  }

  /** Events written so far. */
  get eventsWritten(): number {
    return this.#events;
  }

  /** Appends one event to its coin's file for the event's hour, rotating when the hour changes. */
  write(event: MarketEvent): void {
    this.#throwIfFailed();
    if (this.#closed) throw new BotmmError("WRITER_CLOSED", "RecordingWriter.write after close()");
    const placement = placeRecordingEvent(event);
    let open = this.#open.get(placement.coin);
    if (open === undefined || open.hour !== placement.hour) {
      if (open !== undefined) this.#closing.push(this.#end(open));
      open = this.#openFile(placement.coin, placement.hour, placement.relativePath, placement.time);
      this.#open.set(placement.coin, open);
    }
    open.gzip.write(`${placement.line}\n`);
    this.#events++;
  }

  /** Pushes everything written so far through gzip to the files (a sync flush: readable after a crash). */
  async flush(): Promise<void> {
    this.#throwIfFailed();
    for (const open of this.#open.values()) {
      await new Promise<void>((resolve) => open.gzip.flush(() => resolve()));
      await new Promise<void>((resolve, reject) =>
        open.file.write("", (error) => (error ? reject(error) : resolve())),
      );
    }
    this.#throwIfFailed();
  }

  /** Finishes every file. Further writes throw. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      for (const open of this.#open.values()) this.#closing.push(this.#end(open));
      this.#open.clear();
    }
    await Promise.allSettled(this.#closing);
    this.#throwIfFailed();
  }

  #openFile(coin: string, hour: number, relativePath: string, time: number): OpenFile {
    const path = join(this.#rootDir, ...relativePath.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    const file = createWriteStream(path, { flags: "a" });
    const gzip = createGzip();
    const onError = (error: Error) => {
      this.#error ??= error;
    };
    file.on("error", onError);
    gzip.on("error", onError);
    gzip.pipe(file);
    gzip.write(`${recordingHeaderLine(coin, this.#venue, time)}\n`);
    this.#files.push(path);
    return { hour, path, gzip, file };
  }

  async #end(open: OpenFile): Promise<void> {
    open.gzip.end();
    try {
      await finished(open.file);
    } catch (error) {
      this.#error ??= error as Error;
    }
  }

  #throwIfFailed(): void {
    if (this.#error !== null) {
      throw new BotmmError("WRITE_FAILED", `recording write failed: ${this.#error.message}`, {
        cause: this.#error,
      });
    }
  }
}
