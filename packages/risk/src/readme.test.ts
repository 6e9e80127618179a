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
    expect(lines).toEqual([
      "allow",
      "BTC order would take |position| to $1150.00, above the $1000.00 limit",
      '["max-position: 1000 ≥ 1000"]',
      "true",
      "halt",
      "9998",
      "reduce-only",
    ]);
  });
});
