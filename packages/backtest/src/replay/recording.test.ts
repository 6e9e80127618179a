import { describe, expect, it } from "vitest";
import { formatRecordingLine, parseRecordingLine, RecordingError } from "./format.ts";
import { mergeByTime, RecordingFileDecoder, recordingFileStartMs } from "./reader.ts";
import { book, gap, T0, trade } from "./test-support.ts";
import type { MarketEvent } from "./types.ts";
import { placeRecordingEvent, recordingHeaderLine } from "./writer.ts";

const HOUR = 3_600_000;
const sample = (coin = "ETH", offset = 0): MarketEvent[] => [
  book(offset + 10, [[99.97, 1.5]], [[100.03, 2]], coin),
  trade(offset + 20, "A", 99.97, 0.5, coin),
  { ...trade(offset + 30, "B", 100.03, 0.25, coin), snapshot: true },
  gap(offset + 40, offset + 5_040, coin),
  book(offset + 5_050, [[99.96, 1]], [[100.04, 1]], coin),
];

/** A file's lines as a writer lays them out: the header, then each event's line. */
const fileLines = (events: MarketEvent[]): string[] => [
  recordingHeaderLine(events[0]!.coin, "hyperliquid", T0),
  ...events.map((event) => placeRecordingEvent(event).line),
];

const decodeAll = (file: string, lines: string[]): MarketEvent[] => {
  const decoder = new RecordingFileDecoder(file);
  const events: MarketEvent[] = [];
  lines.forEach((text, i) => {
    const event = decoder.decode(text, i + 1);
    if (event !== null) events.push(event);
  });
  return events;
};

describe("recording format v1 (no I/O)", () => {
  it("round-trips events through placement lines and the file decoder", () => {
    const events = sample();
    const lines = fileLines(events);
    expect(JSON.parse(lines[0]!)).toEqual({
      type: "header",
      format: "botmm-md",
      version: 1,
      coin: "ETH",
      venue: "hyperliquid",
      startedAt: T0,
    });
    expect(JSON.parse(lines[1]!)).toEqual({
      type: "book",
      t: T0 + 10,
      lt: T0 + 10,
      bids: [[99.97, 1.5, 1]],
      asks: [[100.03, 2, 1]],
    });
    expect(decodeAll("f", lines)).toEqual(events);
  });

  it("places each event in its coin's file of the UTC hour of its local time", () => {
    expect(placeRecordingEvent(sample()[0]!)).toMatchObject({
      coin: "ETH",
      hour: Math.floor(T0 / HOUR),
      relativePath: "ETH/20240101/12.jsonl.gz",
      time: T0 + 10,
    });
    expect(placeRecordingEvent(sample("BTC", 12 * HOUR)[3]!).relativePath).toBe("BTC/20240102/00.jsonl.gz");
    expect(recordingFileStartMs("20240102", "00.jsonl.gz")).toBe(T0 + 12 * HOUR);
    expect(recordingFileStartMs("20240102", "00.jsonl")).toBe(T0 + 12 * HOUR);
    expect(recordingFileStartMs("2024012", "00.jsonl.gz")).toBeNull();
    expect(recordingFileStartMs("20240102", "notes.txt")).toBeNull();
  });

  it("accepts a repeated header of the same coin (an appended gzip member), refuses another coin", () => {
    const lines = [...fileLines(sample().slice(0, 1)), ...fileLines(sample().slice(4))];
    expect(decodeAll("f", lines)).toEqual([sample()[0], sample()[4]]);
    const other = [...fileLines(sample()), ...fileLines(sample("BTC"))];
    expect(() => decodeAll("f", other)).toThrow(`f:${sample().length + 2}: header names coin BTC`);
  });

  it("names the file and line of a bad line, a missing header and another version", () => {
    const lines = fileLines(sample());
    lines[2] = '{"type":"trades","lt":1,"trades":[{"t":1,"px":"x","sz":1,"side":"A","tid":1}]}';
    const error = (() => {
      try {
        decodeAll("BTC/20240101/12.jsonl.gz", lines);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as RecordingError).line).toBe(3);
    expect((error as Error).message).toContain("BTC/20240101/12.jsonl.gz:3:");
    expect((error as Error).message).toContain("trades.0.px");
    lines[2] = "{not json";
    expect(() => decodeAll("f", lines)).toThrow("f:3: not valid JSON");
    expect(() => decodeAll("f", [formatRecordingLine(sample()[0]!)])).toThrow(
      "f:1: the first line must be a header",
    );
    expect(() =>
      decodeAll("v2", [
        '{"type":"header","format":"botmm-md","version":2,"coin":"ETH","venue":"hyperliquid","startedAt":1}',
      ]),
    ).toThrow(/v2:1: bad header: version: version must be 1/);
  });

  it("refuses to place an event that would not read back", () => {
    expect(() => placeRecordingEvent(book(0, [[Number.NaN, 1]], [[100, 1]]))).toThrow(
      /cannot record this book event of ETH/,
    );
    expect(() => parseRecordingLine('{"type":"book","t":1,"lt":1,"bids":[]}', "ETH", "f", 9)).toThrow(
      'f:9: bad "book" event: asks',
    );
  });

  it("merges streams in time order, a gap by its start, ties to the stream listed first", async () => {
    const eth = [...sample("ETH"), ...sample("ETH", HOUR)];
    const btc = sample("BTC", 15);
    const merged: MarketEvent[] = [];
    for await (const event of mergeByTime([eth, btc])) merged.push(event);
    expect(merged).toHaveLength(eth.length + btc.length);
    const times = merged.map((event) => (event.type === "gap" ? event.from : event.lt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const tie: MarketEvent[] = [];
    for await (const event of mergeByTime([[trade(0, "A", 1, 1, "X")], [trade(0, "A", 1, 1, "Y")]]))
      tie.push(event);
    expect(tie.map((event) => event.coin)).toEqual(["X", "Y"]);
  });
});
