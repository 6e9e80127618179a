import { open, stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createGunzip } from "node:zlib";
import {
  aggregateToCandles,
  buildReplayReport,
  buildReport,
  computeMetrics,
  type FundingSchedule,
  fillsCsv,
  formatReplaySummary,
  type MarketEvent,
  type PnlSplit,
  readHftbacktestCapture,
  readHyperliquidArchive,
  readRecording,
  readRecordingFile,
  renderReplayHtmlReport,
  runCandleBacktest,
  runReplayBacktest,
  toCandleColumns,
} from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { RequestBudget } from "@botmm/risk";
import { defaultCacheDir, loadCandles, mapSymbol } from "./data/index.ts";
import { loadFundingFile } from "./funding-file.ts";
import { backtestInstrument } from "./instrument.ts";
import type { BacktestCliOptions } from "./options.ts";
import { ProgressBar } from "./progress.ts";
import type { CliIo } from "./run.ts";

/** What kind of order-book data a path holds. */
type ReplaySource = "recording" | "recording-file" | "hyperliquid-archive" | "hftbacktest";

/** Looks at a path: a directory is a recording; a file is told apart by its first line. */
async function detectSource(path: string): Promise<ReplaySource> {
  const info = await stat(path).catch(() => {
    throw new BotmmError("NOT_FOUND", `--replay ${path}: no such file or directory`);
  });
  if (info.isDirectory()) return "recording";
  if (path.endsWith(".lz4")) {
    throw new BotmmError(
      "LZ4",
      `--replay ${path}: Hyperliquid's archive ships lz4 files; decompress it first (unlz4 ${path})`,
    );
  }
  const first = await firstLine(path);
  if (/^\d+ \{/.test(first)) return "hftbacktest";
  if (first.includes('"raw"') && first.includes("l2Book")) return "hyperliquid-archive";
  if (first.includes('"format":"botmm-md"')) return "recording-file";
  throw new BotmmError(
    "UNKNOWN_FORMAT",
    `--replay ${path}: line 1 is neither a botmm-md recording header, a Hyperliquid archive l2Book line nor an hftbacktest capture line`,
  );
}

async function firstLine(path: string): Promise<string> {
  const handle = await open(path);
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    const stream = handle.createReadStream({ start: 0 });
    const source = head[0] === 0x1f && head[1] === 0x8b ? stream.pipe(createGunzip()) : stream;
    let text = "";
    for await (const chunk of source) {
      text += chunk.toString("utf8");
      const newline = text.indexOf("\n");
      if (newline >= 0) {
        stream.destroy();
        return text.slice(0, newline);
      }
      if (text.length > 1_000_000) break;
    }
    return text;
  } finally {
    await handle.close();
  }
}

function eventsOf(source: ReplaySource, path: string, coin: string): AsyncIterable<MarketEvent> {
  switch (source) {
    case "recording":
      return readRecording(path, { coins: [coin] });
    case "recording-file":
      return readRecordingFile(path);
    case "hyperliquid-archive":
      return readHyperliquidArchive(path);
    case "hftbacktest":
      return readHftbacktestCapture(path);
  }
}

/**
 * `--replay PATH`: runs the same strategy on recorded books and trades, prints the replay summary, and with
 * `--compare-candles` the candle backtest on 1-minute candles built from the same data, side by side with the
 * ratios candle / replay — how much to discount a candle backtest.
 */
export async function runReplayCli(options: BacktestCliOptions, io: CliIo, started: number): Promise<void> {
  const path = options.replay!;
  const coin = mapSymbol(options.symbol).hyperliquid;
  const instrument = backtestInstrument(coin, options.szDecimals, options.tick);
  const source = await detectSource(path);
  const progress = new ProgressBar(io.stdout, "replay  ", options.progress);

  // Candles first (one pass): priming needs the start, and --compare-candles needs them anyway.
  const candles = await aggregateToCandles(eventsOf(source, path, coin), 60_000, coin);
  if (candles.length === 0) throw new BotmmError("NO_DATA", `--replay ${path}: no ${coin} books in the data`);
  const warnings: string[] = [];
  const priming = await primeCloses(options, io, coin, candles[0]!.openTime);
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

  const run = await runReplayBacktest(eventsOf(source, path, coin), {
    instrument,
    strategy: options.strategy,
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
  const report = buildReplayReport(run, options, {
    source: `${source}:${path}${priming === null ? "" : ` (strategy primed on ${priming.description})`}`,
    capitalUsd,
    fundingDescription,
    warnings,
    warmupAdvice:
      "pass --prime-candles PATH or --prime-download to warm it up on the candles before the recording",
    runtimeMs: 0,
  });

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

  let comparison: CandleComparison | null = null;
  if (options.compareCandles) {
    const columns = toCandleColumns(candles);
    const bookOnly = run.fillInference === "book-changes";
    const candleOptions = {
      instrument,
      strategy: options.strategy,
      intervalMs: 60_000,
      fillModel: options.fillModelSpec,
      barPath: options.barPath,
      // Book-only data has no traded volume: the volume cap would forbid every fill, so it is lifted.
      maxVolumeShare: bookOnly ? Number.POSITIVE_INFINITY : options.maxVolumeShare,
      latencyMs: options.latencyMs,
      funding,
      takerSlippageBps: options.takerSlippageBps,
      seed: options.seed,
    };
    const candleRun = runCandleBacktest(columns, candleOptions);
    const candleReport = buildReport(candleRun, computeMetrics(candleRun, columns), columns, candleOptions, {
      symbol: coin,
      interval: "1m",
      source: `1m candles aggregated from ${source}:${path}`,
      synthetic: false,
      capitalUsd,
      fundingDescription,
      riskBarsByRule: null,
      warnings: bookOnly ? ["no trades in the data: candle volume is 0, so the volume cap is lifted"] : [],
      gapCount: 0,
      missingBars: 0,
      runtimeMs: 0,
    });
    comparison = {
      candle: summarise(
        candleReport.ordersFilled,
        candleReport.fills,
        candleReport.volumeUsd,
        candleReport.pnl,
        candleReport.markouts.allBps[0] ?? null,
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

interface RunFigures {
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
  /** Mark-out about one minute after the fill (candle: 1 bar; replay: 60 s), bps. */
  markoutBps: number | null;
}

interface CandleComparison {
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

function withRatios(comparison: CandleComparison) {
  const ratios: Record<string, number | null> = {};
  for (const [key] of FIELDS) ratios[key] = ratio(comparison.candle[key], comparison.replay[key]);
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
