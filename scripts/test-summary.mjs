// Sums vitest's JSON results (written by every package's test run to .vitest/results.json) into the one line
// CI reads: `tests: N passed, N failed`. A package whose tests ran but left no result file counts as a failure.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "apps"];
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const manifestPath = join(dir, "package.json");
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (!manifest.scripts?.test) continue;
    const resultPath = join(dir, ".vitest", "results.json");
    if (!existsSync(resultPath)) {
      problems.push(`${manifest.name}: no test result at ${resultPath}`);
      failed += 1;
      continue;
    }
    const result = JSON.parse(readFileSync(resultPath, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    // A test file that fails to load counts no test at all: count it so it cannot hide.
    for (const file of result.testResults ?? []) {
      if (file.status === "failed" && (file.assertionResults ?? []).length === 0) {
        problems.push(`${manifest.name}: ${file.name} failed to run: ${file.message ?? "unknown error"}`);
        failed += 1;
      }
    }
  }
}

for (const problem of problems) console.error(problem);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
