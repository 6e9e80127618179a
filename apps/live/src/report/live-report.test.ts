import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "@botmm/core";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Bot } from "../bot.ts";
import { Journal } from "../journal.ts";
import { PaperVenue } from "../paper.ts";
import {
  fastConfig,
  memoryLogger,
  SCRIPT_INSTRUMENT,
  ScriptedMarket,
  scriptedMarketEvents,
  toVenueEvent,
} from "../test-support.ts";
import { JournalReadError, readJournal } from "./journal-reader.ts";
import { buildLiveReport, formatLiveSummary, renderLiveHtmlReport } from "./live-report.ts";
import { type TestBar, type TestFill, type TestFunding, writeTestJournal } from "./test-journal.ts";

const T0 = Date.parse("2026-01-01T00:00:00Z");
const MIN = 60_000;
const OPTIONS = { capitalUsd: 10_000, onHalt: "flatten" as const };
const SEED = 20261206;

const tempJournal = (): string => join(mkdtempSync(join(tmpdir(), "botmm-live-report-")), "journal.sqlite");

// Four 1-minute bars of BTC: a maker buy 0.1 under its reference mid, a funding payment, a halt at the third
// close, and a taker sell that flattens in the halted bar. Worked by hand:
//   spread    = (100 − 99.9) + (101.5 − 101.4)                         = 0.2
//   inventory = (101 − 100) + (102 − 101) + (100 − 102) + (101.4 − 100) = 1.4
//   total     = 0.2 + 1.4 − 0.05 fees − 0.05 funding                   = 1.5 = 101.5 − 99.9 − 0.05 − 0.05
const BARS: TestBar[] = [
  { coin: "BTC", start: T0, close: 100, position: 0 },
  { coin: "BTC", start: T0 + MIN, close: 101, position: 1 },
  { coin: "BTC", start: T0 + 2 * MIN, close: 102, position: 1, halted: true },
  { coin: "BTC", start: T0 + 3 * MIN, close: 100, position: 0 },
];
const FILLS: TestFill[] = [
  {
    tradeId: "t1",
    time: T0 + MIN + 10_000,
    coin: "BTC",
    side: "buy",
    price: 99.9,
    size: 1,
    fee: 0.01,
    referenceMid: 100,
  },
  {
    tradeId: "t2",
    time: T0 + 3 * MIN + 10_000,
    coin: "BTC",
    side: "sell",
    price: 101.5,
    size: 1,
    fee: 0.04,
    liquidity: "taker",
    referenceMid: 101.4,
  },
];
const FUNDING: TestFunding[] = [
  { coin: "BTC", time: T0 + 2 * MIN + 10_000, payment: -0.05, rate: 0.0005, position: 1 },
];

describe("the live report of a hand-built journal", () => {
  const path = tempJournal();
  writeTestJournal(path, {
    bars: BARS,
    fills: FILLS,
    funding: FUNDING,
    events: [
      { kind: "place", coin: "BTC", time: T0 },
      { kind: "place", coin: "BTC", time: T0 + MIN },
      { kind: "cancel", coin: "BTC", time: T0 + MIN },
    ],
  });
  const result = buildLiveReport(readJournal(path), OPTIONS);
  const report = result.report;

  it("splits the PnL with the ledger's definition, and the split adds up to the position ledger's total", () => {
    expect(report.pnl.spread).toBeCloseTo(0.2, 10);
    expect(report.pnl.inventory).toBeCloseTo(1.4, 10);
    expect(report.pnl.fees).toBeCloseTo(0.05, 10);
    expect(report.pnl.funding).toBeCloseTo(-0.05, 10);
    expect(report.pnl.total).toBeCloseTo(1.5, 10);
    expect(report.pnl.total).toBeCloseTo(
      report.pnl.spread + report.pnl.inventory - report.pnl.fees + report.pnl.funding,
      10,
    );
    expect(report.ledgerTotal).toBeCloseTo(1.5, 10);
    expect(report.warnings).toEqual([]);
  });

  it("counts the halt, the PnL made while halted and the position carried", () => {
    expect(report.halted).toEqual({ bars: 1, share: 0.25, halts: 1, maxPositionUsd: 102, onHalt: "flatten" });
    // The bar after the halted close: 1.5 − 2.04.
    expect(report.pnl.whileHalted).toBeCloseTo(-0.54, 10);
  });

  it("gives the backtest's metrics: drawdown, daily PnL, fills, volume and mark-outs", () => {
    expect(report.maxDrawdownUsd).toBeCloseTo(0.54, 10);
    expect(report.daily).toHaveLength(1);
    expect(report.daily[0]!.date).toBe("2026-01-01");
    expect(report.daily[0]!.pnl).toBeCloseTo(1.5, 10);
    expect(report.sharpe).toBeNull();
    expect(report.fills).toEqual({ buy: 1, sell: 1, maker: 1, taker: 1 });
    expect(report.ordersFilled).toBe(2);
    expect(report.takerExits).toBe(1);
    expect(report.volumeUsd).toBeCloseTo(201.4, 10);
    expect(report.finalPositionUsd).toBe(0);
    expect(report.orders).toEqual({ placed: 2, modified: 0, cancelled: 1, rejectedPostOnly: 0 });
    // One bar after the buy the mid closed at 102: +2.1 on 99.9; the sell has no later bar.
    expect(report.markouts.bars).toEqual([1, 5, 15]);
    expect(report.markouts.buyBps[0]).toBeCloseTo((2.1 / 99.9) * 10_000, 8);
    expect(report.markouts.sellBps[0]).toBeNull();
  });

  it("writes JSON with the backtest's field names", () => {
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json.pnl as object).sort()).toEqual(
      ["fees", "funding", "inventory", "spread", "total", "whileHalted"].sort(),
    );
    expect(Object.keys(json.halted as object)).toEqual(expect.arrayContaining(["bars", "share"]));
    for (const field of [
      "fills",
      "volumeUsd",
      "markouts",
      "sharpe",
      "sortino",
      "maxDrawdownUsd",
      "daily",
      "returnOverDrawdown",
      "dailyMeanReturnOnCapital",
    ]) {
      expect(json).toHaveProperty(field);
    }
    expect(json.kind).toBe("live");
    expect(json.banner).toMatch(/SIMULATED VENUE/);
    expect((json.data as { bars: number; interval: string }).bars).toBe(4);
    expect((json.data as { interval: string }).interval).toBe("1m");
    expect(Object.keys(json.coins as object)).toEqual(["BTC"]);
  });

  it("prints the split and the halt (25% halted: no warning beside the ratios, it needs more than a quarter)", () => {
    const summary = formatLiveSummary(report);
    expect(summary).toContain("BotMM live run report — BTC (sim)");
    expect(summary).toContain("= spread     $0.20");
    expect(summary).toContain("+ inventory  $1.40");
    expect(summary).toContain("while halted −$0.54");
    expect(summary).toContain("halted       1 halt, 1 bars (25.0% of the run)");
    expect(summary).not.toContain("⚠");
  });

  it("renders the backtest's HTML page with its five charts", () => {
    const html = renderLiveHtmlReport(result);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>BotMM live run report — BTC</title>");
    expect(html.match(/<svg/g)).toHaveLength(5);
    for (const title of [
      "BTC mid (bar close) and fills",
      "Equity and its split",
      "Drawdown from peak",
      "Daily PnL",
    ]) {
      expect(html).toContain(title);
    }
  });
});

describe("journals the report cannot fully read", () => {
  it("a journal without bars is an error naming the file and the missing table", () => {
    const path = tempJournal();
    writeTestJournal(path, { bars: BARS, fills: FILLS, funding: [], legacy: { noBars: true } });
    expect(() => readJournal(path)).toThrow(JournalReadError);
    expect(() => readJournal(path)).toThrow(
      new RegExp(`journal ${path.replace(/[.\\/]/g, "\\$&")}: no bars table`),
    );
  });

  it("a file that is not a journal, or no file, is an error naming it", () => {
    expect(() => readJournal("/nonexistent/journal.sqlite")).toThrow(
      "journal /nonexistent/journal.sqlite: no such file",
    );
  });

  it("fills without reference_mid: spread from the bar close before, a warning, and the same total", () => {
    const path = tempJournal();
    writeTestJournal(path, { bars: BARS, fills: FILLS, funding: FUNDING, legacy: { noReferenceMid: true } });
    const { report } = buildLiveReport(readJournal(path), OPTIONS);
    // The buy against the close before it (100): +0.1; the sell at 101.5 against 102: −0.5.
    expect(report.pnl.spread).toBeCloseTo(0.1 - 0.5, 10);
    expect(report.pnl.total).toBeCloseTo(1.5, 10);
    expect(report.warnings.join("\n")).toMatch(/no reference_mid column.*approximate/);
  });

  it("a position that the fills do not explain is named in a warning", () => {
    const path = tempJournal();
    writeTestJournal(path, {
      bars: BARS.map((bar, i) => (i === 2 ? { ...bar, position: 2 } : bar)),
      fills: FILLS,
      funding: [],
    });
    const { report } = buildLiveReport(readJournal(path), OPTIONS);
    expect(report.warnings).toEqual([
      "BTC: bar 2026-01-01T00:02:00.000Z: the journal says position 2, its fills add up to 1",
    ]);
  });
});

describe("a run that stopped inside a bar", () => {
  // Two closed bars and the bar a clean stop journaled up to 00:02:15; a buy in bar 1 and one in the partial bar.
  const STOP = T0 + 2 * MIN + 15_000;
  const STOPPED_BARS: TestBar[] = [
    { coin: "BTC", start: T0, close: 100, position: 0 },
    { coin: "BTC", start: T0 + MIN, close: 101, position: 1 },
    { coin: "BTC", start: T0 + 2 * MIN, close: 103, position: 2, endedAt: STOP },
  ];
  const buy = (tradeId: string, time: number, price: number, referenceMid: number): TestFill => ({
    tradeId,
    time,
    coin: "BTC",
    side: "buy",
    price,
    size: 1,
    fee: 0,
    referenceMid,
  });
  const STOPPED_FILLS = [
    buy("b1", T0 + MIN + 5_000, 100.9, 101),
    buy("b2", T0 + 2 * MIN + 10_000, 102.9, 103),
  ];
  const reportOf = (bars: TestBar[], legacy?: { noBarEnd?: boolean }) => {
    const path = tempJournal();
    writeTestJournal(path, { bars, fills: STOPPED_FILLS, funding: [], ...(legacy ? { legacy } : {}) });
    return buildLiveReport(readJournal(path), OPTIONS).report;
  };

  it("marks the fills before the stop at the stop's mid, with no warning, and ends the period at the stop", () => {
    const report = reportOf(STOPPED_BARS);
    expect(report.warnings).toEqual([]);
    // spread 0.1 + 0.1; inventory: one held from 101 to 103 = 2; total = (103 − 100.9) + (103 − 102.9).
    expect(report.pnl.spread).toBeCloseTo(0.2, 10);
    expect(report.pnl.inventory).toBeCloseTo(2, 10);
    expect(report.pnl.total).toBeCloseTo(2.2, 10);
    expect(report.data.bars).toBe(3);
    expect(report.data.end).toBe(new Date(STOP).toISOString());
    expect(formatLiveSummary(report)).toContain(`→ ${new Date(STOP).toISOString()} (3 1m bars`);
    expect(renderLiveHtmlReport(reportResult(STOPPED_BARS)).match(/<svg/g)).toHaveLength(5);
  });

  it("marks out no fill over the partial bar's shorter horizon", () => {
    // b1's one-bar horizon ends in the partial bar, b2 has no later bar.
    expect(reportOf(STOPPED_BARS).markouts.buyBps[0]).toBeNull();
    // Had that bar closed at 103, b1 would be marked out there.
    const closed = STOPPED_BARS.map(({ endedAt: _, ...bar }) => bar);
    expect(reportOf(closed).markouts.buyBps[0]).toBeCloseTo((2.1 / 100.9) * 10_000, 8);
  });

  it("warns about the fills after the last bar when the stop's bar is missing (a killed bot)", () => {
    expect(reportOf(STOPPED_BARS.slice(0, 2)).warnings).toContain(
      "BTC: 1 fill(s) after the last journaled bar (a bot killed mid-bar, or one older than the stop's partial bar), marked at that bar's close",
    );
  });

  it("reads the bars of an older bot's journal (no ended_at column) as closed bars", () => {
    const report = reportOf(STOPPED_BARS, { noBarEnd: true });
    expect(report.warnings).toEqual([]);
    expect(report.data.end).toBe(new Date(T0 + 3 * MIN).toISOString());
  });

  function reportResult(bars: TestBar[]) {
    const path = tempJournal();
    writeTestJournal(path, { bars, fills: STOPPED_FILLS, funding: [] });
    return buildLiveReport(readJournal(path), OPTIONS);
  }
});

describe("a paper bot stopped cleanly inside a bar", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  // The conformance test's set-up: 1-minute bars, quotes from the third minute, a seeded script of books and
  // trades that fills both sides; the bot's loop runs once after every book, on a manual clock.
  const config = fastConfig({
    mode: "paper",
    barIntervalMs: MIN,
    requoteIntervalMs: 1_000,
    reconcileIntervalMs: 3_600_000,
    orderTimeoutMs: 3_600_000,
    strategy: {
      volatilityWarmupBars: 2,
      baseSpreadBps: 0.5,
      refreshToleranceBps: 0.5,
      maxPositionUsd: 5_000,
    },
    risk: { maxPosition: { limitUsd: 10_000 }, requestBudget: { pacingEnabled: false } },
  });

  it(`journals the open bar up to the stop, so the report marks the last fills at the stop's mid (seed ${SEED})`, async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const clock = new ManualClock(T0 - 1_000);
    const market = new ScriptedMarket([SCRIPT_INSTRUMENT]);
    const venue = new PaperVenue({ market, clock, makerFee: 0.00015, capitalUsd: 10_000 });
    const path = tempJournal();
    const journal = Journal.open(path);
    const logger = memoryLogger("warn").logger;
    const bot = new Bot({
      venue,
      clock,
      config,
      journal,
      logger,
      fallbackEquityUsd: 10_000,
      loopIntervalMs: 20,
    });
    await bot.start();
    for (const event of scriptedMarketEvents({ seed: SEED, startMs: T0, minutes: 3.5 })) {
      const venueEvent = toVenueEvent(event, clock);
      if (venueEvent === null || event.type === "gap") continue;
      clock.set(event.lt);
      market.emit(venueEvent);
      if (event.type !== "book") continue;
      vi.advanceTimersByTime(20);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    vi.useRealTimers();
    const stopAt = T0 + 3 * MIN + 30_000;
    clock.set(stopAt);
    await bot.stop("test");
    journal.close();

    const data = readJournal(path);
    const last = data.bars.get("BTC")!.at(-1)!;
    expect(last.start).toBe(T0 + 3 * MIN);
    expect(last.endedAt).toBe(stopAt);
    // The script fills the bot in the minute it stopped in: without that bar they would be after the last one.
    expect(data.fills.filter((fill) => fill.time >= last.start).length, `seed ${SEED}`).toBeGreaterThan(0);
    const { report } = buildLiveReport(data, OPTIONS);
    expect(report.warnings, `seed ${SEED}`).toEqual([]);
    expect(report.fills.buy + report.fills.sell).toBe(data.fills.length);
    expect(report.data.end).toBe(new Date(stopAt).toISOString());
  }, 60_000);
});

describe("several coins", () => {
  it("sums the coins into the headline figures and charts each coin", () => {
    const path = tempJournal();
    const eth = (bar: TestBar): TestBar => ({
      ...bar,
      coin: "ETH",
      close: bar.close * 30,
      position: -bar.position,
    });
    writeTestJournal(path, {
      bars: [...BARS, ...BARS.slice(1).map(eth)],
      fills: [
        ...FILLS,
        {
          tradeId: "e1",
          time: T0 + 2 * MIN + 5_000,
          coin: "ETH",
          side: "sell",
          price: 3_031,
          size: 1,
          fee: 0.3,
          referenceMid: 3_030,
        },
        {
          tradeId: "e2",
          time: T0 + 3 * MIN + 5_000,
          coin: "ETH",
          side: "buy",
          price: 3_000,
          size: 1,
          fee: 0.3,
          referenceMid: 3_000,
        },
      ],
      funding: FUNDING,
    });
    const result = buildLiveReport(readJournal(path), OPTIONS);
    const { report } = result;
    const btc = report.coins.BTC!;
    const ethFigures = report.coins.ETH!;
    expect(report.data.coins).toEqual(["BTC", "ETH"]);
    // ETH: short 1 from 3,031, bought back at 3,000, fees 0.6.
    expect(ethFigures.pnl.total).toBeCloseTo(31 - 0.6, 8);
    expect(report.pnl.total).toBeCloseTo(btc.pnl.total + ethFigures.pnl.total, 8);
    expect(report.pnl.spread).toBeCloseTo(btc.pnl.spread + ethFigures.pnl.spread, 8);
    expect(report.fills.buy).toBe(2);
    expect(report.daily[0]!.pnl).toBeCloseTo(report.pnl.total, 8);
    // The sum's equity, inventory, drawdown and daily PnL, then five charts per coin.
    const html = renderLiveHtmlReport(result);
    expect(html.match(/<svg/g)).toHaveLength(4 + 2 * 5);
    expect(html).toContain("ETH — Equity and its split");
    expect(html).toContain("ETH mid (bar close) and fills");
    expect(formatLiveSummary(report)).toContain("pnl (all coins)");
  });
});

describe("the split on random journals", () => {
  it("always adds up to the position ledger's total (seeded)", () => {
    const bar = fc.record({ move: fc.double({ min: -0.02, max: 0.02, noNaN: true }), halted: fc.boolean() });
    const fill = fc.record({
      bar: fc.nat({ max: 39 }),
      buy: fc.boolean(),
      size: fc.double({ min: 0.001, max: 3, noNaN: true }),
      offset: fc.double({ min: -0.003, max: 0.003, noNaN: true }),
      fee: fc.double({ min: -0.01, max: 0.05, noNaN: true }),
      hasReferenceMid: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(bar, { minLength: 40, maxLength: 40 }),
        fc.array(fill, { maxLength: 25 }),
        fc.array(
          fc.record({ bar: fc.nat({ max: 39 }), payment: fc.double({ min: -1, max: 1, noNaN: true }) }),
          {
            maxLength: 4,
          },
        ),
        (moves, fills, payments) => {
          let close = 100;
          const bars = moves.map((move, i): TestBar => {
            close *= 1 + move.move;
            return { coin: "BTC", start: T0 + i * MIN, close, position: 0, halted: move.halted };
          });
          const sorted = [...fills].sort((a, b) => a.bar - b.bar);
          let position = 0;
          const rows = sorted.map((f, i): TestFill => {
            const mid = bars[Math.max(0, f.bar - 1)]!.close;
            position += f.buy ? f.size : -f.size;
            bars[f.bar]!.position = position;
            return {
              tradeId: `t${i}`,
              time: bars[f.bar]!.start + 1_000 + i,
              coin: "BTC",
              side: f.buy ? "buy" : "sell",
              price: mid * (1 + f.offset),
              size: f.size,
              fee: f.fee,
              referenceMid: f.hasReferenceMid ? mid : null,
            };
          });
          // Positions carry forward over bars without fills.
          let carried = 0;
          for (const b of bars) {
            if (rows.some((row) => row.time >= b.start && row.time < b.start + MIN)) carried = b.position;
            b.position = carried;
          }
          const path = tempJournal();
          writeTestJournal(path, {
            bars,
            fills: rows,
            funding: payments.map((p, i) => ({
              coin: "BTC",
              time: bars[p.bar]!.start + 2_000 + i,
              payment: p.payment,
            })),
          });
          const { report } = buildLiveReport(readJournal(path), OPTIONS);
          const split = report.pnl;
          expect(split.spread + split.inventory - split.fees + split.funding).toBeCloseTo(split.total, 6);
          expect(report.ledgerTotal).toBeCloseTo(split.total, 6);
          expect(report.warnings.filter((w) => w.includes("says position"))).toEqual([]);
          expect(report.halted.bars).toBe(moves.filter((move) => move.halted).length);
        },
      ),
      { seed: SEED, numRuns: 25 },
    );
  });
});
