import { z } from "zod";
import { InventoryInputError } from "./errors.ts";

/** The snapshot format this version writes and reads. Bumped on any incompatible change. */
export const INVENTORY_SNAPSHOT_VERSION = 1;

const finite = z.number();
const nonNegative = z.number().nonnegative();
const count = z.number().int().nonnegative();

/**
 * zod schema of {@link InventorySnapshot}. Every number must be finite; fee totals, volumes and counts are
 * ≥ 0; a flat position has `entryPrice` 0 and an open one a positive `entryPrice`.
 */
export const inventorySnapshotSchema = z
  .object({
    version: z.literal(INVENTORY_SNAPSHOT_VERSION),
    coin: z.string().min(1),
    maxPositionUsd: z.number().positive(),
    size: finite,
    entryPrice: nonNegative,
    realizedPnlUsd: finite,
    feesPaidUsd: nonNegative,
    rebatesUsd: nonNegative,
    fundingPnlUsd: finite,
    volumeUsd: nonNegative,
    volumeBase: nonNegative,
    makerVolumeUsd: nonNegative,
    takerVolumeUsd: nonNegative,
    makerVolumeBase: nonNegative,
    takerVolumeBase: nonNegative,
    buyCount: count,
    sellCount: count,
  })
  .strict()
  .superRefine((snapshot, context) => {
    if (snapshot.size !== 0 && !(snapshot.entryPrice > 0)) {
      context.addIssue({
        code: "custom",
        path: ["entryPrice"],
        message: `must be > 0 while the position is open (size ${snapshot.size})`,
      });
    }
    if (snapshot.size === 0 && snapshot.entryPrice !== 0) {
      context.addIssue({
        code: "custom",
        path: ["entryPrice"],
        message: "must be 0 while the position is flat",
      });
    }
  });

/**
 * The whole state of an {@link Inventory} as plain JSON-safe data (what `toJSON()` returns and
 * `Inventory.fromSnapshot()` reads). Money is in quote currency (USD), sizes in base units.
 * - `size`: signed position, > 0 long, < 0 short; `entryPrice`: average entry, 0 when flat.
 * - `realizedPnlUsd`: price PnL realized by reductions, closes and flips, before fees and funding.
 * - `feesPaidUsd` / `rebatesUsd`: fees paid and rebates received, both ≥ 0; net fees = paid − rebates.
 * - `fundingPnlUsd`: funding received (+) or paid (−).
 * - volumes are absolute (Σ price × size and Σ size); `buyCount` / `sellCount` count fills.
 */
export type InventorySnapshot = z.infer<typeof inventorySnapshotSchema>;

/**
 * Parses untrusted data (e.g. `JSON.parse` of a journal line) into an {@link InventorySnapshot}.
 * Throws {@link InventoryInputError} `INVALID_SNAPSHOT` whose `field` and message name the first bad field.
 *
 * @example
 * ```ts
 * const snapshot = parseInventorySnapshot(JSON.parse(savedText));
 * const inventory = Inventory.fromSnapshot(snapshot);
 * ```
 */
export function parseInventorySnapshot(input: unknown): InventorySnapshot {
  const result = inventorySnapshotSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const field = ["snapshot", ...issue.path.map(String)].join(".");
    return { field, text: `${field}: ${issue.message}` };
  });
  const first = issues[0]!;
  throw new InventoryInputError(
    "INVALID_SNAPSHOT",
    first.field,
    `invalid inventory snapshot: ${issues.map((issue) => issue.text).join("; ")}`,
    { cause: result.error },
  );
}
