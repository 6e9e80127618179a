// A screen's outputs: the ranked table, one JSON object per coin, one CSV row per coin, the HTML page.
import {
  type CoinScreen,
  type QuotedSpreadSummary,
  renderHourHeatmap,
  renderReportPage,
  SCREEN_SCORE_DESCRIPTIONS,
  type ScreenScore,
  screenScore,
} from "@botmm/backtest";
import type { CoinBacktest } from "./coin-backtest.ts";

/** One screened coin: the candle screen, its backtest and (with recordings) its quoted spread. */
export interface ScreenRow extends CoinScreen {
  backtest: CoinBacktest | null;
  backtestPnlUsdPerDay: number | null;
  quoted: QuotedSpreadSummary | null;
  szDecimals: number;
  szDecimalsInferred: boolean;
  /** Trades at least --min-volume-usd a day: ranked with the others (false: listed after them). */
  ranked: boolean;
}

/** What the outputs say about the run. */
export interface ScreenContext {
  source: string;
  interval: string;
  feeTier: string;
  makerFee: number;
  takerFee: number;
  rankBy: ScreenScore;
  minVolumeUsd: number;
  fundingSource: string | null;
}

const num = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
const pct = (value: number | null): string => (value === null ? "—" : `${Math.round(value * 100)}%`);
const compactUsd = (value: number): string =>
  value >= 1e9
    ? `${(value / 1e9).toFixed(1)}B`
    : value >= 1e6
      ? `${(value / 1e6).toFixed(1)}M`
      : value >= 1e3
        ? `${(value / 1e3).toFixed(0)}k`
        : value.toFixed(0);

/** The header lines: the input, the fees, the score. */
export function screenHeader(rows: readonly ScreenRow[], context: ScreenContext): string[] {
  const first = rows.length === 0 ? null : Math.min(...rows.map((row) => row.startMs));
  const days = rows.length === 0 ? 0 : Math.max(...rows.map((row) => row.days));
  const roundTrip = 2 * context.makerFee * 10_000;
  return [
    `BotMM screen — ${rows.length} coins, ${context.interval} candles over ${days.toFixed(1)} days (${context.source})${first === null ? "" : `, from ${new Date(first).toISOString().slice(0, 16)}Z`}`,
    `fees ${context.feeTier}: maker ${(context.makerFee * 100).toFixed(4)}%, taker ${(context.takerFee * 100).toFixed(4)}% → a maker round trip costs ${roundTrip.toFixed(2)} bps`,
    `ranked by ${context.rankBy}: ${SCREEN_SCORE_DESCRIPTIONS[context.rankBy]}${context.minVolumeUsd > 0 ? `; coins under $${compactUsd(context.minVolumeUsd)}/day listed last` : ""}`,
    "spreads are estimates from candles (Corwin–Schultz 2012 CS, Abdi–Ranaldo 2017 AR), not quotes; paying hrs: share of clock hours whose estimate beats the fee",
  ];
}

/** The ranked table, `top` rows. */
export function screenTable(rows: readonly ScreenRow[], context: ScreenContext, top: number): string {
  const withQuotes = rows.some((row) => row.quoted !== null);
  const header = [
    "#",
    "coin",
    "score",
    "CS bps",
    "AR bps",
    "edge bps",
    "paying hrs",
    "vol/day",
    "volume $/day",
    "funding/yr",
    "backtest $/day",
    "fills",
    ...(withQuotes ? ["quoted p50 bps", "quoted pays", "touch $"] : []),
  ];
  const body = rows
    .slice(0, top)
    .map((row, i) => [
      `${i + 1}${row.ranked ? "" : "*"}`,
      row.coin,
      num(screenScore(row, context.rankBy), context.rankBy === "paying-hours" ? 2 : 2),
      num(row.csBps),
      num(row.arBps),
      num(row.edgeBps),
      pct(row.payingHoursShare),
      row.volatilityDailyPct === null ? "—" : `${row.volatilityDailyPct.toFixed(1)}%`,
      compactUsd(row.volumeUsdPerDay),
      row.fundingAnnualisedPct === null ? "—" : `${row.fundingAnnualisedPct.toFixed(1)}%`,
      row.backtest === null ? "—" : num(row.backtest.pnlUsdPerDay),
      row.backtest === null ? "—" : String(row.backtest.fills),
      ...(withQuotes
        ? row.quoted === null
          ? ["—", "—", "—"]
          : [
              num(row.quoted.spreadBps.p50),
              pct(row.quoted.payingShare),
              compactUsd(row.quoted.touchDepthUsd.p50),
            ]
        : []),
    ]);
  const widths = header.map((title, c) => Math.max(title.length, ...body.map((cells) => cells[c]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  const notes = rows.some((row) => !row.ranked) ? ["* under --min-volume-usd: ranked after the others"] : [];
  return [line(header), ...body.map(line), ...notes].join("\n");
}

/** One JSON object per coin, best first. */
export function screenJson(rows: readonly ScreenRow[], context: ScreenContext): string {
  const objects = rows.map((row, i) => ({
    rank: i + 1,
    coin: row.coin,
    score: screenScore(row, context.rankBy),
    scoreName: context.rankBy,
    ranked: row.ranked,
    feeTier: context.feeTier,
    roundTripFeeBps: row.roundTripFeeBps,
    spreadBps: row.spreadBps,
    csBps: row.csBps,
    arBps: row.arBps,
    pairs: row.pairs,
    edgeBps: row.edgeBps,
    payingHoursShare: row.payingHoursShare,
    hoursCounted: row.hoursCounted,
    volatilityDailyPct: row.volatilityDailyPct,
    volumeUsdPerDay: row.volumeUsdPerDay,
    funding: {
      meanPerHour: row.fundingMeanPerHour,
      annualisedPct: row.fundingAnnualisedPct,
      points: row.fundingPoints,
    },
    backtest: row.backtest,
    quoted: row.quoted,
    bars: row.bars,
    days: row.days,
    start: new Date(row.startMs).toISOString(),
    end: new Date(row.endMs).toISOString(),
    szDecimals: row.szDecimals,
    szDecimalsInferred: row.szDecimalsInferred,
    byHour: row.byHour,
  }));
  return `${JSON.stringify(objects, null, 2)}\n`;
}

const CSV_COLUMNS: readonly [string, (row: ScreenRow, context: ScreenContext) => unknown][] = [
  ["coin", (row) => row.coin],
  ["score", (row, context) => screenScore(row, context.rankBy)],
  ["ranked", (row) => row.ranked],
  ["spread_bps", (row) => row.spreadBps],
  ["cs_bps", (row) => row.csBps],
  ["ar_bps", (row) => row.arBps],
  ["edge_bps", (row) => row.edgeBps],
  ["round_trip_fee_bps", (row) => row.roundTripFeeBps],
  ["paying_hours_share", (row) => row.payingHoursShare],
  ["volatility_daily_pct", (row) => row.volatilityDailyPct],
  ["volume_usd_per_day", (row) => row.volumeUsdPerDay],
  ["funding_mean_per_hour", (row) => row.fundingMeanPerHour],
  ["funding_annualised_pct", (row) => row.fundingAnnualisedPct],
  ["backtest_pnl_usd", (row) => row.backtest?.pnlUsd],
  ["backtest_pnl_usd_per_day", (row) => row.backtest?.pnlUsdPerDay],
  ["backtest_fills", (row) => row.backtest?.fills],
  ["backtest_max_drawdown_usd", (row) => row.backtest?.maxDrawdownUsd],
  ["quoted_spread_p50_bps", (row) => row.quoted?.spreadBps.p50],
  ["quoted_paying_share", (row) => row.quoted?.payingShare],
  ["touch_depth_usd_p50", (row) => row.quoted?.touchDepthUsd.p50],
  ["bars", (row) => row.bars],
  ["days", (row) => row.days],
  ["sz_decimals", (row) => row.szDecimals],
  ...Array.from({ length: 24 }, (_, hour): [string, (row: ScreenRow) => unknown] => [
    `spread_bps_h${String(hour).padStart(2, "0")}`,
    (row) => row.byHour[hour]?.spreadBps,
  ]),
];

/** One CSV row per coin, best first (empty cells where a value is missing). */
export function screenCsv(rows: readonly ScreenRow[], context: ScreenContext): string {
  const cell = (value: unknown) =>
    value === null || value === undefined || (typeof value === "number" && !Number.isFinite(value))
      ? ""
      : String(value);
  return `${[
    CSV_COLUMNS.map(([name]) => name).join(","),
    ...rows.map((row) => CSV_COLUMNS.map(([, get]) => cell(get(row, context))).join(",")),
  ].join("\n")}\n`;
}

/** The HTML page: the header and table, and the coin × hour heatmap of the estimated spread against the fee. */
export function screenHtml(rows: readonly ScreenRow[], context: ScreenContext, summary: string): string {
  const roundTrip = 2 * context.makerFee * 10_000;
  const heatmap = renderHourHeatmap({
    title: `Estimated spread by hour of day (UTC), bps — green above the ${roundTrip.toFixed(2)} bps round trip, red below`,
    pivot: roundTrip,
    unit: "bps",
    rows: rows.map((row) => ({ label: row.coin, values: row.byHour.map((hour) => hour.spreadBps) })),
  });
  return renderReportPage(`BotMM screen — ${context.source}`, null, summary, [heatmap]);
}
