import { execFileSync, spawnSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLE_FORMAT, buildBundle, currentBundle, fileStamp } from "./cli-bundle.mjs";

const APP_DIR = join(import.meta.dirname, "..");
// Inside the app's node_modules, as the real bundle is, so its external packages resolve.
const bundles = join(APP_DIR, "node_modules", ".cache", `botmm-cli-test-${process.pid}`);
const work = mkdtempSync(join(tmpdir(), "botmm-cli-bundle-"));
afterAll(() => {
  rmSync(bundles, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function writeManifest(dir: string, inputs: string[], format = BUNDLE_FORMAT): void {
  mkdirSync(dir, { recursive: true });
  const manifest = { format, build: "b1", inputs: inputs.map((path) => [path, fileStamp(path)]) };
  writeFileSync(join(dir, "current.json"), JSON.stringify(manifest));
}

describe("currentBundle", () => {
  it("is the manifest's entry while every input is unchanged, and null once one changes or goes", () => {
    const dir = join(work, "manifest");
    const input = join(work, "input.ts");
    writeFileSync(input, "export const a = 1;\n");
    expect(currentBundle(dir)).toBeNull();
    writeManifest(dir, [input]);
    expect(currentBundle(dir)).toBe(join(dir, "b1", "cli.mjs"));

    const later = new Date(Date.now() + 10_000);
    utimesSync(input, later, later);
    expect(currentBundle(dir)).toBeNull();

    writeManifest(dir, [input]);
    writeFileSync(input, "export const a = 22;\n");
    expect(currentBundle(dir)).toBeNull();

    writeManifest(dir, [input]);
    rmSync(input);
    expect(currentBundle(dir)).toBeNull();
  });

  it("rebuilds a bundle of another format, and a damaged manifest", () => {
    const dir = join(work, "format");
    const input = join(work, "other.ts");
    writeFileSync(input, "x\n");
    writeManifest(dir, [input], BUNDLE_FORMAT + 1);
    expect(currentBundle(dir)).toBeNull();
    writeFileSync(join(dir, "current.json"), '{"format":');
    expect(currentBundle(dir)).toBeNull();
  });
});

describe("the bundled CLI", () => {
  it("prints and writes exactly what the sources do, and runs a subcommand with worker threads", async () => {
    const entry = await buildBundle(bundles);
    expect(currentBundle(bundles)).toBe(entry);

    const csv = join(work, "candles.csv");
    const rows = ["open_time,open,high,low,close,volume"];
    for (let i = 0; i < 2 * 1440; i++) {
      const mid = 100_000 + 50 * Math.sin(i / 37) + (i % 11) * 0.7;
      rows.push(
        `${Date.UTC(2025, 4, 20) + i * 60_000},${mid},${mid + 9.5},${mid - 8.25},${mid + 1.5},${1 + (i % 7)}`,
      );
    }
    writeFileSync(csv, `${rows.join("\n")}\n`);
    const run = (script: string[], json: string) =>
      execFileSync(process.execPath, [...script, "--csv", csv, "--json", json, "--no-progress"], {
        cwd: APP_DIR,
        encoding: "utf8",
        timeout: 120_000,
      });
    const fromBundle = run([entry], join(work, "bundle.json"));
    const fromSources = run(["--conditions=@botmm/source", "src/cli.ts"], join(work, "sources.json"));
    const stable = (text: string) => text.replace(/^(runtime|wrote).*$/gm, "");
    expect(stable(fromBundle)).toBe(stable(fromSources));
    expect(fromBundle).toContain("BotMM candle backtest");
    const report = (name: string) => {
      const { runtimeMs: _, ...rest } = JSON.parse(readFileSync(join(work, name), "utf8"));
      return rest;
    };
    expect(report("bundle.json")).toEqual(report("sources.json"));

    const sweep = spawnSync(
      process.execPath,
      [entry, "sweep", "--csv", csv, "--grid", "base-spread-bps=1,3", "--workers", "2", "--no-progress"],
      { cwd: APP_DIR, encoding: "utf8", timeout: 120_000 },
    );
    expect(sweep.stderr).toBe("");
    expect(sweep.status).toBe(0);
    expect(sweep.stdout).toMatch(/2 configurations ranked/);
    // The threads start from the bundle's own worker entries, not from the TypeScript sources.
    const built = readdirSync(dirname(entry));
    expect(built).toEqual(
      expect.arrayContaining(["sweep-worker.mjs", "screen-worker.mjs", "queue-compute-thread.mjs"]),
    );
    const code = built
      .filter((name) => name.endsWith(".mjs"))
      .map((name) => readFileSync(join(dirname(entry), name), "utf8"));
    const workerUrls = code.flatMap((text) =>
      [...text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)].map((m) => m[1]),
    );
    expect(workerUrls.sort()).toEqual([
      "./calibrate-worker.mjs",
      "./queue-compute-thread.mjs",
      "./screen-worker.mjs",
      "./sweep-worker.mjs",
    ]);
  }, 180_000);

  it("runs from the sources, saying why, when the bundle cannot be built", () => {
    const blocked = join(work, "a-file");
    writeFileSync(blocked, "not a directory");
    const result = spawnSync(process.execPath, ["--conditions=@botmm/source", "src/main.mjs", "--help"], {
      cwd: APP_DIR,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, BOTMM_CLI_BUNDLE_DIR: join(blocked, "bundles") },
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/running the backtest CLI from its TypeScript sources.*could not be built/);
    expect(result.stdout).toMatch(/^Usage: pnpm --filter backtest start/);
  }, 120_000);
});
