import type { Fill, Side } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { InventoryInputError } from "./errors.ts";
import { Inventory } from "./inventory.ts";
import { INVENTORY_SNAPSHOT_VERSION, type InventorySnapshot, parseInventorySnapshot } from "./snapshot.ts";

function fill(side: Side, price: number, size: number, fee: number): Fill {
  const liquidity = fee > 0.02 ? "taker" : "maker";
  return {
    clientId: null,
    venueOrderId: null,
    tradeId: "t",
    coin: "ETH",
    side,
    price,
    size,
    fee,
    liquidity,
    time: 0,
  };
}

function busyLedger(): Inventory {
  const inventory = new Inventory({ coin: "ETH", maxPositionUsd: 5_000 });
  inventory.applyFill(fill("buy", 3_000.1, 0.7, 0.315));
  inventory.applyFill(fill("buy", 2_990.3, 0.3, -0.0897));
  inventory.applyFunding(0.0000125, 2_995);
  inventory.applyFill(fill("sell", 3_010.7, 1.6, 0.01));
  return inventory;
}

function expectSnapshotError(input: unknown, field: string): InventoryInputError {
  try {
    parseInventorySnapshot(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryInputError);
    const inputError = error as InventoryInputError;
    expect(inputError.code).toBe("INVALID_SNAPSHOT");
    expect(inputError.field).toBe(field);
    expect(inputError.message).toContain(field);
    return inputError;
  }
  throw new Error(`expected INVALID_SNAPSHOT on ${field}`);
}

describe("snapshot / restore", () => {
  it("round-trips through JSON text exactly", () => {
    const inventory = busyLedger();
    const text = JSON.stringify(inventory);
    const restored = Inventory.fromSnapshot(JSON.parse(text));
    expect(restored.toJSON()).toEqual(inventory.toJSON());
    expect(JSON.stringify(restored)).toBe(text);
    expect(restored.totals(3_050)).toEqual(inventory.totals(3_050));
    expect(restored.coin).toBe("ETH");
    expect(restored.size).toBeCloseTo(-0.6, 12);
    expect(restored.entryPrice).toBe(3_010.7);
  });

  it("a restored ledger keeps trading like the original", () => {
    const original = busyLedger();
    const restored = Inventory.fromSnapshot(JSON.parse(JSON.stringify(original)));
    for (const inventory of [original, restored]) {
      inventory.applyFill(fill("buy", 3_001, 1, 0.045));
      inventory.applyFunding(-0.00002, 3_000);
    }
    expect(restored.toJSON()).toEqual(original.toJSON());
  });

  it("writes a plain, versioned object", () => {
    const snapshot = busyLedger().toJSON();
    expect(snapshot.version).toBe(INVENTORY_SNAPSHOT_VERSION);
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.keys(snapshot)).toContain("rebatesUsd");
  });

  it("can override maxPositionUsd on restore", () => {
    const restored = Inventory.fromSnapshot(busyLedger().toJSON(), { maxPositionUsd: 100 });
    expect(restored.maxPositionUsd).toBe(100);
    expect(restored.skew(3_000)).toBe(-1);
  });

  it("names the bad field", () => {
    const good: InventorySnapshot = busyLedger().toJSON();
    expectSnapshotError({ ...good, size: "1" }, "snapshot.size");
    expectSnapshotError({ ...good, size: null }, "snapshot.size");
    expectSnapshotError({ ...good, realizedPnlUsd: Number.NaN }, "snapshot.realizedPnlUsd");
    expectSnapshotError({ ...good, fundingPnlUsd: Number.POSITIVE_INFINITY }, "snapshot.fundingPnlUsd");
    expectSnapshotError({ ...good, feesPaidUsd: -1 }, "snapshot.feesPaidUsd");
    expectSnapshotError({ ...good, rebatesUsd: -0.5 }, "snapshot.rebatesUsd");
    expectSnapshotError({ ...good, buyCount: 1.5 }, "snapshot.buyCount");
    expectSnapshotError({ ...good, sellCount: -1 }, "snapshot.sellCount");
    expectSnapshotError({ ...good, volumeUsd: -1 }, "snapshot.volumeUsd");
    expectSnapshotError({ ...good, maxPositionUsd: 0 }, "snapshot.maxPositionUsd");
    expectSnapshotError({ ...good, coin: "" }, "snapshot.coin");
    expectSnapshotError({ ...good, version: 2 }, "snapshot.version");
    expectSnapshotError({ ...good, entryPrice: 0 }, "snapshot.entryPrice"); // open position needs an entry
    expectSnapshotError({ ...good, size: 0 }, "snapshot.entryPrice"); // flat position must have entry 0
    expectSnapshotError({ ...good, extra: 1 }, "snapshot");
    expectSnapshotError("nope", "snapshot");
    const { takerVolumeBase: _dropped, ...missing } = good;
    expectSnapshotError(missing, "snapshot.takerVolumeBase");
  });

  it("lists every bad field in the message", () => {
    const error = expectSnapshotError(
      { ...busyLedger().toJSON(), size: "x", feesPaidUsd: -1 },
      "snapshot.size",
    );
    expect(error.message).toContain("snapshot.feesPaidUsd");
    expect(error.cause).toBeDefined();
  });

  it("fromSnapshot throws the same typed error", () => {
    expect(() => Inventory.fromSnapshot({})).toThrow(InventoryInputError);
  });
});
