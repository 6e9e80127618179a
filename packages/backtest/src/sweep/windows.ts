import { SweepSpecError } from "./grid.ts";

/** One walk-forward step: choose on `[trainStartMs, trainEndMs)`, then run the choice on `[testStartMs, testEndMs)`. */
export interface WalkForwardWindow {
  index: number;
  trainStartMs: number;
  trainEndMs: number;
  testStartMs: number;
  testEndMs: number;
}

/** What {@link planWalkForwardWindows} splits. */
export interface WalkForwardPlan {
  /** The data's first bar and the end of its last bar (exclusive). */
  startMs: number;
  endMs: number;
  trainMs: number;
  testMs: number;
  /** Anchored: every training window starts at `startMs` and grows; rolling (false): it slides, `trainMs` long. */
  anchored: boolean;
}

/**
 * The walk-forward windows over `[startMs, endMs)`: test windows back to back (each `testMs` long, the last
 * one only when it fits whole), each preceded by its training window, which ends where the test begins. A
 * training window never reaches past its test window's start, so nothing after it can change its choice.
 *
 * @throws SweepSpecError when a length is not positive or not even one window fits, naming the lengths.
 * @example
 * ```ts
 * planWalkForwardWindows({ startMs: 0, endMs: 10 * DAY, trainMs: 3 * DAY, testMs: 2 * DAY, anchored: false });
 * // tests [3d,5d) [5d,7d) [7d,9d); trains [0,3d) [2d,5d) [4d,7d)
 * ```
 */
export function planWalkForwardWindows(plan: WalkForwardPlan): WalkForwardWindow[] {
  const { startMs, endMs, trainMs, testMs, anchored } = plan;
  if (!(trainMs > 0) || !(testMs > 0))
    throw new SweepSpecError(
      `--train and --test must be positive durations (got ${trainMs} ms and ${testMs} ms)`,
    );
  const windows: WalkForwardWindow[] = [];
  for (let testStart = startMs + trainMs; testStart + testMs <= endMs; testStart += testMs) {
    windows.push({
      index: windows.length,
      trainStartMs: anchored ? startMs : testStart - trainMs,
      trainEndMs: testStart,
      testStartMs: testStart,
      testEndMs: testStart + testMs,
    });
  }
  if (windows.length === 0) {
    const days = (ms: number): string => `${(ms / 86_400_000).toFixed(2)} days`;
    throw new SweepSpecError(
      `--train ${days(trainMs)} + --test ${days(testMs)} do not fit in the data's ${days(endMs - startMs)}: no walk-forward window`,
    );
  }
  return windows;
}

/**
 * The first index whose time is ≥ `timeMs` in ascending `times` (`times.length` when none is).
 *
 * @example
 * ```ts
 * lowerBound(new Float64Array([0, 60_000, 120_000]), 60_000); // 1
 * ```
 */
export function lowerBound(times: ArrayLike<number>, timeMs: number): number {
  let low = 0;
  let high = times.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (times[middle]! < timeMs) low = middle + 1;
    else high = middle;
  }
  return low;
}
