import { writeFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { BotmmError } from "@botmm/core";
import { type BacktestCliOptions, parseCliOptions, USAGE } from "./options.ts";
import { type CandleComparison, candleComparison, replayOnce, withRatios } from "./replay-run.ts";
import type { CliIo } from "./run.ts";

/** A quote setting of the realism table: its name and the flags it adds after the user's. */
export interface QuoteSetting {
  quotes: string;
  flags: readonly string[];
}

/**
 * The two quote settings: the flags as given (BotMM's default quotes unless the user changed them), and a tight
 * quote 1 bp from the mid with no volatility widening and no fee floor, so both models trade.
 */
export const QUOTE_SETTINGS: readonly QuoteSetting[] = [
  { quotes: "default", flags: [] },
  { quotes: "tight 1bp", flags: ["--base-spread-bps", "1", "--vol-multiplier", "0", "--no-fee-aware"] },
];

/** One row of `realism --json`: a recording, a coin and a quote setting, with the `--compare-candles` fields. */
export type RealismRow = {
  recording: string;
  symbol: string;
  quotes: string;
} & ReturnType<typeof withRatios>;

/** The realism command's own arguments, taken out of argv; the rest are run flags. */
export interface RealismArgs {
  replays: string[];
  /** The symbols to compare, or `[undefined]` for the run's default. */
  symbols: (string | undefined)[];
  rest: string[];
}

/**
 * Splits `realism` argv into its recordings (`--replay A B …`, or `--replay` given more than once), its symbols
 * (`--symbol S,T` — comma-separated) and the remaining run flags.
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
    } else rest.push(arg);
  }
  return { replays, symbols: symbols.length === 0 ? [undefined] : symbols, rest };
}

const cell = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));
const times = (value: number | null): string => (value === null ? "n/a" : `${value.toFixed(2)}×`);

/**
 * The realism table: per recording, coin and quote setting, the candle/replay ratios of orders filled, volume,
 * PnL total and its split, and both 1-minute mark-outs.
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
  ];
  const body = rows.map((row) => [
    row.recording,
    row.symbol,
    row.quotes,
    `${row.candle.ordersFilled}/${row.replay.ordersFilled}`,
    times(row.ratios.ordersFilled),
    times(row.ratios.volumeUsd),
    times(row.ratios.total),
    times(row.ratios.spread),
    times(row.ratios.inventory),
    times(row.ratios.fees),
    cell(row.candle.markoutBps),
    cell(row.replay.markoutBps),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((line) => line[i]!.length)));
  const format = (line: readonly string[]) =>
    line.map((text, i) => (i < 3 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join("  ");
  return [
    format(header),
    ...body.map(format),
    "ratios are candle / replay (n/a where the replay's figure is 0); fills c/r = orders filled, candle/replay;",
    "mo = mark-out of own fills ~1 min later, bps (negative = adverse selection)",
  ].join("\n");
}

const HELP = `usage: realism --replay PATH... [--symbol S,...] [--json FILE] [--fill-model cross|subbar] [run flags]
  for each recording and symbol, runs the replay and the candle backtest on 1m candles built from it
  (as --compare-candles), for the default quotes and a tight quote (${QUOTE_SETTINGS[1]!.flags.join(" ")}),
  and prints candle/replay ratios of orders filled, volume, PnL and its split, and both 1-minute mark-outs.
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
      const comparison: CandleComparison = candleComparison(options, once);
      fillModel = comparison.candleFillModel;
      rows.push({
        recording: basename(resolve(io.cwd, replay)),
        symbol: once.run.coin,
        quotes,
        ...withRatios(comparison),
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
