// Order-book replay speed, end to end: reading (gunzip, line split, parsing, book rebuild and checks) alone,
// then reading + the whole replay as `--replay` runs it (options parsed as the CLI does, report built), in
// process, best of N runs; then one whole CLI process for its wall time.
//
// An "event" is counted as hftbacktest counts its rows: one level change or one trade. A full-snapshot book
// (Hyperliquid CSV and archive) counts one event per level it carries (bids + asks); a Binance depth diff one
// per level it changes (and the REST snapshot one per level). Books/s and lines/s are printed beside it.
//
// Run: pnpm --filter backtest bench:replay [--runs N] [--hours H] [--coin BTC] [PATH...]
// Without a path it writes and measures a synthetic Binance USDⓈ-M capture of H hours (default 1; 24 is a
// realistic-size day), see bench/binance-capture.ts. Real data is read only when a path is given.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { mapSymbol } from "../src/data/index.ts";
import { parseCliOptions } from "../src/options.ts";
import { userWorkingDirectory } from "../src/paths.ts";
import { readLineBatches } from "../src/recordings/lines.ts";
import { detectReplaySource, openReplayInput } from "../src/recordings/source.ts";
import { runReplayCli } from "../src/replay-run.ts";
import { writeBinanceCapture } from "./binance-capture.ts";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
let runs = 3;
let hours = 1;
let coin = "BTC";
const paths: string[] = [];
const cwd = userWorkingDirectory(process.env, process.cwd());
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--runs") runs = Number(args[++i]);
  else if (arg === "--hours") hours = Number(args[++i]);
  else if (arg === "--coin") coin = args[++i]!;
  else paths.push(resolve(cwd, arg));
}

let tempDir: string | null = null;
if (paths.length === 0) {
  tempDir = mkdtempSync(join(tmpdir(), "botmm-replay-bench-"));
  const file = join(tempDir, `btcusdt_${hours}h.gz`);
  const t0 = performance.now();
  const stats = await writeBinanceCapture({ path: file, hours });
  console.log(
    `synthetic Binance USDⓈ-M capture, ${hours} h: ${stats.lines.toLocaleString("en-US")} lines, ${stats.diffs.toLocaleString("en-US")} diffs (${stats.levelChanges.toLocaleString("en-US")} level changes), ${stats.trades.toLocaleString("en-US")} trades, ${(statSync(file).size / 1e6).toFixed(1)} MB gz (written in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
  paths.push(file);
}

/** Lines of the files a path stands for, and (for Binance captures) the level changes and trades they hold. */
async function countSource(path: string): Promise<{ lines: number; binanceEvents: number }> {
  const { format, paths: found } = await detectReplaySource(path);
  const files =
    format === "hyperliquid-csv"
      ? readdirSync(found[0]!)
          .filter((name) => new RegExp(`^(orderbooks|trades)_${coin}\\.csv(\\.gz)?$`).test(name))
          .map((name) => join(found[0]!, name))
      : found;
  let lines = 0;
  let binanceEvents = 0;
  for (const file of files) {
    for await (const batch of readLineBatches(file)) {
      lines += batch.lines.length;
      if (format !== "binance-collector") continue;
      for (const text of batch.lines) {
        if (text.includes('"depthUpdate"') || text.includes('"lastUpdateId"')) {
          for (let at = text.indexOf('["'); at >= 0; at = text.indexOf('["', at + 2)) binanceEvents++;
        } else if (text.includes('@trade"')) binanceEvents++;
      }
    }
  }
  return { lines, binanceEvents };
}

const sink = { write: () => true };
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

for (const path of paths) {
  const { format } = await detectReplaySource(path);
  const { lines, binanceEvents } = await countSource(path);
  const coinOf = (symbol: string) => mapSymbol(symbol).hyperliquid;

  let books = 0;
  let trades = 0;
  let levels = 0;
  let readBest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    books = 0;
    trades = 0;
    levels = 0;
    const t0 = performance.now();
    const input = await openReplayInput(path, { coin, coinOf });
    for await (const event of input.events) {
      if (event.coin !== coin) continue;
      if (event.type === "book") {
        books++;
        // A full-depth book's view: reading its arrays would build them, which the replay never does.
        const view = event.view;
        levels +=
          view === undefined ? event.bids.length + event.asks.length : view.bids.length + view.asks.length;
      } else if (event.type === "trades" && event.snapshot !== true) trades += event.trades.length;
    }
    readBest = Math.min(readBest, performance.now() - t0);
  }
  const events = format === "binance-collector" ? binanceEvents : levels + trades;

  const argv = ["--replay", path, "--symbol", coin, "--no-progress"];
  let replayBest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const options = await parseCliOptions(argv, cwd);
    if (options === "help") throw new Error("unexpected help");
    const t0 = performance.now();
    await runReplayCli(options, { stdout: sink, stderr: sink, now: () => 0, cwd }, t0);
    replayBest = Math.min(replayBest, performance.now() - t0);
  }

  const t0 = performance.now();
  let cliWall = "";
  try {
    execFileSync(process.execPath, ["--conditions=@botmm/source", "src/cli.ts", ...argv], {
      cwd: resolve(import.meta.dirname, ".."),
      stdio: "ignore",
    });
    cliWall = `${(performance.now() - t0).toFixed(0)} ms wall (process start to exit)`;
  } catch (error) {
    cliWall = `failed: ${(error as Error).message.split("\n")[0]}`;
  }

  const rate = (count: number, ms: number) => fmt(count / (ms / 1000));
  console.log(`\n${format}: ${path} (${coin})`);
  console.log(
    `  holds ${fmt(events)} events (level changes + trades), ${fmt(books)} books, ${fmt(trades)} trades, ${fmt(lines)} lines`,
  );
  console.log(
    `  read only        best ${readBest.toFixed(0)} ms: ${rate(events, readBest)} events/s, ${rate(books, readBest)} books/s, ${rate(lines, readBest)} lines/s`,
  );
  console.log(
    `  read + replay    best ${replayBest.toFixed(0)} ms: ${rate(events, replayBest)} events/s, ${rate(books, replayBest)} books/s, ${rate(lines, replayBest)} lines/s`,
  );
  console.log(`  whole CLI        ${cliWall}`);
}

if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
