import { describe, expect, it } from "vitest";
import { runReplayBacktest } from "./engine.ts";
import { HftbacktestCaptureDecoder, parseArchiveL2Line, parseHftbacktestLine } from "./hyperliquid.ts";
import { BOOK_ONLY_FILLS, buildReplayReport } from "./report.ts";
import { replayOptions } from "./test-support.ts";

const level = (px: string, sz: string, n = 1) => ({ px, sz, n });
/** An archive line as Hyperliquid's S3 archive writes it (after lz4 -d). */
const archiveLine = (receivedIso: string, venueMs: number, bid: string, ask: string) =>
  JSON.stringify({
    time: receivedIso,
    ver_num: 1,
    raw: {
      channel: "l2Book",
      data: {
        coin: "ETH",
        time: venueMs,
        levels: [
          [level(bid, "10.5", 3), level(String(Number(bid) - 0.01), "2")],
          [level(ask, "4.25", 2), level(String(Number(ask) + 0.01), "1")],
        ],
      },
    },
  });

describe("Hyperliquid archive l2Book", () => {
  it("parses a line: venue time as t, the archive's receive time (UTC) as lt, decimal strings as numbers", () => {
    const event = parseArchiveL2Line(
      archiveLine("2024-01-01T12:00:01.138942031", 1704110399915, "99.97", "100.03"),
      "f",
      1,
    );
    expect(event).toEqual({
      type: "book",
      coin: "ETH",
      t: 1704110399915,
      lt: Date.UTC(2024, 0, 1, 12, 0, 1, 138),
      bids: [
        [99.97, 10.5, 3],
        [99.96, 2, 1],
      ],
      asks: [
        [100.03, 4.25, 2],
        [100.04, 1, 1],
      ],
    });
  });

  it("reads the writer's layout without JSON.parse exactly as JSON.parse reads it", () => {
    const lines = [
      archiveLine("2024-01-01T12:00:01.138942031", 1704110399915, "99.97", "100.03"),
      archiveLine("2024-02-29T23:59:59.999", 1709251199999, "42727.0", "42728.5"),
      archiveLine("2024-01-31T00:00:00.000000001", 1706659200000, "0.12345", "0.12346"),
    ];
    for (const line of lines) {
      // A space after a colon is still an archive line, but not the layout the fast reader takes.
      const general = line.replace('"ver_num":', '"ver_num": ');
      expect(parseArchiveL2Line(line, "f", 1)).toEqual(parseArchiveL2Line(general, "f", 1));
    }
    expect(parseArchiveL2Line(lines[1]!, "f", 1).lt).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    const bad = lines[0]!.replace('"sz":"10.5"', '"sz":"-1"');
    expect(() => parseArchiveL2Line(bad, "f", 7)).toThrow(/f:7: levels\[0 \(bids\)\]\[0\] must have px > 0/);
  });

  it("names the line of a line that is not an archive l2Book line", () => {
    expect(() => parseArchiveL2Line('{"time":"x","raw":{"channel":"trades"}}', "bad.jsonl", 3)).toThrow(
      "bad.jsonl:3: expected an archive l2Book line",
    );
    expect(() => parseArchiveL2Line("{", "bad.jsonl", 4)).toThrow("bad.jsonl:4: not valid JSON");
  });

  it("replays books only and says that fills are inferred from book changes", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) {
      const ms = Date.UTC(2024, 0, 1, 12, 0, 0, 500 * i);
      const crossed = i >= 10; // the ask falls onto our 99.97 bid
      lines.push(
        archiveLine(
          new Date(ms).toISOString().replace("Z", "000000"),
          ms - 50,
          crossed ? "99.95" : "99.97",
          crossed ? "99.97" : "100.03",
        ),
      );
    }
    const file = "cross.jsonl";
    const options = replayOptions();
    const run = await runReplayBacktest(
      lines.map((text, i) => parseArchiveL2Line(text, file, i + 1)),
      options,
    );
    expect(run.fillInference).toBe("book-changes");
    expect(run.fills.map((fill) => [fill.side, fill.price, fill.source])).toEqual([
      ["buy", 99.97, "book-cross"],
    ]);
    const report = buildReplayReport(run, options, {
      source: `hyperliquid-archive:${file}`,
      capitalUsd: 1_000,
      fundingDescription: "none",
      runtimeMs: 1,
    });
    expect(report.data.fills).toBe(BOOK_ONLY_FILLS);
    expect(report.assumptions.fillInference).toContain(BOOK_ONLY_FILLS);
    expect(report.warnings.join("\n")).toContain(BOOK_ONLY_FILLS);
  });
});

describe("hftbacktest WebSocket capture", () => {
  const bookMessage = (ms: number) =>
    JSON.stringify({
      channel: "l2Book",
      data: {
        coin: "BTC",
        levels: [[{ n: 5, px: "105055.0", sz: "3.03622" }], [{ n: 13, px: "105056.0", sz: "6.34472" }]],
        time: ms,
      },
    });
  const tradesMessage = (ms: number, tid: number) =>
    JSON.stringify({
      channel: "trades",
      data: [
        {
          coin: "BTC",
          hash: "0x00",
          px: "105056.0",
          side: "B",
          sz: "0.00219",
          tid,
          time: ms,
          users: ["0xa", "0xb"],
        },
      ],
    });

  it("parses `<ns> <message>` lines and skips other channels", () => {
    const book = parseHftbacktestLine(`1737918843893903000 ${bookMessage(1737918843542)}`, "f", 1);
    expect(book).toMatchObject({ type: "book", coin: "BTC", t: 1737918843542, bids: [[105055, 3.03622, 5]] });
    expect(book?.type === "book" ? book.lt : Number.NaN).toBeCloseTo(1737918843893.903, 3);
    const trades = parseHftbacktestLine(`1737918844167767000 ${tradesMessage(1737918794873, 7)}`, "f", 2);
    expect(trades).toMatchObject({
      type: "trades",
      coin: "BTC",
      trades: [{ t: 1737918794873, px: 105056, sz: 0.00219, side: "B", tid: 7 }],
    });
    expect(parseHftbacktestLine('1737918844167767000 {"channel":"pong"}', "f", 3)).toBeNull();
    expect(() => parseHftbacktestLine('{"channel":"pong"}', "f", 4)).toThrow(
      "f:4: expected `<receive time in ns>",
    );
  });

  it("marks the first trades message of each coin as the subscription snapshot", () => {
    const lines = [
      `1737918843893903000 ${bookMessage(1737918843542)}`,
      `1737918844167767000 ${tradesMessage(1737918794873, 1)}`,
      `1737918847319919000 ${tradesMessage(1737918847000, 2)}`,
    ];
    const decoder = new HftbacktestCaptureDecoder("capture.gz");
    const events = lines.map((text, i) => decoder.decode(text, i + 1)!);
    expect(
      events.map((event) => [event.type, event.type === "trades" ? event.snapshot === true : null]),
    ).toEqual([
      ["book", null],
      ["trades", true],
      ["trades", false],
    ]);
  });
});
