import { writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { type PnlNoise, pnlSamplingNoise } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { type BacktestCliOptions, parseCliOptions, USAGE } from "./options.ts";
import {
  type CandleComparison,
  candleComparison,
  type RunFigures,
  replayOnce,
  withRatios,
} from "./replay-run.ts";
import type { CliIo } from "./run.ts";

/** A quote setting of the realism table: its name and the flags it adds after the user's. */
export interface QuoteSetting {
  quotes: string;
  flags: readonly string[];
}

/**
 * The quote settings: the flags as given (BotMM's default quotes unless the user changed them), and tight quotes
 * 1 bp and 3 bp from the mid with no volatility widening and no fee floor, so both models trade (the acceptance
 * distances of the sub-bar model's calibration).
 */
export const QUOTE_SETTINGS: readonly QuoteSetting[] = [
  { quotes: "default", flags: [] },
  { quotes: "tight 1bp", flags: ["--base-spread-bps", "1", "--vol-multiplier", "0", "--no-fee-aware"] },
  { quotes: "tight 3bp", flags: ["--base-spread-bps", "3", "--vol-multiplier", "0", "--no-fee-aware"] },
];

/** The acceptance band of a candle/replay ratio (volume, |PnL|). */
export const REALISM_BAND: readonly [number, number] = [0.75, 1.33];

/**
 * How the candle runs of a row did against the acceptance: volume and |PnL| within {@link REALISM_BAND} of the
 * replay's and a 1-minute mark-out of the replay's sign. `meets` judges the row's candle figures (the mean over
 * the seeds when there are several, with the mean of their |PnL|), null when the replay has no fill; `seedsMeeting` counts the single seeds
 * that meet it on their own, and `absolutePnlRatio` is the mean (what `meets` judges) and range of the seeds'
 * |PnL| ratios.
 */
export interface RealismVerdict {
  meets: boolean | null;
  seeds: number;
  seedsMeeting: number;
  absolutePnlRatio: { mean: number | null; min: number | null; max: number | null };
}

/**
 * One row of `realism --json`: a recording, a coin and a quote setting, with the `--compare-candles` fields and
 * `replayNoise`, how much the replay's PnL owes to the luck of the recording ({@link replayPnlNoise}).
 */
export type RealismRow = {
  recording: string;
  symbol: string;
  quotes: string;
  verdict: RealismVerdict;
  replayNoise: PnlNoise;
} & ReturnType<typeof withRatios>;

/**
 * The replay's PnL noise on its 1-minute equity: the standard error of its total (a circular block bootstrap,
 * seeded) and how often a candle model whose PnL equalled the replay's expectation would meet the |PnL| band
 * against one recording of this length. A recording whose chance is far below 1 cannot show that a model
 * meets the band, whatever the model.
 *
 * @example
 * ```ts
 * const noise = replayPnlNoise(once.run.equityUsd);
 * noise.standardErrorUsd; // e.g. 0.19 on a replay total of $0.17
 * noise.chanceInBand; // e.g. 0.23
 * ```
 */
export function replayPnlNoise(equityUsd: ArrayLike<number>): PnlNoise {
  return pnlSamplingNoise(equityUsd, { band: REALISM_BAND, seed: 1 });
}

const inBand = (value: number | null): boolean =>
  value !== null && value >= REALISM_BAND[0] && value <= REALISM_BAND[1];

/**
 * Whether candle figures meet the acceptance against the replay's: volume and |PnL| ratios within
 * {@link REALISM_BAND}, and a mark-out of the same sign; null when the replay filled nothing.
 *
 * @example
 * ```ts
 * meetsAcceptance(candle, replay); // true when volume 0.9×, |PnL| 1.1×, mark-outs −1.2 and −0.8 bps
 * ```
 */
export function meetsAcceptance(candle: RunFigures, replay: RunFigures): boolean | null {
  if (replay.volumeUsd === 0) return null;
  const absolutePnl = replay.total === 0 ? null : Math.abs(candle.total) / Math.abs(replay.total);
  return (
    inBand(candle.volumeUsd / replay.volumeUsd) &&
    inBand(absolutePnl) &&
    candle.markoutBps !== null &&
    replay.markoutBps !== null &&
    Math.sign(candle.markoutBps) === Math.sign(replay.markoutBps)
  );
}

/**
 * The mean of each figure over several candle runs (a mark-out over the runs that have one): the candle model's
 * expectation on a recording, which a single 35-minute run scatters around.
 *
 * @example
 * ```ts
 * meanFigures([a, b]).volumeUsd; // (a.volumeUsd + b.volumeUsd) / 2
 * ```
 */
export function meanFigures(runs: readonly RunFigures[]): RunFigures {
  if (runs.length === 0) throw new BotmmError("USAGE", "meanFigures needs at least one run");
  const mean = (key: Exclude<keyof RunFigures, "markoutBps">) =>
    runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  const markouts = runs.flatMap((run) => (run.markoutBps === null ? [] : [run.markoutBps]));
  return {
    ordersFilled: mean("ordersFilled"),
    fills: mean("fills"),
    buys: mean("buys"),
    sells: mean("sells"),
    volumeUsd: mean("volumeUsd"),
    total: mean("total"),
    spread: mean("spread"),
    inventory: mean("inventory"),
    fees: mean("fees"),
    funding: mean("funding"),
    markoutBps:
      markouts.length === 0 ? null : markouts.reduce((sum, value) => sum + value, 0) / markouts.length,
  };
}

/**
 * The candle side of a row over `comparisons` (one per seed, the same replay): their mean figures and the
 * verdict.
 *
 * @example
 * ```ts
 * const row = combineSeeds([candleComparison(options, once), candleComparison({ ...options, seed: 2 }, once)]);
 * row.verdict.seedsMeeting; // 0, 1 or 2
 * ```
 */
export function combineSeeds(
  comparisons: readonly CandleComparison[],
): ReturnType<typeof withRatios> & { verdict: RealismVerdict } {
  const first = comparisons[0];
  if (first === undefined) throw new BotmmError("USAGE", "combineSeeds needs at least one comparison");
  const replay = first.replay;
  const candle = comparisons.length === 1 ? first.candle : meanFigures(comparisons.map((c) => c.candle));
  const meanAbsoluteTotal =
    comparisons.reduce((sum, c) => sum + Math.abs(c.candle.total), 0) / comparisons.length;
  const ratios = comparisons.flatMap((c) =>
    replay.total === 0 ? [] : [Math.abs(c.candle.total) / Math.abs(replay.total)],
  );
  return {
    ...withRatios({ candle, replay, candleFillModel: first.candleFillModel }),
    verdict: {
      // |PnL| of the mean row is the mean of the runs' |PnL|: runs scattering either side of a replay PnL near 0
      // average to near 0 and would meet a band none of them meets.
      meets: meetsAcceptance({ ...candle, total: meanAbsoluteTotal }, replay),
      seeds: comparisons.length,
      seedsMeeting: comparisons.filter((c) => meetsAcceptance(c.candle, replay) === true).length,
      absolutePnlRatio: {
        mean: replay.total === 0 ? null : meanAbsoluteTotal / Math.abs(replay.total),
        min: ratios.length === 0 ? null : Math.min(...ratios),
        max: ratios.length === 0 ? null : Math.max(...ratios),
      },
    },
  };
}

/** The realism command's own arguments, taken out of argv; the rest are run flags. */
export interface RealismArgs {
  replays: string[];
  /** The symbols to compare, or `[undefined]` for the run's default. */
  symbols: (string | undefined)[];
  /** Candle runs per row (`--candle-seeds N`): seeds `--seed` … `--seed` + N − 1, averaged; 1 by default. */
  candleSeeds: number;
  rest: string[];
}

/** The realism command's own flags (besides `--replay` and `--symbol`, which the run options know too). */
export const REALISM_FLAGS: readonly string[] = ["candle-seeds"];

/**
 * Splits `realism` argv into its recordings (`--replay A B …`, or `--replay` given more than once), its symbols
 * (`--symbol S,T` — comma-separated), the candle seeds per row (`--candle-seeds N`) and the remaining run flags.
 *
 * @example
 * ```ts
 * splitRealismArgs(["--replay", "a", "b", "--symbol", "BTC,ETH", "--seed", "3"]);
 * // { replays: ["a", "b"], symbols: ["BTC", "ETH"], rest: ["--seed", "3"] }
 * ```
 */
export function splitRealismArgs(argv: readonly string[]): RealismArgs {
  const replays: string[] = [];
  const symbols: string[] = [];
  const rest: string[] = [];
  let candleSeeds = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s) : [arg, undefined];
    if (flag === "--replay") {
      if (inline !== undefined) replays.push(inline);
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith("-")) replays.push(argv[++i]!);
      if (inline === undefined && replays.length === 0)
        throw new BotmmError("USAGE", "--replay needs a PATH");
    } else if (flag === "--symbol") {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith("--"))
        throw new BotmmError("USAGE", "--symbol needs SYMBOL[,SYMBOL…]");
      const names = value.split(",").map((name) => name.trim());
      if (names.some((name) => name === "")) {
        throw new BotmmError("USAGE", `--symbol ${value}: an empty name in the list (expected BTC,ETH,…)`);
      }
      symbols.push(...names);
    } else if (flag === "--candle-seeds") {
      const value = inline ?? argv[++i];
      const count = Number(value);
      if (value === undefined || !Number.isInteger(count) || count < 1 || count > 256) {
        throw new BotmmError(
          "USAGE",
          `--candle-seeds ${value ?? ""}: expected a whole number of candle runs per row, 1 to 256`,
        );
      }
      candleSeeds = count;
    } else rest.push(arg);
  }
  return { replays, symbols: symbols.length === 0 ? [undefined] : symbols, candleSeeds, rest };
}

const cell = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));
const times = (value: number | null): string => (value === null ? "n/a" : `${value.toFixed(2)}×`);
const count = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const verdictCell = (meets: boolean | null): string => (meets === null ? "n/a" : meets ? "yes" : "no");

/**
 * The realism table: per recording, coin and quote setting, the candle/replay ratios of orders filled, volume,
 * PnL total and its split, both 1-minute mark-outs and whether the row meets the acceptance (volume and |PnL|
 * within ×0.75–×1.33, mark-outs of one sign); with several candle seeds, how many seeds meet it alone and the
 * range of their |PnL| ratios.
 *
 * @example
 * ```ts
 * console.log(formatRealismTable(rows));
 * ```
 */
export function formatRealismTable(rows: readonly RealismRow[]): string {
  const header = [
    "recording",
    "symbol",
    "quotes",
    "fills c/r",
    "orders",
    "volume",
    "pnl",
    "spread",
    "inventory",
    "fees",
    "mo candle",
    "mo replay",
    "meets",
    "replay pnl ± se",
    "chance",
  ];
  const seeded = rows.some((row) => row.verdict.seeds > 1);
  if (seeded) header.push("seeds meeting", "|pnl| mean (range) over seeds");
  const body = rows.map((row) => [
    row.recording,
    row.symbol,
    row.quotes,
    `${count(row.candle.ordersFilled)}/${row.replay.ordersFilled}`,
    times(row.ratios.ordersFilled),
    times(row.ratios.volumeUsd),
    times(row.ratios.total),
    times(row.ratios.spread),
    times(row.ratios.inventory),
    times(row.ratios.fees),
    cell(row.candle.markoutBps),
    cell(row.replay.markoutBps),
    verdictCell(row.verdict.meets),
    `${cell(row.replay.total)} ± ${cell(row.replayNoise.standardErrorUsd)}`,
    Number.isNaN(row.replayNoise.chanceInBand) ? "n/a" : row.replayNoise.chanceInBand.toFixed(2),
    ...(seeded
      ? [
          `${row.verdict.seedsMeeting}/${row.verdict.seeds}`,
          `${times(row.verdict.absolutePnlRatio.mean)} (${times(row.verdict.absolutePnlRatio.min)}–${times(row.verdict.absolutePnlRatio.max)})`,
        ]
      : []),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line.map((text, i) => (i < 3 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join("  ");
  const chances = rows.flatMap((row) =>
    Number.isNaN(row.replayNoise.chanceInBand) ? [] : [row.replayNoise.chanceInBand],
  );
  const expected = chances.reduce((sum, chance) => sum + chance, 0);
  const all = chances.reduce((product, chance) => product * chance, 1);
  return [
    format(header),
    ...body.map(format),
    "ratios are candle / replay (n/a where the replay's figure is 0); fills c/r = orders filled, candle/replay;",
    "mo = mark-out of own fills ~1 min later, bps (negative = adverse selection); meets = volume and |pnl|",
    `within ×${REALISM_BAND[0]}–×${REALISM_BAND[1]} of the replay's and mark-outs of its sign;`,
    "se = standard error of the replay's total (block bootstrap of its 1-minute PnL); chance = how often a model",
    "whose PnL were the replay's expectation would have its |pnl| in the band against a recording this long",
    ...(chances.length === 0
      ? []
      : [
          `(such a model would meet the |pnl| part in ≈ ${expected.toFixed(1)} of these ${chances.length} rows, and in all of them with probability ${all.toPrecision(2)})`,
        ]),
    ...(seeded
      ? [
          `candle figures are the mean over ${rows[0]!.verdict.seeds} seeds (--candle-seeds), meets judging the mean of their |pnl|;`,
          "seeds meeting = single seeds that meet it alone",
        ]
      : []),
  ].join("\n");
}

const HELP = `usage: realism --replay PATH... [--symbol S,...] [--candle-seeds N] [--json FILE] [--fill-model cross|subbar] [run flags]
  for each recording and symbol, runs the replay and the candle backtest on 1m candles built from it
  (as --compare-candles), for the default quotes and tight quotes 1 bp and 3 bp from the mid
  (${QUOTE_SETTINGS[1]!.flags.join(" ")}; and 3), and prints candle/replay ratios of orders filled, volume,
  PnL and its split, both 1-minute mark-outs, and whether each row meets the acceptance; and the replay's
  own noise: its PnL ± standard error (a block bootstrap of its 1-minute PnL) and the chance that a model
  whose PnL were the replay's expectation would meet the |PnL| band against a recording this long.
  --candle-seeds N runs the candle model with seeds --seed … --seed+N−1 and reports their mean (the model's
  expectation; a single 35-minute run scatters around it) and how many single seeds meet the acceptance.
  --sz-decimals applies to every symbol: run a coin that needs its own separately.`;

/**
 * `realism --replay PATH... [--symbol S,...] [--json FILE] [run flags]`: the `--compare-candles` comparison
 * for every recording × symbol × quote setting ({@link QUOTE_SETTINGS}), printed as one table; `--json` writes
 * the rows `{ recording, symbol, quotes, candle, replay, candleFillModel, ratios }`.
 */
export async function runRealismCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout.write(`${HELP}\n\n${USAGE}\n`);
    return 0;
  }
  let args: RealismArgs;
  const parsed: {
    replay: string;
    symbol: string | undefined;
    quotes: string;
    options: BacktestCliOptions;
  }[] = [];
  try {
    args = splitRealismArgs(argv);
    if (args.replays.length === 0)
      throw new BotmmError("USAGE", "realism needs --replay PATH... (recordings)");
    for (const replay of args.replays) {
      for (const symbol of args.symbols) {
        for (const setting of QUOTE_SETTINGS) {
          const options = await parseCliOptions(
            [
              "--replay",
              replay,
              ...(symbol === undefined ? [] : ["--symbol", symbol]),
              "--compare-candles",
              ...args.rest,
              ...setting.flags,
            ],
            io.cwd,
          );
          if (options === "help") throw new BotmmError("USAGE", "unexpected --help");
          parsed.push({ replay, symbol, quotes: setting.quotes, options: { ...options, progress: false } });
        }
      }
    }
  } catch (error) {
    io.stderr.write(`error: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const rows: RealismRow[] = [];
    let fillModel = "";
    for (const { replay, quotes, options } of parsed) {
      const once = await replayOnce(options, io);
      const comparisons: CandleComparison[] = [];
      for (let k = 0; k < args.candleSeeds; k++) {
        comparisons.push(candleComparison({ ...options, seed: options.seed + k }, once));
      }
      fillModel = comparisons[0]!.candleFillModel;
      rows.push({
        recording: basename(resolve(io.cwd, replay)),
        symbol: once.run.coin,
        quotes,
        ...combineSeeds(comparisons),
        replayNoise: replayPnlNoise(once.run.equityUsd),
      });
    }
    io.stdout.write(`realism — candle backtest on 1m candles built from each recording vs its replay\n`);
    io.stdout.write(`candle fill model: ${fillModel}\n`);
    io.stdout.write(`${formatRealismTable(rows)}\n`);
    const json = parsed[0]!.options.json;
    if (json !== undefined) {
      await writeFile(json, `${JSON.stringify(rows, null, 2)}\n`);
      io.stdout.write(`wrote json ${json}\n`);
    }
    return 0;
  } catch (error) {
    const code = error instanceof BotmmError ? ` [${error.code}]` : "";
    io.stderr.write(`error${code}: ${(error as Error).message}\n`);
    return 1;
  }
}
