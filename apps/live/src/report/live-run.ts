import { type BacktestRun, type CandleColumns, type FillRecord, toCandleColumns } from "@botmm/backtest";
import { Inventory } from "@botmm/inventory";
import { PnlLedger } from "@botmm/strategy";
import {
  type JournalBar,
  type JournalData,
  type JournalFillRow,
  type JournalFundingRow,
  JournalReadError,
  type OrderCounts,
} from "./journal-reader.ts";

/**
 * What a journal cannot give: time mark-outs need the mid at each second after a fill and the journal keeps
 * 1-minute bars, and the strategy's σ, A, k are not journaled. NaN / "not journaled", never a guess.
 */
const NOT_JOURNALED: Pick<BacktestRun, "markoutsBps" | "calibration"> = {
  markoutsBps: { "1s": Number.NaN, "5s": Number.NaN, "30s": Number.NaN, "60s": Number.NaN },
  calibration: {
    sigmaBps: Number.NaN,
    intensityScalePerBar: Number.NaN,
    intensityDecayPerBps: Number.NaN,
    sigmaSource: "not journaled",
    intensitySource: "not journaled",
  },
};

/** A coin's journal turned into the backtest's run shape, plus what the report says about the journal's gaps. */
export interface LiveCoinRun {
  coin: string;
  /** The backtest's run shape: `computeMetrics`, `reportCharts` and the report helpers read it unchanged. */
  run: BacktestRun;
  /** The bars as candle columns (mid prices). */
  candles: CandleColumns;
  /** Fills without a journaled reference mid: their spread is measured from the close of the bar before. */
  fillsWithoutReferenceMid: number;
  /** Fills journaled after the coin's last bar (booked at that bar's close). */
  fillsAfterLastBar: number;
  /**
   * Where the coin's journal ends: the stop time when its last bar is partial (a clean stop journals the open
   * bar), else the last bar's start plus the bar length.
   */
  endMs: number;
  /** The first bar whose journaled position differs from the fills' position, in words, or null. */
  positionMismatch: string | null;
  /** Starts of the bars at whose close quoting was halted. */
  haltedStarts: number[];
}

// Positions are compared to this many base units (the venue's lot steps are far coarser).
const POSITION_TOLERANCE = 1e-9;

/**
 * Replays one coin's journaled bars, fills and funding through the strategy's {@link PnlLedger} (the one
 * definition of the split: each fill against its `reference_mid`, the position marked from bar close to bar
 * close) and returns a {@link BacktestRun}-shaped value. Fees are the venue's (the journal's `fee`), not the
 * configured rates, so the ledger books fills fee-free and the fees are summed beside it; `ledgerTotalUsd` is an
 * independent {@link Inventory} (realized + unrealized − fees + funding) fed the same fills and payments.
 * A fill belongs to the last bar starting at or before it (the first bar for earlier fills) and is marked at
 * that bar's close; bar `i`'s PnL counts as made while halted when quoting was halted at bar `i − 1`'s close.
 *
 * @example
 * ```ts
 * const live = buildCoinRun("BTC", data.bars.get("BTC")!, data.fills, data.funding, data.orders.get("BTC"));
 * live.run.pnl.totalUsd; // = spread + inventory − fees + funding
 * ```
 */
export function buildCoinRun(
  coin: string,
  bars: readonly JournalBar[],
  allFills: readonly JournalFillRow[],
  allFunding: readonly JournalFundingRow[],
  orders: OrderCounts = { placed: 0, modified: 0, cancelled: 0, rejected: 0 },
): LiveCoinRun {
  const n = bars.length;
  if (n === 0)
    throw new JournalReadError(`coin ${coin}: the journal has no closed bars for it, nothing to report`);
  const fills = allFills.filter((fill) => fill.coin === coin);
  const funding = allFunding.filter((payment) => payment.coin === coin);
  const candles = toColumns(bars);
  // Fees come from the venue: the ledger gets zero rates and the journal's fees are summed beside it.
  const ledger = new PnlLedger({ coin, maxPositionUsd: 1, makerFee: 0, takerFee: 0 });
  const check = new Inventory({ coin, maxPositionUsd: 1 });
  const checkFill = {
    clientId: null,
    venueOrderId: null,
    tradeId: "",
    coin,
    side: "buy" as JournalFillRow["side"],
    price: 0,
    size: 0,
    fee: 0,
    liquidity: "maker" as JournalFillRow["liquidity"],
    time: 0,
  };
  const equityUsd = new Float64Array(n);
  const positionUsd = new Float64Array(n);
  const spreadUsdByBar = new Float64Array(n);
  const feesUsdByBar = new Float64Array(n);
  const fundingUsdByBar = new Float64Array(n);
  const records: FillRecord[] = [];
  let feesUsd = 0;
  let fundingUsd = 0;
  let fillIndex = 0;
  let fundingIndex = 0;
  let fillsWithoutReferenceMid = 0;
  let positionMismatch: string | null = null;
  const positionAfterBar = new Float64Array(n);
  let haltedBars = 0;
  let halts = 0;
  let whileHaltedUsd = 0;
  let maxPositionWhileHaltedUsd = 0;
  let takerExits = 0;
  const filledOrders = new Set<string>();
  let ordersFilled = 0;

  for (let i = 0; i < n; i++) {
    const bar = bars[i]!;
    const close = bar.close;
    const nextStart = i + 1 < n ? bars[i + 1]!.start : Number.POSITIVE_INFINITY;
    if (i > 0) ledger.markHeld(bars[i - 1]!.close, close);
    while (fillIndex < fills.length && fills[fillIndex]!.time < nextStart) {
      const fill = fills[fillIndex++]!;
      let referenceMid = fill.referenceMid;
      if (referenceMid === null) {
        fillsWithoutReferenceMid++;
        referenceMid = i > 0 ? bars[i - 1]!.close : bar.open;
      }
      ledger.recordFill(fill.side, fill.price, fill.size, fill.liquidity, referenceMid, close, fill.time);
      checkFill.side = fill.side;
      checkFill.price = fill.price;
      checkFill.size = fill.size;
      checkFill.fee = fill.fee;
      checkFill.liquidity = fill.liquidity;
      checkFill.time = fill.time;
      check.applyFill(checkFill);
      feesUsd += fill.fee;
      if (fill.liquidity === "taker") takerExits++;
      if (fill.clientId === null) ordersFilled++;
      else if (!filledOrders.has(fill.clientId)) {
        filledOrders.add(fill.clientId);
        ordersFilled++;
      }
      records.push({
        timeMs: fill.time,
        barIndex: i,
        side: fill.side,
        price: fill.price,
        size: fill.size,
        feeUsd: fill.fee,
        liquidity: fill.liquidity,
        positionAfter: ledger.inventory.size,
        referenceMid,
      });
    }
    while (fundingIndex < funding.length && funding[fundingIndex]!.time < nextStart) {
      const payment = funding[fundingIndex++]!.payment;
      ledger.inventory.recordFundingPayment(payment);
      check.recordFundingPayment(payment);
      fundingUsd += payment;
    }
    const position = ledger.inventory.size;
    positionAfterBar[i] = position;
    const equity = ledger.spreadUsd + ledger.inventoryUsd - feesUsd + fundingUsd;
    equityUsd[i] = equity;
    positionUsd[i] = position * close;
    spreadUsdByBar[i] = ledger.spreadUsd;
    feesUsdByBar[i] = feesUsd;
    fundingUsdByBar[i] = fundingUsd;

    const haltedBefore = i > 0 && bars[i - 1]!.halted;
    if (haltedBefore) {
      whileHaltedUsd += equity - equityUsd[i - 1]!;
      maxPositionWhileHaltedUsd = Math.max(
        maxPositionWhileHaltedUsd,
        Math.abs(bars[i - 1]!.position * close),
      );
    }
    if (bar.halted) {
      haltedBars++;
      if (!haltedBefore) halts++;
      maxPositionWhileHaltedUsd = Math.max(maxPositionWhileHaltedUsd, Math.abs(position * close));
    }
  }
  // A fill reaches the bot after the venue's timestamp, and a bar is journaled when the next bar's first mid
  // arrives: the journaled position may lag or lead the fills by one bar without anything being wrong.
  for (let i = 0; i < n && positionMismatch === null; i++) {
    const journaled = bars[i]!.position;
    const tolerance = POSITION_TOLERANCE * Math.max(1, Math.abs(journaled));
    const near = [
      positionAfterBar[i - 1] ?? 0,
      positionAfterBar[i]!,
      positionAfterBar[i + 1] ?? positionAfterBar[i]!,
    ];
    if (near.every((position) => Math.abs(position - journaled) > tolerance)) {
      positionMismatch = `bar ${new Date(bars[i]!.start).toISOString()}: the journal says position ${journaled}, its fills add up to ${positionAfterBar[i]}`;
    }
  }
  // A partial last bar covers its whole interval here too: a fill's venue time may lead the bot's stop time.
  const lastBar = bars[n - 1]!;
  const fillsAfterLastBar = fills.filter((fill) => fill.time >= lastBar.start + intervalOf(bars)).length;
  const endMs = lastBar.endedAt ?? lastBar.start + intervalOf(bars);

  const lastClose = bars[n - 1]!.close;
  const spreadUsd = ledger.spreadUsd;
  const inventoryUsd = ledger.inventoryUsd;
  const run: BacktestRun = {
    ...barSeriesRun(records, { equityUsd, positionUsd, spreadUsdByBar, feesUsdByBar, fundingUsdByBar }),
    pnl: {
      totalUsd: spreadUsd + inventoryUsd - feesUsd + fundingUsd,
      spreadUsd,
      inventoryUsd,
      feesUsd,
      fundingUsd,
    },
    ledgerTotalUsd: check.totalPnlUsd(lastClose),
    finalPosition: ledger.inventory.size,
    // The journal does not say which quotes rested in which bar: no fill rate.
    quotedSideBars: 0,
    orders: {
      placed: orders.placed,
      modified: orders.modified,
      cancelled: orders.cancelled,
      rejectedPostOnly: orders.rejected,
    },
    takerExits,
    ordersFilled,
    fundingHoursMissing: 0,
    fundingHoursApplied: funding.length,
    warmupBars: 0,
    haltedBars,
    reduceOnlyBars: 0,
    halt: { halts, whileHaltedUsd, maxPositionWhileHaltedUsd },
    ...NOT_JOURNALED,
  };
  const haltedStarts = bars.filter((bar) => bar.halted).map((bar) => bar.start);
  return {
    coin,
    run,
    candles,
    fillsWithoutReferenceMid,
    fillsAfterLastBar,
    endMs,
    positionMismatch,
    haltedStarts,
  };
}

/**
 * The bar length of journaled bars: the smallest gap between two starts (60,000 ms when there is one bar).
 *
 * @example
 * ```ts
 * intervalOf(bars); // 60_000 for 1-minute bars
 * ```
 */
export function intervalOf(bars: readonly Pick<JournalBar, "start">[]): number {
  let interval = Number.POSITIVE_INFINITY;
  for (let i = 1; i < bars.length; i++) {
    const gap = bars[i]!.start - bars[i - 1]!.start;
    if (gap > 0 && gap < interval) interval = gap;
  }
  return Number.isFinite(interval) ? interval : 60_000;
}

type BarSeries = Pick<
  BacktestRun,
  "equityUsd" | "positionUsd" | "spreadUsdByBar" | "feesUsdByBar" | "fundingUsdByBar"
>;

/** The per-bar part of a run built from a journal: its series, and NaN quotes (the journal keeps no quotes). */
function barSeriesRun(
  fills: FillRecord[],
  series: BarSeries,
): BarSeries &
  Pick<BacktestRun, "bars" | "fills" | "restingBid" | "restingAsk" | "decidedBid" | "decidedAsk"> {
  const n = series.equityUsd.length;
  const nanSeries = () => new Float64Array(n).fill(Number.NaN);
  return {
    bars: n,
    fills,
    ...series,
    restingBid: nanSeries(),
    restingAsk: nanSeries(),
    decidedBid: nanSeries(),
    decidedAsk: nanSeries(),
  };
}

function toColumns(bars: readonly JournalBar[]): CandleColumns {
  return toCandleColumns(bars.map((bar) => ({ ...bar, openTime: bar.start })));
}

/**
 * Sums coin runs into one portfolio run on the union of their bar starts (each coin's series carried forward
 * over bars it lacks, zero before its first). Fills keep their coin's prices, so the portfolio's price chart
 * and its bar-based mark-outs have no meaning: the report takes mark-outs from the coins.
 *
 * @example
 * ```ts
 * const portfolio = sumCoinRuns([btc, eth]);
 * portfolio.run.pnl.totalUsd === btc.run.pnl.totalUsd + eth.run.pnl.totalUsd; // to float precision
 * ```
 */
export function sumCoinRuns(coins: readonly LiveCoinRun[]): { run: BacktestRun; openTime: Float64Array } {
  const starts = [...new Set(coins.flatMap((coin) => [...coin.candles.openTime]))].sort((a, b) => a - b);
  const n = starts.length;
  const indexOf = new Map(starts.map((start, i) => [start, i]));
  const equityUsd = new Float64Array(n);
  const positionUsd = new Float64Array(n);
  const spreadUsdByBar = new Float64Array(n);
  const feesUsdByBar = new Float64Array(n);
  const fundingUsdByBar = new Float64Array(n);
  const anyHalted = new Uint8Array(n);
  const fills: FillRecord[] = [];
  for (const coin of coins) {
    const run = coin.run;
    const times = coin.candles.openTime;
    let k = -1;
    for (let i = 0; i < n; i++) {
      while (k + 1 < run.bars && times[k + 1]! <= starts[i]!) k++;
      if (k < 0) continue;
      equityUsd[i] += run.equityUsd[k]!;
      positionUsd[i] += run.positionUsd[k]!;
      spreadUsdByBar[i] += run.spreadUsdByBar[k]!;
      feesUsdByBar[i] += run.feesUsdByBar[k]!;
      fundingUsdByBar[i] += run.fundingUsdByBar[k]!;
    }
    for (const fill of run.fills) fills.push({ ...fill, barIndex: indexOf.get(times[fill.barIndex]!)! });
  }
  fills.sort((a, b) => a.timeMs - b.timeMs);
  const sum = (pick: (run: BacktestRun) => number) =>
    coins.reduce((total, coin) => total + pick(coin.run), 0);
  let haltedBars = 0;
  let halts = 0;
  for (const coin of coins) {
    for (const start of coin.haltedStarts) anyHalted[indexOf.get(start)!] = 1;
  }
  for (let i = 0; i < n; i++) {
    if (anyHalted[i] === 1) {
      haltedBars++;
      if (i === 0 || anyHalted[i - 1] === 0) halts++;
    }
  }
  const run: BacktestRun = {
    ...barSeriesRun(fills, { equityUsd, positionUsd, spreadUsdByBar, feesUsdByBar, fundingUsdByBar }),
    pnl: {
      totalUsd: sum((run) => run.pnl.totalUsd),
      spreadUsd: sum((run) => run.pnl.spreadUsd),
      inventoryUsd: sum((run) => run.pnl.inventoryUsd),
      feesUsd: sum((run) => run.pnl.feesUsd),
      fundingUsd: sum((run) => run.pnl.fundingUsd),
    },
    ledgerTotalUsd: sum((run) => run.ledgerTotalUsd),
    finalPosition: Number.NaN,
    quotedSideBars: 0,
    orders: {
      placed: sum((run) => run.orders.placed),
      modified: sum((run) => run.orders.modified),
      cancelled: sum((run) => run.orders.cancelled),
      rejectedPostOnly: sum((run) => run.orders.rejectedPostOnly),
    },
    takerExits: sum((run) => run.takerExits),
    ordersFilled: sum((run) => run.ordersFilled),
    fundingHoursMissing: 0,
    fundingHoursApplied: sum((run) => run.fundingHoursApplied),
    warmupBars: 0,
    haltedBars,
    reduceOnlyBars: 0,
    halt: {
      halts,
      whileHaltedUsd: sum((run) => run.halt.whileHaltedUsd),
      maxPositionWhileHaltedUsd: coins.reduce(
        (max, coin) => max + coin.run.halt.maxPositionWhileHaltedUsd,
        0,
      ),
    },
    ...NOT_JOURNALED,
  };
  return { run, openTime: Float64Array.from(starts) };
}

/** The coins of a journal that have bars, in name order. */
export function journalCoins(data: Pick<JournalData, "bars">): string[] {
  return [...data.bars.keys()].sort();
}
