import { BotmmError, type Random } from "@botmm/core";

/** A value a sweep sets a setting to. */
export type SweepValue = number | string | boolean;

/** One configuration of a sweep: setting name (the CLI's flag name, `base-spread-bps`) → value. */
export type SweepConfig = Readonly<Record<string, SweepValue>>;

/** A setting swept over a list of values. */
export interface SweepAxis {
  name: string;
  values: readonly SweepValue[];
}

/** A numeric setting drawn uniformly from `[min, max]` (integers from `min..max` when `integer`). */
export interface SweepRange {
  name: string;
  min: number;
  max: number;
  integer: boolean;
}

/**
 * A sweep that cannot be built: an empty axis or range, a setting given twice, … The message names it.
 *
 * @example
 * ```ts
 * try {
 *   expandGrid([{ name: "base-spread-bps", values: [] }]);
 * } catch (error) {
 *   if (error instanceof SweepSpecError) console.error(error.message); // "base-spread-bps: the grid has no values"
 * }
 * ```
 */
export class SweepSpecError extends BotmmError {
  constructor(message: string) {
    super("SWEEP_SPEC", message);
  }
}

function checkNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new SweepSpecError(`${name} is swept twice: give each setting one --grid or --range`);
    seen.add(name);
  }
}

/**
 * Every combination of the axes' values (the Cartesian product), the first axis varying slowest, so the order
 * (and each configuration's index) depends only on the axes as given.
 *
 * @throws SweepSpecError naming an axis without values or a setting given twice.
 * @example
 * ```ts
 * expandGrid([{ name: "base-spread-bps", values: [1, 2] }, { name: "vol-multiplier", values: [0, 1] }]);
 * // [{ base-spread-bps: 1, vol-multiplier: 0 }, { …: 1, …: 1 }, { …: 2, …: 0 }, { …: 2, …: 1 }]
 * ```
 */
export function expandGrid(axes: readonly SweepAxis[]): SweepConfig[] {
  checkNames(axes.map((axis) => axis.name));
  for (const axis of axes) {
    if (axis.values.length === 0) throw new SweepSpecError(`${axis.name}: the grid has no values`);
  }
  let configs: Record<string, SweepValue>[] = [{}];
  for (const axis of axes) {
    const next: Record<string, SweepValue>[] = [];
    for (const config of configs)
      for (const value of axis.values) next.push({ ...config, [axis.name]: value });
    configs = next;
  }
  return configs;
}

/** Six significant digits: a drawn 3.2871049… prints as 3.28710 and re-parses to the value that was run. */
const tidy = (value: number): number => Number(value.toPrecision(6));

/**
 * `count` configurations drawn with `random`: each range uniformly (integers uniformly over `min..max`), each
 * axis by picking one of its values uniformly. The same seed gives the same draws.
 *
 * @throws SweepSpecError naming an empty range (`max < min`, or not finite), an axis without values, or a
 * count that is not a positive integer.
 * @example
 * ```ts
 * drawRandomConfigs([{ name: "base-spread-bps", min: 0.5, max: 10, integer: false }], [], 100, createRandom(1));
 * ```
 */
export function drawRandomConfigs(
  ranges: readonly SweepRange[],
  axes: readonly SweepAxis[],
  count: number,
  random: Random,
): SweepConfig[] {
  if (!Number.isInteger(count) || count < 1)
    throw new SweepSpecError(`--random: expected a number of draws ≥ 1, got ${count}`);
  checkNames([...ranges.map((range) => range.name), ...axes.map((axis) => axis.name)]);
  for (const range of ranges) {
    if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.max < range.min)
      throw new SweepSpecError(
        `${range.name}: the range ${range.min}:${range.max} is empty (expected MIN:MAX with MIN ≤ MAX)`,
      );
    if (range.integer && Math.floor(range.max) < Math.ceil(range.min))
      throw new SweepSpecError(`${range.name}: the range ${range.min}:${range.max} holds no integer`);
  }
  for (const axis of axes) {
    if (axis.values.length === 0) throw new SweepSpecError(`${axis.name}: the grid has no values`);
  }
  const configs: SweepConfig[] = [];
  for (let i = 0; i < count; i++) {
    const config: Record<string, SweepValue> = {};
    for (const range of ranges) {
      if (range.integer) {
        const low = Math.ceil(range.min);
        config[range.name] = low + random.nextInt(Math.floor(range.max) - low + 1);
      } else config[range.name] = tidy(range.min + random.next() * (range.max - range.min));
    }
    for (const axis of axes) config[axis.name] = axis.values[random.nextInt(axis.values.length)]!;
    configs.push(config);
  }
  return configs;
}
