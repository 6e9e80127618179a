// The calibrate command's flags: its usage text, schema and parser.
import { resolve } from "node:path";
import { DEFAULT_SIMULATION } from "@botmm/backtest";
import { z } from "zod";
import { mapSymbol } from "../data/index.ts";
import { CliUsageError } from "../options.ts";
import { REALISM_BAND } from "../realism.ts";

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
  --workers N                   worker threads the searches run on (default: the core count; the fit is the
                                same for any number)
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
    workers: z.number().int().min(1).max(256),
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
  workers: "workers",
  out: "out",
};

/**
 * Parses the calibrate command's argv (`--workers` defaulting to `defaultWorkers`, the CLI's core count); every
 * problem is reported together.
 */
export function parseCalibrateOptions(
  argv: readonly string[],
  cwd: string,
  defaultWorkers = 1,
): CalibrateOptions | "help" {
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
  raw.workers ??= defaultWorkers;
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
