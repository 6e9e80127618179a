// The jump follow-through of the sub-bar path (`jumpFollowThrough`): its effect, that it draws no random
// number, its invariants, determinism under a seed and no look-ahead in the engine with it on.
import { createRandom } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { type CandleColumns, toCandleColumns } from "./candle-columns.ts";
import { subbarFillModel } from "./fill-model.ts";
import { SubbarBacktest, subbarPathPrices, subbarSteps } from "./subbar-engine.ts";
import { BarRandom, barPath, DEFAULT_SUBBAR_PARAMS, type SubbarParams } from "./subbar-path.ts";
import { randomWalkCandles, testOptions } from "./test-support.ts";

const STEPS = 60;

function pathOf(params: SubbarParams, seed: number, bar: number[], random = new BarRandom()): Float64Array {
  const [open, high, low, close] = bar as [number, number, number, number];
  const out = new Float64Array(STEPS + 1);
  random.reset(seed, seed * 60_000, 0);
  barPath(open, high, low, close, STEPS, params, random, out);
  return out;
}

/**
 * Mean move, in the direction of the jump, over the `horizon` steps after each jump of the φ = 0 path, with the
 * same draws under each φ (so the jumps sit at the same steps): a paired comparison.
 */
function continuationAfterJumps(followThrough: number, horizon: number): number {
  // A bar whose extremes are its open and close (open = high, close = low): one bridge with no inner anchor, not
  // clipped away from its ends, and a small roughness so that jumps (8 σ) stand out from ordinary steps.
  const base: SubbarParams = { ...DEFAULT_SUBBAR_PARAMS, roughness: 0.05, jumpShare: 0.05, jumpSize: 8 };
  const bar = [100.5, 100.5, 99.5, 99.5];
  let sum = 0;
  let count = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const plain = pathOf(base, seed, bar);
    const path = pathOf({ ...base, jumpFollowThrough: followThrough }, seed, bar);
    const sigma = (0.05 * 1) / Math.sqrt(STEPS);
    for (let k = 10; k + horizon < STEPS - 10; k++) {
      const jump = plain[k]! - plain[k - 1]!;
      if (Math.abs(jump) < 5 * sigma) continue;
      sum += Math.sign(jump) * (path[k + horizon]! - path[k]!);
      count++;
    }
  }
  expect(count, "jumps found in the paired paths").toBeGreaterThan(200);
  return sum / count;
}

describe("barPath: jump follow-through", () => {
  it("moves the path on in a jump's direction when positive and back when negative, in proportion", () => {
    const none = continuationAfterJumps(0, 10);
    const half = continuationAfterJumps(0.5, 10);
    const one = continuationAfterJumps(1, 10);
    const back = continuationAfterJumps(-0.5, 10);
    const jump = (8 * 0.05) / Math.sqrt(STEPS);
    // Ten steps carry 1 − 0.8¹⁰ ≈ 89% of the follow-through; the bridge's tie-down (the follow-through over the
    // rest of the bar) takes about a sixth back.
    expect(one - none, `one ${one}, none ${none}`).toBeGreaterThan(0.5 * jump);
    expect(one - none).toBeLessThan(1.1 * jump);
    expect(half - none).toBeCloseTo((one - none) / 2, 3);
    expect(back - none, `back ${back}, none ${none}`).toBeLessThan(-0.25 * jump);
  });

  it("draws no random number: the stream after a bar and the path at 0 are those of the model without it", () => {
    const bar = [100, 100.4, 99.7, 100.1];
    for (let seed = 1; seed <= 50; seed++) {
      const a = new BarRandom();
      const b = new BarRandom();
      pathOf(DEFAULT_SUBBAR_PARAMS, seed, bar, a);
      pathOf({ ...DEFAULT_SUBBAR_PARAMS, jumpShare: 0.2, jumpFollowThrough: 0 }, seed, bar, new BarRandom());
      pathOf({ ...DEFAULT_SUBBAR_PARAMS, jumpFollowThrough: 1.5 }, seed, bar, b);
      expect(b.next(), `seed ${seed}`).toBe(a.next());
    }
    const withZero = pathOf({ ...DEFAULT_SUBBAR_PARAMS, jumpFollowThrough: 0 }, 3, bar);
    const withOne = pathOf({ ...DEFAULT_SUBBAR_PARAMS, jumpShare: 0.3, jumpFollowThrough: 1 }, 3, bar);
    const withOneAgain = pathOf({ ...DEFAULT_SUBBAR_PARAMS, jumpShare: 0.3, jumpFollowThrough: 1 }, 3, bar);
    expect(Array.from(withOneAgain)).toEqual(Array.from(withOne));
    expect(Array.from(withOne)).not.toEqual(Array.from(withZero));
  });

  it("keeps the open, the close, both extremes and the range for any follow-through (seed 23)", () => {
    const seed = 23;
    const random = createRandom(seed);
    const bars = new BarRandom();
    for (let i = 0; i < 2_000; i++) {
      const open = 100 * Math.exp(random.nextNormal() * 0.1);
      const a = open * (1 + random.nextNormal() * 0.002);
      const b = open * (1 + random.nextNormal() * 0.002);
      const close = b;
      const high = Math.max(open, close, a);
      const low = Math.min(open, close, a, b);
      const steps = 3 + Math.floor(random.next() * 120);
      const params: SubbarParams = {
        ...DEFAULT_SUBBAR_PARAMS,
        roughness: random.next() * 3,
        persistence: random.next() * 0.95,
        jumpShare: random.next() * 0.3,
        jumpSize: 1 + random.next() * 10,
        jumpFollowThrough: -1 + random.next() * 4,
      };
      const label = `seed ${seed}, case ${i}, ${JSON.stringify(params)}`;
      const out = new Float64Array(steps + 1);
      bars.reset(seed, i * 60_000, 0);
      barPath(open, high, low, close, steps, params, bars, out);
      expect(out[0], label).toBe(open);
      expect(out[steps], label).toBe(close);
      expect(Math.max(...out), label).toBe(high);
      expect(Math.min(...out), label).toBe(low);
    }
  });
});

describe("sub-bar engine with jump follow-through", () => {
  const params = { spreadTicks: 1, jumpShare: 0.05, jumpFollowThrough: 1 };
  const options = (seed: number) => {
    const base = testOptions(
      { fillModel: subbarFillModel(params), requoteIntervalMs: 1_000, seed },
      { volMultiplier: 0 },
    );
    return { ...base, strategy: { ...base.strategy, baseSpreadBps: 1, feeAware: false } };
  };

  it("gives the same run under the same seed, another under another seed, and marks out on the path it walked", () => {
    const candles = toCandleColumns(randomWalkCandles(200, 5));
    const a = new SubbarBacktest(candles, options(3)).run();
    const b = new SubbarBacktest(candles, options(3)).run();
    const c = new SubbarBacktest(candles, options(4)).run();
    expect(a.fills.length).toBeGreaterThan(20);
    expect(b.fills).toEqual(a.fills);
    expect(b.pnl).toEqual(a.pnl);
    expect(c.fills).not.toEqual(a.fills);
    const prices = subbarPathPrices(candles, options(3));
    const seen: [number, number][] = [];
    new SubbarBacktest(candles, options(3), { onDecision: (time, mark) => seen.push([time, mark]) }).run();
    for (const [time, mark] of seen) expect(prices.priceAt(time), `decision at ${time}`).toBeCloseTo(mark, 9);
  });

  it("decides nothing inside bar t from the rest of its path, its extremes or its close", () => {
    const base = toCandleColumns(randomWalkCandles(300, 17));
    const run = options(1);
    const steps = subbarSteps(60_000, 1_000);
    const random = new BarRandom();
    const paths = Array.from({ length: base.length }, (_, i) => {
      const out = new Float64Array(steps + 1);
      random.reset(1, base.openTime[i]!, 0);
      barPath(
        base.open[i]!,
        base.high[i]!,
        base.low[i]!,
        base.close[i]!,
        steps,
        { ...DEFAULT_SUBBAR_PARAMS, ...params },
        random,
        out,
      );
      return out;
    });
    // Bar j's path is cut at step k and goes elsewhere; the bar's high, low and close change with it.
    const j = 150;
    const k = 30;
    const alteredPaths = paths.map((path, i) => {
      if (i !== j) return path;
      const copy = Float64Array.from(path);
      for (let s = k + 1; s <= steps; s++) copy[s] = path[k]! * (1 - 0.0005 * (s - k));
      return copy;
    });
    const altered: CandleColumns = {
      ...base,
      high: Float64Array.from(base.high, (value, i) => (i === j ? Math.max(...alteredPaths[j]!) : value)),
      low: Float64Array.from(base.low, (value, i) => (i === j ? Math.min(...alteredPaths[j]!) : value)),
      close: Float64Array.from(base.close, (value, i) => (i === j ? alteredPaths[j]![steps]! : value)),
    };
    const record = (candles: CandleColumns, chosen: Float64Array[]) => {
      const decisions: [number, number, number, number][] = [];
      const result = new SubbarBacktest(candles, run, {
        path: (index, out) => out.set(chosen[index]!),
        onDecision: (time, mark, bid, ask) => decisions.push([time, mark, bid, ask]),
      }).run();
      return { result, decisions };
    };
    const a = record(base, paths);
    const b = record(altered, alteredPaths);
    const cut = base.openTime[j]! + k * 1_000;
    expect(b.decisions.filter(([time]) => time <= cut)).toEqual(a.decisions.filter(([time]) => time <= cut));
    expect(b.result.fills.filter((fill) => fill.timeMs <= cut)).toEqual(
      a.result.fills.filter((fill) => fill.timeMs <= cut),
    );
    expect(a.result.fills.filter((fill) => fill.timeMs <= cut).length).toBeGreaterThan(10);
    expect(b.decisions.filter(([time]) => time > cut)).not.toEqual(
      a.decisions.filter(([time]) => time > cut),
    );
  });
});
