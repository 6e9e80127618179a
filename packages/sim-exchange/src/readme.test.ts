import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("README", () => {
  afterEach(() => vi.restoreAllMocks());

  it("embeds examples/quickstart.ts verbatim", () => {
    expect(read("../README.md")).toContain(read("../examples/quickstart.ts").trim());
  });

  it("runs the example and prints what its comments say", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    await import("../examples/quickstart.ts");
    expect(lines).toEqual(['{"reject":"post-only"}', 'maker {"size":0.002,"entryPrice":60000}']);
  });

  it("embeds examples/order-queue.ts verbatim", () => {
    expect(read("../README.md")).toContain(read("../examples/order-queue.ts").trim());
  });

  it("runs the OrderQueue example and prints what its comments say", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    await import("../examples/order-queue.ts");
    expect(lines).toEqual([
      "true false",
      "[]",
      '[{"id":"bid-1","side":"buy","price":99,"size":0.4,"remaining":0.6,"source":"trade"}]',
      '[{"id":"bid-1","side":"buy","price":99,"size":0.6,"remaining":0,"source":"book-cross"}]',
    ]);
  });
});
