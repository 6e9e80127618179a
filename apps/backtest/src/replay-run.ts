import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type BookEvent,
  buildReplayReport,
  buildReport,
  computeMetrics,
  type FundingSchedule,
  fillsCsv,
  formatReplaySummary,
  type MarketEvent,
  type PnlSplit,
  priceDecimals,
  type ReplayReport,
  type ReplayRun,
  renderReplayHtmlReport,
  runCandleBacktest,
  runReplayBacktest,
  subbarMarkoutBps,
} from "@botmm/backtest";
import { BotmmError, type Instrument } from "@botmm/core";
import { RequestBudget } from "@botmm/risk";
import { defaultCacheDir, loadCandles, mapSymbol } from "./data/index.ts";
import { loadFundingFile } from "./funding-file.ts";
import { backtestInstrument } from "./instrument.ts";
import type { BacktestCliOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";
import { BookCheck } from "./recordings/book-check.ts";
import { openReplayInput, type ReplayInput } from "./recordings/source.ts";
import { REPLAY_VENUE_PRESETS, recordingVenue, venueFees } from "./replay-venue.ts";
import type { CliIo } from "./run.ts";

/** Events read before the first book of the coin; past this the data is taken not to hold the coin. */
const MAX_EVENTS_BEFORE_BOOK = 200_000;

/**
 * Reads events up to the first two-sided book of `coin` (the recording's start, for priming, and its tick)
 * and gives back a stream that replays them and then the rest: the data is read once.
 */
async function peekFirstBook(
  input: ReplayInput,
  coin: string,
  path: string,
): Promise<{ first: BookEvent; events: AsyncIterable<MarketEvent> }> {
  const iterator = input.events[Symbol.asyncIterator]();
  const held: MarketEvent[] = [];
  const coins = new Set<string>();
  for (;;) {
    const next = await iterator.next();
    if (next.done === true || held.length >= MAX_EVENTS_BEFORE_BOOK) {
      const notes = input.notes();
      const seen = [...coins].filter((name) => name !== coin && name !== "");
      throw new BotmmError(
        "NO_DATA",
        `--replay ${path}: no ${coin} book ${next.done === true ? "in the data" : `in its first ${MAX_EVENTS_BEFORE_BOOK.toLocaleString("en-US")} events`} (read as ${input.format}${seen.length > 0 ? `; it holds ${seen.join(", ")}: pick one with --symbol` : ""}${notes.length > 0 ? `; ${notes.join("; ")}` : ""})`,
      );
    }
    const event = next.value;
    held.push(event);
    coins.add(event.coin);
    if (event.type === "book" && event.coin === coin && event.bids.length > 0 && event.asks.length > 0) {
      async function* replay(): AsyncGenerator<MarketEvent> {
        yield* held;
        held.length = 0;
        for (;;) {
          const rest = await iterator.next();
          if (rest.done === true) return;
          yield rest.value;
        }
      }
      return { first: event, events: replay() };
    }
  }
}

/**
 * `--replay PATH`: runs the same strategy on recorded books and trades, prints the replay summary, and with
 * `--compare-candles` the candle backtest on 1-minute candles built from the same data, side by side with the
 * ratios candle / replay — how much to discount a candle backtest.
 */
export async function runReplayCli(options: BacktestCliOptions, io: CliIo, started: number): Promise<void> {
  const once = await replayOnce(options, io);
  const { run, report } = once;

  const writes: Promise<void>[] = [];
  const written: string[] = [];
  if (options.report !== undefined) {
    writes.push(writeFile(options.report, renderReplayHtmlReport(report, run)));
    written.push(`report ${options.report}`);
  }
  if (options.fills !== undefined) {
    writes.push(writeFile(options.fills, fillsCsv(run)));
    written.push(`fills ${options.fills}`);
  }
  await Promise.all(writes);

  const comparison = options.compareCandles ? candleComparison(options, once) : null;
  const runtimeMs = Math.round(performance.now() - started);
  report.runtimeMs = runtimeMs;
  const json = comparison === null ? report : { ...report, candleComparison: withRatios(comparison) };
  if (options.json !== undefined) {
    await writeFile(options.json, `${JSON.stringify(json, null, 2)}\n`);
    written.push(`json ${options.json}`);
  }
  io.stdout.write(`${formatReplaySummary(report)}\n`);
  if (comparison !== null) io.stdout.write(`${formatComparison(comparison)}\n`);
  if (written.length > 0) io.stdout.write(`wrote ${written.join(", ")}\n`);
  io.stdout.write(`runtime ${runtimeMs} ms\n`);
}

/**
 * The candle backtest on the replay's own 1-minute mid bars (traded volume included; the data is not read a
 * second time) with the options' candle fill model, beside the replay's figures: `--compare-candles`, and one
 * row of the `realism` table.
 *
 * @example
 * ```ts
 * const once = await replayOnce(options, io);
 * withRatios(candleComparison(options, once)).ratios.volumeUsd; // candle volume / replay volume
 * ```
 */
export function candleComparison(options: BacktestCliOptions, once: ReplayOnce): CandleComparison {
  const { run, report, instrument, funding, fundingDescription, capitalUsd, description, strategy } = once;
  // The replay's own 1-minute mid bars (traded volume included): the data is not read a second time.
  const columns = run.candles;
  const bookOnly = run.fillInference === "book-changes";
  const candleOptions = {
    instrument,
    strategy,
    intervalMs: 60_000,
    fillModel: options.fillModelSpec,
    barPath: options.barPath,
    // Book-only data has no traded volume: the volume cap would forbid every fill, so it is lifted.
    maxVolumeShare: bookOnly ? Number.POSITIVE_INFINITY : options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding,
    takerSlippageBps: options.takerSlippageBps,
    seed: options.seed,
  };
  const candleRun = runCandleBacktest(columns, candleOptions);
  // The sub-bar model has a simulated price at every instant: its mark-out is taken 60 s after each fill, as
  // the replay's; the bar models' is taken one bar later.
  const candleMarkout =
    candleOptions.fillModel.type === "subbar"
      ? subbarMarkoutBps(candleRun.fills, columns, candleOptions, 60_000)
      : undefined;
  const candleReport = buildReport(candleRun, computeMetrics(candleRun, columns), columns, candleOptions, {
    symbol: run.coin,
    interval: "1m",
    source: `1m candles aggregated from ${description}`,
    synthetic: false,
    capitalUsd,
    fundingDescription,
    riskBarsByRule: null,
    warnings: bookOnly ? ["no trades in the data: candle volume is 0, so the volume cap is lifted"] : [],
    gapCount: 0,
    missingBars: 0,
    runtimeMs: 0,
  });
  return {
    candle: summarise(
      candleReport.ordersFilled,
      candleReport.fills,
      candleReport.volumeUsd,
      candleReport.pnl,
      candleMarkout === undefined ? (candleReport.markouts.allBps[0] ?? null) : candleMarkout,
    ),
    replay: summarise(
      report.ordersFilled,
      report.fills,
      report.volumeUsd,
      report.pnl,
      report.markouts.allBps[report.markouts.allBps.length - 1] ?? null,
    ),
    candleFillModel: candleReport.assumptions.fillModelDescription,
  };
}

/** One replay run of the CLI's options: the run, its report and what the candle comparison reuses. */
export interface ReplayOnce {
  run: ReplayRun;
  report: ReplayReport;
  instrument: Instrument;
  funding: FundingSchedule;
  fundingDescription: string;
  capitalUsd: number;
  /** The data's description (`hyperliquid-csv:<dir>`, …). */
  description: string;
  /** The strategy replayed: the options' own, with the recording venue's fees when the options left the defaults. */
  strategy: BacktestCliOptions["strategy"];
}

/**
 * Reads `--replay PATH` and replays it with the options' strategy, returning the run and its JSON report
 * (runtime 0) without printing anything but the progress bar; the ablation calls it once per variant.
 */
export async function replayOnce(options: BacktestCliOptions, io: CliIo): Promise<ReplayOnce> {
  const path = options.replay!;
  const coin = mapSymbol(options.symbol).hyperliquid;
  const check = new BookCheck(options.skipBadBooks ? "skip" : "error");
  const input = await openReplayInput(path, {
    coin,
    coinOf: (symbol) => mapSymbol(symbol).hyperliquid,
    check,
    ...(options.replayFormat === "auto" ? {} : { format: options.replayFormat }),
  });
  const { first, events } = await peekFirstBook(input, coin, path);
  // A botmm-md recording names its venue: its base fees and tick apply unless the options say otherwise.
  const venue = await recordingVenue(path, input.format, coin);
  const venueDecimalTick = venue !== null && REPLAY_VENUE_PRESETS[venue]?.decimalTick === true;
  const { strategy, warnings: venueWarnings } = venueFees(options, venue);
  // Binance, Bybit and Tardis books are on the venue's own decimal tick: quote on it, not on Hyperliquid's grid.
  let tick = options.tick;
  if (tick === undefined && (input.decimalTick || venueDecimalTick)) {
    const decimals = priceDecimals([...first.bids, ...first.asks]);
    tick = decimals === 0 ? "1" : (10 ** -decimals).toFixed(decimals);
  }
  const instrument = backtestInstrument(coin, options.szDecimals, tick);
  const progress = new ProgressBar(io.stdout, "replay  ", options.progress);
  const recordingStart = Math.floor(first.lt / 60_000) * 60_000;

  const warnings: string[] = [...venueWarnings];
  if (venueDecimalTick && options.szDecimals === undefined) {
    warnings.push(
      `sizes on Hyperliquid's ${coin} lot (${instrument.sizeRule.type === "decimals" ? `${instrument.sizeRule.decimals} decimals` : "built in"}); ${venue}'s lot may be coarser: --sz-decimals N sets it`,
    );
  }
  const priming = await primeCloses(options, io, coin, recordingStart);
  if (priming !== null) warnings.push(...priming.warnings);
  const capitalUsd = options.capital ?? 2 * options.strategy.maxPositionUsd;
  let funding: FundingSchedule;
  let fundingDescription: string;
  if (options.funding !== undefined) {
    funding = await loadFundingFile(options.funding);
    fundingDescription = `hourly series from ${options.funding}`;
  } else {
    funding = { type: "constant", ratePerHour: options.fundingRate };
    fundingDescription = `constant ${(options.fundingRate * 100).toFixed(5)}%/hour (longs pay when positive)`;
  }
  const queueModel =
    options.queueModel === "probabilistic"
      ? { type: "probabilistic" as const, power: options.queuePower }
      : { type: "risk-averse" as const };

  const run = await runReplayBacktest(events, {
    instrument,
    strategy,
    queueModel,
    requestBudget:
      options.requestBudget === false
        ? undefined
        : (clock) =>
            new RequestBudget({ clock, config: { initialRequests: options.requestBudget as number } }),
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding,
    seed: options.seed,
    ...(priming === null ? {} : { primeCloses: priming.closes }),
    onProgress: (events) => progress.update(0, 1, `${events.toLocaleString("en-US")} events`),
  });
  progress.finish();
  warnings.push(...input.notes());
  if (tick !== undefined && options.tick === undefined) {
    warnings.push(`quotes on the book's own tick ${tick} (seen in its prices; --tick sets another)`);
  }
  const report = buildReplayReport(
    run,
    { ...options, strategy },
    {
      source: `${input.description}${venue === null ? "" : ` (venue ${venue})`}${priming === null ? "" : ` (strategy primed on ${priming.description})`}`,
      booksSkipped: check.skipped,
      capitalUsd,
      fundingDescription,
      warnings,
      warmupAdvice:
        "pass --prime-candles PATH or --prime-download to warm it up on the candles before the recording",
      runtimeMs: 0,
    },
  );
  return {
    run,
    report,
    instrument,
    funding,
    fundingDescription,
    capitalUsd,
    description: input.description,
    strategy,
  };
}

/**
 * 1-minute bars fed to the strategy before the recording: enough for the volatility warm-up and four
 * half-lives of its EWMA, and at least four hours for the bias signals.
 */
export function primeBarsFor(strategy: BacktestCliOptions["strategy"]): number {
  return Math.max(strategy.volatilityWarmupBars + 1, Math.ceil(4 * strategy.volatilityHalfLifeBars), 240);
}

interface Priming {
  closes: number[];
  description: string;
  warnings: string[];
}

/**
 * The closes `--prime-candles` / `--prime-download` warm the strategy up on: 1-minute bars that closed by
 * `recordingStart` (the open of the recording's first minute), so nothing of the recording is seen early.
 */
async function primeCloses(
  options: BacktestCliOptions,
  io: CliIo,
  coin: string,
  recordingStart: number,
): Promise<Priming | null> {
  const bars = primeBarsFor(options.strategy);
  let loaded: Awaited<ReturnType<typeof loadCandles>>;
  let from: string;
  if (options.primeCandles !== undefined) {
    try {
      loaded = await loadCandles({
        source: "csv",
        csvPath: options.primeCandles,
        symbol: coin,
        end: recordingStart,
        gaps: "skip",
      });
    } catch (error) {
      throw new BotmmError(
        "PRIME",
        `--prime-candles ${options.primeCandles}: ${(error as Error).message} (it needs 1m candles that close before the recording starts, ${new Date(recordingStart).toISOString()})`,
      );
    }
    if (loaded.intervalMs !== 60_000) {
      throw new BotmmError(
        "PRIME",
        `--prime-candles ${options.primeCandles}: its bars are ${loaded.interval ?? `${loaded.intervalMs} ms`}; the replay's strategy runs on 1m bars`,
      );
    }
    from = options.primeCandles;
  } else if (options.primeDownload) {
    const failures: string[] = [];
    let found: typeof loaded | null = null;
    for (const source of ["binance", "hyperliquid"] as const) {
      try {
        found = await loadCandles({
          source,
          symbol: coin,
          interval: "1m",
          start: recordingStart - bars * 60_000,
          end: recordingStart,
          cacheDir: options.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
          apiUrls: { binance: options.binanceUrl, hyperliquid: options.hyperliquidUrl },
          gaps: "skip",
          now: io.now(),
        });
        break;
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    if (found === null) {
      throw new BotmmError(
        "PRIME",
        `--prime-download: no 1m ${coin} candles before ${new Date(recordingStart).toISOString()}: ${failures.join("; ")}. Pass --prime-candles PATH to prime from a file, or neither flag to warm up on the recording`,
      );
    }
    loaded = found;
    from = loaded.source === "binance" ? "Binance USDⓈ-M" : "Hyperliquid";
  } else return null;

  const candles = loaded.candles.slice(-bars);
  const warnings = loaded.warnings.map((warning) => `priming: ${warning}`);
  const last = candles.at(-1)!;
  const lagMinutes = Math.round((recordingStart - (last.openTime + 60_000)) / 60_000);
  if (lagMinutes > 5) {
    warnings.push(
      `priming: the candles end ${lagMinutes} minutes before the recording starts; the first minutes' volatility mixes the two`,
    );
  }
  if (candles.length <= options.strategy.volatilityWarmupBars) {
    warnings.push(
      `priming: only ${candles.length} 1m candles before the recording; the strategy waits for ${options.strategy.volatilityWarmupBars}`,
    );
  }
  return {
    closes: candles.map((candle) => candle.close),
    description: `${candles.length} 1m closes from ${from}`,
    warnings,
  };
}

/** The figures of one run compared: the candle or the replay side of {@link CandleComparison}. */
export interface RunFigures {
  /** Orders with at least one fill: the unit both models share (a replay fills orders in parts). */
  ordersFilled: number;
  fills: number;
  buys: number;
  sells: number;
  volumeUsd: number;
  total: number;
  spread: number;
  inventory: number;
  fees: number;
  funding: number;
  /** Mark-out about one minute after the fill (candle: 1 bar, or 60 s on the sub-bar model's path; replay: 60 s), bps. */
  markoutBps: number | null;
}

/** A candle run and the replay it stands for, side by side. */
export interface CandleComparison {
  candle: RunFigures;
  replay: RunFigures;
  candleFillModel: string;
}

function summarise(
  ordersFilled: number,
  fills: { buy: number; sell: number },
  volumeUsd: number,
  pnl: PnlSplit,
  markoutBps: number | null,
): RunFigures {
  const { whileHalted: _whileHalted, ...split } = pnl;
  return {
    ordersFilled,
    fills: fills.buy + fills.sell,
    buys: fills.buy,
    sells: fills.sell,
    volumeUsd,
    ...split,
    markoutBps,
  };
}

const FIELDS: [keyof RunFigures, string][] = [
  ["ordersFilled", "orders filled"],
  ["fills", "fills (incl. partial)"],
  ["buys", "  buys"],
  ["sells", "  sells"],
  ["volumeUsd", "volume $"],
  ["total", "pnl total $"],
  ["spread", "  spread $"],
  ["inventory", "  inventory $"],
  ["fees", "  fees $"],
  ["funding", "  funding $"],
  ["markoutBps", "mark-out ~1 min, bps"],
];

const ratio = (candle: number | null, replay: number | null): number | null =>
  candle === null || replay === null || replay === 0 ? null : candle / replay;

/**
 * The comparison with `ratios` (candle / replay of every figure; null where the replay's is 0 or missing): the
 * `candleComparison` of `--compare-candles --json`.
 *
 * @example
 * ```ts
 * withRatios(comparison).ratios.ordersFilled; // e.g. 0.8
 * ```
 */
export function withRatios(comparison: CandleComparison): CandleComparison & {
  ratios: Record<keyof RunFigures, number | null>;
} {
  const ratios = Object.fromEntries(
    FIELDS.map(([key]) => [key, ratio(comparison.candle[key], comparison.replay[key])]),
  ) as Record<keyof RunFigures, number | null>;
  return { ...comparison, ratios };
}

function formatComparison(comparison: CandleComparison): string {
  const cell = (value: number | null) =>
    value === null ? "n/a" : Number(value.toFixed(2)).toLocaleString("en-US");
  const lines = [
    "candle vs replay (the same strategy and parameters; the candle run sees 1m candles built from the same data)",
    `  candle fill model: ${comparison.candleFillModel}`,
    `  ${"".padEnd(22)}${"candle".padStart(14)}${"replay".padStart(14)}${"candle/replay".padStart(15)}`,
  ];
  for (const [key, label] of FIELDS) {
    const candle = comparison.candle[key];
    const replay = comparison.replay[key];
    const r = ratio(candle, replay);
    lines.push(
      `  ${label.padEnd(22)}${cell(candle).padStart(14)}${cell(replay).padStart(14)}${(r === null ? "n/a" : `${r.toFixed(2)}×`).padStart(15)}`,
    );
  }
  return lines.join("\n");
}
