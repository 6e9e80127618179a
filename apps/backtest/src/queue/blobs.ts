// Data travels by content hash: the coordinator stores each blob once under its sha256, a worker fetches it
// once (from a shared --data-dir when the file is there, else from Redis), checks the hash and keeps it.
// Blobs are V8 serializations (the structured clone of worker threads), so a run's inputs and outputs are the
// same values a local worker thread would see: NaN, -0, typed arrays and `undefined` survive, unlike JSON.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { gunzipSync, gzipSync } from "node:zlib";
import { BotmmError } from "@botmm/core";
import type { Redis } from "ioredis";
import { KEEP_SECONDS, keys } from "./protocol.ts";

/** Data that is missing or does not match its hash (a worker retries the job later). */
export class QueueDataError extends BotmmError {
  constructor(message: string) {
    super("QUEUE_DATA", message);
  }
}

/** A value's V8 serialization and its sha256 (hex). */
export interface Blob {
  hash: string;
  bytes: Buffer;
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/**
 * Serializes `value` as a worker thread would receive it and hashes the bytes.
 *
 * @example
 * ```ts
 * encodeBlob({ a: 1 }).hash; // 64 hex digits, the same for the same value
 * ```
 */
export function encodeBlob(value: unknown): Blob {
  const bytes = serialize(value);
  return { hash: sha256(bytes), bytes };
}

/**
 * The value of a blob whose bytes must hash to `hash`; `where` names the source in the error.
 *
 * @example
 * ```ts
 * const blob = encodeBlob([1, 2]);
 * decodeBlob(blob.bytes, blob.hash, "test"); // [1, 2]
 * ```
 */
export function decodeBlob<T>(bytes: Uint8Array, hash: string, where: string): T {
  const actual = sha256(bytes);
  if (actual !== hash)
    throw new QueueDataError(`data ${hash.slice(0, 12)} from ${where} hashes to ${actual.slice(0, 12)}`);
  return deserialize(bytes) as T;
}

/** Stores a blob in Redis unless it is there (a resumed sweep does not send its candles again). */
export async function storeBlob(redis: Redis, blob: Blob): Promise<void> {
  const key = keys.blob(blob.hash);
  if ((await redis.expire(key, KEEP_SECONDS)) === 1) return;
  await redis.set(key, blob.bytes, "EX", KEEP_SECONDS);
}

/** Results of a batch as stored: gzipped (reports repeat their keys), V8-serialized. */
export const encodeResults = (results: readonly { id: number; value: unknown }[]): Buffer =>
  gzipSync(serialize(results), { level: 1 });
export const decodeResults = (bytes: Buffer): { id: number; value: unknown }[] =>
  deserialize(gunzipSync(bytes)) as { id: number; value: unknown }[];

/**
 * A worker's blobs: decoded values by hash, fetched at most once each while cached (concurrent jobs share a
 * fetch), the least recently used dropped past `maxBytes`. With `dataDir`, a blob is read from
 * `dataDir/<hash>.v8` when there (a path shared between machines, or a local cache) and written there after a
 * fetch from Redis.
 */
export class BlobCache {
  readonly #redis: Redis;
  readonly #dataDir: string | undefined;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, { value: Promise<unknown>; bytes: number }>();
  #bytes = 0;
  /** How many blobs came from Redis and from the data directory (the worker prints them). */
  readonly fetched = { redis: 0, dataDir: 0 };

  constructor(redis: Redis, options: { dataDir?: string; maxBytes?: number } = {}) {
    this.#redis = redis;
    this.#dataDir = options.dataDir;
    this.#maxBytes = options.maxBytes ?? 1 << 30;
  }

  /** The value of blob `hash`, made by `decode` from the blob's deserialized value (and cached). */
  get<T>(hash: string, decode: (value: unknown) => T = (value) => value as T): Promise<T> {
    const cached = this.#entries.get(hash);
    if (cached !== undefined) {
      this.#entries.delete(hash);
      this.#entries.set(hash, cached);
      return cached.value as Promise<T>;
    }
    const entry = {
      value: this.#load(hash).then(({ value, bytes }) => {
        entry.bytes = bytes;
        this.#bytes += bytes;
        this.#evict(hash);
        return decode(value);
      }),
      bytes: 0,
    };
    // A failed fetch is not cached: the job's retry fetches again.
    entry.value.catch(() => {
      if (this.#entries.get(hash) === entry) this.#entries.delete(hash);
    });
    this.#entries.set(hash, entry);
    return entry.value as Promise<T>;
  }

  #evict(keep: string): void {
    for (const [hash, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      if (hash === keep || entry.bytes === 0) continue;
      this.#entries.delete(hash);
      this.#bytes -= entry.bytes;
    }
  }

  async #load(hash: string): Promise<{ value: unknown; bytes: number }> {
    const file = this.#dataDir === undefined ? undefined : join(this.#dataDir, `${hash}.v8`);
    if (file !== undefined) {
      const bytes = await readFile(file).catch(() => undefined);
      if (bytes !== undefined) {
        try {
          const value = decodeBlob(bytes, hash, file);
          this.fetched.dataDir++;
          return { value, bytes: bytes.length };
        } catch {
          // A damaged or partial file: fetched again from Redis and rewritten below.
        }
      }
    }
    const bytes = await this.#redis.getBuffer(keys.blob(hash));
    if (bytes === null)
      throw new QueueDataError(
        `data ${hash.slice(0, 12)} is not in Redis${file === undefined ? "" : ` nor in ${file}`} (expired, or its coordinator has not stored it yet)`,
      );
    const value = decodeBlob(bytes, hash, "Redis");
    this.fetched.redis++;
    if (file !== undefined) {
      await mkdir(this.#dataDir!, { recursive: true });
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, file);
    }
    return { value, bytes: bytes.length };
  }
}
