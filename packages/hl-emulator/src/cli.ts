/**
 * Command line: `hl-emulator --port 8787 --coins BTC,ETH --seed 1 [--candles FILE] [--speed 1]`.
 * Run from the workspace with `pnpm --filter @botmm/hl-emulator start -- …` (Node 24 strips the types) or
 * after a build through the `hl-emulator` bin.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Candle } from "@botmm/core";
import { parseCandlesCsv } from "./candles.ts";
import { type EmulatorOptions, start } from "./emulator.ts";
import { EmulatorError } from "./errors.ts";
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

const USAGE = `Usage: hl-emulator [--port 8787] [--host 127.0.0.1] [--coins BTC,ETH] [--seed 1]
                   [--candles FILE | --candles COIN=FILE,COIN=FILE] [--speed 1] [--usdc 100000]
                   [--dms-min-volume 1000000] [--no-rate-limits]`;

/**
 * Parses the CLI's arguments.
 *
 * @throws EmulatorError `INVALID_ARGUMENT` naming the flag at fault.
 * @example
 * ```ts
 * parseCliArgs(["--port", "8787", "--coins", "BTC,ETH"]).coins; // ["BTC", "ETH"]
 * ```
 */
export function parseCliArgs(argv: string[]): CliOptions {
  const options: CliOptions = {
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
  const args = argv.filter((arg) => arg !== "--");
  const number = (flag: string, text: string | undefined): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value)) {
      throw new EmulatorError(
        "INVALID_ARGUMENT",
        `${flag} expects a number, got ${text ?? "nothing"}\n${USAGE}`,
      );
    }
    return value;
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    const [name, inline] =
      flag.includes("=") && flag.startsWith("--")
        ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
        : [flag, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    switch (name) {
      case "--port":
        options.port = number(name, value());
        break;
      case "--host":
        options.host = value() ?? options.host;
        break;
      case "--coins":
        options.coins = (value() ?? "")
          .split(",")
          .map((coin) => coin.trim())
          .filter(Boolean);
        break;
      case "--seed":
        options.seed = number(name, value());
        break;
      case "--speed":
        options.speed = number(name, value());
        break;
      case "--usdc":
        options.usdc = number(name, value());
        break;
      case "--dms-min-volume":
        options.scheduleCancelMinVolumeUsd = number(name, value());
        break;
      case "--no-rate-limits":
        options.rateLimits = false;
        break;
      case "--candles":
        for (const part of (value() ?? "").split(",")) {
          const [coin, file] = part.includes("=") ? part.split("=", 2) : [options.coins[0] ?? "BTC", part];
          if (coin && file) options.candles[coin] = file;
        }
        break;
      case "--help":
      case "-h":
        throw new EmulatorError("HELP", USAGE);
      default:
        throw new EmulatorError("INVALID_ARGUMENT", `unknown argument ${flag}\n${USAGE}`);
    }
  }
  if (options.coins.length === 0)
    throw new EmulatorError("INVALID_ARGUMENT", `--coins needs at least one coin\n${USAGE}`);
  return options;
}

/**
 * Reads a candle CSV file, plain or gzip-compressed (detected by its magic bytes, not its name).
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
  return parseCandlesCsv(text);
}

/**
 * Runs the CLI: starts the emulator and prints its URLs and the funded TEST account.
 *
 * @example
 * ```ts
 * await main(["--port", "8787"]);
 * ```
 */
export async function main(argv: string[]): Promise<void> {
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
  console.log(`hl-emulator listening (coins ${cli.coins.join(",")}, seed ${cli.seed}, speed ${cli.speed})`);
  console.log(`  HTTP (apiUrl):   ${emulator.url}`);
  console.log(`  WebSocket:       ${emulator.wsUrl}`);
  console.log(`  Control:         POST ${emulator.url}/control`);
  console.log(
    `  TEST account (PUBLIC throwaway key derived from seed ${cli.seed}; never use it anywhere real):`,
  );
  console.log(`    address:          ${account.address}  (${cli.usdc} USDC)`);
  console.log(`    BOTMM_PRIVATE_KEY=${account.privateKey}`);
  const stop = () => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && /cli\.(ts|js|mjs|cjs)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof EmulatorError && error.code === "HELP" ? 0 : 1);
  });
}
