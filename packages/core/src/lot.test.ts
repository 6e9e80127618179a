import { describe, expect, it } from "vitest";
import { floorToLot } from "./lot.ts";

describe("floorToLot", () => {
  it("rounds down to whole lots", () => {
    expect(floorToLot(0.45, 0.1)).toBe(0.4);
    expect(floorToLot(0.09, 0.1)).toBe(0);
    expect(floorToLot(7, 2)).toBe(6);
  });

  it("keeps a size a float hair below a lot boundary on the boundary", () => {
    expect(0.3 / 0.1).toBeLessThan(3);
    expect(floorToLot(0.3, 0.1)).toBe(3 * 0.1);
  });

  it("leaves the size alone without a lot step", () => {
    expect(floorToLot(0.45, 0)).toBe(0.45);
  });
});
