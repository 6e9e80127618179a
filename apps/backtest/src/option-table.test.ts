import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { strategyConfigSchema } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { CALIBRATE_FLAGS } from "./calibrate/options.ts";
import { renderHelp } from "./option-help.ts";
import { OPTION_ROWS, rowOfFlag, runOptionsSchema } from "./option-table.ts";
import { CliUsageError, parseCliOptions } from "./options.ts";
import { WORKER_FLAGS } from "./queue/worker-command.ts";
import { REALISM_FLAGS } from "./realism.ts";
import { SCREEN_FLAGS } from "./screen/args.ts";
import { SWEEP_FLAGS } from "./sweep/spec.ts";

const help = renderHelp();
// The usage line's --filter is pnpm's.
const helpFlags = [
  ...new Set([...help.matchAll(/--(?:\[no-\])?([a-z][a-z0-9-]*)/g)].map((match) => match[1]!)),
].filter((flag) => flag !== "filter");

/** Every `--flag` written in the non-test sources of a directory tree. */
function flagsMentionedIn(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        // A flag, not a decrement such as `--this.count` or `--i`.
        for (const match of readFileSync(path, "utf8").matchAll(
          /(?<![\w-])--([a-z][a-z0-9-]*)(?![\w.(#[-])/g,
        ))
          found.set(match[1]!, path);
      }
    }
  };
  walk(root);
  return found;
}

const isFlag = (name: string): boolean => {
  if (rowOfFlag(name) !== undefined) return true;
  // The sweep and walk-forward commands' own flags.
  if (SWEEP_FLAGS.some((row) => row.flag === name)) return true;
  // The calibrate command's own flags.
  if (Object.hasOwn(CALIBRATE_FLAGS, name)) return true;
  // The screen command's own flags.
  if (SCREEN_FLAGS.some((row) => row.flag === name)) return true;
  // The realism command's own flags.
  if (REALISM_FLAGS.includes(name)) return true;
  // The queue worker's own flags.
  if (WORKER_FLAGS.some((row) => row.flag === name)) return true;
  const positive = name.startsWith("no-") ? rowOfFlag(name.slice(3)) : undefined;
  return positive !== undefined && (positive.kind === "boolean" || positive.negatable === true);
};

describe("the option table", () => {
  it("gives every run option and every strategy setting a flag", () => {
    const keys = new Set(OPTION_ROWS.map((row) => row.key));
    for (const key of Object.keys(runOptionsSchema.shape)) expect(keys, key).toContain(key);
    for (const key of Object.keys(strategyConfigSchema.shape)) expect(keys, key).toContain(key);
  });

  it("--help lists every flag of the table, with its description", () => {
    for (const row of OPTION_ROWS) {
      expect(helpFlags, row.flag).toContain(row.flag);
      expect(help.replace(/\s+/g, " "), row.flag).toContain(row.description.slice(0, 30));
    }
  });

  it("lists the flags the README and the warnings tell users to pass", () => {
    for (const flag of [
      "volatility-warmup-bars",
      "volatility-half-life-bars",
      "sz-decimals",
      "tick",
      "hard-limit-multiple",
      "toxicity-threshold-bps",
      "refresh-tolerance-bps",
      "binance-url",
      "hyperliquid-url",
      "prime-candles",
      "prime-download",
      "cache-dir",
      "request-budget",
    ]) {
      expect(helpFlags, flag).toContain(flag);
    }
  });

  it("the parser knows every flag --help prints", async () => {
    for (const flag of helpFlags) {
      expect(isFlag(flag), flag).toBe(true);
      const row = rowOfFlag(flag);
      const args = row === undefined || row.kind === "boolean" ? [`--${flag}`] : [`--${flag}`, "1"];
      const result = await parseCliOptions(args, "/tmp").catch((error: unknown) => error);
      if (result instanceof CliUsageError) expect(result.message, flag).not.toMatch(/unknown option/);
      else if (result instanceof Error) throw result;
    }
  });

  it("every --flag the app and the backtest library print or advise exists", () => {
    const here = import.meta.dirname;
    const mentioned = new Map([
      ...flagsMentionedIn(here),
      ...flagsMentionedIn(join(here, "../../../packages/backtest/src")),
    ]);
    expect(mentioned.size).toBeGreaterThan(10);
    // Not ours: pnpm's --filter in usage lines; --flag / --no-flag / --no- are this parser's own words.
    const notFlags = new Set(["filter", "flag", "no-flag", "no-"]);
    for (const [name, file] of mentioned) {
      if (notFlags.has(name)) continue;
      expect(isFlag(name), `--${name} in ${file}`).toBe(true);
    }
  });
});
