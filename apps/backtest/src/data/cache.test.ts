import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type CachedPartition,
  type CacheSeries,
  defaultCacheDir,
  mergePartition,
  partitionOf,
  partitionPath,
  partitionsOverlapping,
  readPartition,
  writePartition,
} from "./cache.ts";
import { encodeCsvCache } from "./csv-cache.ts";
import { loadCsvFile } from "./csv-file.ts";
import { makeHistory } from "./testing/fake-venues.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const DAY1 = Date.UTC(2025, 4, 20);

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "botmm-cache-"));
});
afterEach(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("partitions", () => {
  it("one UTC day below 1h, one UTC month from 1h", () => {
    expect(partitionOf(DAY1 + 5 * HOUR, MINUTE)).toEqual({
      start: DAY1,
      end: DAY1 + DAY,
      name: "2025-05-20",
    });
    expect(partitionOf(DAY1 + 5 * HOUR, 30 * MINUTE).name).toBe("2025-05-20");
    expect(partitionOf(DAY1, HOUR)).toEqual({
      start: Date.UTC(2025, 4, 1),
      end: Date.UTC(2025, 5, 1),
      name: "2025-05",
    });
    expect(partitionOf(Date.UTC(2024, 1, 29, 23), 4 * HOUR).end).toBe(Date.UTC(2024, 2, 1));
  });

  it("lists the partitions overlapping a half-open range", () => {
    expect(partitionsOverlapping(DAY1 + HOUR, DAY1 + 2 * DAY, MINUTE).map((p) => p.name)).toEqual([
      "2025-05-20",
      "2025-05-21",
    ]);
    expect(partitionsOverlapping(DAY1, DAY1 + 2 * DAY + 1, MINUTE)).toHaveLength(3);
    expect(partitionsOverlapping(DAY1, DAY1, MINUTE)).toEqual([]);
    expect(
      partitionsOverlapping(Date.UTC(2024, 11, 31), Date.UTC(2025, 1, 2), HOUR).map((p) => p.name),
    ).toEqual(["2024-12", "2025-01", "2025-02"]);
  });
});

describe("partition files", () => {
  const series: CacheSeries = {
    cacheDir: "",
    source: "binance-usdm",
    symbol: "BTCUSDT",
    interval: "1m",
    intervalMs: MINUTE,
  };
  const partition = partitionOf(DAY1, MINUTE);

  it("round-trip, and read back as a plain candle CSV", async () => {
    const s = { ...series, cacheDir };
    const candles = makeHistory(DAY1 + 60 * MINUTE, 30, MINUTE);
    const cached: CachedPartition = { partition, coveredFrom: DAY1, coveredTo: DAY1 + 90 * MINUTE, candles };
    await writePartition(s, cached);
    const path = partitionPath(s, partition);
    expect(path).toBe(join(cacheDir, "binance-usdm", "BTCUSDT", "1m", "2025-05-20.csv"));
    expect(await readPartition(s, partition)).toEqual(cached);
    expect(await loadCsvFile(path)).toEqual(candles);
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe(
      `# botmm candle cache v1 source=binance-usdm symbol=BTCUSDT interval=1m covered=${DAY1}-${DAY1 + 90 * MINUTE}`,
    );
  });

  it("ignores missing, damaged, foreign-version or inconsistent files", async () => {
    const s = { ...series, cacheDir };
    expect(await readPartition(s, partition)).toBeNull();
    const path = partitionPath(s, partition);
    await mkdir(dirname(path), { recursive: true });
    const header = "open_time,open,high,low,close,volume";
    const row = `${DAY1},100,101,99,100,1`;
    for (const text of [
      `${header}\n${row}\n`, // no coverage line
      `# botmm candle cache v2 covered=${DAY1}-${DAY1 + DAY}\n${header}\n${row}\n`,
      `# botmm candle cache v1 covered=${DAY1}-${DAY1 + DAY}\n${header}\n${DAY1},100,99,101,100,1\n`, // high < low
      `# botmm candle cache v1 covered=${DAY1 + MINUTE}-${DAY1 + DAY}\n${header}\n${row}\n`, // row outside coverage
      `# botmm candle cache v1 covered=${DAY1}-${DAY1 + 2 * DAY}\n${header}\n${row}\n`, // beyond the partition
    ]) {
      await writeFile(path, text);
      expect(await readPartition(s, partition)).toBeNull();
    }
  });

  it("keeps a parsed copy beside a partition and reads from it while the CSV's bytes are the same", async () => {
    const s = { ...series, cacheDir };
    const candles = makeHistory(DAY1, 30, MINUTE);
    const cached: CachedPartition = { partition, coveredFrom: DAY1, coveredTo: DAY1 + DAY, candles };
    await writePartition(s, cached);
    const copyPath = join(cacheDir, "binance-usdm", "BTCUSDT", "1m", "2025-05-20.bin");
    expect(await readPartition(s, partition)).toEqual(cached); // parses the CSV, writes the copy
    const copy = await readFile(copyPath);
    expect(copy.subarray(0, 8).toString("latin1")).toBe("BOTMMCSV");

    // A copy made from these bytes but holding other rows is what is read: the CSV is not parsed again.
    const csvBytes = await readFile(partitionPath(s, partition));
    const identity = {
      path: partitionPath(s, partition),
      size: csvBytes.length,
      mtimeMs: 0,
      ctimeMs: 0,
      contentSha256: createHash("sha256").update(csvBytes).digest("hex"),
    };
    const marked = candles.map((candle) => ({ ...candle, volume: 7 }));
    await writeFile(
      copyPath,
      encodeCsvCache(identity, {
        candles: marked,
        rowNumbers: marked.map((_, i) => i + 3),
        layout: "header",
      }),
    );
    expect((await readPartition(s, partition))?.candles).toEqual(marked);

    // A rewritten partition (other bytes) is parsed again and its copy replaced, however soon after.
    const fresh = candles.map((candle) => ({ ...candle, volume: candle.volume === 9 ? 8 : 9 }));
    await writePartition(s, { ...cached, candles: fresh });
    expect((await readPartition(s, partition))?.candles).toEqual(fresh);
    expect((await readPartition(s, partition))?.candles).toEqual(fresh);
    // A damaged copy is ignored and replaced.
    await writeFile(copyPath, copy.subarray(0, copy.length - 5));
    expect((await readPartition(s, partition))?.candles).toEqual(fresh);
    expect((await readFile(copyPath)).length).toBe(copy.length);
  });

  it("merges coverage that touches; keeps only the fresh part when it does not", () => {
    const bars = makeHistory(DAY1, 100, MINUTE);
    const old: CachedPartition = {
      partition,
      coveredFrom: DAY1,
      coveredTo: DAY1 + 50 * MINUTE,
      candles: bars.slice(0, 50),
    };
    const fresh: CachedPartition = {
      partition,
      coveredFrom: DAY1 + 40 * MINUTE,
      coveredTo: DAY1 + 100 * MINUTE,
      candles: bars.slice(40).map((c) => ({ ...c, volume: c.volume + 1 })),
    };
    const merged = mergePartition(old, fresh);
    expect(merged.coveredFrom).toBe(DAY1);
    expect(merged.coveredTo).toBe(DAY1 + 100 * MINUTE);
    expect(merged.candles).toEqual([...bars.slice(0, 40), ...fresh.candles]);
    const apart: CachedPartition = {
      ...fresh,
      coveredFrom: DAY1 + 60 * MINUTE,
      candles: fresh.candles.slice(20),
    };
    expect(mergePartition(old, apart)).toBe(apart);
    expect(mergePartition(null, fresh)).toBe(fresh);
  });
});

describe("defaultCacheDir", () => {
  it("BOTMM_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache", () => {
    expect(defaultCacheDir({ BOTMM_CACHE_DIR: "/data/candles" }, "/home/u")).toBe("/data/candles");
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/xdg" }, "/home/u")).toBe(join("/xdg", "botmm", "candles"));
    expect(defaultCacheDir({}, "/home/u")).toBe(join("/home/u", ".cache", "botmm", "candles"));
  });
});
