import { describe, expect, it } from "vitest";
import { closedOpenTimeLimit } from "./download.ts";
import { CandleSourceError } from "./errors.ts";
import { formatDuration, formatTime, intervalFromMs, intervalToMs } from "./intervals.ts";

describe("intervals", () => {
  it("maps names to ms and back", () => {
    expect(intervalToMs("1m")).toBe(60_000);
    expect(intervalToMs("4h")).toBe(14_400_000);
    expect(intervalToMs("1w")).toBe(604_800_000);
    expect(intervalFromMs(300_000)).toBe("5m");
    expect(intervalFromMs(120_000)).toBeNull();
  });

  it("rejects months and unknown names, listing the supported ones", () => {
    for (const name of ["1M", "2m", "", "toString"]) {
      expect(() => intervalToMs(name)).toThrow(CandleSourceError);
    }
    expect(() => intervalToMs("1M")).toThrow(/use one of 1m, 3m, 5m, .*, 1w/);
  });

  it("formats durations and times for messages", () => {
    expect(formatDuration(5000 * 60_000)).toBe("3d 11h 20m");
    expect(formatDuration(0)).toBe("0m");
    expect(formatTime(Date.UTC(2025, 4, 20, 13, 5))).toBe("2025-05-20T13:05Z");
  });

  it("bars opening before the forming bar have closed", () => {
    const now = Date.UTC(2025, 4, 20, 10, 0, 30);
    expect(closedOpenTimeLimit(now, 60_000)).toBe(Date.UTC(2025, 4, 20, 10, 0));
    expect(closedOpenTimeLimit(now, 3_600_000)).toBe(Date.UTC(2025, 4, 20, 10, 0));
    expect(closedOpenTimeLimit(now, 604_800_000)).toBe(now - 604_800_000 + 1);
  });
});
