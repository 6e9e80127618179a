export type { InventoryErrorCode } from "./errors.ts";
export { InventoryInputError } from "./errors.ts";
export { feeFromSchedule } from "./fees.ts";
export { fundingPaymentUsd } from "./funding.ts";
export type { InventoryOptions, InventoryTotals, RestoreOverrides } from "./inventory.ts";
export { Inventory } from "./inventory.ts";
export type { InventorySnapshot } from "./snapshot.ts";
export { INVENTORY_SNAPSHOT_VERSION, inventorySnapshotSchema, parseInventorySnapshot } from "./snapshot.ts";
