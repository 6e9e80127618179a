import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

describe("README", () => {
  afterEach(() => vi.restoreAllMocks());

  it("embeds examples/quickstart.ts verbatim", () => {
    expect(read("../README.md")).toContain(read("../examples/quickstart.ts").trim());
  });

  it("runs the example against the emulator and prints what its comments say", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    });
    await import("../examples/quickstart.ts");
    expect(lines).toEqual(['["open","rejected post-only"]', "3 open", "3 maker 0.002"]);
  });

  it("embeds examples/streams.ts verbatim and runs it: a streamed fill, a drop and the reconnect", async () => {
    expect(read("../README.md")).toContain(read("../examples/streams.ts").trim());
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    });
    await import("../examples/streams.ts");
    expect(lines).toEqual(["fill 1 sell 0.002 maker", "disconnected", "reconnected"]);
  });
});
