// Line coverage of the pure libraries, measured by vitest's v8 coverage, as one table.
// Fails (exit 1) when a package is below the bar. Usage: pnpm coverage [--min 90] [package ...]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const minIndex = args.indexOf("--min");
const minimum = minIndex >= 0 ? Number(args.splice(minIndex, 2)[1]) : 90;
const packages = args.length > 0 ? args : ["core", "quoter", "signals", "inventory", "risk"];

const rows = [];
for (const name of packages) {
  const dir = join("packages", name);
  if (!existsSync(dir)) throw new Error(`no package at ${dir}`);
  rmSync(join(dir, "coverage"), { recursive: true, force: true });
  execFileSync("pnpm", ["exec", "vitest", "run", "--coverage", "--reporter=dot"], {
    cwd: dir,
    stdio: "inherit",
  });
  const summary = JSON.parse(readFileSync(join(dir, "coverage", "coverage-summary.json"), "utf8")).total;
  rows.push({
    name: `@botmm/${name}`,
    lines: summary.lines.pct,
    branches: summary.branches.pct,
    functions: summary.functions.pct,
  });
}

console.log("\npackage            lines   branches  functions");
for (const row of rows) {
  console.log(
    `${row.name.padEnd(18)} ${`${row.lines.toFixed(1)}%`.padStart(6)}  ${`${row.branches.toFixed(1)}%`.padStart(8)}  ${`${row.functions.toFixed(1)}%`.padStart(9)}`,
  );
}
const below = rows.filter((row) => row.lines < minimum);
if (below.length > 0) {
  console.error(`\nline coverage below ${minimum}%: ${below.map((row) => row.name).join(", ")}`);
  process.exit(1);
}
console.log(`\nall at or above ${minimum}% line coverage`);
