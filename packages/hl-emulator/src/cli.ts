/**
 * Command line: `hl-emulator --port 8787 --coins BTC,ETH --seed 1 [--candles FILE] [--speed 1]`.
 * Run from the workspace with `pnpm --filter @botmm/hl-emulator start -- …` (Node 24 strips the types) or
 * after a build through the `hl-emulator` bin.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { type Candle, parseCandleCsv } from "@botmm/core";
import { type EmulatorOptions, start } from "./emulator.ts";
import { EmulatorError } from "./errors.ts";
import { watchParent } from "./parent-watch.ts";
import { testAccount } from "./testAccount.ts";

/** Parsed command-line options. */
export interface CliOptions {
  port: number;
  host: string;
  coins: string[];
  seed: number;
  speed: number;
  usdc: number;
  candles: Record<string, string>;
  scheduleCancelMinVolumeUsd: number;
  rateLimits: boolean;
}

const DEFAULTS: CliOptions = {
  port: 8787,
  host: "127.0.0.1",
  coins: ["BTC", "ETH"],
  seed: 1,
  speed: 1,
  usdc: 100_000,
  candles: {},
  scheduleCancelMinVolumeUsd: 1_000_000,
  rateLimits: true,
};

/** The flags: what `parseArgs` reads and what `--help` prints. */
const OPTIONS = {
  port: {
    type: "string",
    value: "PORT",
    help: `port to listen on, 0 = any free one [default ${DEFAULTS.port}]`,
  },
  host: { type: "string", value: "HOST", help: `interface to listen on [default ${DEFAULTS.host}]` },
  coins: {
    type: "string",
    value: "BTC,ETH",
    help: `listed perps; asset ids follow this order [default ${DEFAULTS.coins.join(",")}]`,
  },
  seed: {
    type: "string",
    value: "N",
    help: `seed of the market model and of the TEST key [default ${DEFAULTS.seed}]`,
  },
  candles: {
    type: "string",
    value: "FILE|COIN=FILE,…",
    help: "replay candles instead of the synthetic market: FILE (the first coin) or COIN=FILE pairs; CSV as @botmm/core reads it (header open_time,open,high,low,close,volume or Binance 12-column klines), plain or gzip",
  },
  speed: {
    type: "string",
    value: "X",
    help: `simulated time runs X times faster than real time (≠ 1 turns the nonce time window off) [default ${DEFAULTS.speed}]`,
  },
  usdc: { type: "string", value: "USD", help: `collateral of the TEST account [default ${DEFAULTS.usdc}]` },
  "dms-min-volume": {
    type: "string",
    value: "USD",
    help: `traded volume before scheduleCancel (dead-man's switch) is accepted, 0 = no gate [default ${DEFAULTS.scheduleCancelMinVolumeUsd}]`,
  },
  "no-rate-limits": { type: "boolean", help: "turn off the IP weight limit and the address request budget" },
  help: { type: "boolean", short: "h", help: "print this help" },
} as const satisfies Record<
  string,
  { type: "string" | "boolean"; value?: string; short?: string; help: string }
>;

/** Usage text of `--help`, generated from the option table. */
export const USAGE = `Usage: hl-emulator [options]      (in the workspace: pnpm --filter @botmm/hl-emulator start -- [options])

A local Hyperliquid emulator (HTTP /info, /exchange, WebSocket /ws, POST /control) with a funded public TEST
account. It stops on SIGINT, SIGTERM or SIGHUP, and when the process that launched it exits (pnpm, a shell, a
test runner: any ancestor in its process group), so it never outlives its launcher holding the port.

${Object.entries(OPTIONS)
  .map(([flag, option]) => {
    const short = "short" in option ? `-${option.short}, ` : "";
    const left = `  ${short}--${flag}${"value" in option ? ` ${option.value}` : ""}`;
    return `${left.padEnd(34)}${option.help}`;
  })
  .join("\n")}`;

/**
 * Parses the CLI's arguments; every problem is reported at once.
 *
 * @throws EmulatorError `INVALID_ARGUMENT` listing each flag at fault; `HELP` (message: the usage) for `--help`.
 * @example
 * ```ts
 * parseCliArgs(["--port", "8787", "--coins", "BTC,ETH"]).coins; // ["BTC", "ETH"]
 * ```
 */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv.filter((arg) => arg !== "--"),
      options: Object.fromEntries(
        Object.entries(OPTIONS).map(([flag, option]) => [
          flag,
          { type: option.type, ...("short" in option ? { short: option.short } : {}) },
        ]),
      ),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new EmulatorError("INVALID_ARGUMENT", `${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help === true) throw new EmulatorError("HELP", USAGE);
  const problems: string[] = [];
  const number = (
    flag: keyof typeof OPTIONS,
    fallback: number,
    check: (value: number) => boolean,
    expected: string,
  ) => {
    const text = values[flag];
    if (typeof text !== "string") return fallback;
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || !check(value)) {
      problems.push(`--${flag}: expected ${expected}, got "${text}"`);
      return fallback;
    }
    return value;
  };
  const coins =
    typeof values.coins === "string"
      ? values.coins
          .split(",")
          .map((coin) => coin.trim())
          .filter(Boolean)
      : [...DEFAULTS.coins];
  if (coins.length === 0) problems.push("--coins: expected at least one coin, e.g. BTC,ETH");
  const candles: Record<string, string> = {};
  if (typeof values.candles === "string") {
    for (const part of values.candles.split(",")) {
      const [coin, file] = part.includes("=") ? part.split("=", 2) : [coins[0] ?? "BTC", part];
      if (coin && file) candles[coin] = file;
      else problems.push(`--candles: expected FILE or COIN=FILE, got "${part}"`);
    }
  }
  const options: CliOptions = {
    port: number(
      "port",
      DEFAULTS.port,
      (v) => Number.isInteger(v) && v >= 0 && v <= 65_535,
      "a port 0–65535",
    ),
    host: typeof values.host === "string" ? values.host : DEFAULTS.host,
    coins,
    seed: number("seed", DEFAULTS.seed, Number.isInteger, "an integer"),
    speed: number("speed", DEFAULTS.speed, (v) => v > 0, "a number > 0"),
    usdc: number("usdc", DEFAULTS.usdc, (v) => v >= 0, "a number ≥ 0"),
    candles,
    scheduleCancelMinVolumeUsd: number(
      "dms-min-volume",
      DEFAULTS.scheduleCancelMinVolumeUsd,
      (v) => v >= 0,
      "a number ≥ 0",
    ),
    rateLimits: values["no-rate-limits"] !== true,
  };
  if (problems.length > 0) {
    throw new EmulatorError("INVALID_ARGUMENT", `${problems.join("\n")}\n(run with --help for every flag)`);
  }
  return options;
}

/**
 * Reads a candle CSV file, plain or gzip-compressed (detected by its magic bytes, not its name), with
 * `@botmm/core`'s `parseCandleCsv`: errors name the file and line.
 *
 * @example
 * ```ts
 * const candles = loadCandleFile("BTCUSDT_1m.csv.gz");
 * ```
 */
export function loadCandleFile(path: string): Candle[] {
  const bytes = readFileSync(path);
  const text =
    bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
  return parseCandleCsv(text, { sourceName: path });
}

/**
 * Runs the CLI: starts the emulator, prints its URLs and the funded TEST account, and stops it (exit code 0) on
 * SIGINT, SIGTERM, SIGHUP or when its launcher exits. Resolves once it listens.
 *
 * @example
 * ```ts
 * await main(["--port", "8787"]);
 * ```
 */
export async function main(argv: readonly string[]): Promise<void> {
  const cli = parseCliArgs(argv);
  const candles: Record<string, Candle[]> = {};
  for (const [coin, file] of Object.entries(cli.candles)) candles[coin] = loadCandleFile(file);
  const options: EmulatorOptions = {
    host: cli.host,
    port: cli.port,
    coins: cli.coins,
    seed: cli.seed,
    speed: cli.speed,
    candles,
    scheduleCancelMinVolumeUsd: cli.scheduleCancelMinVolumeUsd,
    controlEndpoint: true,
    ...(cli.rateLimits ? {} : { ipWeightPerMinute: Number.POSITIVE_INFINITY, addressBudget: false }),
    // With accelerated time the bot's Date.now() nonces drift from simulated time.
    ...(cli.speed !== 1 ? { nonceWindowMs: Number.POSITIVE_INFINITY } : {}),
  };
  const account = testAccount(cli.seed);
  const emulator = await start({ ...options, accounts: [{ address: account.address, usdc: cli.usdc }] });
  // A launcher that died took the other end of our pipes with it: a write must not crash the shutdown.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return; // under pnpm one Ctrl-C can arrive twice: from the terminal and forwarded by pnpm
    stopping = true;
    stopWatching();
    process.stderr.write(`hl-emulator: ${why}: stopping\n`);
    // Open WebSocket clients must not hold the exit up for long.
    setTimeout(() => process.exit(0), 5_000).unref();
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`hl-emulator: stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => shutdown(signal));
  const stopWatching = watchParent({ onExit: ({ pid }) => shutdown(`its launcher (pid ${pid}) exited`) });
  console.log(`hl-emulator listening (coins ${cli.coins.join(",")}, seed ${cli.seed}, speed ${cli.speed})`);
  console.log(`  HTTP (apiUrl):   ${emulator.url}`);
  console.log(`  WebSocket:       ${emulator.wsUrl}`);
  console.log(`  Control:         POST ${emulator.url}/control`);
  console.log(
    `  TEST account (PUBLIC throwaway key derived from seed ${cli.seed}; never use it anywhere real):`,
  );
  console.log(`    address:          ${account.address}  (${cli.usdc} USDC)`);
  console.log(`    BOTMM_PRIVATE_KEY=${account.privateKey}`);
  console.log(`  pid ${process.pid}; stops on Ctrl-C, SIGTERM, or when its launcher exits`);
}

/**
 * {@link main} with the process around it: prints the usage for `--help` (exit 0) and errors on stderr (exit 2
 * for bad arguments, 1 otherwise). The `hl-emulator` bin and `pnpm … start` both run this.
 *
 * @example
 * ```ts
 * await runCli(process.argv.slice(2));
 * ```
 */
export async function runCli(argv: readonly string[]): Promise<void> {
  try {
    await main(argv);
  } catch (error) {
    if (error instanceof EmulatorError && error.code === "HELP") {
      console.log(error.message);
      process.exitCode = 0;
      return;
    }
    console.error(`hl-emulator: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof EmulatorError && error.code === "INVALID_ARGUMENT" ? 2 : 1;
  }
}

if (process.argv[1] && /cli\.(ts|js|mjs|cjs)$/.test(process.argv[1])) void runCli(process.argv.slice(2));
