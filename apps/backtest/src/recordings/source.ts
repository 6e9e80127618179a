import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { hyperliquidCsvKind, type MarketEvent, tardisDataset } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { readBinanceCollector } from "./binance.ts";
import { BookCheck } from "./book-check.ts";
import { readHftbacktestCapture, readHyperliquidArchive } from "./hyperliquid.ts";
import { readHyperliquidCsv } from "./hyperliquid-csv.ts";
import { firstLine } from "./lines.ts";
import { readRecording, readRecordingFile } from "./recording.ts";
import { readTardis } from "./tardis.ts";

/** The order-book data layouts `--replay` reads. */
export const REPLAY_FORMATS = [
  "recording",
  "recording-file",
  "hyperliquid-archive",
  "hftbacktest",
  "binance-collector",
  "tardis",
  "hyperliquid-csv",
] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

const DESCRIPTIONS: Record<ReplayFormat, string> = {
  recording: "a botmm-md recording directory",
  "recording-file": "one botmm-md recording file",
  "hyperliquid-archive": "a Hyperliquid archive l2Book file",
  hftbacktest: "an hftbacktest Hyperliquid WebSocket capture",
  "binance-collector": "a Binance capture in hftbacktest's collector format",
  tardis: "Tardis.dev CSV files",
  "hyperliquid-csv": "a Hyperliquid orderbooks_/trades_<COIN>.csv capture",
};

/** The format of one file, told by its first line, or null. */
export function formatOfLine(line: string): ReplayFormat | null {
  if (line.includes('"format":"botmm-md"')) return "recording-file";
  if (line.includes('"raw"') && line.includes("l2Book")) return "hyperliquid-archive";
  if (/^(\d+ )?\{\s*"(stream|lastUpdateId)"/.test(line)) return "binance-collector";
  if (/^\d+ \{/.test(line) && line.includes('"channel"')) return "hftbacktest";
  if (tardisDataset(line) !== null) return "tardis";
  if (hyperliquidCsvKind(line) !== null) return "hyperliquid-csv";
  return null;
}

/** What a `--replay` path holds: its format and the files to read. */
export interface DetectedSource {
  format: ReplayFormat;
  /** The files (or the directory, for `recording` and `hyperliquid-csv`) to read, in order. */
  paths: string[];
}

/**
 * Looks at a `--replay` path: a directory of coin directories is a recording; a directory with
 * `orderbooks_<COIN>.csv` files is a Hyperliquid CSV capture; a directory of Tardis CSVs or of Binance
 * collector files is read whole (files in name order). A file is told apart by its first line. `format`
 * forces one.
 *
 * @throws BotmmError `NOT_FOUND`, `LZ4` or `UNKNOWN_FORMAT` naming the path.
 * @example
 * ```ts
 * await detectReplaySource("captures/btcusdt_20240808.gz"); // { format: "binance-collector", paths: ["captures/btcusdt_20240808.gz"] }
 * ```
 */
export async function detectReplaySource(path: string, format?: ReplayFormat): Promise<DetectedSource> {
  const info = await stat(path).catch(() => {
    throw new BotmmError("NOT_FOUND", `--replay ${path}: no such file or directory`);
  });
  if (info.isDirectory()) return detectDirectory(path, format);
  if (path.endsWith(".lz4")) {
    throw new BotmmError(
      "LZ4",
      `--replay ${path}: Hyperliquid's archive ships lz4 files; decompress it first (unlz4 ${path})`,
    );
  }
  const detected = format ?? formatOfLine(await firstLine(path));
  if (detected === null) {
    throw new BotmmError(
      "UNKNOWN_FORMAT",
      `--replay ${path}: line 1 is none of the formats the replay reads (${Object.values(DESCRIPTIONS).join("; ")}); see FORMAT.md`,
    );
  }
  if (detected === "hyperliquid-csv" || detected === "recording")
    return { format: detected, paths: [dirname(path)] };
  return { format: detected, paths: [path] };
}

async function detectDirectory(dir: string, format: ReplayFormat | undefined): Promise<DetectedSource> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  if (format === "recording" || format === "hyperliquid-csv") return { format, paths: [dir] };
  if (format === undefined && entries.some((entry) => /^orderbooks_.+\.csv(\.gz)?$/.test(entry.name))) {
    return { format: "hyperliquid-csv", paths: [dir] };
  }
  if (format === undefined && entries.some((entry) => entry.isDirectory()))
    return { format: "recording", paths: [dir] };
  const files: Record<string, string[]> = {};
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const file = join(dir, entry.name);
    const kind = await firstLine(file).then(formatOfLine, () => null);
    if (kind === null) continue;
    files[kind] ??= [];
    files[kind].push(file);
  }
  const chosen = format ?? (Object.keys(files) as ReplayFormat[])[0];
  const kinds = Object.keys(files);
  if (chosen === undefined || files[chosen] === undefined) {
    throw new BotmmError(
      "UNKNOWN_FORMAT",
      `--replay ${dir}: no file in the directory is ${format === undefined ? "in a format the replay reads" : DESCRIPTIONS[format]}`,
    );
  }
  if (format === undefined && kinds.length > 1) {
    throw new BotmmError(
      "UNKNOWN_FORMAT",
      `--replay ${dir}: the directory mixes ${kinds.join(", ")} files; pass one file, or --replay-format`,
    );
  }
  if (chosen === "binance-collector" || chosen === "tardis") return { format: chosen, paths: files[chosen]! };
  if (files[chosen]!.length > 1) {
    throw new BotmmError(
      "UNKNOWN_FORMAT",
      `--replay ${dir}: ${files[chosen]!.length} ${DESCRIPTIONS[chosen]} files; pass one`,
    );
  }
  return { format: chosen, paths: files[chosen]! };
}

/** Events to replay, and what reading them found, available once they have been read. */
export interface ReplayInput {
  format: ReplayFormat;
  /** `<format>:<path>` for the report. */
  description: string;
  events: AsyncIterable<MarketEvent>;
  /** Whether the venue quotes on a decimal tick best seen in its book (Binance, Tardis) rather than Hyperliquid's grid. */
  decimalTick: boolean;
  check: BookCheck;
  /** Problems and drops met while reading, in words (for the report's warnings); call after reading. */
  notes: () => string[];
}

/** How to open a `--replay` path. */
export interface OpenReplayOptions {
  /** The coin to read (recording directories and CSV captures hold several) and to tag events with. */
  coin: string;
  /** A venue symbol (`BTCUSDT`) → the coin it is (`BTC`), for Binance and Tardis data. */
  coinOf?: (symbol: string) => string;
  format?: ReplayFormat;
  check?: BookCheck;
}

/**
 * Opens a `--replay` path in whatever format it holds (see {@link detectReplaySource}) as one stream of events
 * in time order, every book checked (crossed/locked books: an error, or skipped and counted by `check`).
 *
 * @example
 * ```ts
 * const input = await openReplayInput("captures/btcusdt_20240808.gz", { coin: "BTC", coinOf: () => "BTC" });
 * const run = await runReplayBacktest(input.events, options);
 * input.notes(); // ["1 depth sequence gap …"]
 * ```
 */
export async function openReplayInput(path: string, options: OpenReplayOptions): Promise<ReplayInput> {
  const { format, paths } = await detectReplaySource(path, options.format);
  const check = options.check ?? new BookCheck();
  const coinOf = options.coinOf;
  const base = { format, description: `${format}:${path}`, check, decimalTick: false };
  switch (format) {
    case "recording":
      return { ...base, events: readRecording(paths[0]!, { coins: [options.coin], check }), notes: () => [] };
    case "recording-file":
      return { ...base, events: readRecordingFile(paths[0]!, check), notes: () => [] };
    case "hyperliquid-archive":
      return { ...base, events: readHyperliquidArchive(paths[0]!, check), notes: () => [] };
    case "hftbacktest":
      return { ...base, events: readHftbacktestCapture(paths[0]!, check), notes: () => [] };
    case "hyperliquid-csv": {
      const coin = paths[0] === dirname(path) ? (csvCoin(path) ?? options.coin) : options.coin;
      const input = await readHyperliquidCsv(paths[0]!, coin, { check });
      return {
        ...base,
        events: input.events,
        notes: () => {
          const counts = input.tradeCounts();
          if (input.trades === null)
            return [`no trades_${coin}.csv(.gz) beside ${input.books}: fills are inferred from book changes`];
          if (counts === null || counts.duplicates + counts.beforeFirstBook === 0) return [];
          return [
            `trades: ${counts.duplicates} duplicate rows (same id and time) and ${counts.beforeFirstBook} trades from before the first book (the subscription replay) dropped`,
          ];
        },
      };
    }
    case "binance-collector": {
      const capture = readBinanceCollector(paths, {
        check,
        ...(coinOf === undefined ? {} : { coinOf, coin: options.coin }),
      });
      return {
        ...base,
        decimalTick: true,
        events: capture.events,
        notes: () => binanceNotes(capture.decoder),
      };
    }
    case "tardis": {
      const input = readTardis(paths, { check, ...(coinOf === undefined ? {} : { coinOf }) });
      return {
        ...base,
        decimalTick: true,
        events: input.events,
        notes: () => {
          const notes: string[] = [];
          for (const { file, counts } of input.counts()) {
            if (counts.tradesUnknownSide > 0) {
              notes.push(
                `${basename(file)}: ${counts.tradesUnknownSide} trades without an aggressor side skipped`,
              );
            }
            if (counts.resnapshots > 0) {
              notes.push(
                `${basename(file)}: ${counts.resnapshots} re-snapshot(s) (Tardis reconnected): replayed as gaps`,
              );
            }
          }
          return notes;
        },
      };
    }
  }
}

/** `orderbooks_BTC.csv.gz` → `BTC`. */
function csvCoin(path: string): string | null {
  return /^(?:orderbooks|trades)_(.+?)\.csv(\.gz)?$/.exec(basename(path))?.[1] ?? null;
}

function binanceNotes(decoder: ReturnType<typeof readBinanceCollector>["decoder"]): string[] {
  const notes: string[] = [];
  const counts = decoder.counts;
  const gaps = decoder.problems.filter((problem) => problem.kind === "sequence-gap");
  if (gaps.length > 0) {
    const first = gaps[0]!;
    notes.push(
      `${gaps.length} depth sequence gap(s) (first ${first.file}:${first.line}: ${first.message}): the book was rebuilt from the next snapshot and the time in between replayed as a gap`,
    );
  }
  for (const problem of decoder.problems) {
    if (problem.kind !== "sequence-gap") notes.push(`${problem.file}:${problem.line}: ${problem.message}`);
  }
  if (counts.tradesWithoutBook > 0) {
    notes.push(
      `${counts.tradesWithoutBook} trades arrived while no synced book existed (before the first snapshot or in a gap): not replayed`,
    );
  }
  return notes;
}
