// The writing rules of recording format v1, without any I/O: which file an event goes to and what each line
// says. The live app's RecordingWriter opens, gzips and rotates the files.
import { formatRecordingLine, RECORDING_FORMAT, RECORDING_VERSION, recordingPathParts } from "./format.ts";
import { eventTime, type MarketEvent, type RecordingHeader } from "./types.ts";

const HOUR_MS = 3_600_000;

/**
 * The header line (without the newline) that starts every recording file and every gzip member appended to it.
 *
 * @example
 * ```ts
 * recordingHeaderLine("BTC", "hyperliquid", 1704110400123);
 * // '{"type":"header","format":"botmm-md","version":1,"coin":"BTC","venue":"hyperliquid","startedAt":1704110400123}'
 * ```
 */
export function recordingHeaderLine(coin: string, venue: string, startedAt: number): string {
  const header: RecordingHeader = {
    type: "header",
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    coin,
    venue,
    startedAt,
  };
  return JSON.stringify(header);
}

/** Where one event goes in a recording and the line that says it. */
export interface RecordingPlacement {
  coin: string;
  /** The UTC hour the event belongs to, as `floor(time / 1 h)`; a writer rotates when it changes. */
  hour: number;
  /** `<coin>/<YYYYMMDD>/<HH>.jsonl.gz`, relative to the recording's root, with `/` separators. */
  relativePath: string;
  /** The event's line, without the newline. */
  line: string;
  /** The event's local time (`lt`, or a gap's `from`): a new file's header `startedAt`. */
  time: number;
}

/**
 * Where an event goes in a recording (format v1: one file per coin and UTC hour of the local receive time) and
 * its line. Throws a `BotmmError` (`INVALID_EVENT`) for an event that would not read back.
 *
 * @example
 * ```ts
 * const placement = placeRecordingEvent({ type: "gap", coin: "BTC", from: Date.UTC(2024, 0, 1, 12, 5), to: Date.UTC(2024, 0, 1, 12, 6), reason: "disconnect" });
 * placement.relativePath; // "BTC/20240101/12.jsonl.gz"
 * ```
 */
export function placeRecordingEvent(event: MarketEvent): RecordingPlacement {
  const line = formatRecordingLine(event);
  const time = eventTime(event);
  const hour = Math.floor(time / HOUR_MS);
  const { day, hour: hh } = recordingPathParts(hour * HOUR_MS);
  return { coin: event.coin, hour, relativePath: `${event.coin}/${day}/${hh}.jsonl.gz`, line, time };
}
