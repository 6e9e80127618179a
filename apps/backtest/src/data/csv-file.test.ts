import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { CandleDataError } from "@botmm/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadCsvFile, loadCsvFileRows } from "./csv-file.ts";
import { CandleSourceError } from "./errors.ts";

const T0 = 1747699200000;
const MINUTE = 60_000;
/** Binance data.binance.vision kline rows (12 columns). */
const BINANCE_ROWS = [0, 1, 2].map((i) =>
  [
    T0 + i * MINUTE,
    "105573.73",
    "105597.10",
    "105554.31",
    "105554.32",
    "10.82647",
    T0 + (i + 1) * MINUTE - 1,
    "1142891.88",
    1785,
    "4.71",
    "497242.67",
    "0",
  ].join(","),
);
const BINANCE_HEADER =
  "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
const EXPECTED = [0, 1, 2].map((i) => ({
  openTime: T0 + i * MINUTE,
  open: 105573.73,
  high: 105597.1,
  low: 105554.31,
  close: 105554.32,
  volume: 10.82647,
}));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "botmm-csv-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe("loadCsvFile", () => {
  it("reads Binance klines without a header", async () => {
    expect(await loadCsvFile(await file("BTCUSDT-1m-2025-05.csv", `${BINANCE_ROWS.join("\n")}\n`))).toEqual(
      EXPECTED,
    );
  });

  it("reads Binance klines with a header, gzipped", async () => {
    const path = await file("BTCUSDT-1m.csv.gz", gzipSync(`${BINANCE_HEADER}\n${BINANCE_ROWS.join("\n")}\n`));
    const parsed = await loadCsvFileRows(path);
    expect(parsed.candles).toEqual(EXPECTED);
    expect(parsed.layout).toBe("header");
    expect(parsed.rowNumbers).toEqual([2, 3, 4]);
  });

  it("reads the headered OHLCV layout, and gzip without the .gz suffix", async () => {
    const text = `open_time,open,high,low,close,volume\n${T0},105573.73,105597.1,105554.31,105554.32,10.82647\n`;
    expect(await loadCsvFile(await file("ohlcv.csv", text))).toEqual(EXPECTED.slice(0, 1));
    expect(await loadCsvFile(await file("ohlcv.data", gzipSync(text)))).toEqual(EXPECTED.slice(0, 1));
  });

  it("errors name the file and the line", async () => {
    const rows = [...BINANCE_ROWS];
    rows[2] = rows[2]!.replace("105554.31", "105600");
    const path = await file("bad.csv.gz", gzipSync(`${BINANCE_HEADER}\n${rows.join("\n")}\n`));
    const error = await loadCsvFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CandleDataError);
    expect((error as CandleDataError).message).toBe(
      `bad.csv.gz: row 4 (open_time ${T0 + 2 * MINUTE}): high 105597.1 < low 105600`,
    );
  });

  it("a missing or damaged file is CSV_READ", async () => {
    const missing = await loadCsvFile(join(dir, "nope.csv")).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CandleSourceError);
    expect(missing).toMatchObject({ code: "CSV_READ", source: "csv" });
    expect((missing as Error).message).toContain("nope.csv");
    const truncated = gzipSync(BINANCE_ROWS.join("\n")).subarray(0, 20);
    await expect(loadCsvFile(await file("cut.csv.gz", truncated))).rejects.toMatchObject({
      code: "CSV_READ",
      message: expect.stringContaining("damaged or truncated"),
    });
  });
});
