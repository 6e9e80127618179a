// `pnpm --filter backtest start -- calibrate`: fits the sub-bar fill model's parameters to order-book replays.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  type BacktestOptions,
  type CandleColumns,
  computeMetrics,
  DEFAULT_SIMULATION,
  DEFAULT_SUBBAR_PARAMS,
  type MarketEvent,
  runCandleBacktest,
  runReplayBacktest,
  type SubbarParams,
  subbarMarkoutBps,
  subbarParamsSchema,
} from "@botmm/backtest";
import { BotmmError, createRandom, type Instrument } from "@botmm/core";
import { RequestBudget } from "@botmm/risk";
import { parseStrategyConfig, type StrategyConfig } from "@botmm/strategy";
import { z } from "zod";
import { mapSymbol } from "./data/index.ts";
import { backtestInstrument } from "./instrument.ts";
import { CliUsageError } from "./options.ts";
import { meetsAcceptance, REALISM_BAND } from "./realism.ts";
import { BookCheck } from "./recordings/book-check.ts";
import { openReplayInput } from "./recordings/source.ts";
import type { RunFigures } from "./replay-run.ts";
import type { CliIo } from "./run.ts";

export const CALIBRATE_USAGE = `Usage: pnpm --filter backtest start -- calibrate --replay PATH [--replay PATH …] --out FILE [options]

Fits the parameters of --fill-model subbar to order-book replays: each recording is replayed (the yardstick)
and the sub-bar candle model is run on the 1-minute candles built from the same data, at each quote distance,
with the same strategy (basic model, volatility multiplier 0, fee-aware quoting off). A deterministic coordinate
search over a small grid minimises how far the candle model misses the acceptance: candle / replay volume and
|PnL| within ×${REALISM_BAND[0]}–×${REALISM_BAND[1]} and 60 s mark-outs of the replay's sign, for the mean of --seeds seeds
(the model's expectation) and for each seed alone (what one run gives), half each (--objective band).

  --replay PATH                 a recording in any --replay format (repeat for several)
  --symbol LIST                 coins to fit on, comma-separated or repeated (default BTC)
  --sz-decimals COIN=N          size decimals of a coin that is not built in (repeatable), e.g. WLFI=0
  --quote-bps LIST              quote distances from the mid, bps (default 1,3)
  --seeds N                     seeds of the candle model averaged per case (default 8)
  --volatility-warmup-bars N    bars the strategy waits before quoting (default 5: a short recording
                                would otherwise spend most of its minutes warming up)
  --latency-ms MS               order latency of both models (default ${DEFAULT_SIMULATION.latencyMs})
  --requote-interval-ms MS      requote cadence of both models (default 1000)
  --max-volume-share FRACTION   the candle model's volume cap (default ${DEFAULT_SIMULATION.maxVolumeShare})
  --objective band|log          band (default): misses of the acceptance band and sign, as above; log: the
                                squared log error of the seed means plus a mark-out sign penalty (the first fits)
  --restarts N                  N more searches from seeded random grid points (default 0; the shipped set: 16)
  --out FILE                    where the fitted set goes (JSON; use it with --fill-model-params FILE)
  -h, --help                    print this help`;

const listOf = (values: string[]) => values.flatMap((value) => value.split(",")).filter((v) => v !== "");

const calibrateSchema = z
  .object({
    replay: z.array(z.string().min(1)).min(1, "needs at least one --replay PATH"),
    symbol: z.array(z.string().min(1)).default(["BTC"]),
    szDecimals: z.record(z.string(), z.number().int().min(0).max(8)).default({}),
    quoteBps: z.array(z.number().positive()).min(1).default([1, 3]),
    seeds: z.number().int().min(1).max(64).default(8),
    volatilityWarmupBars: z.number().int().min(1).default(5),
    latencyMs: z.number().min(0).default(DEFAULT_SIMULATION.latencyMs),
    requoteIntervalMs: z.number().min(0).default(1_000),
    maxVolumeShare: z.number().positive().max(1).default(DEFAULT_SIMULATION.maxVolumeShare),
    objective: z.enum(["band", "log"]).default("band"),
    restarts: z.number().int().min(0).max(256).default(0),
    out: z.string().min(1, "needs --out FILE"),
  })
  .strict();

export type CalibrateOptions = z.infer<typeof calibrateSchema>;

/** The calibrate command's flags (without dashes) → its option keys. */
export const CALIBRATE_FLAGS: Readonly<Record<string, keyof CalibrateOptions>> = {
  replay: "replay",
  symbol: "symbol",
  "sz-decimals": "szDecimals",
  "quote-bps": "quoteBps",
  seeds: "seeds",
  "volatility-warmup-bars": "volatilityWarmupBars",
  "latency-ms": "latencyMs",
  "requote-interval-ms": "requoteIntervalMs",
  "max-volume-share": "maxVolumeShare",
  objective: "objective",
  restarts: "restarts",
  out: "out",
};

/** Parses the calibrate command's argv; every problem is reported together. */
export function parseCalibrateOptions(argv: readonly string[], cwd: string): CalibrateOptions | "help" {
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const replay: string[] = [];
  const symbols: string[] = [];
  const sz: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "-h" || token === "--help") return "help";
    if (!token.startsWith("--")) {
      problems.push(`unexpected argument ${JSON.stringify(token)}: every option is a --flag`);
      continue;
    }
    const equals = token.indexOf("=");
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const key = CALIBRATE_FLAGS[name];
    if (key === undefined) {
      problems.push(`unknown option --${name} (calibrate --help lists its options)`);
      // Its value, if it had one, is not a second problem.
      if (equals < 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) i++;
      continue;
    }
    let value = equals < 0 ? argv[++i] : token.slice(equals + 1);
    if (value === undefined || value.startsWith("--")) {
      problems.push(`--${name} needs a value`);
      if (value !== undefined) i--;
      continue;
    }
    value = value.trim();
    if (key === "replay") replay.push(resolve(cwd, value));
    else if (key === "out") raw.out = resolve(cwd, value);
    else if (key === "objective") raw.objective = value;
    else if (key === "symbol") symbols.push(...listOf([value]));
    else if (key === "szDecimals") {
      const match = /^([^=]+)=(\d+)$/.exec(value);
      if (match === null) problems.push(`--sz-decimals ${value}: expected COIN=N, e.g. WLFI=0`);
      else sz[mapSymbol(match[1]!).hyperliquid] = Number(match[2]);
    } else if (key === "quoteBps") {
      const numbers = listOf([value]).map(Number);
      if (numbers.some((n) => !Number.isFinite(n)))
        problems.push(`--quote-bps ${value}: expected numbers like 1,3`);
      else raw.quoteBps = numbers;
    } else {
      const number = Number(value);
      if (!Number.isFinite(number)) problems.push(`--${name} must be a number, got ${JSON.stringify(value)}`);
      else raw[key] = number;
    }
  }
  if (replay.length > 0) raw.replay = replay;
  else problems.push("needs at least one --replay PATH (a recording to fit on)");
  if (raw.out === undefined) problems.push("needs --out FILE (where the fitted parameters go)");
  if (symbols.length > 0) raw.symbol = symbols.map((symbol) => mapSymbol(symbol).hyperliquid);
  if (Object.keys(sz).length > 0) raw.szDecimals = sz;
  const parsed = calibrateSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (key === "replay" || key === "out") continue; // said above
      const flag = Object.entries(CALIBRATE_FLAGS).find(([, value]) => value === key)?.[0] ?? key;
      problems.push(`--${flag}: ${issue.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new CliUsageError(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} with the calibrate options:\n${problems.map((p) => `  ${p}`).join("\n")}\n(calibrate --help lists its options)`,
    );
  }
  return parsed.data;
}

/** One recording × coin × quote distance: what the replay measured and the candles the candle model runs on. */
export interface CalibrationCase {
  recording: string;
  coin: string;
  quoteBps: number;
  instrument: Instrument;
  strategy: StrategyConfig;
  candles: CandleColumns;
  replay: { volumeUsd: number; pnlUsd: number; markoutBps: number | null; ordersFilled: number };
}

/** What the candle model gives on a case, averaged over seeds, and its loss. */
export interface CaseFit {
  volumeUsd: number;
  pnlUsd: number;
  /** Mean |PnL| over the seeds (what a single run's |PnL| is compared with). */
  absolutePnlUsd: number;
  markoutBps: number | null;
  /** The case's share of the objective (see {@link FitObjective}). */
  loss: number;
  /** The seed mean meets the acceptance band (volume and |mean PnL| within {@link REALISM_BAND}, mark-out of the replay's sign). */
  meanMeets: boolean;
  /** Single seeds that meet the acceptance band on their own. */
  seedsMeeting: number;
}

/** Search grid of each parameter, the shipped default included. */
export const CALIBRATION_GRID: Readonly<Record<keyof SubbarParams, readonly number[]>> = {
  roughness: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.25, 1.5, 2, 3],
  persistence: [0, 0.2, 0.4, 0.6, 0.8, 0.9],
  spreadTicks: [0, 0.5, 1, 1.5, 2, 3, 4],
  throughBps: [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2],
  jumpShare: [0, 0.01, 0.02, 0.05, 0.1, 0.2],
  jumpSize: [2, 3, 4, 6, 8],
  jumpFollowThrough: [-0.75, -0.5, -0.25, 0, 0.25, 0.5, 1, 2],
  queueShare: [0.02, 0.05, 0.1, 0.2, 0.5, 1],
  tradeSizeDispersion: [0, 0.5, 1, 1.5, 2],
  wickShare: [0, 0.25, 0.5, 0.75, 0.9, 1],
};

/** Starting points of the search besides the shipped parameters (each completed by them). */
export const CALIBRATION_STARTS: readonly Partial<SubbarParams>[] = [
  { roughness: 0.3, persistence: 0 },
  { roughness: 0.3, persistence: 0.6, queueShare: 0.5 },
  { roughness: 0.5, persistence: 0.4, jumpShare: 0.05 },
  { roughness: 0.8, persistence: 0.8, queueShare: 1 },
  { roughness: 0.2, persistence: 0.9, jumpShare: 0.02, throughBps: 0.3 },
  { roughness: 0.5, persistence: 0.9, jumpShare: 0.02, jumpSize: 6, queueShare: 1, spreadTicks: 0 },
];

/** Seed of the random starting points of `--restarts` (fixed: the same command gives the same fit). */
const RESTART_SEED = 7;

/**
 * A point of {@link CALIBRATION_GRID} drawn uniformly per parameter: a starting point of `--restarts`.
 *
 * @example
 * ```ts
 * const start = randomGridPoint(createRandom(7)); // e.g. { roughness: 0.4, persistence: 0.4, … }
 * ```
 */
export function randomGridPoint(random: { next(): number }): SubbarParams {
  const point = { ...DEFAULT_SUBBAR_PARAMS };
  for (const key of Object.keys(CALIBRATION_GRID) as (keyof SubbarParams)[]) {
    const values = CALIBRATION_GRID[key];
    point[key] = values[Math.floor(random.next() * values.length)]!;
  }
  return point;
}

/**
 * What `calibrate` minimises (`--objective`).
 * - `band` (default): the acceptance itself. Each figure the acceptance checks — volume and |PnL| within
 *   ×0.75–×1.33 of the replay's, a mark-out of its sign — costs {@link BAND_MISS} when it misses plus how far
 *   it lies outside the band (|log|, capped at {@link BAND_DISTANCE_CAP}), both for the mean of the seeds (the
 *   model's bias: mean volume, mean |PnL|, mean mark-out) and, averaged, for each single seed (what one run
 *   gives); a small pull towards ratio 1
 *   breaks ties inside the band. Capped absolute distances keep a case whose replay PnL is almost nothing from
 *   deciding the fit alone.
 * - `log`: the squared log error of the mean volume and mean |PnL| over the seeds plus a penalty when the mean
 *   mark-out has the other sign (the objective of the first fits).
 */
export type FitObjective = "band" | "log";

/** A mark-out sign disagreeing with the replay's costs this much under `log` (a log error of ~0.7). */
const MARKOUT_SIGN_PENALTY = 0.5;
/** Candle volume or |PnL| is floored at this share of the replay's before the log (a run with none). */
const LOG_FLOOR = 0.01;

/** A figure missing the acceptance band (or a mark-out of the other sign) costs this, besides its distance. */
export const BAND_MISS = 0.25;
/** The distance outside the band counted at most (|log| of the ratio beyond the band's edge): ×3 beyond it. */
export const BAND_DISTANCE_CAP = Math.log(3);
/** Weight of the squared log ratio inside the band (a tie-break towards ratio 1). */
const BAND_CENTRE_WEIGHT = 0.02;

/**
 * The `band` objective's cost of a candle/replay ratio: 0 inside {@link REALISM_BAND}, else {@link BAND_MISS}
 * plus the |log| distance to the band's nearer edge (capped), plus a small pull towards 1 everywhere.
 *
 * @example
 * ```ts
 * bandCost(1); // 0
 * bandCost(1.2); // 0.02 · ln(1.2)² ≈ 0.0007 (inside the band)
 * bandCost(2); // 0.25 + ln(2 / 1.33) + 0.02 · ln(2)² ≈ 0.67
 * ```
 */
export function bandCost(ratio: number): number {
  const log = Math.log(Math.max(ratio, LOG_FLOOR));
  const below = Math.log(REALISM_BAND[0]) - log;
  const above = log - Math.log(REALISM_BAND[1]);
  const outside = Math.max(below, above);
  const miss = outside > 1e-12 ? BAND_MISS + Math.min(outside, BAND_DISTANCE_CAP) : 0;
  return miss + BAND_CENTRE_WEIGHT * log * log;
}

/** One seed's candle figures on a case. */
interface SeedFigures {
  volumeUsd: number;
  pnlUsd: number;
  markoutBps: number | null;
}

const signAgrees = (candle: number | null, replay: number | null): boolean =>
  candle !== null && replay !== null && Math.sign(candle) === Math.sign(replay);

/** The `band` cost of one set of candle figures against the replay's: volume, |PnL| and the mark-out sign. */
function bandFigureCost(
  volumeUsd: number,
  pnlUsd: number,
  markoutBps: number | null,
  replay: CalibrationCase["replay"],
): number {
  let cost = bandCost(volumeUsd / replay.volumeUsd);
  if (replay.pnlUsd !== 0) cost += bandCost(Math.abs(pnlUsd) / Math.abs(replay.pnlUsd));
  if (replay.markoutBps !== null && !signAgrees(markoutBps, replay.markoutBps)) cost += BAND_MISS;
  return cost;
}

/** Whether candle figures meet the acceptance against the case's replay (as `realism` judges a row). */
function meets(
  volumeUsd: number,
  pnlUsd: number,
  markoutBps: number | null,
  replay: CalibrationCase["replay"],
): boolean {
  return (
    meetsAcceptance(
      { ...ZERO_FIGURES, volumeUsd, total: pnlUsd, markoutBps },
      { ...ZERO_FIGURES, volumeUsd: replay.volumeUsd, total: replay.pnlUsd, markoutBps: replay.markoutBps },
    ) === true
  );
}

const ZERO_FIGURES: RunFigures = {
  ordersFilled: 0,
  fills: 0,
  buys: 0,
  sells: 0,
  volumeUsd: 0,
  total: 0,
  spread: 0,
  inventory: 0,
  fees: 0,
  funding: 0,
  markoutBps: null,
};

/**
 * Runs the sub-bar model with `params` on a case for `seeds` seeds (1 … `seeds`) and scores it against the
 * replay under `objective`.
 *
 * @example
 * ```ts
 * const fit = fitCase(cases[0], DEFAULT_SUBBAR_PARAMS, 4, options); // { volumeUsd, pnlUsd, markoutBps, loss, … }
 * ```
 */
export function fitCase(
  item: CalibrationCase,
  params: Readonly<SubbarParams>,
  seeds: number,
  options: Pick<CalibrateOptions, "latencyMs" | "requoteIntervalMs" | "maxVolumeShare">,
  objective: FitObjective = "band",
): CaseFit {
  const runs: SeedFigures[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const runOptions = candleOptions(item, params, seed, options);
    const run = runCandleBacktest(item.candles, runOptions);
    const metrics = computeMetrics(run, item.candles);
    runs.push({
      volumeUsd: metrics.volumeUsd,
      pnlUsd: run.pnl.totalUsd,
      // 60 s after each fill on the simulated path, as the replay's mark-out and --compare-candles take it.
      markoutBps: subbarMarkoutBps(run.fills, item.candles, runOptions, 60_000),
    });
  }
  const mean = (of: (run: SeedFigures) => number) => runs.reduce((sum, run) => sum + of(run), 0) / seeds;
  const volumeUsd = mean((run) => run.volumeUsd);
  const pnlUsd = mean((run) => run.pnlUsd);
  const absolutePnlUsd = mean((run) => Math.abs(run.pnlUsd));
  const markouts = runs.flatMap((run) => (run.markoutBps === null ? [] : [run.markoutBps]));
  const markoutBps =
    markouts.length > 0 ? markouts.reduce((sum, value) => sum + value, 0) / markouts.length : null;
  const replay = item.replay;
  let loss = 0;
  if (objective === "log") {
    // The model's expectation (the mean over seeds) is fitted, not each seed: a seed's own noise is not a bias.
    const logError = (candle: number, target: number) =>
      Math.log(Math.max(candle, LOG_FLOOR * target) / target) ** 2;
    if (replay.volumeUsd > 0) loss += logError(volumeUsd, replay.volumeUsd);
    if (replay.pnlUsd !== 0) loss += logError(absolutePnlUsd, Math.abs(replay.pnlUsd));
    if (replay.markoutBps !== null && markoutBps !== null && !signAgrees(markoutBps, replay.markoutBps))
      loss += MARKOUT_SIGN_PENALTY;
  } else if (replay.volumeUsd > 0) {
    // Half the model's bias (its mean over the seeds), half a single run. The mean's |PnL| is the mean of the
    // runs' |PnL|, not |mean PnL|: runs scattering either side of a replay PnL near 0 average to near 0 too,
    // and would meet a band none of them meets.
    const single = mean((run) => bandFigureCost(run.volumeUsd, run.pnlUsd, run.markoutBps, replay));
    loss = 0.5 * bandFigureCost(volumeUsd, absolutePnlUsd, markoutBps, replay) + 0.5 * single;
  }
  return {
    volumeUsd,
    pnlUsd,
    absolutePnlUsd,
    markoutBps,
    loss,
    meanMeets: replay.volumeUsd > 0 && meets(volumeUsd, pnlUsd, markoutBps, replay),
    seedsMeeting: runs.filter(
      (run) => replay.volumeUsd > 0 && meets(run.volumeUsd, run.pnlUsd, run.markoutBps, replay),
    ).length,
  };
}

function candleOptions(
  item: CalibrationCase,
  params: Readonly<SubbarParams>,
  seed: number,
  options: Pick<CalibrateOptions, "latencyMs" | "requoteIntervalMs" | "maxVolumeShare">,
): BacktestOptions {
  return {
    instrument: item.instrument,
    strategy: item.strategy,
    intervalMs: 60_000,
    fillModel: { type: "subbar", params: { ...params }, source: "calibration" },
    barPath: DEFAULT_SIMULATION.barPath,
    maxVolumeShare: options.maxVolumeShare,
    latencyMs: options.latencyMs,
    requoteIntervalMs: options.requoteIntervalMs,
    funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
    takerSlippageBps: DEFAULT_SIMULATION.takerSlippageBps,
    seed,
  };
}

/**
 * Deterministic coordinate search: starting from the shipped parameters, each parameter in turn is set to the
 * grid value with the lowest total loss (ties keep the current value), for up to `rounds` passes or until a pass
 * changes nothing.
 *
 * @example
 * ```ts
 * const { params, loss } = searchParams((p) => cases.reduce((sum, c) => sum + fitCase(c, p, 4, o).loss, 0));
 * ```
 */
export function searchParams(
  lossOf: (params: Readonly<SubbarParams>) => number,
  start: Readonly<SubbarParams> = DEFAULT_SUBBAR_PARAMS,
  grid: Readonly<Record<keyof SubbarParams, readonly number[]>> = CALIBRATION_GRID,
  rounds = 3,
): { params: SubbarParams; loss: number; evaluations: number } {
  let params: SubbarParams = { ...start };
  let loss = lossOf(params);
  let evaluations = 1;
  for (let round = 0; round < rounds; round++) {
    let changed = false;
    for (const key of Object.keys(grid) as (keyof SubbarParams)[]) {
      for (const value of grid[key]) {
        if (value === params[key]) continue;
        const candidate = { ...params, [key]: value };
        const candidateLoss = lossOf(candidate);
        evaluations++;
        if (candidateLoss < loss - 1e-12) {
          params = candidate;
          loss = candidateLoss;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return { params, loss, evaluations };
}

/** Reads every event of one coin of a recording (the replay is run once per quote distance on them). */
async function readEvents(path: string, coin: string): Promise<MarketEvent[]> {
  const input = await openReplayInput(path, {
    coin,
    coinOf: (symbol) => mapSymbol(symbol).hyperliquid,
    check: new BookCheck("error"),
  });
  const events: MarketEvent[] = [];
  for await (const event of input.events) if (event.coin === coin) events.push(event);
  if (!events.some((event) => event.type === "book")) {
    throw new BotmmError(
      "NO_DATA",
      `calibrate --replay ${path}: no ${coin} book in the data (read as ${input.format})`,
    );
  }
  return events;
}

/** Replays each recording × coin × quote distance and keeps the figures and candles the fit compares with. */
export async function buildCases(
  options: CalibrateOptions,
  log: (line: string) => void,
): Promise<CalibrationCase[]> {
  const cases: CalibrationCase[] = [];
  for (const recording of options.replay) {
    for (const coin of options.symbol) {
      const instrument = backtestInstrument(coin, options.szDecimals[coin], undefined);
      const events = await readEvents(recording, coin);
      for (const quoteBps of options.quoteBps) {
        const strategy = parseStrategyConfig({
          baseSpreadBps: quoteBps,
          volMultiplier: 0,
          feeAware: false,
          volatilityWarmupBars: options.volatilityWarmupBars,
        });
        const run = await runReplayBacktest(events, {
          instrument,
          strategy,
          queueModel: { type: "risk-averse" },
          requestBudget: (clock) => new RequestBudget({ clock, config: { initialRequests: 10_000 } }),
          latencyMs: options.latencyMs,
          requoteIntervalMs: options.requoteIntervalMs,
          funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
          seed: DEFAULT_SIMULATION.seed,
        });
        const metrics = computeMetrics(run, run.candles);
        const markouts = run.markouts.allBps;
        cases.push({
          recording,
          coin,
          quoteBps,
          instrument,
          strategy,
          candles: run.candles,
          replay: {
            volumeUsd: metrics.volumeUsd,
            pnlUsd: run.pnl.totalUsd,
            markoutBps: markouts[markouts.length - 1] ?? null,
            ordersFilled: run.ordersFilled,
          },
        });
        log(
          `replay ${coin} ${quoteBps} bp: ${run.ordersFilled} orders filled, volume $${metrics.volumeUsd.toFixed(0)}, PnL $${run.pnl.totalUsd.toFixed(2)}, ${run.candles.length} bars`,
        );
      }
    }
  }
  return cases;
}

const cell = (value: number | null, digits = 2) => (value === null ? "n/a" : value.toFixed(digits));

/**
 * The per-case table of a fit: replay and candle (seed mean) volume, PnL and mark-out, the ratio of volume and
 * of the mean |PnL|, whether the seed mean meets the acceptance (as `realism --candle-seeds` judges it) and how
 * many single seeds do.
 */
export function formatFitTable(cases: readonly CalibrationCase[], fits: readonly CaseFit[]): string {
  const lines = [
    `  ${"case".padEnd(14)}${"vol replay".padStart(12)}${"vol candle".padStart(12)}${"ratio".padStart(8)}${"pnl replay".padStart(12)}${"pnl candle".padStart(12)}${"|ratio|".padStart(9)}${"mo replay".padStart(11)}${"mo candle".padStart(11)}${"meets".padStart(7)}${"seeds".padStart(7)}`,
  ];
  cases.forEach((item, i) => {
    const fit = fits[i]!;
    const volumeRatio = item.replay.volumeUsd > 0 ? fit.volumeUsd / item.replay.volumeUsd : null;
    const pnlRatio = item.replay.pnlUsd !== 0 ? fit.absolutePnlUsd / Math.abs(item.replay.pnlUsd) : null;
    lines.push(
      `  ${`${item.coin} ${item.quoteBps} bp`.padEnd(14)}${cell(item.replay.volumeUsd, 0).padStart(12)}${cell(fit.volumeUsd, 0).padStart(12)}${cell(volumeRatio).padStart(8)}${cell(item.replay.pnlUsd).padStart(12)}${cell(fit.pnlUsd).padStart(12)}${cell(pnlRatio).padStart(9)}${cell(item.replay.markoutBps).padStart(11)}${cell(fit.markoutBps).padStart(11)}${(fit.meanMeets ? "yes" : "no").padStart(7)}${`${fit.seedsMeeting}`.padStart(7)}`,
    );
  });
  return lines.join("\n");
}

/** `calibrate`: fit, print the table and write the parameter file. Returns the exit code. */
export async function runCalibrateCli(argv: readonly string[], io: CliIo): Promise<number> {
  let options: CalibrateOptions | "help";
  try {
    options = parseCalibrateOptions(argv, io.cwd);
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  if (options === "help") {
    io.stdout.write(`${CALIBRATE_USAGE}\n`);
    return 0;
  }
  try {
    const started = performance.now();
    const log = (line: string) => io.stdout.write(`${line}\n`);
    const cases = await buildCases(options, log);
    const usable = cases.filter((item) => item.replay.volumeUsd > 0);
    if (usable.length === 0) {
      throw new BotmmError(
        "NO_DATA",
        "calibrate: no replay filled any order: nothing to fit (try a tighter --quote-bps)",
      );
    }
    const opts = options;
    const totalLoss = (params: Readonly<SubbarParams>) =>
      usable.reduce((sum, item) => sum + fitCase(item, params, opts.seeds, opts, opts.objective).loss, 0) /
      usable.length;
    const before = usable.map((item) =>
      fitCase(item, DEFAULT_SUBBAR_PARAMS, opts.seeds, opts, opts.objective),
    );
    log("");
    const beforeLoss = before.reduce((sum, fit) => sum + fit.loss, 0) / usable.length;
    log(
      `with the shipped parameters ${JSON.stringify(DEFAULT_SUBBAR_PARAMS)} (loss ${beforeLoss.toFixed(3)}):`,
    );
    log(formatFitTable(usable, before));
    // Several starting points, so that a coordinate search stuck in one valley does not decide the fit.
    let search = searchParams(totalLoss);
    let evaluations = search.evaluations;
    log(
      `search from the shipped parameters: loss ${search.loss.toFixed(4)} at ${JSON.stringify(search.params)}`,
    );
    for (const start of CALIBRATION_STARTS) {
      const next = searchParams(totalLoss, { ...DEFAULT_SUBBAR_PARAMS, ...start });
      evaluations += next.evaluations;
      log(
        `search from ${JSON.stringify(start)}: loss ${next.loss.toFixed(4)} at ${JSON.stringify(next.params)}`,
      );
      if (next.loss < search.loss - 1e-12) search = next;
    }
    const random = createRandom(RESTART_SEED);
    for (let r = 0; r < opts.restarts; r++) {
      const start = randomGridPoint(random);
      const next = searchParams(totalLoss, start);
      evaluations += next.evaluations;
      log(`restart ${r + 1}: loss ${next.loss.toFixed(4)} at ${JSON.stringify(next.params)}`);
      if (next.loss < search.loss - 1e-12) search = next;
    }
    search = { ...search, evaluations };
    const fits = usable.map((item) => fitCase(item, search.params, opts.seeds, opts, opts.objective));
    const fittedOn = `${[
      ...new Set(
        options.replay.map((path) =>
          path
            .split("/")
            .filter((p) => p !== "")
            .at(-1),
        ),
      ),
    ].join(
      ", ",
    )} (${options.symbol.join(", ")}; quotes ${options.quoteBps.join(" and ")} bp from the mid; ${options.seeds} seeds; objective ${options.objective}${options.restarts > 0 ? `; ${options.restarts} restarts` : ""})`;
    const output = {
      model: "subbar",
      params: subbarParamsSchema.parse(search.params),
      fittedOn,
      loss: search.loss,
      evaluations: search.evaluations,
      settings: {
        seeds: options.seeds,
        volatilityWarmupBars: options.volatilityWarmupBars,
        latencyMs: options.latencyMs,
        requoteIntervalMs: options.requoteIntervalMs,
        maxVolumeShare: options.maxVolumeShare,
        objective: options.objective,
        restarts: options.restarts,
        strategy: "basic model, volatility multiplier 0, fee-aware quoting off",
      },
      cases: usable.map((item, i) => ({
        recording: item.recording,
        coin: item.coin,
        quoteBps: item.quoteBps,
        replay: item.replay,
        candle: {
          volumeUsd: fits[i]!.volumeUsd,
          pnlUsd: fits[i]!.pnlUsd,
          absolutePnlUsd: fits[i]!.absolutePnlUsd,
          markoutBps: fits[i]!.markoutBps,
          meanMeets: fits[i]!.meanMeets,
          seedsMeeting: fits[i]!.seedsMeeting,
        },
      })),
    };
    await writeFile(options.out, `${JSON.stringify(output, null, 2)}\n`);
    const skipped = cases.length - usable.length;
    log(
      `fitted (${search.evaluations} evaluations, loss ${search.loss.toFixed(3)}): ${JSON.stringify(search.params)}`,
    );
    log(formatFitTable(usable, fits));
    if (skipped > 0) log(`${skipped} case(s) left out: the replay filled nothing`);
    log(
      `wrote ${options.out} (fitted on ${fittedOn}); use it with --fill-model subbar --fill-model-params ${options.out}`,
    );
    log(`runtime ${Math.round(performance.now() - started)} ms`);
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}
