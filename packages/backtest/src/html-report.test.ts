import { describe, expect, it } from "vitest";
import { reportCharts } from "./html-report.ts";

describe("report charts", () => {
  it("title a thinned fill chart with a correct ordinal", () => {
    const bars = 10;
    const series = new Float64Array(bars);
    const fills = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        timeMs: i,
        price: 100,
        side: i % 2 === 0 ? "buy" : "sell",
      }));
    const title = (count: number) => {
      const run = {
        bars,
        fills: fills(count),
        equityUsd: series,
        positionUsd: series,
        spreadUsdByBar: series,
        feesUsdByBar: series,
        fundingUsdByBar: series,
      } as unknown as Parameters<typeof reportCharts>[0];
      return reportCharts(run, series, series, "Price", [])[0]!;
    };
    expect(title(1_000)).not.toContain("every");
    expect(title(3_000)).toContain("(every 2nd fill shown)");
    expect(title(4_000)).toContain("(every 3rd fill shown)");
    expect(title(16_000)).toContain("(every 11th fill shown)");
    expect(title(31_500)).toContain("(every 21st fill shown)");
  });
});
