#!/usr/bin/env node
// Runs the built CLI. From the workspace, `pnpm --filter @botmm/hl-emulator start -- …` runs the TypeScript
// sources directly instead (no build needed).
import { runCli } from "../dist/cli.js";

await runCli(process.argv.slice(2));
