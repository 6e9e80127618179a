import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";

/**
 * Writes `data` (text as UTF-8, or bytes) to `path` through a temporary file renamed over it, so a reader
 * (another process sharing the cache) sees the old file or the new one, never half of one.
 *
 * @example
 * ```ts
 * await writeFileAtomically("/home/me/.cache/botmm/candles/binance-usdm/BTCUSDT/1m/2025-05-20.csv", text);
 * ```
 */
export async function writeFileAtomically(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(temporary, data, typeof data === "string" ? "utf8" : undefined);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
