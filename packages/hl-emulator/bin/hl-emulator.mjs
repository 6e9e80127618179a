#!/usr/bin/env node
// Runs the built CLI. From the workspace, `pnpm --filter @botmm/hl-emulator start -- …` runs the TypeScript
// sources directly instead (no build needed).
import { main } from "../dist/cli.js";

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
