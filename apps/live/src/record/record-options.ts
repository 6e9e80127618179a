import { type OptionRow, renderOptionRows } from "../help.ts";

/** The flags of `record`: what its `parseArgs` reads and what `--help` (its own and the live app's) lists. */
export const RECORD_OPTIONS: readonly OptionRow[] = [
  { flag: "coins", type: "string", value: "BTC,ETH", description: "coins to record", defaultText: "BTC" },
  {
    flag: "out",
    type: "string",
    value: "DIR",
    description: "recording directory, required (created; existing hours are appended to)",
  },
  {
    flag: "duration",
    type: "string",
    value: "DURATION",
    description: "stop after this long, e.g. 1h or 24h (default: until Ctrl-C / SIGTERM)",
  },
  { flag: "testnet", type: "boolean", description: "record testnet data (default: mainnet data)" },
  {
    flag: "api-url",
    type: "string",
    value: "URL",
    description: "any Hyperliquid-compatible endpoint, e.g. a standalone emulator (WebSocket URL derived)",
  },
  {
    flag: "sim",
    type: "boolean",
    description: "record from an in-process emulator (offline; for trying the tools)",
  },
  {
    flag: "status-interval",
    type: "string",
    value: "DURATION",
    description: "how often to print the status line (books, trades, gaps, events/s, files, size)",
    defaultText: "10s",
  },
  { flag: "help", short: "h", type: "boolean", description: "print this help" },
];

/** Usage of `record`, generated from {@link RECORD_OPTIONS}. */
export const RECORD_USAGE = `Usage: pnpm --filter live start -- record --out DIR [--coins BTC,ETH] [options]

Records Hyperliquid L2 books (20 levels) and trades into BotMM's recording format v1 (hourly gzip JSON Lines,
exchange and local timestamps, disconnects written as gaps). Public data: no key is needed.

${renderOptionRows(RECORD_OPTIONS)}

Replay it: pnpm --filter backtest start -- --replay DIR --symbol BTC [--compare-candles]`;
