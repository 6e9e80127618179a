import { describe, expect, it } from "vitest";
import { TardisCsvDecoder, tardisDataset } from "./tardis.ts";
import { plainEvents } from "./test-support.ts";
import type { MarketEvent } from "./types.ts";

const US = Date.UTC(2024, 7, 8) * 1000;
const decode = (lines: string[], file = "f.csv.gz") => {
  const decoder = new TardisCsvDecoder({ file, coinOf: (symbol) => symbol.replace(/USDT$/, "") });
  const events: MarketEvent[] = [];
  lines.forEach((text, i) => {
    decoder.decode(text, i + 1, events);
  });
  decoder.finish(events);
  return { decoder, events };
};
const ms = (us: number) => (US + us) / 1000;

describe("Tardis CSV", () => {
  it("tells the dataset from the header", () => {
    expect(tardisDataset("exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount")).toBe(
      "incremental_book_L2",
    );
    expect(tardisDataset("exchange,symbol,timestamp,local_timestamp,id,side,price,amount")).toBe("trades");
    expect(
      tardisDataset(
        "exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount",
      ),
    ).toBe("book_snapshot");
    expect(tardisDataset("timestamp,price")).toBeNull();
  });

  it("rebuilds incremental_book_L2 one book per message, and a re-snapshot is a gap", () => {
    const row = (us: number, snapshot: boolean, side: string, price: string, amount: string) =>
      `binance-futures,BTCUSDT,${US + us - 5},${US + us},${snapshot},${side},${price},${amount}`;
    const { decoder, events } = decode([
      "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount",
      row(0, true, "bid", "100.0", "1"),
      row(0, true, "bid", "99.9", "2"),
      row(0, true, "ask", "100.1", "3"),
      row(1000, false, "bid", "100.0", "0"),
      row(1000, false, "ask", "100.2", "1"),
      row(2000, false, "bid", "100.05", "4"),
      row(9000, true, "bid", "101.0", "1"),
      row(9000, true, "ask", "101.1", "1"),
    ]);
    expect(plainEvents(events)).toEqual([
      {
        type: "book",
        coin: "BTC",
        t: ms(-5),
        lt: ms(0),
        bids: [
          [100, 1, 0],
          [99.9, 2, 0],
        ],
        asks: [[100.1, 3, 0]],
      },
      {
        type: "book",
        coin: "BTC",
        t: ms(995),
        lt: ms(1000),
        bids: [[99.9, 2, 0]],
        asks: [
          [100.1, 3, 0],
          [100.2, 1, 0],
        ],
      },
      {
        type: "book",
        coin: "BTC",
        t: ms(1995),
        lt: ms(2000),
        bids: [
          [100.05, 4, 0],
          [99.9, 2, 0],
        ],
        asks: [
          [100.1, 3, 0],
          [100.2, 1, 0],
        ],
      },
      {
        type: "gap",
        coin: "BTC",
        from: ms(2000),
        to: ms(9000),
        reason: "line 8: Tardis re-snapshotted the book (its exchange connection was re-established)",
      },
      { type: "book", coin: "BTC", t: ms(8995), lt: ms(9000), bids: [[101, 1, 0]], asks: [[101.1, 1, 0]] },
    ]);
    expect(decoder.counts).toMatchObject({ books: 4, resnapshots: 1 });
    expect(decoder.lastBookLines).toEqual([8, 9]);
  });

  it("reads book_snapshot_N rows at their own depth and trades with the aggressor's side", () => {
    const { events } = decode([
      "exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount",
      `binance,BTCUSDT,${US},${US + 10},100.1,1,100.0,2,100.2,3,,`,
    ]);
    expect(plainEvents(events)).toEqual([
      {
        type: "book",
        coin: "BTC",
        t: ms(0),
        lt: ms(10),
        bids: [[100, 2, 0]],
        asks: [
          [100.1, 1, 0],
          [100.2, 3, 0],
        ],
      },
    ]);
    const trades = decode([
      "exchange,symbol,timestamp,local_timestamp,id,side,price,amount",
      `binance,BTCUSDT,${US},${US + 10},42,sell,100.0,0.5`,
      `binance,BTCUSDT,${US},${US + 20},43,unknown,100.0,0.5`,
    ]);
    expect(trades.events).toEqual([
      {
        type: "trades",
        coin: "BTC",
        lt: ms(10),
        trades: [{ t: ms(0), px: 100, sz: 0.5, side: "A", tid: "42" }],
      },
    ]);
    expect(trades.decoder.counts.tradesUnknownSide).toBe(1);
  });

  it("names the file and line of what it cannot read", () => {
    expect(() => decode(["timestamp,price"])).toThrow("f.csv.gz:1: not a Tardis CSV header");
    expect(() =>
      decode(["exchange,symbol,timestamp,local_timestamp,id,side,price,amount", "binance,BTCUSDT,1,2,3"]),
    ).toThrow("f.csv.gz:2: expected 8 comma-separated cells");
    expect(() =>
      decode([
        "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount",
        `binance,BTCUSDT,${US},${US},true,middle,1,1`,
      ]),
    ).toThrow('f.csv.gz:2: side must be bid or ask, got "middle"');
  });
});
