import { describe, expect, it } from "vitest";
import {
  HyperliquidCsvBookDecoder,
  HyperliquidCsvTradeDecoder,
  hyperliquidCsvKind,
} from "./hyperliquid-csv.ts";
import type { MarketEvent } from "./types.ts";

const BOOK_HEADER =
  "timestamp,sequence,exchange_timestamp,bid_price_0,bid_size_0,ask_price_0,ask_size_0,bid_price_1,bid_size_1,ask_price_1,ask_size_1";
const TRADE_HEADER = "timestamp,price,size,side,trade_id,exchange_timestamp";

describe("Hyperliquid snapshot-plus-trades CSV", () => {
  it("tells the two files apart by their header", () => {
    expect(hyperliquidCsvKind(BOOK_HEADER)).toBe("orderbooks");
    expect(hyperliquidCsvKind(TRADE_HEADER)).toBe("trades");
    expect(hyperliquidCsvKind("a,b")).toBeNull();
  });

  it("reads each book row as a full snapshot, local time from seconds", () => {
    const decoder = new HyperliquidCsvBookDecoder({ file: "orderbooks_BTC.csv.gz", coin: "BTC" });
    const out: MarketEvent[] = [];
    [
      BOOK_HEADER,
      "1757015216.673878,1757015216253,1757015216253,109755.0,3.2,109756.0,15.1,109754.0,0.5,,",
    ].forEach((text, i) => {
      decoder.decode(text, i + 1, out);
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({
      type: "book",
      coin: "BTC",
      t: 1757015216253,
      bids: [
        [109755, 3.2, 0],
        [109754, 0.5, 0],
      ],
      asks: [[109756, 15.1, 0]],
    });
    expect((out[0] as { lt: number }).lt).toBeCloseTo(1757015216673.878, 3);
    expect(() => decoder.decode("1,2", 3, out)).toThrow("orderbooks_BTC.csv.gz:3: expected 11 cells");
  });

  it("batches a message's trades, drops repeated ids and trades from before the first book", () => {
    const decoder = new HyperliquidCsvTradeDecoder({ file: "trades_BTC.csv", coin: "BTC", firstBookT: 1000 });
    const out: MarketEvent[] = [];
    [
      TRADE_HEADER,
      "1.5,100.0,1,buy,7,990", // the subscription replay: before the first book
      "2.0,100.0,1,sell,8,1500",
      "2.0,100.1,2,buy,9,1500",
      "2.0,100.1,2,buy,9,1500", // repeated
      "3.0,100.2,1,buy,10,2500",
    ].forEach((text, i) => {
      decoder.decode(text, i + 1, out);
    });
    decoder.finish(out);
    expect(out).toEqual([
      {
        type: "trades",
        coin: "BTC",
        lt: 2000,
        trades: [
          { t: 1500, px: 100, sz: 1, side: "A", tid: "8" },
          { t: 1500, px: 100.1, sz: 2, side: "B", tid: "9" },
        ],
      },
      {
        type: "trades",
        coin: "BTC",
        lt: 3000,
        trades: [{ t: 2500, px: 100.2, sz: 1, side: "B", tid: "10" }],
      },
    ]);
    expect(decoder.counts).toEqual({ trades: 3, duplicates: 1, beforeFirstBook: 1 });
    expect(() => decoder.decode("4.0,100,1,hold,11,3000", 7, out)).toThrow(
      "trades_BTC.csv:7: side must be buy or sell",
    );
  });
});
