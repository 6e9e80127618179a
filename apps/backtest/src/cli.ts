#!/usr/bin/env node
// The backtest command: `pnpm --filter backtest start -- --symbol BTCUSDT --days 90`.
import { userWorkingDirectory } from "./paths.ts";
import { runBacktestCli } from "./run.ts";

const args = process.argv.slice(2);
// pnpm passes a literal "--" through when the user separates script arguments with it.
const argv = args[0] === "--" ? args.slice(1) : args;
const code = await runBacktestCli(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => Date.now(),
  cwd: userWorkingDirectory(process.env, process.cwd()),
});
process.exitCode = code;
