import { type OptionRow, renderOptionRows } from "../help.ts";
import { RECORD_VENUE_NAMES } from "./record-venues.ts";

/** The flags of `record`: what its `parseArgs` reads and what `--help` (its own and the live app's) lists. */
export const RECORD_OPTIONS: readonly OptionRow[] = [
  {
    flag: "venue",
    type: "string",
    value: RECORD_VENUE_NAMES.join("|"),
    description: "where to record from",
    defaultText: "hyperliquid",
  },
  {
    flag: "coins",
    type: "string",
    value: "BTC,ETH",
    description:
      "coins to record, as the backtest's --symbol names them; on binance and bybit BTC (or BTCUSDT) records BTCUSDT, kPEPE (or 1000PEPE) records 1000PEPEUSDT",
    defaultText: "BTC",
  },
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
  { flag: "mainnet", type: "boolean", description: "record the venue's mainnet data (the default)" },
  { flag: "testnet", type: "boolean", description: "record the venue's testnet data" },
  {
    flag: "api-url",
    type: "string",
    value: "URL",
    description:
      "another endpoint of the venue's API, e.g. a standalone emulator (hyperliquid: its root; binance: the host serving /fapi; bybit: the host serving /v5)",
  },
  {
    flag: "ws-url",
    type: "string",
    value: "URL",
    description: "its WebSocket URL, with --api-url",
    defaultText: "ws(s)://<api-url host>/ws; bybit: ws(s)://<api-url host>",
  },
  {
    flag: "sim",
    type: "boolean",
    description: "record from an in-process emulator (offline; for trying the tools; hyperliquid only)",
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

Records a venue's L2 books (20 levels) and public trades into BotMM's recording format v1 (hourly gzip JSON
Lines, exchange and local timestamps, disconnects written as gaps; the header names the venue). Public data:
no key is read or needed.

${renderOptionRows(RECORD_OPTIONS)}

Replay it: pnpm --filter backtest start -- --replay DIR --symbol BTC [--compare-candles]
(the replay takes the fees and the price tick of the recording's venue unless --fee-tier / --tick say otherwise)`;
