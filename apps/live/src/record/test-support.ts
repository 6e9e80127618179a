// Tests only: reads back what a RecordingWriter wrote, through the library's reading rules (the backtest app
// owns the streaming file readers; these tests need the events, not the streaming).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type MarketEvent, RecordingFileDecoder, recordingFileStartMs } from "@botmm/backtest";

/** Every event of `coin` under a recording root, in file order. */
export function readRecordedEvents(rootDir: string, coin: string): MarketEvent[] {
  const events: MarketEvent[] = [];
  const coinDir = join(rootDir, coin);
  for (const day of readdirSync(coinDir).sort()) {
    for (const name of readdirSync(join(coinDir, day)).sort()) {
      if (recordingFileStartMs(day, name) === null) continue;
      const file = join(coinDir, day, name);
      const decoder = new RecordingFileDecoder(file);
      const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
      lines.forEach((text, i) => {
        if (text.length === 0) return;
        const event = decoder.decode(text, i + 1);
        if (event !== null) events.push(event);
      });
    }
  }
  return events;
}
