#!/usr/bin/env node
// The entry of `pnpm --filter backtest start`: plain JavaScript, so Node starts no TypeScript stripper for it. It
// runs the CLI from its bundle (cli-bundle.mjs: one module for a single run, rebuilt when a source changes), or
// from the sources with BOTMM_CLI_BUNDLE=0; Node's compile cache keeps either compiled between runs.
import { enableCompileCache } from "node:module";

enableCompileCache?.();
const { runCli } = await import("./cli-bundle.mjs");
await runCli();
