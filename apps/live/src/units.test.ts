import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Fill, Instrument, L2Book, SubscriptionRequest, Trade, Venue, VenueEvent } from "@botmm/core";
import { hyperliquidPerpInstrument, ManualClock } from "@botmm/core";
import { CoinKernel, parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { buildConfig, ConfigError, parseCli, parseDuration, redactedConfig } from "./config.ts";
import { Journal } from "./journal.ts";
import { restoreKernel, writeKernelState } from "./kernel-state.ts";
import { PaperVenue } from "./paper.ts";
import { CLIENT_ID_BLOCK, clientIdPrefix, firstClientIdOfBlock } from "./prefix.ts";
import { networkFor, scaleForSimSpeed } from "./run.ts";

describe("config", () => {
  it("layers defaults < file < env < flags and validates strategy and risk", () => {
    const config = buildConfig([
      { coins: ["btc", "eth"], strategy: { orderSizeUsd: 20 } },
      { mode: "paper" },
    ]);
    expect(config.mode).toBe("paper");
    expect(config.coins).toEqual(["BTC", "ETH"]);
    expect(config.strategy.orderSizeUsd).toBe(20);
    expect(config.strategy.makerFee).toBe(0.00015);
    expect(config.risk.maxPosition.limitUsd).toBe(2_000);
    expect(config.requoteIntervalMs).toBe(1_000);
  });

  it("names the field at fault", () => {
    expect(() => buildConfig([{ leverage: 0 }])).toThrow(/leverage/);
    expect(() => buildConfig([{ strategy: { levels: 0 } }])).toThrow(/strategy\.levels/);
    expect(() => buildConfig([{ risk: { staleData: { timeoutMs: -1 } } }])).toThrow(
      /risk\.staleData\.timeoutMs/,
    );
    expect(() => buildConfig([{ requoteIntervalMz: 5 }])).toThrow(/requoteIntervalMz: unknown setting/);
    expect(() => buildConfig([{ account: "0x12" }])).toThrow(/account/);
  });

  it("refuses mainnet without the confirmation and says why", () => {
    expect(() => buildConfig([{ mode: "mainnet" }])).toThrow(ConfigError);
    expect(() => buildConfig([{ mode: "mainnet" }])).toThrow(/REAL MONEY/);
    expect(buildConfig([{ mode: "mainnet", confirmRealMoney: true }]).mode).toBe("mainnet");
  });

  it("chooses paper mode's queue model by flag (risk-averse by default) and names a bad one", async () => {
    const paperConfig = async (argv: string[]) => {
      const request = await parseCli(argv, {});
      if (request.kind !== "run") throw new Error(`expected a run request, got ${request.kind}`);
      return request.config.paper;
    };
    expect((await paperConfig(["--paper"])).queueModel).toBe("risk-averse");
    expect(
      await paperConfig(["--paper", "--paper-queue-model", "probabilistic", "--paper-queue-power", "3"]),
    ).toMatchObject({ queueModel: "probabilistic", queuePower: 3 });
    await expect(parseCli(["--paper", "--paper-queue-model", "fifo"], {})).rejects.toThrow(
      /paper\.queueModel/,
    );
    await expect(parseCli(["--paper", "--paper-queue-power=0"], {})).rejects.toThrow(/paper\.queuePower/);
  });

  it("parses durations", () => {
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("30")).toBe(30_000);
    expect(parseDuration("0s")).toBeNull();
    expect(parseDuration("soon")).toBeNull();
    expect(buildConfig([{ duration: "2m" }]).durationMs).toBe(120_000);
  });

  it("redacts the key: only says whether one is set", () => {
    const key = `0x${"ab".repeat(32)}`;
    const text = JSON.stringify(
      redactedConfig(buildConfig([{ mode: "testnet" }]), { BOTMM_PRIVATE_KEY: key }),
    );
    expect(text).not.toContain("abab");
    expect(text).toContain("redacted");
  });

  it("points --api-url at any endpoint and stretches sim tolerances with speed", () => {
    expect(networkFor(buildConfig([{ mode: "testnet", apiUrl: "http://127.0.0.1:8787" }]))).toEqual({
      apiUrl: "http://127.0.0.1:8787",
      wsUrl: "ws://127.0.0.1:8787/ws",
      isTestnet: false,
    });
    expect(networkFor(buildConfig([{ mode: "testnet" }]))).toBe("testnet");
    const scaled = scaleForSimSpeed(buildConfig([{ sim: { speed: 60 } }]));
    expect(scaled.orderTimeoutMs).toBe(90_000);
    expect(scaled.risk.staleData.timeoutMs).toBe(30_000);
    expect(scaled.deadManSwitchMs).toBe(360_000);
  });
});

describe("client ids", () => {
  it("derives a stable 16-hex prefix from account and bot name", () => {
    const a = clientIdPrefix("0xAbCdEf0000000000000000000000000000000001", "botmm");
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(clientIdPrefix("0xabcdef0000000000000000000000000000000001", "botmm")).toBe(a);
    expect(clientIdPrefix("0xabcdef0000000000000000000000000000000001", "other")).not.toBe(a);
  });

  it("gives each coin a disjoint block of ids", () => {
    expect(firstClientIdOfBlock(0)).toBe(1);
    expect(firstClientIdOfBlock(2)).toBe(2 * CLIENT_ID_BLOCK + 1);
    expect(() => firstClientIdOfBlock(-1)).toThrow(RangeError);
  });
});

const fill = (tradeId: string, side: "buy" | "sell", size: number): Fill => ({
  clientId: "1",
  venueOrderId: "9",
  tradeId,
  coin: "BTC",
  side,
  price: 100,
  size,
  fee: 0.01,
  liquidity: "maker",
  time: 1_000,
});

describe("Journal", () => {
  it("journals a funding payment once, so a repeated event is not booked twice", () => {
    const journal = Journal.open(":memory:");
    journal.beginRun("sim", 0);
    const payment = { coin: "BTC", time: 3_600_000, rate: 0.0001, positionSize: 0.01, paymentUsd: -0.06 };
    expect(journal.recordFunding(payment)).toBe(true);
    expect(journal.recordFunding(payment)).toBe(false);
    expect(journal.recordFunding({ ...payment, time: 7_200_000 })).toBe(true);
    expect(journal.events().filter((event) => event.kind === "funding")).toHaveLength(2);
    journal.close();
  });

  it("journals intents and answers, dedupes fills and keeps state", () => {
    const journal = Journal.open(":memory:");
    expect(journal.beginRun("sim", 0)).toBe(0);
    journal.recordIntent("place", { clientId: "5", coin: "BTC", side: "buy", price: 100, size: 1 }, 1);
    expect(journal.liveOrders().map((order) => order.status)).toEqual(["pending"]);
    journal.recordOrderEvent("ack", "BTC", "5", 2);
    expect(journal.liveOrders()[0]?.status).toBe("open");
    expect(journal.recordFill(fill("t1", "buy", 1))).toBe(true);
    expect(journal.recordFill(fill("t1", "buy", 1))).toBe(false);
    journal.recordOrderEvent("closed", "BTC", "5", 3);
    expect(journal.liveOrders()).toEqual([]);
    expect(journal.fillCounts()).toEqual({ buy: 1, sell: 0 });
    expect(journal.maxClientId("BTC")).toBe(5);
    journal.setState("x", { a: 1 });
    expect(journal.getState("x")).toEqual({ a: 1 });
    expect(journal.beginRun("sim", 10)).toBe(1);
    expect(journal.runs()).toHaveLength(2);
    expect(journal.events().map((event) => event.kind)).toEqual(["place", "ack", "fill", "closed"]);
    journal.close();
  });

  it("upgrades an older journal with the fills' reference_mid and keeps closed bars for the live report", () => {
    const path = join(mkdtempSync(join(tmpdir(), "botmm-journal-")), "old.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE fills (
      trade_id TEXT PRIMARY KEY, run INTEGER NOT NULL, time INTEGER NOT NULL, coin TEXT NOT NULL,
      side TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL, fee REAL NOT NULL, liquidity TEXT NOT NULL,
      client_id TEXT)`);
    old.exec("INSERT INTO fills VALUES ('t0', 1, 500, 'BTC', 'sell', 101, 1, 0.01, 'maker', '3')");
    old.close();
    const journal = Journal.open(path);
    journal.beginRun("sim", 0);
    expect(journal.recordFill(fill("t1", "buy", 1))).toBe(true);
    journal.setFillReferenceMid("t1", 100.05);
    journal.recordBar(
      "BTC",
      { startMs: 0, open: 100, high: 101, low: 99, close: 100.5, volume: 0 },
      1,
      false,
    );
    journal.recordBar(
      "BTC",
      { startMs: 60_000, open: 100.5, high: 100.5, low: 98, close: 98, volume: 2 },
      1,
      true,
    );
    journal.close();
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      expect(db.prepare("SELECT trade_id, reference_mid FROM fills ORDER BY trade_id").all()).toEqual([
        { trade_id: "t0", reference_mid: null },
        { trade_id: "t1", reference_mid: 100.05 },
      ]);
      expect(db.prepare("SELECT * FROM bars ORDER BY start").all()).toEqual([
        {
          coin: "BTC",
          start: 0,
          open: 100,
          high: 101,
          low: 99,
          close: 100.5,
          volume: 0,
          position: 1,
          halted: 0,
          ended_at: null,
        },
        {
          coin: "BTC",
          start: 60_000,
          open: 100.5,
          high: 100.5,
          low: 98,
          close: 98,
          volume: 2,
          position: 1,
          halted: 1,
          ended_at: null,
        },
      ]);
    } finally {
      db.close();
    }
  });

  it("upgrades an older bars table with ended_at and keeps a stop's partial bar until a closed one replaces it", () => {
    const path = join(mkdtempSync(join(tmpdir(), "botmm-journal-")), "old-bars.sqlite");
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE bars (
      coin TEXT NOT NULL, start INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
      close REAL NOT NULL, volume REAL NOT NULL, position REAL NOT NULL, halted INTEGER NOT NULL,
      PRIMARY KEY (coin, start))`);
    old.exec("INSERT INTO bars VALUES ('BTC', 0, 100, 100, 100, 100, 0, 0, 0)");
    old.close();
    const bar = { startMs: 60_000, open: 100, high: 101, low: 99, close: 100.5, volume: 0 };
    const rows = () => {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        return db.prepare("SELECT start, close, ended_at FROM bars ORDER BY start").all();
      } finally {
        db.close();
      }
    };
    const journal = Journal.open(path);
    journal.beginRun("sim", 0);
    journal.recordBar("BTC", bar, 0, false, 75_000);
    journal.close();
    expect(rows()).toEqual([
      { start: 0, close: 100, ended_at: null },
      { start: 60_000, close: 100.5, ended_at: 75_000 },
    ]);
    const restarted = Journal.open(path);
    restarted.beginRun("sim", 80_000);
    restarted.recordBar("BTC", { ...bar, close: 101 }, 0, false);
    restarted.close();
    expect(rows()).toEqual([
      { start: 0, close: 100, ended_at: null },
      { start: 60_000, close: 101, ended_at: null },
    ]);
  });
});

describe("kernel state in the journal", () => {
  const btc = hyperliquidPerpInstrument({ coin: "BTC", assetId: 0, szDecimals: 5, maxLeverage: 40 });
  const strategy = parseStrategyConfig({ volatilityWarmupBars: 2 });

  it("restarts with the same position, PnL split and last mark, so the first mid marks the downtime", () => {
    const journal = Journal.open(":memory:");
    const before = new CoinKernel(strategy, btc);
    before.mark(60_000);
    before.bookFill(0, "buy", 59_990, 0.01, "maker", 0, 60_000, 0.09);
    before.mark(60_100);
    journal.transaction(() => writeKernelState(journal, before));
    const after = restoreKernel(journal, strategy, btc, 1_000_000);
    expect(after.positionSize).toBe(0.01);
    expect(after.markPrice).toBe(60_100);
    expect(after.orders.nextClientId).toBe(1_000_000);
    after.mark(60_300);
    before.mark(60_300);
    expect(after.pnl()).toEqual(before.pnl());
    journal.close();
  });

  it("continues a journal that kept only the spread: the total is the position ledger's own", () => {
    const journal = Journal.open(":memory:");
    const before = new CoinKernel(strategy, btc);
    before.mark(60_000);
    before.bookFill(0, "sell", 60_020, 0.01, "maker", 0, 60_000, 0.09);
    journal.setState("inventory:BTC", before.ledger.inventory.toJSON());
    journal.setState("pnl:BTC", { spreadUsd: before.ledger.spreadUsd });
    const after = restoreKernel(journal, strategy, btc, 1_000_000);
    expect(after.pnl().spreadUsd).toBeCloseTo(0.2, 9);
    after.mark(59_900);
    expect(after.pnl().totalUsd).toBeCloseTo(after.ledger.inventory.totalPnlUsd(59_900), 9);
    journal.close();
  });
});

class FakeMarket implements Venue {
  readonly name = "fake";
  listener: ((event: VenueEvent) => void) | null = null;
  async instruments(): Promise<Instrument[]> {
    return [];
  }
  async placeOrders() {
    return [];
  }
  async modifyOrders() {
    return [];
  }
  async cancelOrders() {
    return [];
  }
  async openOrders() {
    return [];
  }
  async position(coin: string) {
    return { coin, size: 0, entryPrice: 0 };
  }
  async subscribe(_request: SubscriptionRequest, listener: (event: VenueEvent) => void) {
    this.listener = listener;
    return async () => {};
  }
  book(book: L2Book) {
    this.listener?.({ type: "book", book, receivedAt: 0 });
  }
  trade(trade: Omit<Trade, "coin" | "time" | "id">) {
    this.listener?.({ type: "trades", trades: [{ ...trade, coin: "BTC", time: 5, id: "x" }], receivedAt: 0 });
  }
}

describe("PaperVenue (queue rule)", () => {
  it("rejects crossing post-only orders and fills only after the size ahead is traded", async () => {
    const market = new FakeMarket();
    const paper = new PaperVenue({ market, clock: new ManualClock(0), makerFee: 0.00015, capitalUsd: 1_000 });
    const events: VenueEvent[] = [];
    await paper.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, (event) =>
      events.push(event),
    );
    market.book({ coin: "BTC", time: 0, bids: [{ price: 99, size: 2 }], asks: [{ price: 101, size: 1 }] });
    const order = {
      coin: "BTC",
      side: "buy" as const,
      size: 1,
      timeInForce: "alo" as const,
      reduceOnly: false,
    };
    const [crossing] = await paper.placeOrders([{ ...order, clientId: "1", price: 101 }]);
    expect(crossing?.status).toBe("rejected");
    const [resting] = await paper.placeOrders([{ ...order, clientId: "2", price: 99 }]);
    expect(resting?.status).toBe("open");
    market.trade({ side: "sell", price: 99, size: 1.5 }); // eats 1.5 of the 2 ahead
    expect(events.filter((event) => event.type === "fill")).toHaveLength(0);
    market.trade({ side: "buy", price: 99, size: 5 }); // a buyer does not hit bids
    market.trade({ side: "sell", price: 99, size: 0.8 }); // 0.5 ahead left, 0.3 fills us
    let fills = events.filter((event) => event.type === "fill");
    expect(fills).toHaveLength(1);
    expect(fills[0]?.type === "fill" && fills[0].fill.size).toBeCloseTo(0.3, 9);
    market.trade({ side: "sell", price: 98, size: 3 }); // through the price: the rest fills
    fills = events.filter((event) => event.type === "fill");
    expect(fills).toHaveLength(2);
    expect((await paper.position("BTC")).size).toBeCloseTo(1, 9);
    expect(await paper.openOrders()).toEqual([]);
    expect(await paper.accountValue()).toBeCloseTo(1_000 + (100 - 99) - 0.00015 * 99, 9); // marked at mid 100, minus the fee
  });

  // The replay backtester's rules (OrderQueue), beyond what trades alone did in the old paper rule.
  const setup = async (options: Partial<ConstructorParameters<typeof PaperVenue>[0]> = {}) => {
    const market = new FakeMarket();
    const paper = new PaperVenue({
      market,
      clock: new ManualClock(0),
      makerFee: 0,
      capitalUsd: 1_000,
      ...options,
    });
    const events: VenueEvent[] = [];
    await paper.subscribe({ coins: ["BTC"], book: "l2", trades: false, account: true }, (event) =>
      events.push(event),
    );
    const fills = () => events.flatMap((event) => (event.type === "fill" ? [event.fill] : []));
    market.book({ coin: "BTC", time: 0, bids: [{ price: 99, size: 2 }], asks: [{ price: 101, size: 1 }] });
    const place = (clientId: string, side: "buy" | "sell", price: number, size = 1) =>
      paper.placeOrders([
        { coin: "BTC", clientId, side, price, size, timeInForce: "alo", reduceOnly: false },
      ]);
    return { market, paper, events, fills, place };
  };

  it("caps the quantity ahead at the level's size on each book", async () => {
    const { market, fills, place } = await setup();
    await place("1", "buy", 99); // 2 ahead
    market.book({ coin: "BTC", time: 1, bids: [{ price: 99, size: 0.5 }], asks: [{ price: 101, size: 1 }] });
    market.trade({ side: "sell", price: 99, size: 0.8 }); // 0.5 ahead, 0.3 fills
    expect(fills().map((fill) => fill.size)).toEqual([expect.closeTo(0.3, 9)]);
  });

  it("fills an order fully when a book's opposite best reaches its price", async () => {
    const { market, paper, events, fills, place } = await setup();
    await place("1", "sell", 101);
    market.book({ coin: "BTC", time: 7, bids: [{ price: 101, size: 3 }], asks: [{ price: 102, size: 1 }] });
    expect(fills()).toMatchObject([{ clientId: "1", side: "sell", price: 101, size: 1, time: 7 }]);
    // The book comes first, then the fill it caused (as the replay books it: in the bar the book opens).
    expect(events.slice(-3).map((event) => event.type)).toEqual(["book", "fill", "order"]);
    expect(await paper.openOrders()).toEqual([]);
  });

  it("shares a trade's size among the orders it goes through, best priced first", async () => {
    const { market, fills, place } = await setup();
    await place("1", "buy", 98.5);
    await place("2", "buy", 99);
    market.trade({ side: "sell", price: 98, size: 1.5 });
    expect(fills().map((fill) => [fill.clientId, fill.size])).toEqual([
      ["2", 1],
      ["1", 0.5],
    ]);
  });

  it("lets the options choose the probabilistic queue model", async () => {
    const { market, fills, place } = await setup({ queueModel: { type: "probabilistic", power: 2 } });
    await place("1", "buy", 99); // 2 ahead, none behind
    market.book({ coin: "BTC", time: 1, bids: [{ price: 99, size: 4 }], asks: [{ price: 101, size: 1 }] });
    // 2 ahead, 2 behind; 2 cancelled: half estimated ahead → 1 ahead (risk-averse would keep 2).
    market.book({ coin: "BTC", time: 2, bids: [{ price: 99, size: 2 }], asks: [{ price: 101, size: 1 }] });
    market.trade({ side: "sell", price: 99, size: 1.5 });
    expect(fills().map((fill) => fill.size)).toEqual([expect.closeTo(0.5, 9)]);
  });

  it("forgets the queue place of cancelled and modified orders", async () => {
    const { market, paper, fills, place } = await setup();
    await place("1", "buy", 99);
    await paper.modifyOrders([
      {
        coin: "BTC",
        clientId: "1",
        newClientId: "2",
        side: "buy",
        price: 98,
        size: 1,
        timeInForce: "alo",
        reduceOnly: false,
      },
    ]);
    await paper.cancelOrders([{ coin: "BTC", clientId: "2" }]);
    market.trade({ side: "sell", price: 97, size: 5 });
    expect(fills()).toEqual([]);
  });
});
