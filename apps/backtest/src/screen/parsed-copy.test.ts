import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadLongCsv } from "./input.ts";
import { encodeScreenCopy, screenCopyPath } from "./parsed-copy.ts";

const freshDir = () => mkdtempSync(join(tmpdir(), "botmm-screen-copy-"));
const T0 = Date.UTC(2025, 6, 21);

/** A long-format file of two coins, 3 bars each; `bump` moves every price. */
function longCsv(bump = 0): string {
  const lines = ["coin,date,open,high,low,close,volume"];
  for (const [coin, base] of [
    ["AAA", 10],
    ["BBB", 20],
  ] as const)
    for (let i = 0; i < 3; i++) {
      const price = base + bump + i;
      lines.push(
        `${coin},${T0 + i * 60_000},${price},${price + 0.5},${price - 0.5},${price + 0.25},${5 + i}`,
      );
    }
  return `${lines.join("\n")}\n`;
}

async function load(path: string, cacheDir: string, notices: string[], coins?: string[]) {
  const loaded = await loadLongCsv(path, coins, {
    cacheDir,
    onNotice: (message) => notices.push(message),
    minBytes: 0,
  });
  return new Map(loaded.coins.map(({ coin, columns }) => [coin, columns]));
}

describe("screen --csv parsed copy", () => {
  it("keeps no copy of a small file", async () => {
    const dir = freshDir();
    const path = join(dir, "coins.csv");
    writeFileSync(path, longCsv());
    await loadLongCsv(path, undefined, { cacheDir: dir, onNotice: () => {} });
    expect(existsSync(screenCopyPath(dir, path))).toBe(false);
  });

  it("keeps a copy of a whole file and reads it back instead of parsing, each column in a buffer of its own", async () => {
    const dir = freshDir();
    const path = join(dir, "coins.csv");
    writeFileSync(path, longCsv());
    const notices: string[] = [];
    const parsed = await load(path, dir, notices);
    const copyPath = screenCopyPath(dir, path);
    expect(existsSync(copyPath)).toBe(true);
    expect(await load(path, dir, notices)).toEqual(parsed);

    // A copy made for this very file but holding other numbers is what is returned: the file is not parsed.
    const stats = await stat(path);
    const identity = {
      path: resolve(path),
      size: stats.size,
      mtimeMs: stats.mtimeMs,
      ctimeMs: stats.ctimeMs,
    };
    const marked = new Map([...parsed].map(([coin, c]) => [coin, { ...c, volume: c.volume.map(() => 99) }]));
    writeFileSync(copyPath, encodeScreenCopy(identity, marked));
    const fromCopy = await load(path, dir, notices);
    expect([...fromCopy.get("BBB")!.volume]).toEqual([99, 99, 99]);
    expect([...fromCopy.get("BBB")!.close]).toEqual([...parsed.get("BBB")!.close]);
    // Posting a coin's columns to a worker copies their buffers: one column, one buffer (not the whole file's).
    const columns = fromCopy.get("AAA")!;
    expect(columns.open.buffer).not.toBe(columns.high.buffer);
    expect(columns.open.buffer.byteLength).toBe(3 * 8);
    expect(notices).toEqual([]);
  });

  it("parses a changed file again, replaces a damaged copy (saying so) and keeps none for --coins", async () => {
    const dir = freshDir();
    const path = join(dir, "coins.csv");
    writeFileSync(path, longCsv());
    const notices: string[] = [];
    await load(path, dir, notices);
    const copyPath = screenCopyPath(dir, path);

    writeFileSync(path, longCsv(100)); // other prices: the copy is stale
    expect([...(await load(path, dir, notices)).get("AAA")!.open]).toEqual([110, 111, 112]);
    expect(notices).toEqual([]);

    const copy = readFileSync(copyPath);
    writeFileSync(copyPath, copy.subarray(0, copy.length - 8));
    expect([...(await load(path, dir, notices)).get("AAA")!.open]).toEqual([110, 111, 112]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/cannot be used .*parsing the file again/);
    expect(readFileSync(copyPath).length).toBe(copy.length);

    const other = freshDir();
    const only = await load(path, other, notices, ["BBB"]);
    expect([...only.keys()]).toEqual(["BBB"]);
    expect(existsSync(screenCopyPath(other, path))).toBe(false);
  });
});
