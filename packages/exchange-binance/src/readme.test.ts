import { describe, expect, it } from "vitest";
import { exampleOf, logLinesOf, readmeOf } from "../../../readme.shared.ts";

describe("README", () => {
  it("embeds examples/quickstart.ts verbatim", () => {
    expect(readmeOf(import.meta.url)).toContain(exampleOf(import.meta.url, "quickstart"));
  });

  it("runs the example against the emulator and prints what its comments say", async () => {
    const lines = await logLinesOf(() => import("../examples/quickstart.ts"));
    expect(lines).toEqual(['["open","rejected post-only"]', "3 open", "cancelled 0"]);
  });

  it("embeds examples/streams.ts verbatim and runs it: a streamed fill, a drop and the reconnect", async () => {
    expect(readmeOf(import.meta.url)).toContain(exampleOf(import.meta.url, "streams"));
    const lines = await logLinesOf(() => import("../examples/streams.ts"));
    expect(lines).toEqual(["fill 1 sell 0.002 maker", "disconnected", "reconnected"]);
  });
});
