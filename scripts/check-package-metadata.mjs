// Checks the publishing metadata of one library (`node scripts/check-package-metadata.mjs packages/core`):
// license, repository (with its directory), homepage, bugs, engines, and a LICENSE beside it identical to
// the root's that the package ships. Prints each problem naming the field and what was expected; exits 1
// if there is any.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const repo = "https://github.com/botmm/botmm";
const dir = process.argv[2]?.replace(/\/$/, "");
if (!dir) {
  console.error("usage: node scripts/check-package-metadata.mjs packages/<name>");
  process.exit(2);
}
const file = join(dir, "package.json");
const pkg = JSON.parse(readFileSync(file, "utf8"));
const problems = [];
const expect = (field, actual, wanted) => {
  if (actual !== wanted)
    problems.push(`${field}: expected ${JSON.stringify(wanted)}, got ${JSON.stringify(actual)}`);
};

expect("license", pkg.license, "MIT");
expect("repository.type", pkg.repository?.type, "git");
expect("repository.url", pkg.repository?.url, `git+${repo}.git`);
expect("repository.directory", pkg.repository?.directory, dir);
expect("homepage", pkg.homepage, `${repo}/tree/main/${dir}#readme`);
expect("bugs.url", pkg.bugs?.url, `${repo}/issues`);
if (typeof pkg.engines?.node !== "string")
  problems.push(`engines.node: expected a version range, got ${JSON.stringify(pkg.engines?.node)}`);
if (!Array.isArray(pkg.files) || !pkg.files.includes("LICENSE"))
  problems.push(`files: expected it to list "LICENSE", got ${JSON.stringify(pkg.files)}`);

const rootLicense = readFileSync("LICENSE", "utf8");
let license;
try {
  license = readFileSync(join(dir, "LICENSE"), "utf8");
} catch {
  problems.push(`${dir}/LICENSE: missing (copy the root LICENSE there)`);
}
if (license !== undefined && license !== rootLicense)
  problems.push(`${dir}/LICENSE: differs from the root LICENSE (copy it again)`);

for (const problem of problems) console.error(`${file}: ${problem}`);
process.exit(problems.length === 0 ? 0 : 1);
