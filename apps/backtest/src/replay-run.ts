import { open, stat, writeFile } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import {
  aggregateToCandles,
  buildReplayReport,
  buildReport,
  computeMetrics,
  fillsCsv,
  formatReplaySummary,
  type MarketEvent,
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
import { mapSymbol } from "./data/index.ts";
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
  const source = await detectSource(path);
  const progress = new ProgressBar(io.stdout, "replay  ", options.progress);

  // Candles first (one pass): the instrument's grid needs a price, and --compare-candles needs them anyway.
  const candles = await aggregateToCandles(eventsOf(source, path, coin), 60_000, coin);
  if (candles.length === 0) throw new BotmmError("NO_DATA", `--replay ${path}: no ${coin} books in the data`);
  const { instrument, warning } = backtestInstrument(coin, candles[0]!.close, options.szDecimals);
  const capitalUsd = options.capital ?? 2 * options.strategy.maxPositionUsd;
  const funding = { type: "constant" as const, ratePerHour: options.fundingRate };
  const fundingDescription = `constant ${(options.fundingRate * 100).toFixed(5)}%/hour (longs pay when positive)`;
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
    onProgress: (events) => progress.update(0, 1, `${events.toLocaleString("en-US")} events`),
  });
  progress.finish();
  const report = buildReplayReport(run, options, {
    source: `${source}:${path}`,
    capitalUsd,
    fundingDescription,
    warnings: warning === null ? [] : [warning],
    runtimeMs: 0,
  });

  const writes: Promise<void>[] = [];
  if (options.report !== undefined)
    writes.push(writeFile(options.report, renderReplayHtmlReport(report, run)));
  if (options.fills !== undefined) writes.push(writeFile(options.fills, fillsCsv(run)));
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
        candleReport.fills,
        candleReport.volumeUsd,
        candleReport.pnl,
        candleReport.markouts.allBps[0] ?? null,
      ),
      replay: summarise(
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
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(json, null, 2)}\n`);
  io.stdout.write(`${formatReplaySummary(report)}\n`);
  if (comparison !== null) io.stdout.write(`${formatComparison(comparison)}\n`);
  io.stdout.write(`runtime ${runtimeMs} ms\n`);
}

interface RunFigures {
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
  fills: { buy: number; sell: number },
  volumeUsd: number,
  pnl: { total: number; spread: number; inventory: number; fees: number; funding: number },
  markoutBps: number | null,
): RunFigures {
  return { fills: fills.buy + fills.sell, buys: fills.buy, sells: fills.sell, volumeUsd, ...pnl, markoutBps };
}

const FIELDS: [keyof RunFigures, string][] = [
  ["fills", "fills"],
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
