// Fails when a source file of an app (apps/*: code, tests and benches tracked by git) is longer than the
// limit: issue 11 keeps each app file to one job, and a file past ~600 lines has grown a second one.
// Usage: node scripts/check-app-file-size.mjs [--max LINES]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const maxFlag = process.argv.indexOf("--max");
const max = maxFlag === -1 ? 600 : Number(process.argv[maxFlag + 1]);
if (!(Number.isInteger(max) && max > 0)) {
  console.error(`--max must be a whole number of lines > 0, got ${process.argv[maxFlag + 1]}`);
  process.exit(2);
}
const files = execFileSync("git", ["ls-files", "apps"], { encoding: "utf8" })
  .split("\n")
  .filter((path) => /\.(ts|mts|mjs|js)$/.test(path));
const over = [];
for (const path of files) {
  const text = readFileSync(path, "utf8");
  const lines = text.endsWith("\n") ? text.split("\n").length - 1 : text.split("\n").length;
  if (lines > max) over.push(`${path}: ${lines} lines`);
}
if (over.length > 0) {
  console.error(`${over.length} app file${over.length === 1 ? "" : "s"} over ${max} lines (split by job):`);
  for (const line of over) console.error(`  ${line}`);
  process.exit(1);
}
console.log(`${files.length} app files, none over ${max} lines`);
