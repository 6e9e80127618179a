import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { type FundingSchedule, fundingSeries } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";

const gunzipAsync = promisify(gunzip);

/**
 * Reads an hourly funding series: CSV (plain or .gz) with a header `time_ms,funding_rate` (the layout of
 * Hyperliquid funding exports), rates per hour, positive = longs pay. A bad row is an error naming it.
 */
export async function loadFundingFile(path: string): Promise<FundingSchedule> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BotmmError(
      "FUNDING_FILE",
      `--funding ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? await gunzipAsync(bytes) : bytes).toString("utf8");
  return parseFundingCsv(text, path);
}

/** Parses `time_ms,funding_rate` CSV text (see {@link loadFundingFile}). */
export function parseFundingCsv(text: string, name: string): FundingSchedule {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").trim().toLowerCase().split(",");
  const timeColumn = header.indexOf("time_ms");
  const rateColumn = header.indexOf("funding_rate");
  if (timeColumn < 0 || rateColumn < 0) {
    throw new BotmmError(
      "FUNDING_FILE",
      `${name}: expected a header with time_ms and funding_rate, got "${lines[0] ?? ""}"`,
    );
  }
  const rows: { timeMs: number; rate: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    const cells = line.split(",");
    const timeMs = Number(cells[timeColumn]);
    const rate = Number(cells[rateColumn]);
    if (!Number.isFinite(timeMs) || !Number.isFinite(rate) || cells[rateColumn]?.trim() === "") {
      throw new BotmmError(
        "FUNDING_FILE",
        `${name} row ${i + 1}: expected numbers in time_ms and funding_rate, got "${line}"`,
      );
    }
    if (Math.abs(rate) > 0.04) {
      throw new BotmmError(
        "FUNDING_FILE",
        `${name} row ${i + 1}: funding_rate ${rate} exceeds Hyperliquid's cap of 4% per hour`,
      );
    }
    rows.push({ timeMs, rate });
  }
  if (rows.length === 0) throw new BotmmError("FUNDING_FILE", `${name}: no funding rows`);
  try {
    return fundingSeries(rows);
  } catch (error) {
    throw new BotmmError("FUNDING_FILE", `${name}: ${(error as Error).message}`);
  }
}
