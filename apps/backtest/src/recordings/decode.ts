import type { MarketEvent } from "@botmm/backtest";
import type { BookCheck } from "./book-check.ts";
import { readLineBatches } from "./lines.ts";

/** A library decoder that turns lines into events (`BinanceCollectorDecoder`, `TardisCsvDecoder`, …). */
export interface LineDecoder {
  decode(text: string, line: number, out: MarketEvent[]): void;
  finish?(out: MarketEvent[]): void;
}

/** How {@link decodeFile} checks the books a decoder yields. */
export interface DecodeFileOptions {
  check: BookCheck;
  /** The line (or range) a book just emitted came from, when it is not the line just read. */
  bookLine?: (line: number) => number | string;
  /** Whether to check level order too (false for books the decoder rebuilt itself, sorted by construction). */
  levels?: boolean;
  /** Called once the file has been read to the end. */
  onEnd?: (out: MarketEvent[]) => void;
}

/**
 * Feeds every non-empty line of `file` to `decoder` and yields the events it gives, every book through the
 * check; `decoder.finish` runs at the end of the file.
 *
 * @example
 * ```ts
 * yield* decodeFile("trades.csv.gz", new TardisCsvDecoder({ file: "trades.csv.gz" }), { check: new BookCheck() });
 * ```
 */
export async function* decodeFile(
  file: string,
  decoder: LineDecoder,
  options: DecodeFileOptions,
): AsyncGenerator<MarketEvent> {
  const { check, bookLine } = options;
  const levels = options.levels ?? true;
  const out: MarketEvent[] = [];
  let line = 0;
  for await (const { lines, firstLine } of readLineBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (text.length === 0) continue;
      line = firstLine + i;
      decoder.decode(text, line, out);
      if (out.length === 0) continue;
      for (let j = 0; j < out.length; j++) {
        const event = out[j]!;
        if (event.type === "book" && !check.accept(event, file, bookLine?.(line) ?? line, levels)) continue;
        yield event;
      }
      out.length = 0;
    }
  }
  decoder.finish?.(out);
  options.onEnd?.(out);
  for (const event of out) {
    if (event.type === "book" && !check.accept(event, file, bookLine?.(line) ?? line, levels)) continue;
    yield event;
  }
}
