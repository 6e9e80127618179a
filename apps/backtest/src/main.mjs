#!/usr/bin/env node
// The entry of `pnpm --filter backtest start`: plain JavaScript, so Node does not start its TypeScript
// stripper (≈ 0.2 s) for the entry itself, and with its compile cache on the TypeScript modules imported
// below come already stripped from the cache (see cli.ts).
import { enableCompileCache } from "node:module";

enableCompileCache?.();
await import("./cli.ts");
