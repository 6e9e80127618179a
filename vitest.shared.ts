import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/**
 * Test settings every package shares. Workspace packages resolve to their TypeScript sources through the
 * `@botmm/source` export condition, so tests never need a build first. Each run also writes vitest's JSON
 * result, which `.ci/run` sums into its `tests: N passed, N failed` line.
 */
export const sharedTestConfig = defineConfig({
  resolve: { conditions: ["@botmm/source", ...defaultServerConditions] },
  ssr: { resolve: { conditions: ["@botmm/source", ...defaultServerConditions] } },
  test: {
    // CI runs every package's suite at once on two cores: generous limits, so a loaded machine is not a failure.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    benchmark: { include: ["src/**/*.bench.ts", "bench/**/*.bench.ts"] },
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: ["src/**/*.test.ts", "src/**/*.bench.ts", "src/**/index.ts", "src/**/*.d.ts"],
      reporter: ["text-summary", "json-summary"],
    },
  },
});
