import { describe, expect, it } from "vitest";
import { exampleOf, logLinesOf, readmeOf } from "../../../readme.shared.ts";

describe("README", () => {
  it("embeds examples/quickstart.ts verbatim", () => {
    expect(readmeOf(import.meta.url)).toContain(exampleOf(import.meta.url, "quickstart"));
  });

  it("runs the example against the emulator and prints what its comments say", async () => {
    const lines = await logLinesOf(() => import("../examples/quickstart.ts"));
    expect(lines.slice(0, 3)).toEqual(['["open","open","rejected"]', "true", "4 open"]);
    expect(lines[3]).toMatch(/^\["2 sell \d+","4 buy \d+"\]$/);
    expect(lines.slice(4)).toEqual([
      '["cancelled","cancelled"]',
      "Order was never placed, already canceled, or filled. asset=0",
      "false",
    ]);
  });
});
