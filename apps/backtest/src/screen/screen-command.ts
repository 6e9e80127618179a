// `screen`: rank many coins by where market making can pay at a fee tier.
import { writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { type FundingRates, rankScreen, screenCoin } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { defaultCacheDir } from "../data/cache.ts";
import { intervalFromMs } from "../data/intervals.ts";
import { CliUsageError } from "../options.ts";
import { ProgressBar } from "../progress.ts";
import type { QueueCliSpec } from "../queue/queue-flags.ts";
import type { CliIo } from "../run.ts";
import { type JobOptions, jobOptions } from "../sweep/job.ts";
import { parseScreenArgs, type ScreenSpec, screenHelp } from "./args.ts";
import { type CoinBacktest, type CoinBacktestJob, screenSzDecimals } from "./coin-backtest.ts";
import { loadCandleDirectory, loadLongCsv, loadLongFunding, readText, type ScreenCandles } from "./input.ts";
import { loadOnline } from "./online.ts";
import {
  type ScreenContext,
  type ScreenRow,
  screenCsv,
  screenHeader,
  screenHtml,
  screenJson,
  screenTable,
} from "./output.ts";
import { backtestCoins } from "./pool.ts";
import { quotedSpreads } from "./recordings.ts";

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The backtests through a BullMQ queue (--queue): modules loaded only here, so a local screen needs no Redis. */
async function queueBacktests(
  queue: QueueCliSpec,
  jobs: readonly CoinBacktestJob[],
  options: JobOptions,
  io: CliIo,
  onProgress: (done: number, total: number) => void,
): Promise<CoinBacktest[]> {
  const [{ Coordinator }, { planScreenRound }] = await Promise.all([
    import("../queue/coordinator.ts"),
    import("../queue/rounds.ts"),
  ]);
  const round = planScreenRound(jobs, options, queue);
  const coordinator = await Coordinator.connect({
    target: queue.target,
    redisTimeoutMs: queue.redisTimeoutMs,
    log: (line) => io.stdout.write(`${line}\n`),
  });
  try {
    const sweepId = round.roundId.slice(0, round.roundId.lastIndexOf("."));
    io.stdout.write(
      `queue ${queue.target.display}: screen ${sweepId}, ${jobs.length} backtests (workers: \`worker --queue ${queue.target.display}\`)\n`,
    );
    return await round.run(
      coordinator,
      onProgress,
      `run the same command again to resume (sweep id ${sweepId})`,
    );
  } finally {
    await coordinator.close();
  }
}

/**
 * The `screen` command: parse, load every coin's candles (and funding, recordings), screen and backtest each,
 * print the ranked table and write the outputs. Returns the exit code (0 ok, 1 failure, 2 usage error).
 */
export async function runScreenCli(argv: readonly string[], io: CliIo): Promise<number> {
  const started = performance.now();
  let spec: ScreenSpec | "help";
  try {
    spec = await parseScreenArgs(argv, io.cwd, availableParallelism());
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return error instanceof CliUsageError ? 2 : 1;
  }
  if (spec === "help") {
    io.stdout.write(`${screenHelp()}\n`);
    return 0;
  }
  try {
    await screen(spec, io, started);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}

async function loadInput(
  spec: ScreenSpec,
  io: CliIo,
): Promise<ScreenCandles & { szDecimals?: Map<string, number> }> {
  if (spec.input.type === "csv")
    return loadLongCsv(spec.input.path, spec.coins, {
      cacheDir: spec.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
      onNotice: (message) => io.stderr.write(`note: ${message}\n`),
    });
  if (spec.input.type === "dir") return loadCandleDirectory(spec.input.path, spec.coins);
  const bar = new ProgressBar(io.stdout, "candles ", spec.progress);
  const loaded = await loadOnline({
    apiUrl: spec.hyperliquidUrl,
    interval: spec.interval,
    days: spec.days,
    cacheDir: spec.cacheDir ?? resolve(io.cwd, defaultCacheDir()),
    now: io.now(),
    ...(spec.coins === undefined ? {} : { coins: spec.coins }),
    onCoin: (done, total, coin) => bar.update(done, total, `${done}/${total} coins ${coin}`),
  });
  bar.finish();
  return loaded;
}

async function screen(spec: ScreenSpec, io: CliIo, started: number): Promise<void> {
  // The funding file is read and decompressed (off the main thread) while the candles are parsed.
  const fundingText = spec.funding === undefined ? undefined : readText(spec.funding, "--funding");
  fundingText?.catch(() => {}); // awaited below; an early failure must not go unhandled meanwhile
  const input = await loadInput(spec, io);
  const funding: Map<string, FundingRates> =
    spec.funding === undefined ? new Map() : await loadLongFunding(spec.funding, input.coins, fundingText);
  const loadedMs = performance.now() - started;
  const makerFee = spec.base.strategy.makerFee;
  const roundTripFeeBps = 2 * makerFee * 10_000;

  const screened = input.coins.map(({ coin, columns }) =>
    screenCoin(columns, {
      coin,
      intervalMs: input.intervalMs,
      roundTripFeeBps,
      ...(funding.has(coin) ? { funding: funding.get(coin)! } : {}),
    }),
  );
  const grids = input.coins.map(({ coin, columns }) =>
    screenSzDecimals(coin, columns, input.szDecimals?.get(coin)),
  );

  const backtestStarted = performance.now();
  let backtests: (CoinBacktest | null)[] = input.coins.map(() => null);
  let threads = 0;
  if (spec.backtest) {
    const jobs: CoinBacktestJob[] = input.coins.map(({ coin, columns }, i) => ({
      coin,
      columns,
      intervalMs: input.intervalMs,
      szDecimals: grids[i]!.szDecimals,
      funding: funding.get(coin) ?? null,
    }));
    const bar = new ProgressBar(io.stdout, "backtest", spec.progress);
    threads = Math.max(1, Math.min(spec.workers, jobs.length));
    const onProgress = (done: number, total: number) => bar.update(done, total, `${done}/${total} coins`);
    if (spec.queue === undefined)
      backtests = await backtestCoins(jobs, jobOptions(spec.base), spec.workers, onProgress);
    else backtests = await queueBacktests(spec.queue, jobs, jobOptions(spec.base), io, onProgress);
    bar.finish();
  }
  const backtestMs = performance.now() - backtestStarted;

  const quoted =
    spec.recordings === undefined
      ? new Map()
      : await quotedSpreads(
          spec.recordings,
          input.coins.map(({ coin }) => coin),
          roundTripFeeBps,
        );

  const rows: ScreenRow[] = screened.map((row, i) => {
    const backtest = backtests[i] ?? null;
    return {
      ...row,
      backtest,
      backtestPnlUsdPerDay: backtest?.pnlUsdPerDay ?? null,
      quoted: quoted.get(row.coin) ?? null,
      szDecimals: grids[i]!.szDecimals,
      szDecimalsInferred: grids[i]!.inferred,
      ranked: row.volumeUsdPerDay >= spec.minVolumeUsd,
    };
  });
  const ranked = [
    ...rankScreen(
      rows.filter((row) => row.ranked),
      spec.rankBy,
    ),
    ...rankScreen(
      rows.filter((row) => !row.ranked),
      spec.rankBy,
    ),
  ];

  const context: ScreenContext = {
    source: input.source,
    interval: intervalFromMs(input.intervalMs) ?? `${input.intervalMs / 1000}s`,
    feeTier: spec.feeTier ?? "--maker-fee/--taker-fee",
    makerFee,
    takerFee: spec.base.strategy.takerFee,
    rankBy: spec.rankBy,
    minVolumeUsd: spec.minVolumeUsd,
    fundingSource: spec.funding ?? null,
  };
  const notes: string[] = [];
  const inferred = rows.filter((row) => row.szDecimalsInferred).length;
  if (spec.backtest && inferred > 0)
    notes.push(
      `${inferred} coin${inferred === 1 ? "" : "s"}' size decimals guessed from the price (round(log10 price)); --online reads them from meta`,
    );
  if (spec.backtest && spec.funding === undefined)
    notes.push(
      `backtests charge a constant ${(spec.base.fundingRate * 100).toFixed(5)}%/hour funding: pass --funding FILE for the real rates`,
    );
  if (spec.funding !== undefined) {
    const without = rows.filter((row) => row.fundingPoints === 0).map((row) => row.coin);
    if (without.length > 0)
      notes.push(
        `no funding in ${spec.funding} over the candles' span for ${without.length} coin(s): ${without.slice(0, 10).join(", ")}${without.length > 10 ? ", …" : ""}`,
      );
  }
  if (spec.recordings !== undefined)
    notes.push(`recordings ${spec.recordings}: quoted spreads for ${quoted.size} of ${rows.length} coins`);
  const summary = [
    ...screenHeader(ranked, context),
    "",
    screenTable(ranked, context, spec.top),
    ...(notes.length > 0 ? ["", ...notes.map((note) => `note: ${note}`)] : []),
  ].join("\n");

  const written: string[] = [];
  if (spec.json !== undefined) {
    await writeFile(spec.json, screenJson(ranked, context));
    written.push(`json ${spec.json}`);
  }
  if (spec.resultsCsv !== undefined) {
    await writeFile(spec.resultsCsv, screenCsv(ranked, context));
    written.push(`csv ${spec.resultsCsv}`);
  }
  if (spec.report !== undefined) {
    await writeFile(spec.report, screenHtml(ranked, context, summary));
    written.push(`report ${spec.report}`);
  }
  io.stdout.write(`${summary}\n`);
  if (written.length > 0) io.stdout.write(`wrote ${written.join(", ")}\n`);
  io.stdout.write(
    `${rows.length} coins: input ${seconds(loadedMs)}${spec.backtest ? `, backtests ${seconds(backtestMs)} on ${spec.queue === undefined ? `${threads} thread${threads === 1 ? "" : "s"}` : `the queue at ${spec.queue.target.display}`}` : ""}; runtime ${seconds(performance.now() - started)}\n`,
  );
}
