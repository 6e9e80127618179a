// The queue's pure parts: URL, flags, batch size, failure messages, blobs. (queue.test.ts runs a real Redis.)
import { describe, expect, it } from "vitest";
import { CliUsageError } from "../options.ts";
import { decodeBlob, decodeResults, encodeBlob, encodeResults, QueueDataError } from "./blobs.ts";
import { defaultBatchSize, itemFailure, jobPayloadSchema, parseItemFailure } from "./protocol.ts";
import { parseQueueFlags } from "./queue-flags.ts";
import { parseRedisUrl } from "./redis-url.ts";
import { parseWorkerArgs } from "./worker-command.ts";

describe("parseRedisUrl", () => {
  it("reads host, port, database and credentials, and hides the password when printed", () => {
    expect(parseRedisUrl("redis://127.0.0.1:6380/2")).toEqual({
      host: "127.0.0.1",
      port: 6380,
      db: 2,
      tls: false,
      display: "redis://127.0.0.1:6380/2",
    });
    expect(parseRedisUrl("redis://queue.lan")).toMatchObject({ port: 6379, db: 0 });
    const secret = parseRedisUrl("rediss://bot:s3cret@queue.lan:7000");
    expect(secret).toMatchObject({ username: "bot", password: "s3cret", tls: true });
    expect(secret.display).toBe("rediss://bot:***@queue.lan:7000/0");
    expect(parseRedisUrl("redis://:pw@h:1/0").display).toBe("redis://:***@h:1/0");
  });

  it("names the flag and what was expected", () => {
    expect(() => parseRedisUrl("127.0.0.1:6379")).toThrow(
      /--queue "127.0.0.1:6379": expected redis:\/\/HOST:PORT\[\/DB\]/,
    );
    expect(() => parseRedisUrl("http://h:1")).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL, got http:/);
    expect(() => parseRedisUrl("http://h:1")).toThrow(CliUsageError);
    expect(() => parseRedisUrl("redis://h:1/x")).toThrow(
      /the database after the port must be a number ≥ 0, got "x"/,
    );
  });
});

describe("parseQueueFlags", () => {
  const flags = (values: Record<string, string>) => (flag: string) => values[flag];
  it("is absent without --queue, and then refuses the other queue flags", () => {
    expect(parseQueueFlags(flags({}))).toBeUndefined();
    expect(() => parseQueueFlags(flags({ "sweep-id": "a" }))).toThrow("--sweep-id applies with --queue only");
  });
  it("checks the sweep id and the numbers", () => {
    expect(
      parseQueueFlags(flags({ queue: "redis://h", "sweep-id": "btc-90d_1", "batch-size": "8" })),
    ).toMatchObject({
      sweepId: "btc-90d_1",
      batchSize: 8,
      redisTimeoutMs: 15_000,
    });
    expect(() => parseQueueFlags(flags({ queue: "redis://h", "sweep-id": "a:b" }))).toThrow(
      /--sweep-id "a:b"/,
    );
    expect(() => parseQueueFlags(flags({ queue: "redis://h", "batch-size": "0" }))).toThrow(
      '--batch-size must be a positive integer, got "0"',
    );
  });
});

describe("parseWorkerArgs", () => {
  it("needs --queue and reads the rest", () => {
    expect(() => parseWorkerArgs([], "/tmp", 2)).toThrow("worker needs --queue");
    expect(() => parseWorkerArgs(["--queue", "redis://h", "--nope"], "/tmp", 2)).toThrow(
      /unknown argument "--nope"/,
    );
    expect(
      parseWorkerArgs(["--queue=redis://h:1", "--concurrency", "3", "--data-dir", "d"], "/tmp", 2),
    ).toMatchObject({
      concurrency: 3,
      dataDir: "/tmp/d",
      lockDurationMs: 30_000,
    });
    expect(parseWorkerArgs(["--queue", "redis://h"], "/tmp", 4)).toMatchObject({ concurrency: 4 });
  });
});

describe("batches and failures", () => {
  it("sizes a job to about 2 s of engine time, with at least 16 jobs when there are enough runs", () => {
    expect(defaultBatchSize(1_000, 129_600)).toBe(23);
    expect(defaultBatchSize(173, 7_200)).toBe(11);
    expect(defaultBatchSize(3, 10)).toBe(1);
    expect(defaultBatchSize(10_000, 100)).toBe(625);
  });
  it("reads back the run a failure names", () => {
    expect(parseItemFailure(itemFailure(17, "bad: x\ny"))).toEqual({ id: 17, message: "bad: x\ny" });
    expect(parseItemFailure("job stalled more than allowable limit")).toBeNull();
  });
  it("refuses a payload it does not know", () => {
    expect(jobPayloadSchema.safeParse({ v: 2, kind: "sweep" }).success).toBe(false);
    expect(
      jobPayloadSchema.safeParse({
        v: 1,
        kind: "screen",
        roundId: "a.screen",
        batch: 0,
        options: "0".repeat(64),
        items: [],
      }).success,
    ).toBe(true);
  });
});

describe("blobs", () => {
  it("round-trip what JSON would lose, and refuse bytes that do not match the hash", () => {
    const value = {
      a: Number.NaN,
      b: -0,
      c: new Float64Array([1, 2]),
      d: undefined,
      e: Number.POSITIVE_INFINITY,
    };
    const blob = encodeBlob(value);
    expect(encodeBlob(value).hash).toBe(blob.hash);
    const back = decodeBlob<typeof value>(blob.bytes, blob.hash, "test");
    expect(back).toEqual(value);
    expect(Object.is(back.b, -0)).toBe(true);
    const damaged = Buffer.from(blob.bytes);
    damaged[damaged.length - 1]! ^= 1;
    expect(() => decodeBlob(damaged, blob.hash, "Redis")).toThrow(QueueDataError);
    expect(() => decodeBlob(damaged, blob.hash, "Redis")).toThrow(/from Redis hashes to/);
  });
  it("keep results by id", () => {
    const results = [
      { id: 3, value: { pnl: Number.NaN } },
      { id: 4, value: null },
    ];
    expect(decodeResults(encodeResults(results))).toEqual(results);
  });
});
