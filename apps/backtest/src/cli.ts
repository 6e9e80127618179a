#!/usr/bin/env node
// The backtest command: `pnpm --filter backtest start -- --symbol BTCUSDT --days 90`.
import { enableCompileCache } from "node:module";
import { userWorkingDirectory } from "./paths.ts";

// Node keeps the compiled, type-stripped modules on disk (its compile cache: NODE_COMPILE_CACHE or the temp
// directory; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a run after the first does not strip the types of
// every source file again: about half a second of CPU a run. It covers the modules imported after it is on.
enableCompileCache?.();
const { runBacktestCli } = await import("./run.ts");

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
