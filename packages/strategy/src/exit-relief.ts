/**
 * How much of the defence against adverse selection (the toxicity guard's widening, the pull, the imbalance
 * skip) the side that reduces the position keeps: 1 − |position| / max position, in [0, 1]. 1 when flat, 0 at
 * and beyond the limit: a position at the limit always has a way out at the normal distance, and the guard no
 * longer fights the inventory skew that wants it reduced. The side that grows the position keeps all of it.
 *
 * @param positionUsd signed position in USD at the mid.
 * @param maxPositionUsd the soft position limit (> 0).
 * @returns the factor on the reducing side's defence; 1 (the full defence) when the position or the limit is
 * not a number (NaN), 0 for an infinite position.
 * @example
 * ```ts
 * exitDefenceScale(250, 500); // 0.5: long half the limit, the ask's widening is halved
 * exitDefenceScale(-600, 500); // 0: short past the limit, the bid is never widened, pulled or skipped
 * exitDefenceScale(Number.NaN, 500); // 1: no position to reduce, the full defence
 * ```
 */
export function exitDefenceScale(positionUsd: number, maxPositionUsd: number): number {
  const used = Math.abs(positionUsd) / maxPositionUsd;
  // A position or limit that is not a number cannot say which side reduces it: keep the full defence.
  if (Number.isNaN(used)) return 1;
  return used >= 1 ? 0 : 1 - used;
}
