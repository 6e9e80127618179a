/**
 * Rounds a size down to whole lots, forgiving float noise up to a billionth of a lot below a lot boundary
 * (`0.3 / 0.1` is 2.9999999999999996, still 3 lots); a lot step of 0 (or less) leaves the size as it is. The
 * rule the strategy sizes its quotes by and the simulators apply to partial maker fills (`OrderQueue`) and to
 * taker fills (paper mode's IOC).
 *
 * @example
 * ```ts
 * floorToLot(0.45, 0.1); // 0.4
 * floorToLot(0.3, 0.1); // 0.30000000000000004: 3 lots, not 2
 * floorToLot(0.45, 0); // 0.45
 * ```
 */
export function floorToLot(size: number, lotStep: number): number {
  return lotStep > 0 ? Math.floor(size / lotStep + 1e-9) * lotStep : size;
}
