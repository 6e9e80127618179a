import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { type MarketEvent, RecordingError } from "@botmm/backtest";
import { afterAll, describe, expect, it } from "vitest";
import { BookCheck } from "./book-check.ts";
import { readHftbacktestCapture, readHyperliquidArchive } from "./hyperliquid.ts";
import { readLines } from "./lines.ts";
import { listRecordingFiles, readRecording, readRecordingFile } from "./recording.ts";
import { detectReplaySource, openReplayInput } from "./source.ts";
import { collect, writeRecordingFixture, writeText } from "./test-support.ts";

const root = mkdtempSync(join(tmpdir(), "botmm-recordings-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `d${dirs++}`);

const T0 = Date.UTC(2024, 0, 1, 12);
const HOUR = 3_600_000;
const book = (ms: number, bid: number, ask: number, coin = "ETH"): MarketEvent => ({
  type: "book",
  coin,
  t: T0 + ms,
  lt: T0 + ms,
  bids: [[bid, 1, 1]],
  asks: [[ask, 2, 1]],
});
const trade = (ms: number, coin = "ETH"): MarketEvent => ({
  type: "trades",
  coin,
  lt: T0 + ms,
  trades: [{ t: T0 + ms, px: 100, sz: 1, side: "A", tid: ms }],
});
const sample = (coin = "ETH", offset = 0): MarketEvent[] => [
  book(offset + 10, 99.97, 100.03, coin),
  trade(offset + 20, coin),
  { type: "gap", coin, from: T0 + offset + 40, to: T0 + offset + 5_040, reason: "disconnect" },
  book(offset + 5_050, 99.96, 100.04, coin),
];

describe("line reading", () => {
  it("reads plain and gzip (several members) alike, CRLF too, and names a truncated gzip's last line", async () => {
    const dir = freshDir();
    const plain = writeText(join(dir, "a.txt"), "one\r\ntwo\n\nfour");
    const gz = join(dir, "a.gz");
    writeFileSync(gz, Buffer.concat([gzipSync("one\r\ntwo\n"), gzipSync("\nfour")]));
    const expected = [
      { text: "one", line: 1 },
      { text: "two", line: 2 },
      { text: "four", line: 4 },
    ];
    expect(await collect(readLines(plain))).toEqual(expected);
    expect(await collect(readLines(gz))).toEqual(expected);
    const whole = gzipSync(`${"x".repeat(200)}\n`.repeat(5_000));
    const truncated = join(dir, "t.gz");
    writeFileSync(truncated, whole.subarray(0, whole.length - 20));
    await expect(collect(readLines(truncated))).rejects.toThrow(/t\.gz:\d+: cannot read past line \d+/);
    await expect(collect(readLines(join(dir, "missing")))).rejects.toThrow(/missing:0: no such file/);
    await expect(collect(readLines(join(dir, "BTC.lz4")))).rejects.toThrow(/decompress first/);
  });
});

describe("recording files", () => {
  it("reads a recording directory: hours in order, coins merged by time, hours filtered", async () => {
    const dir = freshDir();
    const eth = [...sample("ETH"), ...sample("ETH", HOUR), ...sample("ETH", 12 * HOUR)];
    const btc = sample("BTC", 15);
    writeRecordingFixture(dir, [...eth, ...btc]);
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
    await expect(collect(readRecording(join(dir, "nope")))).rejects.toThrow(/does not exist/);
    await expect(collect(readRecording(dir, { coins: ["SOL"] }))).rejects.toThrow(/no recording of SOL/);
  });

  it("names the file and line of a corrupt line and of a crossed book; skips and counts with the skip policy", async () => {
    const dir = freshDir();
    const [file] = writeRecordingFixture(dir, sample());
    const lines = gunzipSync(readFileSync(file!)).toString().split("\n");
    lines[2] = "{not json";
    writeFileSync(file!, gzipSync(lines.join("\n")));
    await expect(collect(readRecordingFile(file!))).rejects.toThrow(`${file}:3: not valid JSON`);

    const crossed = writeRecordingFixture(freshDir(), [
      book(10, 99.97, 100.03),
      book(20, 100.05, 100.03),
      book(30, 100, 100),
    ])[0]!;
    const error = await collect(readRecordingFile(crossed)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RecordingError);
    expect((error as Error).message).toBe(
      `${crossed}:3: crossed book: best bid 100.05 > best ask 100.03 (a stale or corrupt level; --skip-bad-books skips such books and counts them in the report)`,
    );
    const check = new BookCheck("skip");
    expect(await collect(readRecordingFile(crossed, check))).toHaveLength(1);
    expect(check.skipped).toEqual({ crossed: 1, locked: 1 });

    const unsorted = writeRecordingFixture(freshDir(), [
      {
        type: "book",
        coin: "ETH",
        t: T0,
        lt: T0,
        bids: [
          [99, 1, 1],
          [99.5, 1, 1],
        ],
        asks: [[101, 1, 1]],
      },
    ])[0]!;
    await expect(collect(readRecordingFile(unsorted, new BookCheck("skip")))).rejects.toThrow(
      `${unsorted}:2: bad book: bids[1] price 99.5 is not below bids[0] price 99`,
    );
  });
});

describe("Hyperliquid archive and hftbacktest capture files", () => {
  const level = (px: string, sz: string) => ({ px, sz, n: 1 });
  const archiveLine = (iso: string, ms: number, bid: string, ask: string) =>
    JSON.stringify({
      time: iso,
      ver_num: 1,
      raw: {
        channel: "l2Book",
        data: { coin: "ETH", time: ms, levels: [[level(bid, "1")], [level(ask, "2")]] },
      },
    });

  it("reads an archive file plain or gzip and names the line of a bad one", async () => {
    const dir = freshDir();
    const text = [
      archiveLine("2024-01-01T12:00:00.100000000", T0 - 10, "99.97", "100.03"),
      archiveLine("2024-01-01T12:00:00.700000000", T0 + 590, "99.98", "100.02"),
    ].join("\n");
    const plain = writeText(join(dir, "ETH.jsonl"), text);
    const gz = writeText(join(dir, "ETH.jsonl.gz"), text);
    expect(await collect(readHyperliquidArchive(plain))).toEqual(await collect(readHyperliquidArchive(gz)));
    expect(await collect(readHyperliquidArchive(gz))).toHaveLength(2);
    const bad = writeText(join(dir, "bad.jsonl"), `${text}\n{"time":"x","raw":{"channel":"trades"}}\n`);
    await expect(collect(readHyperliquidArchive(bad))).rejects.toThrow(
      `${bad}:3: expected an archive l2Book line`,
    );
  });

  it("reads an hftbacktest Hyperliquid capture, the first trades message marked as the snapshot", async () => {
    const file = writeText(
      join(freshDir(), "capture.gz"),
      [
        `1737918843893903000 {"channel":"l2Book","data":{"coin":"BTC","time":1737918843542,"levels":[[{"px":"1","sz":"1","n":1}],[{"px":"2","sz":"1","n":1}]]}}`,
        `1737918844167767000 {"channel":"trades","data":[{"coin":"BTC","px":"2","sz":"1","side":"B","tid":1,"time":1737918794873}]}`,
        `1737918844167767001 {"channel":"pong"}`,
        `1737918847319919000 {"channel":"trades","data":[{"coin":"BTC","px":"2","sz":"1","side":"B","tid":2,"time":1737918847000}]}`,
      ].join("\n"),
    );
    const events = await collect(readHftbacktestCapture(file));
    expect(
      events.map((event) => (event.type === "trades" ? `trades${event.snapshot ? "*" : ""}` : event.type)),
    ).toEqual(["book", "trades*", "trades"]);
  });
});

describe("format detection and the other readers", () => {
  const ns = (ms: number) => `${ms}000000`;
  const snapshot = (ms: number, id: number, bid: string, ask: string) =>
    `${ns(ms)} {"lastUpdateId":${id},"E":${ms},"T":${ms},"bids":[["${bid}","1.5"],["99.0","2"]],"asks":[["${ask}","1"],["101.0","3"]]}`;
  const diff = (ms: number, first: number, last: number, previous: number, bids: string) =>
    `${ns(ms)} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":${ms},"T":${ms},"s":"BTCUSDT","U":${first},"u":${last},"pu":${previous},"b":${bids},"a":[]}}`;

  it("tells every format from its path and first line", async () => {
    const dir = freshDir();
    writeRecordingFixture(join(dir, "rec"), sample());
    expect(await detectReplaySource(join(dir, "rec"))).toEqual({
      format: "recording",
      paths: [join(dir, "rec")],
    });
    const binance = writeText(
      join(dir, "bn", "btcusdt_20240808.gz"),
      `${snapshot(T0, 10, "100.0", "100.5")}\n`,
    );
    writeText(join(dir, "bn", "btcusdt_20240809.gz"), `${diff(T0 + 1, 11, 12, 10, "[]")}\n`);
    expect(await detectReplaySource(binance)).toEqual({ format: "binance-collector", paths: [binance] });
    expect((await detectReplaySource(join(dir, "bn"))).paths).toHaveLength(2);
    const csv = writeText(
      join(dir, "hl", "orderbooks_BTC.csv"),
      "timestamp,sequence,exchange_timestamp,bid_price_0,bid_size_0,ask_price_0,ask_size_0\n",
    );
    expect(await detectReplaySource(join(dir, "hl"))).toEqual({
      format: "hyperliquid-csv",
      paths: [join(dir, "hl")],
    });
    expect(await detectReplaySource(csv)).toEqual({ format: "hyperliquid-csv", paths: [join(dir, "hl")] });
    const tardis = writeText(
      join(dir, "t.csv"),
      "exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n",
    );
    expect((await detectReplaySource(tardis)).format).toBe("tardis");
    const unknown = writeText(join(dir, "x.txt"), "hello\n");
    await expect(detectReplaySource(unknown)).rejects.toThrow(/x\.txt: line 1 is none of the formats/);
  });

  it("reads consecutive Binance collector files as one capture and reports a crossed rebuilt book with its file and line", async () => {
    const dir = freshDir();
    const day1 = writeText(
      join(dir, "btcusdt_20240808.gz"),
      [snapshot(T0, 10, "100.0", "100.5"), diff(T0 + 100, 9, 11, 8, '[["100.1","1"]]')].join("\n"),
    );
    writeText(
      join(dir, "btcusdt_20240809.gz"),
      [diff(T0 + 200, 12, 13, 11, '[["100.2","1"]]'), diff(T0 + 300, 14, 15, 13, '[["100.5","1"]]')].join(
        "\n",
      ),
    );
    const input = await openReplayInput(dir, {
      coin: "BTC",
      coinOf: () => "BTC",
      check: new BookCheck("skip"),
    });
    const events = await collect(input.events);
    expect(events.map((event) => (event.type === "book" ? event.bids[0]![0] : event.type))).toEqual([
      100, 100.1, 100.2,
    ]);
    expect(input.check.skipped).toEqual({ crossed: 0, locked: 1 });
    expect(input.decimalTick).toBe(true);
    const strict = await openReplayInput(dir, { coin: "BTC", coinOf: () => "BTC" });
    await expect(collect(strict.events)).rejects.toThrow(
      `${join(dir, "btcusdt_20240809.gz")}:2: locked book: best bid 100.5 = best ask 100.5`,
    );
    expect(day1).toContain("20240808");
  });

  it("reads Tardis trades and book files of a directory merged by time", async () => {
    const dir = freshDir();
    const us = T0 * 1000;
    writeText(
      join(dir, "binance-futures_trades_2024-01-01_BTCUSDT.csv.gz"),
      `exchange,symbol,timestamp,local_timestamp,id,side,price,amount\nbinance-futures,BTCUSDT,${us + 1500},${us + 2000},1,buy,100.5,0.1\n`,
    );
    writeText(
      join(dir, "binance-futures_book_snapshot_5_2024-01-01_BTCUSDT.csv.gz"),
      `exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount\nbinance-futures,BTCUSDT,${us},${us + 1000},100.5,1,100.0,2\nbinance-futures,BTCUSDT,${us + 2500},${us + 3000},100.6,1,100.1,2\n`,
    );
    const input = await openReplayInput(dir, { coin: "BTC", coinOf: (symbol) => symbol.replace("USDT", "") });
    expect(input.format).toBe("tardis");
    expect(
      (await collect(input.events)).map(
        (event) => `${event.type}@${event.type === "gap" ? 0 : event.lt - T0}`,
      ),
    ).toEqual(["book@1", "trades@2", "book@3"]);
  });

  it("reads one coin of a Hyperliquid CSV capture, trades de-duplicated and those before the first book dropped", async () => {
    const dir = freshDir();
    const s = T0 / 1000;
    writeText(
      join(dir, "orderbooks_BTC.csv.gz"),
      `timestamp,sequence,exchange_timestamp,bid_price_0,bid_size_0,ask_price_0,ask_size_0\n${s + 1},${T0 + 900},${T0 + 900},100.0,1,101.0,1\n${s + 3},${T0 + 2900},${T0 + 2900},100.0,1,101.0,1\n`,
    );
    writeText(
      join(dir, "trades_BTC.csv.gz"),
      `timestamp,price,size,side,trade_id,exchange_timestamp\n${s + 1},101.0,1,buy,1,${T0 - 5000}\n${s + 2},101.0,1,buy,2,${T0 + 1900}\n${s + 2},101.0,1,buy,2,${T0 + 1900}\n`,
    );
    const input = await openReplayInput(dir, { coin: "BTC" });
    expect((await collect(input.events)).map((event) => event.type)).toEqual(["book", "trades", "book"]);
    expect(input.notes()).toEqual([
      "trades: 1 duplicate rows (same id and time) and 1 trades from before the first book (the subscription replay) dropped",
    ]);
  });
});
