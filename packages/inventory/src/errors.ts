import { BotmmError } from "@botmm/core";

/**
 * Stable codes of {@link InventoryInputError}:
 * - `INVALID_PRICE`: a fill or mark price that is not a finite number > 0.
 * - `INVALID_SIZE`: a fill size that is not a finite number > 0.
 * - `INVALID_SIDE`: a side other than `buy` / `sell`.
 * - `INVALID_FEE`: a fee that is not a finite number (either sign is fine).
 * - `INVALID_LIQUIDITY`: a liquidity other than `maker` / `taker`.
 * - `INVALID_RATE`: a funding or fee rate that is not a finite number.
 * - `INVALID_OPTION`: a constructor option out of range (`coin`, `maxPositionUsd`).
 * - `COIN_MISMATCH`: a fill for another coin than the ledger's.
 * - `INVALID_SNAPSHOT`: a snapshot that does not parse.
 */
export type InventoryErrorCode =
  | "INVALID_PRICE"
  | "INVALID_SIZE"
  | "INVALID_SIDE"
  | "INVALID_FEE"
  | "INVALID_LIQUIDITY"
  | "INVALID_RATE"
  | "INVALID_OPTION"
  | "COIN_MISMATCH"
  | "INVALID_SNAPSHOT";

/**
 * Input the inventory ledger refuses: `field` names the offending field (`fill.price`, `markPrice`,
 * `snapshot.size`, …) and the message says what was expected and what came.
 *
 * @example
 * ```ts
 * try {
 *   inventory.unrealizedPnlUsd(Number.NaN);
 * } catch (error) {
 *   if (error instanceof InventoryInputError) console.log(error.code, error.field); // INVALID_PRICE markPrice
 * }
 * ```
 */
export class InventoryInputError extends BotmmError {
  declare readonly code: InventoryErrorCode;
  /** The field at fault, e.g. `fill.size` or `snapshot.entryPrice`. */
  readonly field: string;

  constructor(code: InventoryErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.field = field;
  }
}

/** Renders a received value for an error message (keeps NaN, ±Infinity and strings readable). */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null || value === undefined) {
    return String(value);
  }
  return typeof value;
}

// Error builders. Callers test inline (`if (!(price > 0 && price < Number.POSITIVE_INFINITY))`) and only reach
// these on failure, so the hot path never crosses a module boundary (which costs a getter under vitest).

/** The error for a price that is not a finite number > 0. */
export function invalidPrice(field: string, value: unknown): InventoryInputError {
  return new InventoryInputError(
    "INVALID_PRICE",
    field,
    `${field} must be a finite number > 0, got ${describeValue(value)}`,
  );
}

/** The error for a size that is not a finite number > 0. */
export function invalidSize(field: string, value: unknown): InventoryInputError {
  return new InventoryInputError(
    "INVALID_SIZE",
    field,
    `${field} must be a finite number > 0 (base units), got ${describeValue(value)}`,
  );
}

/** The error for a rate that is not a finite number. */
export function invalidRate(field: string, value: unknown): InventoryInputError {
  return new InventoryInputError(
    "INVALID_RATE",
    field,
    `${field} must be a finite number (a fraction, 0.0001 = 1 bp), got ${describeValue(value)}`,
  );
}
