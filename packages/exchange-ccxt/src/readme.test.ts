import { describe, expect, it } from "vitest";
import { exampleOf, logLinesOf, readmeOf } from "../../../readme.shared.ts";

describe("README", () => {
  it("embeds examples/outcomes.ts verbatim and runs it as its comments say", async () => {
    expect(readmeOf(import.meta.url)).toContain(exampleOf(import.meta.url, "outcomes"));
    const lines = await logLinesOf(() => import("../examples/outcomes.ts"));
    expect(lines).toEqual([
      "rejected -5022",
      "unknown RequestTimeout: timed out: POST /order?signature=[redacted] with [redacted]",
    ]);
  });
});
