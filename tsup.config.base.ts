import type { Options } from "tsup";

/** The one build every library shares: ESM + CJS + types, readable output with source maps. */
export const libraryBuild: Options = {
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "es2022",
  platform: "neutral",
  splitting: false,
  treeshake: true,
};
