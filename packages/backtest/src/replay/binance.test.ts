import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinanceCollectorDecoder, collectorTimeMs } from "./binance.ts";
import { plainEvents } from "./test-support.ts";
import type { MarketEvent } from "./types.ts";

const T = Date.UTC(2024, 7, 8, 23, 54);
const ns = (ms: number) => `${ms}000000`;
type Levels = [string, string][];
/** USDⓈ-M lines as hftbacktest's collector writes them: `<local ns> <message>`. */
const futuresDiff = (ms: number, first: number, last: number, previous: number, b: Levels, a: Levels) =>
  `${ns(ms)} ${JSON.stringify({ stream: "btcusdt@depth@0ms", data: { e: "depthUpdate", E: ms, T: ms - 1, s: "BTCUSDT", U: first, u: last, pu: previous, b, a } })}`;
const futuresSnapshot = (ms: number, id: number, bids: Levels, asks: Levels) =>
  `${ns(ms)} ${JSON.stringify({ lastUpdateId: id, E: ms, T: ms - 1, bids, asks })}`;
const trade = (ms: number, id: number, price: string, qty: string, buyerMaker: boolean) =>
  `${ns(ms)} ${JSON.stringify({ stream: "btcusdt@trade", data: { e: "trade", E: ms, T: ms - 1, s: "BTCUSDT", t: id, p: price, q: qty, X: "MARKET", m: buyerMaker } })}`;
const ticker = (ms: number) =>
  `${ns(ms)} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":1,"s":"BTCUSDT","b":"100.0","B":"1","a":"100.1","A":"1"}}`;

function decode(lines: string[], file = "btcusdt_20240808.gz") {
  const decoder = new BinanceCollectorDecoder({ file, coinOf: () => "BTC" });
  const events: MarketEvent[] = [];
  lines.forEach((text, i) => {
    decoder.decode(text, i + 1, events);
  });
  decoder.finish(events);
  return { decoder, events };
}

describe("Binance collector captures", () => {
  it("reads local times in ns, µs and ms", () => {
    expect(collectorTimeMs("1723161253937085768")).toBeCloseTo(1723161253937.0857, 3);
    expect(collectorTimeMs("1680652700423575")).toBeCloseTo(1680652700423.575, 3);
    expect(collectorTimeMs("1680652700423")).toBe(1680652700423);
    expect(collectorTimeMs("12")).toBeNaN();
  });

  it("reads a local time exactly as Number of its parts would (property, seeded)", () => {
    const byNumber = (stamp: string): number => {
      const digits = stamp.length;
      if (digits >= 18) return Number(stamp.slice(0, -6)) + Number(stamp.slice(-6)) / 1e6;
      if (digits >= 15) return Number(stamp.slice(0, -3)) + Number(stamp.slice(-3)) / 1e3;
      if (digits >= 12) return Number(stamp);
      return Number.NaN;
    };
    const seed = 1723161253;
    const stamp = fc.oneof(
      fc.stringMatching(/^[0-9]{10,21}$/),
      fc.stringMatching(/^[0-9]{6,12}[.e+-][0-9]{4,8}$/),
    );
    try {
      fc.assert(
        fc.property(stamp, (text) => Object.is(collectorTimeMs(text), byNumber(text))),
        { seed, numRuns: 2_000 },
      );
    } catch (error) {
      throw new Error(`collectorTimeMs property failed (seed ${seed}): ${(error as Error).message}`);
    }
  });

  it("rebuilds the book from the snapshot and the diffs held before it, then one book per diff", () => {
    const { decoder, events } = decode([
      futuresDiff(T, 90, 95, 89, [["99.0", "5"]], []), // older than the snapshot: dropped
      futuresDiff(T + 10, 96, 104, 95, [["100.0", "3"]], [["100.2", "0"]]), // brackets lastUpdateId 100
      trade(T + 15, 7, "100.1", "0.5", true), // no book yet: not replayed
      futuresSnapshot(
        T + 20,
        100,
        [
          ["100.0", "1"],
          ["99.9", "2"],
        ],
        [
          ["100.1", "1"],
          ["100.2", "4"],
        ],
      ),
      ticker(T + 25),
      trade(T + 30, 8, "100.1", "0.25", false),
      futuresDiff(T + 40, 105, 110, 104, [["100.0", "0"]], [["100.3", "7"]]),
    ]);
    expect(plainEvents(events)).toEqual([
      {
        type: "book",
        coin: "BTC",
        t: T + 9,
        lt: T + 20,
        bids: [
          [100, 3, 0],
          [99.9, 2, 0],
        ],
        asks: [[100.1, 1, 0]],
      },
      {
        type: "trades",
        coin: "BTC",
        lt: T + 30,
        trades: [{ t: T + 29, px: 100.1, sz: 0.25, side: "B", tid: 8 }],
      },
      {
        type: "book",
        coin: "BTC",
        t: T + 39,
        lt: T + 40,
        bids: [[99.9, 2, 0]],
        asks: [
          [100.1, 1, 0],
          [100.3, 7, 0],
        ],
      },
    ]);
    expect(decoder.counts).toMatchObject({
      depthUpdates: 3,
      depthApplied: 2,
      depthStale: 1,
      snapshots: 1,
      trades: 2,
      tradesWithoutBook: 1,
      ignored: 1,
      sequenceGaps: 0,
    });
    expect(decoder.market).toBe("usdm");
    expect(decoder.problems).toEqual([]);
  });

  it("reports a sequence gap with its line and replays nothing until the next snapshot, then a gap event", () => {
    const { decoder, events } = decode([
      futuresSnapshot(T, 100, [["100.0", "1"]], [["100.1", "1"]]),
      futuresDiff(T + 10, 99, 101, 98, [["100.0", "2"]], []),
      futuresDiff(T + 20, 105, 107, 103, [["100.0", "9"]], []), // pu 103 ≠ 101: updates 102–104 were lost
      trade(T + 25, 1, "100.1", "1", false),
      futuresDiff(T + 30, 108, 109, 107, [["99.5", "1"]], []),
      futuresSnapshot(T + 40, 120, [["100.0", "4"]], [["100.2", "1"]]),
      futuresDiff(T + 50, 118, 121, 117, [["100.0", "5"]], []),
    ]);
    expect(decoder.problems).toEqual([
      {
        file: "btcusdt_20240808.gz",
        line: 3,
        kind: "sequence-gap",
        message: "depth sequence gap: pu=103, but the previous diff ended at u=101",
      },
    ]);
    expect(events.map((event) => event.type)).toEqual(["book", "book", "gap", "book", "book"]);
    expect(events[2]).toMatchObject({ type: "gap", coin: "BTC", from: T + 10, to: T + 40 });
    expect((events[2] as { reason: string }).reason).toContain("line 3: depth sequence gap");
    expect(events[3]).toMatchObject({ lt: T + 40, bids: [[100, 4, 0]], asks: [[100.2, 1, 0]] });
    expect(decoder.counts.tradesWithoutBook).toBe(1);
  });

  it("follows the spot sequence rule (U = previous u + 1) and µs local times", () => {
    const us = (ms: number) => `${ms}000`;
    const spotDiff = (ms: number, first: number, last: number, b: Levels) =>
      `${us(ms)} ${JSON.stringify({ stream: "btcusdt@depth@100ms", data: { e: "depthUpdate", E: ms, s: "BTCUSDT", U: first, u: last, b, a: [] } })}`;
    const { decoder, events } = decode([
      `${us(T)} ${JSON.stringify({ lastUpdateId: 50, bids: [["10.00", "1"]], asks: [["10.01", "1"]] })}`,
      spotDiff(T + 100, 51, 55, [["10.00", "2"]]),
      spotDiff(T + 200, 56, 60, [["10.00", "3"]]),
      spotDiff(T + 300, 62, 64, [["10.00", "4"]]),
    ]);
    expect(decoder.market).toBe("spot");
    expect(events.filter((event) => event.type === "book")).toHaveLength(3);
    expect(decoder.problems.map((problem) => [problem.line, problem.kind])).toEqual([[4, "sequence-gap"]]);
    // Broken at the end of the file: the gap runs to the last line read.
    expect(events.at(-1)).toMatchObject({ type: "gap", from: T + 200, to: T + 300 });
  });

  it("says a file without a snapshot cannot be rebuilt", () => {
    const { decoder, events } = decode([futuresDiff(T, 1, 2, 0, [["1.0", "1"]], [])]);
    expect(events).toEqual([]);
    expect(decoder.problems.map((problem) => problem.kind)).toEqual(["no-snapshot"]);
  });

  it("refuses a line it does not know, naming the file and line", () => {
    expect(() => decode([ticker(T), '{"hello":1}'])).toThrow(/^btcusdt_20240808\.gz:2: unrecognised message/);
    expect(() => decode(['1723161253937085768 {"stream":"btcusdt@kline_1m","data":{"e":"kline"}}'])).toThrow(
      'btcusdt_20240808.gz:1: unrecognised stream "btcusdt@kline_1m"',
    );
    expect(() => decode(["not a line"])).toThrow(/btcusdt_20240808\.gz:1: not a collector line/);
    expect(() => decode([futuresSnapshot(T, 1, [["x", "1"]], [])])).toThrow(
      'btcusdt_20240808.gz:1: b[0] must be ["price > 0", "size ≥ 0"], got ["x","1"]',
    );
  });

  it("uses aggTrade when the file has no trade stream, and refuses a second symbol", () => {
    const agg = (ms: number, id: number) =>
      `${ns(ms)} ${JSON.stringify({ stream: "btcusdt@aggTrade", data: { e: "aggTrade", E: ms, T: ms, s: "BTCUSDT", a: id, p: "100.1", q: "1", m: true } })}`;
    const { events } = decode([futuresSnapshot(T, 1, [["100.0", "1"]], [["100.1", "1"]]), agg(T + 1, 5)]);
    expect(events[1]).toMatchObject({ type: "trades", trades: [{ side: "A", tid: 5 }] });
    const eth = trade(T + 2, 9, "1", "1", true).replace(/BTCUSDT/, "ETHUSDT");
    expect(() => decode([trade(T, 1, "1", "1", true), eth])).toThrow(/:2: symbol ETHUSDT after BTCUSDT/);
  });

  it("reads the frames it scans without JSON.parse exactly as the general path does", () => {
    const lines = [
      futuresDiff(T, 96, 104, 95, [["100.0", "3"]], [["100.2", "0"]]),
      futuresSnapshot(
        T + 20,
        100,
        [
          ["100.0", "1"],
          ["99.9", "2"],
        ],
        [
          ["100.1", "1"],
          ["100.2", "4"],
        ],
      ),
      ticker(T + 25),
      futuresDiff(
        T + 40,
        105,
        110,
        104,
        [
          ["100.0", "0"],
          ["99.95", "0.001"],
        ],
        [
          ["100.3", "7"],
          ["100.1", "0.25"],
        ],
      ),
      trade(T + 45, 8, "100.1", "0.25", false),
      // Trades the scanner takes or leaves: an insurance-fund print, a spot trade's extra keys, an exponent,
      // a repeated key (JSON.parse keeps the last), an aggTrade beside trades (ignored), an unknown key.
      trade(T + 46, 9, "100.1", "0.5", true).replace('"X":"MARKET"', '"X":"INSURANCE_FUND"'),
      trade(T + 47, 10, "100.1", "2.5e-1", true).replace('"m":true', '"m":true,"M":true,"b":77'),
      trade(T + 48, 11, "100.1", "0.25", false).replace('"q":"0.25"', '"q":"0.5","q":"0.25"'),
      `${ns(T + 49)} ${JSON.stringify({ stream: "btcusdt@aggTrade", data: { e: "aggTrade", E: T + 49, a: 3, p: "100.1", q: "1", f: 1, l: 2, T: T + 49, m: true } })}`,
      trade(T + 49, 12, "100.2", "1", false).replace('"m":false', '"m":false,"z":1'),
      futuresDiff(T + 50, 111, 112, 110, [], [["100.15", "1e-3"]]),
    ];
    // A space after the first colon is valid JSON the scanner does not take: those lines go through JSON.parse.
    const general = lines.map((text) => text.replace('{"stream":"', '{"stream": "'));
    const fast = decode(lines);
    const slow = decode(general);
    expect(plainEvents(fast.events)).toEqual(plainEvents(slow.events));
    expect(fast.decoder.counts).toEqual(slow.decoder.counts);
    expect(fast.events.filter((event) => event.type === "book")).toHaveLength(3);
    expect(fast.decoder.counts).toMatchObject({ ignored: 3, trades: 4 });
    expect(fast.events.filter((event) => event.type === "trades")).toHaveLength(4);
    expect((fast.events.at(-1) as { asks: unknown[] }).asks).toContainEqual([100.15, 0.001, 0]);
  });

  it("names a bad level of a scanned diff as the file writes it", () => {
    expect(() =>
      decode([
        futuresSnapshot(T, 100, [["100.0", "1"]], [["100.1", "1"]]),
        futuresDiff(
          T + 10,
          99,
          101,
          98,
          [
            ["100.0", "2"],
            ["abc", "1"],
          ],
          [],
        ),
      ]),
    ).toThrow('btcusdt_20240808.gz:2: b[1] must be ["price > 0", "size ≥ 0"], got ["abc","1"]');
  });
});
