import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { formatRecordingLine, parseRecordingLine, RecordingError } from "./format.ts";
import { listRecordingFiles, readRecording, readRecordingFile } from "./reader.ts";
import { book, gap, T0, trade } from "./test-support.ts";
import type { MarketEvent } from "./types.ts";
import { RecordingWriter } from "./writer.ts";

const root = mkdtempSync(join(tmpdir(), "botmm-replay-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `r${dirs++}`);

const collect = async (source: AsyncIterable<MarketEvent>): Promise<MarketEvent[]> => {
  const events: MarketEvent[] = [];
  for await (const event of source) events.push(event);
  return events;
};

const HOUR = 3_600_000;
const sample = (coin = "ETH", offset = 0): MarketEvent[] => [
  book(offset + 10, [[99.97, 1.5]], [[100.03, 2]], coin),
  trade(offset + 20, "A", 99.97, 0.5, coin),
  { ...trade(offset + 30, "B", 100.03, 0.25, coin), snapshot: true },
  gap(offset + 40, offset + 5_040, coin),
  book(offset + 5_050, [[99.96, 1]], [[100.04, 1]], coin),
];

describe("recording format v1", () => {
  it("round-trips events through the writer and the reader", async () => {
    const dir = freshDir();
    const writer = new RecordingWriter({ rootDir: dir });
    const events = sample();
    for (const event of events) writer.write(event);
    await writer.close();
    expect(writer.files).toEqual([join(dir, "ETH", "20240101", "12.jsonl.gz")]);
    expect(await collect(readRecording(dir))).toEqual(events);
    const lines = gunzipSync(readFileSync(writer.files[0]!)).toString().trim().split("\n");
    expect(JSON.parse(lines[0]!)).toEqual({
      type: "header",
      format: "botmm-md",
      version: 1,
      coin: "ETH",
      venue: "hyperliquid",
      startedAt: T0 + 10,
    });
    expect(JSON.parse(lines[1]!)).toEqual({
      type: "book",
      t: T0 + 10,
      lt: T0 + 10,
      bids: [[99.97, 1.5, 1]],
      asks: [[100.03, 2, 1]],
    });
  });

  it("rotates hourly and reads the files back in order, merging coins by time", async () => {
    const dir = freshDir();
    const writer = new RecordingWriter({ rootDir: dir });
    const eth = [...sample("ETH"), ...sample("ETH", HOUR), ...sample("ETH", 12 * HOUR)];
    const btc = sample("BTC", 15);
    for (const event of [...eth.slice(0, 5), ...btc, ...eth.slice(5)]) writer.write(event);
    await writer.flush();
    await writer.close();
    expect(await listRecordingFiles(dir, "ETH")).toEqual([
      join(dir, "ETH", "20240101", "12.jsonl.gz"),
      join(dir, "ETH", "20240101", "13.jsonl.gz"),
      join(dir, "ETH", "20240102", "00.jsonl.gz"),
    ]);
    const all = await collect(readRecording(dir));
    expect(all).toHaveLength(eth.length + btc.length);
    const times = all.map((event) => (event.type === "gap" ? event.from : event.lt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(
      await collect(readRecording(dir, { coins: ["ETH"], fromMs: T0 + HOUR, toMs: T0 + 2 * HOUR })),
    ).toEqual(sample("ETH", HOUR));
  });

  it("appends to an hour that already has a file (a restarted recorder)", async () => {
    const dir = freshDir();
    const first = new RecordingWriter({ rootDir: dir });
    first.write(sample()[0]!);
    await first.close();
    const second = new RecordingWriter({ rootDir: dir });
    second.write(sample()[4]!);
    await second.close();
    expect(await collect(readRecording(dir))).toEqual([sample()[0], sample()[4]]);
  });

  it("names the file and line of a corrupt line", async () => {
    const dir = freshDir();
    const writer = new RecordingWriter({ rootDir: dir });
    for (const event of sample()) writer.write(event);
    await writer.close();
    const file = writer.files[0]!;
    const lines = gunzipSync(readFileSync(file)).toString().split("\n");
    lines[2] = '{"type":"trades","lt":1,"trades":[{"t":1,"px":"x","sz":1,"side":"A","tid":1}]}';
    writeFileSync(file, gzipSync(lines.join("\n")));
    const error = await collect(readRecordingFile(file)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as RecordingError).line).toBe(3);
    expect((error as Error).message).toContain(`${file}:3:`);
    expect((error as Error).message).toContain("trades.0.px");

    lines[2] = "{not json";
    writeFileSync(file, gzipSync(lines.join("\n")));
    await expect(collect(readRecordingFile(file))).rejects.toThrow(`${file}:3: not valid JSON`);
  });

  it("refuses a file without a header, another version, and a truncated gzip", async () => {
    const dir = freshDir();
    const noHeader = join(dir, "x.jsonl.gz");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(noHeader, gzipSync(`${formatRecordingLine(sample()[0]!)}\n`));
    await expect(collect(readRecordingFile(noHeader))).rejects.toThrow(
      `${noHeader}:1: the first line must be a header`,
    );
    const v2 = join(dir, "v2.jsonl");
    writeFileSync(
      v2,
      '{"type":"header","format":"botmm-md","version":2,"coin":"ETH","venue":"hyperliquid","startedAt":1}\n',
    );
    await expect(collect(readRecordingFile(v2))).rejects.toThrow(
      /v2\.jsonl:1: bad header: version: version must be 1/,
    );
    const truncated = join(dir, "t.jsonl.gz");
    const whole = gzipSync(
      `${'{"type":"header","format":"botmm-md","version":1,"coin":"ETH","venue":"hyperliquid","startedAt":1}\n'}${formatRecordingLine(sample()[0]!)}\n`.repeat(
        50,
      ),
    );
    writeFileSync(truncated, whole.subarray(0, whole.length - 20));
    await expect(collect(readRecordingFile(truncated))).rejects.toThrow(
      /t\.jsonl\.gz:\d+: cannot read past line/,
    );
  });

  it("refuses to write an event that would not read back", () => {
    const bad = book(0, [[Number.NaN, 1]], [[100, 1]]);
    expect(() => new RecordingWriter({ rootDir: freshDir() }).write(bad)).toThrow(
      /cannot record this book event of ETH/,
    );
    expect(() => parseRecordingLine('{"type":"book","t":1,"lt":1,"bids":[]}', "ETH", "f", 9)).toThrow(
      'f:9: bad "book" event: asks',
    );
  });
});
