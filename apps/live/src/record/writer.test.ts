import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { MarketEvent } from "@botmm/backtest";
import { afterAll, describe, expect, it } from "vitest";
import { readRecordedEvents } from "./test-support.ts";
import { RecordingWriter } from "./writer.ts";

const root = mkdtempSync(join(tmpdir(), "botmm-writer-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `r${dirs++}`);

const T0 = Date.UTC(2024, 0, 1, 12);
const HOUR = 3_600_000;
const sample = (offset = 0): MarketEvent[] => [
  {
    type: "book",
    coin: "ETH",
    t: T0 + offset + 10,
    lt: T0 + offset + 10,
    bids: [[99.97, 1.5, 1]],
    asks: [[100.03, 2, 1]],
  },
  {
    type: "trades",
    coin: "ETH",
    lt: T0 + offset + 20,
    trades: [{ t: T0 + offset + 20, px: 99.97, sz: 0.5, side: "A", tid: 1 }],
  },
  { type: "gap", coin: "ETH", from: T0 + offset + 40, to: T0 + offset + 5_040, reason: "disconnect" },
];

describe("RecordingWriter", () => {
  it("writes one gzip file per coin and hour, each starting with a header, and the events read back", async () => {
    const dir = freshDir();
    const writer = new RecordingWriter({ rootDir: dir });
    const events = [...sample(), ...sample(HOUR)];
    for (const event of events) writer.write(event);
    await writer.flush();
    await writer.close();
    expect(writer.files).toEqual([
      join(dir, "ETH", "20240101", "12.jsonl.gz"),
      join(dir, "ETH", "20240101", "13.jsonl.gz"),
    ]);
    expect(writer.eventsWritten).toBe(6);
    const first = gunzipSync(readFileSync(writer.files[0]!)).toString().split("\n");
    expect(JSON.parse(first[0]!)).toEqual({
      type: "header",
      format: "botmm-md",
      version: 1,
      coin: "ETH",
      venue: "hyperliquid",
      startedAt: T0 + 10,
    });
    expect(readRecordedEvents(dir, "ETH")).toEqual(events);
    expect(() => writer.write(sample()[0]!)).toThrow(/write after close/);
  });

  it("appends a new gzip member with its own header to an hour that already has a file", async () => {
    const dir = freshDir();
    const first = new RecordingWriter({ rootDir: dir });
    first.write(sample()[0]!);
    await first.close();
    const second = new RecordingWriter({ rootDir: dir });
    second.write(sample()[1]!);
    await second.close();
    expect(readRecordedEvents(dir, "ETH")).toEqual(sample().slice(0, 2));
  });

  it("refuses an event that would not read back", () => {
    const bad: MarketEvent = { type: "book", coin: "ETH", t: 1, lt: 1, bids: [[Number.NaN, 1, 1]], asks: [] };
    expect(() => new RecordingWriter({ rootDir: freshDir() }).write(bad)).toThrow(
      /cannot record this book event of ETH/,
    );
  });
});
