import { describe, expect, it } from "vitest";
import { exampleOf, logLinesOf, readmeOf } from "../../../readme.shared.ts";

describe("README", () => {
  it("embeds examples/quickstart.ts verbatim", () => {
    expect(readmeOf(import.meta.url)).toContain(exampleOf(import.meta.url, "quickstart"));
  });

  it("runs the example against the emulator and prints what its comments say", async () => {
    const lines = await logLinesOf(() => import("../examples/quickstart.ts"));
    expect(lines).toEqual(["[]"]);
  });
});
