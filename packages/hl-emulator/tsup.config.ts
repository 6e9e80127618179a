import { defineConfig } from "tsup";
import { libraryBuild } from "../../tsup.config.base.ts";

// The library plus the CLI (the `hl-emulator` bin runs dist/cli.js).
export default defineConfig({ ...libraryBuild, entry: ["src/index.ts", "src/cli.ts"] });
