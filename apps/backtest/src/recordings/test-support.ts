// Tests only: small fixtures written the way the real writers write them.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { type MarketEvent, placeRecordingEvent, recordingHeaderLine } from "@botmm/backtest";

/**
 * Writes events as a botmm-md v1 recording under `rootDir` (one gzip file per coin and hour, each with its
 * header), as the live recorder's writer lays it out. Returns the files written.
 */
export function writeRecordingFixture(rootDir: string, events: readonly MarketEvent[]): string[] {
  const files = new Map<string, string[]>();
  for (const event of events) {
    const placement = placeRecordingEvent(event);
    let lines = files.get(placement.relativePath);
    if (lines === undefined) {
      lines = [recordingHeaderLine(placement.coin, "hyperliquid", placement.time)];
      files.set(placement.relativePath, lines);
    }
    lines.push(placement.line);
  }
  const written: string[] = [];
  for (const [relativePath, lines] of files) {
    const path = join(rootDir, ...relativePath.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, gzipSync(`${lines.join("\n")}\n`));
    written.push(path);
  }
  return written;
}

/** Writes `text` to `path` (gzipped when the name ends in .gz), creating the directory. */
export function writeText(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, path.endsWith(".gz") ? gzipSync(text) : text);
  return path;
}

/** Drains an event stream into an array. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
