import {
  type BacktestMetrics,
  type CandleColumns,
  computeMetrics,
  type HaltedFields,
  haltedFields,
  haltLines,
  haltWarning,
  type Markouts,
  type PerformanceFields,
  type PnlSplit,
  performanceFields,
  pnlSplit,
  ratiosLine,
  renderReportPage,
  reportCharts,
} from "@botmm/backtest";
import type { StrategyConfig } from "@botmm/strategy";
import { type JournalBar, type JournalData, JournalReadError } from "./journal-reader.ts";
import { buildCoinRun, intervalOf, journalCoins, type LiveCoinRun, sumCoinRuns } from "./live-run.ts";

/** The figures of one coin (or of the sum of coins) in the backtest's field names. */
export interface LiveReportFigures extends Omit<PerformanceFields, "fillRate"> {
  pnl: PnlSplit;
  halted: HaltedFields;
  /** The independent position ledger's total (realized + unrealized − fees + funding); equals `pnl.total`. */
  ledgerTotal: number;
  fills: BacktestMetrics["fills"];
  /** Orders with at least one fill (`fills` counts each partial fill). */
  ordersFilled: number;
  /** Always null: the journal does not record which quotes rested in which bar. */
  fillRate: null;
  finalPositionUsd: number;
  markouts: Markouts;
  orders: { placed: number; modified: number; cancelled: number; rejectedPostOnly: number };
  takerExits: number;
}

/** The JSON report of a live run (`--json`): the backtest's field names, summed over coins, plus each coin. */
export interface LiveReport extends LiveReportFigures {
  kind: "live";
  banner: string | null;
  data: {
    journal: string;
    modes: string[];
    runs: number;
    coins: string[];
    start: string;
    end: string;
    bars: number;
    interval: string;
  };
  assumptions: {
    capitalUsd: number;
    spread: string;
    inventory: string;
    fees: string;
    funding: string;
    onHalt: StrategyConfig["onHalt"];
  };
  coins: Record<string, LiveReportFigures>;
  warnings: string[];
}

/** What the report needs besides the journal. */
export interface LiveReportOptions {
  /** Capital the returns are measured against (USD). */
  capitalUsd: number;
  /** What the bot did with the position on a halt (the journal does not say). */
  onHalt: StrategyConfig["onHalt"];
}

/** A built live report with the runs its charts are drawn from. */
export interface LiveReportResult {
  report: LiveReport;
  coins: LiveCoinRun[];
  portfolio: { run: LiveCoinRun["run"]; openTime: Float64Array; metrics: BacktestMetrics } | null;
}

const BANNERS: Record<string, string> = {
  sim: "SIMULATED VENUE — a --sim run against the in-process emulator, not a market result.",
  paper: "PAPER — fills simulated against live market data, not executed.",
  testnet: "TESTNET — Hyperliquid testnet prices and fills, not a mainnet result.",
};

// A cent: the ledger and the split are summed in different orders.
const LEDGER_TOLERANCE_USD = 0.01;

/**
 * Builds the live report of a journal: per coin, the journaled bars, fills and funding go through the
 * strategy's PnL ledger into the backtest's run shape, and the backtest's `computeMetrics` gives drawdown,
 * daily PnL, Sharpe and mark-outs; with several coins the headline figures are their sum. Warnings name what
 * the journal could not support (fills without a reference mid, positions that do not match the fills,
 * a ledger total that differs from the split).
 *
 * @example
 * ```ts
 * const { report } = buildLiveReport(readJournal("journal.sqlite"), { capitalUsd: 10_000, onHalt: "flatten" });
 * report.pnl.total; // = spread + inventory − fees + funding
 * ```
 */
export function buildLiveReport(data: JournalData, options: LiveReportOptions): LiveReportResult {
  const names = journalCoins(data);
  if (names.length === 0) {
    throw new JournalReadError(
      `journal ${data.path}: the bars table is empty — the bot closed no bar, nothing to report`,
    );
  }
  const warnings: string[] = [];
  if (!data.hasReferenceMid) {
    warnings.push(
      "the journal's fills have no reference_mid column (an older bot): spread is measured from the close of the bar before each fill, so the spread / inventory split is approximate (the total is not)",
    );
  }
  const coins = names.map((coin) =>
    buildCoinRun(coin, data.bars.get(coin)!, data.fills, data.funding, data.orders.get(coin)),
  );
  const figures: Record<string, LiveReportFigures> = {};
  const strategy = { onHalt: options.onHalt };
  for (const coin of coins) {
    const metrics = computeMetrics(coin.run, markoutCandles(coin.candles, data.bars.get(coin.coin)!));
    const lastClose = coin.candles.close[coin.candles.length - 1]!;
    figures[coin.coin] = reportFigures(
      coin.run,
      metrics,
      coin.run.finalPosition * lastClose,
      options,
      strategy,
    );
    if (data.hasReferenceMid && coin.fillsWithoutReferenceMid > 0) {
      warnings.push(
        `${coin.coin}: ${coin.fillsWithoutReferenceMid} fill(s) without a reference mid (orphans of an earlier run or exits): their spread is measured from the bar close before them`,
      );
    }
    if (coin.fillsAfterLastBar > 0) {
      warnings.push(
        `${coin.coin}: ${coin.fillsAfterLastBar} fill(s) after the last journaled bar (a bot killed mid-bar, or one older than the stop's partial bar), marked at that bar's close`,
      );
    }
    if (coin.positionMismatch !== null) warnings.push(`${coin.coin}: ${coin.positionMismatch}`);
    if (Math.abs(coin.run.ledgerTotalUsd - coin.run.pnl.totalUsd) > LEDGER_TOLERANCE_USD) {
      warnings.push(
        `${coin.coin}: the split's total ${coin.run.pnl.totalUsd.toFixed(4)} differs from the position ledger's ${coin.run.ledgerTotalUsd.toFixed(4)}`,
      );
    }
  }

  let headline: LiveReportFigures;
  let portfolio: LiveReportResult["portfolio"] = null;
  let openTime: ArrayLike<number>;
  if (coins.length === 1) {
    headline = figures[coins[0]!.coin]!;
    openTime = coins[0]!.candles.openTime;
  } else {
    const summed = sumCoinRuns(coins);
    // computeMetrics reads closes only for mark-outs, which are taken from the coins below.
    const columns = {
      length: summed.run.bars,
      openTime: summed.openTime,
      open: new Float64Array(summed.run.bars),
      high: new Float64Array(summed.run.bars),
      low: new Float64Array(summed.run.bars),
      close: new Float64Array(summed.run.bars),
      volume: new Float64Array(summed.run.bars),
    };
    const metrics = computeMetrics(summed.run, columns);
    metrics.markouts = combineMarkouts(coins.map((coin) => figures[coin.coin]!));
    const finalPositionUsd = coins.reduce((total, coin) => total + figures[coin.coin]!.finalPositionUsd, 0);
    headline = reportFigures(summed.run, metrics, finalPositionUsd, options, strategy);
    portfolio = { run: summed.run, openTime: summed.openTime, metrics };
    openTime = summed.openTime;
  }
  const interval = intervalOf(coins[0] ? [...coins[0].candles.openTime].map((start) => ({ start })) : []);
  const modes = [...new Set(data.runs.map((run) => run.mode))];
  const report: LiveReport = {
    kind: "live",
    banner: bannerFor(modes),
    data: {
      journal: data.path,
      modes,
      runs: data.runs.length,
      coins: names,
      start: new Date(openTime[0]!).toISOString(),
      end: new Date(Math.max(...coins.map((coin) => coin.endMs))).toISOString(),
      bars: openTime.length,
      interval: formatInterval(interval),
    },
    assumptions: {
      capitalUsd: options.capitalUsd,
      spread: "each fill against the mid its order was priced from (the journal's reference_mid)",
      inventory: "the position marked at the mid from bar close to bar close",
      fees: "as the venue charged them (the journal's fills)",
      funding: "payments as the venue booked them (the journal's funding table)",
      onHalt: options.onHalt,
    },
    ...headline,
    coins: figures,
    warnings,
  };
  return { report, coins, portfolio };
}

/**
 * The candles the bar mark-outs read: a partial bar (the open bar a clean stop journaled) gets a NaN close, so
 * no fill is marked out over a horizon that ended early (the metrics read closes only for mark-outs).
 */
function markoutCandles(candles: CandleColumns, bars: readonly JournalBar[]): CandleColumns {
  if (bars.every((bar) => bar.endedAt === null)) return candles;
  const close = Float64Array.from(candles.close);
  bars.forEach((bar, i) => {
    if (bar.endedAt !== null) close[i] = Number.NaN;
  });
  return { ...candles, close };
}

function reportFigures(
  run: LiveCoinRun["run"],
  metrics: BacktestMetrics,
  finalPositionUsd: number,
  options: LiveReportOptions,
  strategy: Pick<StrategyConfig, "onHalt">,
): LiveReportFigures {
  return {
    pnl: pnlSplit(run),
    halted: haltedFields(run, run.bars, strategy),
    ledgerTotal: run.ledgerTotalUsd,
    fills: metrics.fills,
    ordersFilled: run.ordersFilled,
    ...performanceFields(metrics, options.capitalUsd),
    fillRate: null,
    finalPositionUsd,
    markouts: metrics.markouts,
    orders: run.orders,
    takerExits: run.takerExits,
  };
}

/** Coins' mark-outs summed (USD) and averaged (bps) weighted by each coin's traded volume. */
function combineMarkouts(coins: readonly LiveReportFigures[]): Markouts {
  const first = coins[0]!.markouts;
  const weighted = (pick: (markouts: Markouts) => (number | null)[], index: number): number | null => {
    let sum = 0;
    let weight = 0;
    for (const coin of coins) {
      const value = pick(coin.markouts)[index];
      if (value === null || value === undefined) continue;
      sum += value * coin.volumeUsd;
      weight += coin.volumeUsd;
    }
    return weight > 0 ? sum / weight : null;
  };
  return {
    bars: [...first.bars],
    buyBps: first.bars.map((_, i) => weighted((m) => m.buyBps, i)),
    sellBps: first.bars.map((_, i) => weighted((m) => m.sellBps, i)),
    allBps: first.bars.map((_, i) => weighted((m) => m.allBps, i)),
    totalUsd: first.bars.map((_, i) => coins.reduce((total, coin) => total + coin.markouts.totalUsd[i]!, 0)),
  };
}

function bannerFor(modes: readonly string[]): string | null {
  const banners = modes.map((mode) => BANNERS[mode]).filter((banner) => banner !== undefined);
  return banners.length > 0 ? [...new Set(banners)].join(" ") : null;
}

function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

const usd = (value: number): string => {
  const sign = value < 0 ? "−" : "";
  return `${sign}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
};
const bps = (value: number | null): string =>
  value === null ? "n/a" : `${value >= 0 ? "+" : ""}${value.toFixed(2)} bps`;
const fixed = (value: number | null): string => (value === null ? "n/a" : value.toFixed(2));

function figureLines(figures: LiveReportFigures, indent: string): string[] {
  return [
    `${indent}total        ${usd(figures.pnl.total)}   (position ledger ${usd(figures.ledgerTotal)})`,
    `${indent}= spread     ${usd(figures.pnl.spread)}   (fills vs the mid they were priced from)`,
    `${indent}+ inventory  ${usd(figures.pnl.inventory)}   (mark-to-market of the position, bar close to bar close)`,
    `${indent}− fees       ${usd(figures.pnl.fees)}`,
    `${indent}+ funding    ${usd(figures.pnl.funding)}`,
    ...haltLines(figures.halted, figures.pnl).map((line) => `${indent}${line.slice(2)}`),
    `${indent}fills        ${figures.fills.buy} buys, ${figures.fills.sell} sells (${figures.fills.taker} taker) from ${figures.ordersFilled} orders; volume ${usd(figures.volumeUsd)}`,
    `${indent}inventory    max |inventory| ${usd(figures.maxAbsInventoryUsd)}; final position ${usd(figures.finalPositionUsd)}`,
    `${indent}mark-outs    ${figures.markouts.bars.map((bars, i) => `${bars} bar${bars === 1 ? "" : "s"} ${bps(figures.markouts.allBps[i] ?? null)}`).join(", ")} (negative = adverse selection)`,
  ];
}

/**
 * The terminal summary of a live report: the journal, the PnL split (summed and per coin), activity, risk
 * and return, and the warnings.
 *
 * @example
 * ```ts
 * console.log(formatLiveSummary(report));
 * ```
 */
export function formatLiveSummary(report: LiveReport): string {
  const d = report.data;
  const lines: string[] = [];
  if (report.banner !== null) lines.push(`!!! ${report.banner} !!!`, "");
  lines.push(
    `BotMM live run report — ${d.coins.join(", ")} (${d.modes.join(", ")})`,
    `  period       ${d.start} → ${d.end} (${d.bars.toLocaleString("en-US")} ${d.interval} bars, ${report.daily.length} days, ${d.runs} run${d.runs === 1 ? "" : "s"})`,
    `  journal      ${d.journal}`,
    `  fees         ${report.assumptions.fees}; funding ${report.assumptions.funding}`,
    d.coins.length > 1 ? "pnl (all coins)" : "pnl",
    ...figureLines(report, "  "),
    `  orders       ${report.orders.placed} placed, ${report.orders.modified} modified, ${report.orders.cancelled} cancelled, ${report.orders.rejectedPostOnly} rejected`,
  );
  if (d.coins.length > 1) {
    for (const coin of d.coins) lines.push(coin, ...figureLines(report.coins[coin]!, "  "));
  }
  lines.push(
    "risk and return",
    ratiosLine(report) + haltWarning(report.halted),
    `  max drawdown ${usd(report.maxDrawdownUsd)}; return / drawdown ${fixed(report.returnOverDrawdown)}${haltWarning(report.halted)}`,
    `  best day ${report.bestDay ? `${report.bestDay.date} ${usd(report.bestDay.pnl)}` : "n/a"}; worst day ${report.worstDay ? `${report.worstDay.date} ${usd(report.worstDay.pnl)}` : "n/a"}; ${report.daysWon} days up, ${report.daysLost} down`,
    `  daily PnL    mean ${usd(report.dailyMeanPnl)}, median ${usd(report.dailyMedianPnl)} on ${usd(report.assumptions.capitalUsd)} of capital (${(report.dailyMeanReturnOnCapital * 100).toFixed(3)}%/day mean)`,
  );
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.banner !== null) lines.push("", `!!! ${report.banner} !!!`);
  return lines.join("\n");
}

/**
 * The live report as a self-contained HTML page (the backtest's page): the summary, then per coin the mid with
 * fills, equity and its split, inventory, drawdown and daily PnL; with several coins the summed equity,
 * inventory, drawdown and daily PnL come first.
 *
 * @example
 * ```ts
 * writeFileSync("live.html", renderLiveHtmlReport(buildLiveReport(data, options)));
 * ```
 */
export function renderLiveHtmlReport(result: LiveReportResult): string {
  const { report } = result;
  const charts: string[] = [];
  if (result.portfolio !== null) {
    const { run, openTime } = result.portfolio;
    // The first chart is a price chart, which a sum of coins does not have.
    charts.push(...reportCharts(run, openTime, new Float64Array(run.bars), "", report.daily).slice(1));
  }
  const several = result.coins.length > 1;
  for (const coin of result.coins) {
    const svgs = reportCharts(
      coin.run,
      coin.candles.openTime,
      coin.candles.close,
      `${coin.coin} mid (bar close) and fills`,
      report.coins[coin.coin]!.daily,
    );
    // With several coins each chart says whose it is (the price chart already does).
    charts.push(
      ...svgs.map((svg, i) =>
        several && i > 0 ? svg.replace('class="title">', `class="title">${coin.coin} — `) : svg,
      ),
    );
  }
  return renderReportPage(
    `BotMM live run report — ${report.data.coins.join(", ")}`,
    report.banner,
    formatLiveSummary(report),
    charts,
  );
}
