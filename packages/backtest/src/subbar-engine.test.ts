import type { Instrument } from "@botmm/core";
import type { RiskMode, StrategyConfigInput } from "@botmm/strategy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CandleColumns, toCandleColumns } from "./candle-columns.ts";
import type { BacktestOptions } from "./engine.ts";
import { subbarFillModel } from "./fill-model.ts";
import { SubbarBacktest, subbarPathPrices, subbarSteps } from "./subbar-engine.ts";
import { BarRandom, barPath, DEFAULT_SUBBAR_PARAMS, type SubbarParams } from "./subbar-path.ts";
import { ETH, flatThen, randomWalkCandles, testOptions } from "./test-support.ts";

const STEPS = 60;
const bar = (open: number, high: number, low: number, close: number, volume = 1000) => ({
  open,
  high,
  low,
  close,
  volume,
});

/**
 * Options of the sub-bar model with a 1 s requote on 1m bars; 0 volatility multiplier keeps quotes 2 bp out. The
 * fill rule is pinned (no spread, any trade-through fills, all of a step's volume), not the shipped fit's.
 */
function subbarOptions(params: Partial<SubbarParams> = {}, overrides: Partial<BacktestOptions> = {}) {
  return testOptions(
    {
      fillModel: subbarFillModel({ spreadTicks: 0, throughBps: 0, queueShare: 1, ...params }),
      requoteIntervalMs: 1_000,
      ...overrides,
    },
    { volMultiplier: 0 },
  );
}

/** Runs with hand-written paths: `paths[bar]` (length STEPS + 1), flat at the bar's open where not given. */
function runWithPaths(
  candles: CandleColumns,
  options: BacktestOptions,
  paths: Record<number, number[]>,
  onDecision?: (timeMs: number, mark: number, bid: number, ask: number) => void,
) {
  return new SubbarBacktest(candles, options, {
    path: (index, out) => {
      const given = paths[index];
      for (let k = 0; k <= STEPS; k++) out[k] = given?.[k] ?? candles.open[index]!;
    },
    ...(onDecision === undefined ? {} : { onDecision }),
  }).run();
}

/** A path flat at `flat` whose points `from..` take `values` in turn, then stay at the last. */
function pathWith(flat: number, from: number, values: number[]): number[] {
  return Array.from({ length: STEPS + 1 }, (_, k) =>
    k < from ? flat : (values[Math.min(k - from, values.length - 1)] ?? flat),
  );
}

describe("sub-bar fill model: fills on the path", () => {
  // 40 flat bars at 100 (volatility 0): bid 99.98 and ask 100.02 rest from bar 1 on.
  const candles = toCandleColumns(flatThen(100, 40, [bar(100, 100, 99.95, 100)]));
  const openTime = candles.openTime[40]!;

  it("fills a bid at its own price where the path trades through it, at that moment", () => {
    // One second from 100 to 99.95 (step 10 → 11): the line crosses 99.98 at 40% of the second.
    const run = runWithPaths(candles, subbarOptions(), { 40: pathWith(100, 11, [99.95, 100]) });
    const buys = run.fills.filter((fill) => fill.side === "buy");
    expect(buys).toHaveLength(1);
    expect(buys[0]).toMatchObject({ price: 99.98, liquidity: "maker", barIndex: 40 });
    expect(buys[0]!.timeMs).toBe(openTime + 10_400);
    expect(buys[0]!.referenceMid).toBe(100);
  });

  it("does not fill a quote the path only touches; the market's spread fills it earlier", () => {
    const touch = pathWith(100, 11, [99.98, 100]);
    expect(runWithPaths(candles, subbarOptions(), { 40: touch }).fills).toHaveLength(0);
    // With a 2-tick spread the best bid (path − 0.01) is through 99.98 once the path is below 99.99.
    const spread = runWithPaths(candles, subbarOptions({ spreadTicks: 2 }), {
      40: pathWith(100, 11, [99.95, 100]),
    });
    expect(spread.fills.filter((fill) => fill.side === "buy")[0]!.timeMs).toBe(openTime + 10_200);
    const touched = runWithPaths(candles, subbarOptions({ spreadTicks: 2 }), { 40: touch }).fills;
    expect(touched.filter((fill) => fill.side === "buy")).toHaveLength(1);
    expect(touched[0]).toMatchObject({ side: "buy", price: 99.98, timeMs: openTime + 10_500 });
  });

  it("rejects a post-only order that the path has crossed when it arrives, and the modify loses the old order", () => {
    // Step 9 lifts the mid to 100.05: the bid is moved up to 100.03 (sent at 9 s, arriving at 9.2 s). By then
    // the path is falling through 100.02: the new bid would take liquidity and is rejected.
    const path = pathWith(100, 9, [100.05, 99.9, 99.9]);
    const run = runWithPaths(candles, subbarOptions(), { 40: path });
    expect(run.orders.rejectedPostOnly).toBeGreaterThanOrEqual(1);
    // The old bid (99.98) was replaced by the rejected modify: the fall to 99.9 fills no bid before the
    // requote at 10 s places a new one (which arrives at 10.2 s, below 99.9 × (1 − 2 bp)).
    expect(run.fills.filter((fill) => fill.side === "buy" && fill.timeMs < openTime + 10_200)).toHaveLength(
      0,
    );
  });

  it("lets the orders decided earlier rest until the new instructions arrive after the latency", () => {
    // Step 9 lifts the mid to 100.06: at 9 s the bid is moved up to 100.04. From 10 s to 11 s the path falls to
    // 99.9, through 100.04 at 10.125 s and through the old 99.98 at 10.5 s. With 200 ms latency the moved bid
    // rests by then and fills; with 1.7 s it is still on its way and the old bid fills.
    const path = pathWith(100, 9, [100.06, 100.06, 99.9, 100]);
    const buy = (latencyMs: number) =>
      runWithPaths(candles, subbarOptions({}, { latencyMs }), { 40: path }).fills.find(
        (fill) => fill.side === "buy",
      );
    expect(buy(200)).toMatchObject({ price: 100.04, timeMs: openTime + 10_125 });
    expect(buy(1_700)).toMatchObject({ price: 99.98, timeMs: openTime + 10_500 });
  });

  it("caps a fill at the queue's share of the step's volume and the bar's volume cap", () => {
    // 30 units traded in the bar, evenly over 60 steps: 0.5 per step; the order is 1 unit ($100 at 100).
    const thin = toCandleColumns(flatThen(100, 40, [bar(100, 100, 99.95, 100, 30)]));
    const path = pathWith(100, 11, [99.95, 99.95, 99.95, 100]);
    const run = runWithPaths(
      thin,
      subbarOptions({ queueShare: 1, tradeSizeDispersion: 0 }, { maxVolumeShare: 1 }),
      {
        40: path,
      },
    );
    expect(run.fills[0]!.size).toBeCloseTo(0.5, 12);
    const half = runWithPaths(
      thin,
      subbarOptions({ queueShare: 0.5, tradeSizeDispersion: 0 }, { maxVolumeShare: 1 }),
      {
        40: path,
      },
    );
    expect(half.fills[0]!.size).toBeCloseTo(0.25, 12);
    const capped = runWithPaths(
      thin,
      subbarOptions({ queueShare: 1, tradeSizeDispersion: 0 }, { maxVolumeShare: 0.01 }),
      {
        40: path,
      },
    );
    expect(capped.fills.reduce((sum, fill) => sum + fill.size, 0)).toBeCloseTo(0.3, 12);
  });

  it("requotes once per step while the path moves, and skips only the steps where it would send nothing", () => {
    // 0.1 bp a step: the wanted quotes leave the 0.5 bp refresh tolerance every few steps.
    const moving = pathWith(
      100,
      1,
      Array.from({ length: STEPS }, (_, k) => 100 + 0.001 * (k + 1)),
    );
    const decide = (noSkip: boolean) => {
      const decisions: number[] = [];
      const engine = new SubbarBacktest(candles, subbarOptions(), {
        path: (index, out) => {
          for (let k = 0; k <= STEPS; k++) out[k] = index === 40 ? moving[k]! : candles.open[index]!;
        },
        onDecision: (time) => {
          if (time >= openTime && time < openTime + 60_000) decisions.push(time);
        },
        noSkip,
      });
      return { decisions, run: engine.run(), skipped: engine.decisionsSkipped };
    };
    const every = decide(true);
    // Every second of the bar (the first one twice: the previous bar's close, then the bar's first step).
    expect(every.decisions).toHaveLength(STEPS + 1);
    expect(new Set(every.decisions).size).toBe(STEPS);
    expect(every.decisions[2]! - every.decisions[1]!).toBe(1_000);
    expect(every.skipped).toBe(0);
    const skipping = decide(false);
    expect(skipping.decisions.length).toBeGreaterThan(5);
    expect(skipping.decisions.length).toBeLessThan(STEPS / 2);
    expect(skipping.run).toEqual(every.run);
    const flatDecisions: number[] = [];
    runWithPaths(candles, subbarOptions(), {}, (time) => {
      if (time > openTime && time < openTime + 60_000) flatDecisions.push(time);
    });
    expect(flatDecisions).toHaveLength(0);
  });
});

describe("sub-bar fill model: no look-ahead inside a bar", () => {
  it("every decision is made at a price the path has reached, and bar t's extremes and close are not seen before the path shows them", () => {
    const base = toCandleColumns(randomWalkCandles(300, 17));
    const options = subbarOptions({ spreadTicks: 1 }, {});
    const strategyOptions = {
      ...options,
      strategy: { ...options.strategy, baseSpreadBps: 1, feeAware: false },
    };
    const steps = subbarSteps(60_000, 1_000);
    const random = new BarRandom();
    const paths: Float64Array[] = [];
    for (let i = 0; i < base.length; i++) {
      const out = new Float64Array(steps + 1);
      random.reset(1, base.openTime[i]!, 0);
      barPath(
        base.open[i]!,
        base.high[i]!,
        base.low[i]!,
        base.close[i]!,
        steps,
        DEFAULT_SUBBAR_PARAMS,
        random,
        out,
      );
      paths.push(out);
    }
    // Bar j's path is cut at step k: afterwards it goes elsewhere, and the bar's high, low and close change.
    const j = 200;
    const k = 25;
    const alteredPaths = paths.map((path, i) => {
      if (i !== j) return path;
      const copy = Float64Array.from(path);
      for (let s = k + 1; s <= steps; s++) copy[s] = path[k]! * (1 + 0.0004 * (s - k));
      return copy;
    });
    const altered: CandleColumns = {
      ...base,
      high: Float64Array.from(base.high, (value, i) => (i === j ? Math.max(...alteredPaths[j]!) : value)),
      low: Float64Array.from(base.low, (value, i) => (i === j ? Math.min(...alteredPaths[j]!) : value)),
      close: Float64Array.from(base.close, (value, i) => (i === j ? alteredPaths[j]![steps]! : value)),
    };
    type Decision = [number, number, number, number];
    const record = (candles: CandleColumns, chosen: Float64Array[], noSkip = false) => {
      const decisions: Decision[] = [];
      const engine = new SubbarBacktest(candles, strategyOptions, {
        path: (index, out) => out.set(chosen[index]!),
        onDecision: (time, mark, bid, ask) => decisions.push([time, mark, bid, ask]),
        noSkip,
      });
      const run = engine.run();
      return { run, decisions, skipped: engine.decisionsSkipped };
    };
    const a = record(base, paths);
    const b = record(altered, alteredPaths);
    // The runs skip the decisions that would send nothing (what the check below covers), and skipping
    // changes nothing.
    expect(a.skipped).toBeGreaterThan(1_000);
    expect(a.run).toEqual(record(base, paths, true).run);

    // Each decision's price is the path's point at that step (or the bar's close, at its close).
    for (const [time, mark] of a.decisions) {
      const index = Math.min(base.length - 1, Math.floor((time - base.openTime[0]!) / 60_000));
      const step = Math.round((time - base.openTime[index]!) / 1_000);
      const expected = step >= steps ? base.close[index]! : paths[index]![step]!;
      expect(mark, `decision at ${time}`).toBe(expected);
    }
    // Up to step k of bar j everything is the same; afterwards the runs differ (so the check is not vacuous).
    const cut = base.openTime[j]! + k * 1_000;
    const upTo = (decisions: Decision[]) => decisions.filter(([time]) => time <= cut);
    expect(upTo(b.decisions)).toEqual(upTo(a.decisions));
    expect(upTo(a.decisions).filter(([, , bid]) => bid > 0).length).toBeGreaterThan(1_000);
    const fillsBefore = (fills: typeof a.run.fills) => fills.filter((fill) => fill.timeMs <= cut);
    expect(fillsBefore(b.run.fills)).toEqual(fillsBefore(a.run.fills));
    expect(fillsBefore(a.run.fills).length).toBeGreaterThan(10);
    expect(Array.from(b.run.equityUsd.subarray(0, j))).toEqual(Array.from(a.run.equityUsd.subarray(0, j)));
    expect(b.decisions.filter(([time]) => time > cut)).not.toEqual(
      a.decisions.filter(([time]) => time > cut),
    );
  });
});

describe("sub-bar fill model: skipping decisions is exact", () => {
  // A coarse tick (≈ 1.7 bp at 3,000) and a fine one, beside the test ETH's 5 significant figures.
  const tickInstrument = (tickSize: string, stepSize: string, minNotionalUsd: number): Instrument => ({
    venue: "test",
    coin: "X",
    assetId: 0,
    priceRule: { type: "tick", tickSize },
    sizeRule: { type: "step", stepSize },
    minNotionalUsd,
    maxLeverage: 10,
  });
  const instruments = [ETH, tickInstrument("0.5", "0.01", 10), tickInstrument("0.01", "0.0001", 60)];
  const modes: RiskMode[] = ["allow", "allow", "allow", "reduce-only", "halt"];
  const candles = toCandleColumns(randomWalkCandles(90, 5));

  it("gives the same run as deciding at every step, whatever the features that move quotes inside a bar", () => {
    let quietRuns = 0;
    fc.assert(
      fc.property(
        fc.record({
          model: fc.constantFrom("basic", "basic", "basic", "basic", "as", "glft"),
          inventorySkewFactor: fc.constantFrom(0, 0.5, 1.5),
          levels: fc.integer({ min: 1, max: 3 }),
          levelSpacingBps: fc.constantFrom(0.5, 3),
          sizeDecay: fc.constantFrom(0, 0, 2),
          toxicity: fc.constantFrom("off", "bars", "bars", "bars", "seconds", "pull"),
          calibration: fc.constantFrom("constants", "constants", "constants", "online"),
          bias: fc.constantFrom(false, false, false, true),
          fundingSkewBps: fc.constantFrom(0, 0, 0, 5),
          feeAware: fc.boolean(),
          refreshToleranceBps: fc.constantFrom(0, 0.5, 2),
          sizeTolerance: fc.constantFrom(0, 0.25),
          maxPositionUsd: fc.constantFrom(150, 500),
          orderSizeUsd: fc.constantFrom(50, 100),
          toxicityEaseExit: fc.boolean(),
          instrument: fc.integer({ min: 0, max: instruments.length - 1 }),
          risk: fc.boolean(),
          latencyMs: fc.constantFrom(0, 200, 1_500),
          spreadTicks: fc.constantFrom(0, 1.5),
        }),
        (c) => {
          const strategy: StrategyConfigInput = {
            model: c.model,
            baseSpreadBps: 1,
            volMultiplier: 0.5,
            inventorySkewFactor: c.inventorySkewFactor,
            levels: c.levels,
            levelSpacingBps: c.levelSpacingBps,
            sizeDecay: c.sizeDecay,
            toxicityGuard: c.toxicity === "bars" || c.toxicity === "seconds",
            toxicityClock: c.toxicity === "seconds" ? "seconds" : "bars",
            toxicityThresholdBps: 0.2,
            toxicityHorizonBars: 1,
            toxicityPull: c.toxicity === "pull",
            toxicityEaseExit: c.toxicityEaseExit,
            calibration: c.calibration,
            bias: c.bias,
            fundingSkewBps: c.fundingSkewBps,
            feeAware: c.feeAware,
            refreshToleranceBps: c.refreshToleranceBps,
            sizeTolerance: c.sizeTolerance,
            maxPositionUsd: c.maxPositionUsd,
            hardLimitMultiple: 1.2,
            orderSizeUsd: c.orderSizeUsd,
            volatilityWarmupBars: 5,
          };
          const options = testOptions(
            {
              instrument: instruments[c.instrument]!,
              fillModel: subbarFillModel({ spreadTicks: c.spreadTicks }),
              requoteIntervalMs: 1_000,
              latencyMs: c.latencyMs,
              maxVolumeShare: 1,
              // A funding rate that changes every hour, for the funding skew.
              funding: {
                type: "series",
                timesMs: Float64Array.from([0, 1, 2], (h) => candles.openTime[0]! + h * 3_600_000),
                rates: Float64Array.from([0.0001, -0.0002, 0.0003]),
              },
              ...(c.risk
                ? { risk: { decide: (state) => modes[Math.floor(state.timeMs / 600_000) % modes.length]! } }
                : {}),
            },
            strategy,
          );
          const engine = new SubbarBacktest(candles, options);
          const skipping = engine.run();
          const every = new SubbarBacktest(candles, options, { noSkip: true }).run();
          expect(skipping).toEqual(every);
          // Where the kernel gives quiet ranges (basic model, fair price at the mid, no clock of its own) it
          // skips most steps: the equality above covers the skipping.
          const quiet =
            c.model === "basic" &&
            (c.toxicity === "off" || c.toxicity === "bars") &&
            c.calibration === "constants" &&
            !c.bias &&
            c.fundingSkewBps === 0;
          if (quiet) {
            expect(engine.decisionsSkipped).toBeGreaterThan(1_000);
            quietRuns++;
          }
        },
      ),
      { seed: 12, numRuns: 80 },
    );
    expect(quietRuns).toBeGreaterThan(10);
  });
});

describe("subbarPathPrices", () => {
  it("gives back the path the run walked, for time mark-outs", () => {
    const candles = toCandleColumns(randomWalkCandles(10, 4));
    const options = subbarOptions();
    const prices = subbarPathPrices(candles, options);
    const seen: [number, number][] = [];
    new SubbarBacktest(candles, options, {
      onDecision: (time, mark) => seen.push([time, mark]),
      noSkip: true,
    }).run();
    expect(seen.length).toBeGreaterThan(100);
    for (const [time, mark] of seen) expect(prices.priceAt(time)).toBeCloseTo(mark, 9);
    expect(prices.priceAt(candles.openTime[0]! - 1)).toBeNaN();
  });
});
