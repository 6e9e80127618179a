// The CLI as a bundle: `cli.ts` and everything it imports (our packages, zod, yaml) in a few ES modules built by
// tsup, with each subcommand in a chunk of its own loaded when it runs. Node then loads one module for a single
// run instead of ~300 TypeScript and package files (≈ 0.3 s of CPU at every start, even from the compile
// cache). There is no build step to forget: the bundle lives in node_modules/.cache/botmm-cli and its manifest
// lists every file it was built from with its size and mtime, plus the lockfile, the package manifests and the
// tsconfigs; a run that finds any of them changed (or no bundle) rebuilds it first (≈ 1 s, once). Plain
// JavaScript, like main.mjs, so a run from the bundle starts no TypeScript at all.
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Bump when the build below changes: bundles of another format are rebuilt. */
export const BUNDLE_FORMAT = 2;

const APP_DIR = resolve(import.meta.dirname, "..");
const REPO_DIR = resolve(APP_DIR, "../..");
/** Loaded only by some commands and large: left to Node's resolution from the app's node_modules. */
const EXTERNAL = ["ccxt", "bullmq", "ioredis", "@nktkas/hyperliquid"];
/**
 * The worker-thread scripts, bundled as entries of their own beside `cli.mjs`: a thread started from the
 * bundle loads plain JavaScript instead of type-stripping its ~200 TypeScript and package files (≈ 0.6 s of
 * CPU a thread). Keyed by source path (from `src/`); the value is the entry's name.
 */
const WORKER_ENTRIES = {
  "sweep/worker.ts": "sweep-worker",
  "screen/worker.ts": "screen-worker",
  "queue/compute-thread.ts": "queue-compute-thread",
  "calibrate/worker.ts": "calibrate-worker",
};
/** Builds older than this, other than the current one, are removed (a run started on one keeps working). */
const KEEP_OLD_BUILDS_MS = 10 * 60_000;

/**
 * Where bundles are kept: `$BOTMM_CLI_BUNDLE_DIR`, else `apps/backtest/node_modules/.cache/botmm-cli` (inside
 * node_modules, so the externals above resolve from it).
 */
export function bundleDir(env = process.env) {
  return env.BOTMM_CLI_BUNDLE_DIR || join(APP_DIR, "node_modules", ".cache", "botmm-cli");
}

/**
 * The entry file of the current bundle in `dir`, or null when there is none, it has another format, or any
 * file it was built from has changed, appeared or gone since.
 *
 * @param {string} dir
 * @returns {string | null}
 */
export function currentBundle(dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, "current.json"), "utf8"));
  } catch {
    return null;
  }
  if (manifest?.format !== BUNDLE_FORMAT || typeof manifest.build !== "string") return null;
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return null;
  for (const input of manifest.inputs) {
    if (!Array.isArray(input) || !sameStamp(input[0], input[1])) return null;
  }
  return join(dir, manifest.build, "cli.mjs");
}

/**
 * Builds the bundle into a new folder of `dir` and makes it current; returns its entry file. Concurrent runs
 * each build their own folder; the manifest is replaced atomically, so a run sees one whole bundle or another.
 *
 * @param {string} dir
 * @returns {Promise<string>}
 */
export async function buildBundle(dir) {
  const { build } = await import("tsup");
  const name = `${Date.now().toString(36)}-${process.pid}`;
  const outDir = join(dir, name);
  try {
    await runBuild(build, outDir);
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
  const metafile = JSON.parse(readFileSync(join(outDir, "metafile-esm.json"), "utf8"));
  const inputs = [
    ...Object.keys(metafile.inputs)
      .filter((input) => !input.includes(":"))
      .map((input) => resolve(process.cwd(), input)),
    ...configFiles(),
  ];
  const manifest = {
    format: BUNDLE_FORMAT,
    build: name,
    inputs: inputs.map((path) => [path, fileStamp(path)]),
  };
  const temporary = join(dir, `current.json.${process.pid}.tmp`);
  writeFileSync(temporary, JSON.stringify(manifest));
  renameSync(temporary, join(dir, "current.json"));
  removeOldBuilds(dir, name);
  return join(outDir, "cli.mjs");
}

/** tsup's `build` of the CLI into `outDir`. */
async function runBuild(build, outDir) {
  await build({
    entry: {
      cli: join(APP_DIR, "src", "cli.ts"),
      ...Object.fromEntries(
        Object.entries(WORKER_ENTRIES).map(([source, name]) => [name, join(APP_DIR, "src", source)]),
      ),
    },
    format: ["esm"],
    outDir,
    outExtension: () => ({ js: ".mjs" }),
    platform: "node",
    target: "node24",
    splitting: true,
    noExternal: [/.*/],
    tsconfig: join(APP_DIR, "tsconfig.json"),
    config: false,
    dts: false,
    sourcemap: false,
    clean: false,
    shims: false,
    treeshake: false,
    minify: false,
    metafile: true,
    silent: true,
    esbuildOptions(options) {
      options.conditions = ["@botmm/source"];
      options.external = EXTERNAL;
      options.logLevel = "silent";
      // CommonJS packages bundled into ES modules (yaml) require Node's built-ins.
      options.banner = {
        js: 'import { createRequire as __botmmCreateRequire } from "node:module"; const require = __botmmCreateRequire(import.meta.url);',
      };
    },
    esbuildPlugins: [sourceLocationPlugin()],
  });
}

/**
 * Runs the CLI: from the current bundle (built first when missing or stale), or from the TypeScript sources
 * when `BOTMM_CLI_BUNDLE=0` or the bundle cannot be built — then saying so and why on stderr.
 */
export async function runCli(env = process.env) {
  if (env.BOTMM_CLI_BUNDLE === "0") {
    await import("./cli.ts");
    return;
  }
  let entry;
  try {
    const dir = bundleDir(env);
    entry = currentBundle(dir) ?? (await buildBundle(dir));
  } catch (error) {
    process.stderr.write(
      `note: running the backtest CLI from its TypeScript sources, slower to start: its bundle could not be built (${error instanceof Error ? error.message : String(error)})\n`,
    );
    await import("./cli.ts");
    return;
  }
  await import(pathToFileURL(entry).href);
}

/** Files that change the build without being bundled: dependency versions, package exports, compiler options. */
function configFiles() {
  const files = [
    join(REPO_DIR, "pnpm-lock.yaml"),
    join(REPO_DIR, "tsconfig.base.json"),
    join(APP_DIR, "tsconfig.json"),
    join(APP_DIR, "package.json"),
    join(APP_DIR, "src", "cli-bundle.mjs"),
  ];
  for (const folder of ["packages", "apps"]) {
    for (const entry of readdirSync(join(REPO_DIR, folder), { withFileTypes: true })) {
      if (entry.isDirectory()) files.push(join(REPO_DIR, folder, entry.name, "package.json"));
    }
  }
  return files;
}

/**
 * What the manifest records of a file to notice a change: `size:mtimeMs`, or `absent`.
 *
 * @param {string} path
 * @returns {string}
 */
export function fileStamp(path) {
  try {
    const stats = statSync(path);
    return `${stats.size}:${stats.mtimeMs}`;
  } catch {
    return "absent";
  }
}

function sameStamp(path, expected) {
  return typeof path === "string" && fileStamp(path) === expected;
}

function removeOldBuilds(dir, current) {
  const now = Date.now();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === current) continue;
    const path = join(dir, entry.name);
    try {
      if (now - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by a concurrent run.
    }
  }
}

/**
 * Sources that locate files beside themselves keep their own location in the bundle, except a worker script
 * (`new URL("./worker.ts", import.meta.url)`: the sweep, screen, calibrate and queue threads), which points at
 * its bundled entry beside the chunk that starts it (every output file of the build is in one folder).
 */
function sourceLocationPlugin() {
  const workers = new Map(
    Object.entries(WORKER_ENTRIES).map(([source, name]) => [join(APP_DIR, "src", source), name]),
  );
  return {
    name: "botmm-source-location",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.")) return undefined;
        const url = pathToFileURL(args.path).href;
        const contents = text
          .replace(/new URL\("(\.\/[\w./-]+\.ts)", import\.meta\.url\)/g, (call, relative) => {
            const entry = workers.get(resolve(args.path, "..", relative));
            return entry === undefined ? call : `new URL("./${entry}.mjs", __botmmBundleUrl__)`;
          })
          .replaceAll("import.meta.url", JSON.stringify(url))
          .replaceAll("import.meta.dirname", JSON.stringify(resolve(args.path, "..")))
          .replaceAll("import.meta.filename", JSON.stringify(args.path))
          .replaceAll("__botmmBundleUrl__", "import.meta.url");
        return { contents, loader: "ts" };
      });
    },
  };
}
