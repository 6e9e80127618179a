import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SignalsInputError } from "./errors.ts";
import { Qqe, QqeBands, type QqeOptions, qqeWarmUp } from "./qqe.ts";

// ---------------------------------------------------------------------------------------------------------
// Test helpers: a seeded generator (mulberry32) and an independent, array-based QQE that follows the formula
// literally — textbook RSI form 100 − 100/(1 + RS), textbook EMA α·x + (1 − α)·prev, pandas-ta's band loop.
// ---------------------------------------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk with regime changes in drift, so the QQE trend flips several times. */
function pseudoRandomPrices(seed: number, n: number): number[] {
  const random = mulberry32(seed);
  const prices: number[] = [];
  let price = 1000;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    if (i % 40 === 0) drift = (random() - 0.5) * 0.004;
    price *= 1 + drift + (random() - 0.5) * 0.01;
    prices.push(price);
  }
  return prices;
}

/** EMA over a series that starts with NaNs: seeded with the mean of the first `period` defined values. */
function batchEma(xs: number[], period: number): number[] {
  const out = xs.map(() => Number.NaN);
  const alpha = 2 / (period + 1);
  const first = xs.findIndex((x) => !Number.isNaN(x));
  if (first < 0 || first + period > xs.length) return out;
  let sum = 0;
  for (let i = first; i < first + period; i++) sum += xs[i] as number;
  out[first + period - 1] = sum / period;
  for (let i = first + period; i < xs.length; i++) {
    out[i] = alpha * (xs[i] as number) + (1 - alpha) * (out[i - 1] as number);
  }
  return out;
}

function batchWilderRsi(prices: number[], period: number): number[] {
  const out = prices.map(() => Number.NaN);
  const gains: number[] = [];
  const losses: number[] = [];
  for (let i = 1; i < prices.length; i++) {
    const d = (prices[i] as number) - (prices[i - 1] as number);
    gains.push(Math.max(d, 0));
    losses.push(Math.max(-d, 0));
  }
  let avgGain = 0;
  let avgLoss = 0;
  for (let k = 0; k < gains.length; k++) {
    if (k < period - 1) continue;
    if (k === period - 1) {
      avgGain = gains.slice(0, period).reduce((a, b) => a + b, 0) / period;
      avgLoss = losses.slice(0, period).reduce((a, b) => a + b, 0) / period;
    } else {
      avgGain = (avgGain * (period - 1) + (gains[k] as number)) / period;
      avgLoss = (avgLoss * (period - 1) + (losses[k] as number)) / period;
    }
    let rsi: number;
    if (avgLoss === 0) rsi = avgGain === 0 ? 50 : 100;
    else rsi = 100 - 100 / (1 + avgGain / avgLoss);
    out[k + 1] = rsi; // change k ends at price k + 1
  }
  return out;
}

interface BatchQqe {
  rsi: number[];
  rsiMa: number[];
  long: number[];
  short: number[];
  trend: number[];
  value: number[];
}

function batchQqe(
  prices: number[],
  length = 14,
  smooth = 5,
  wilders = 2 * length - 1,
  factor = 4.236,
): BatchQqe {
  const n = prices.length;
  const rsi = batchWilderRsi(prices, length);
  const rsiMa = batchEma(rsi, smooth);
  const atrRsi = rsiMa.map((x, i) => (i === 0 ? Number.NaN : Math.abs((rsiMa[i - 1] as number) - x)));
  const maAtrRsi = batchEma(atrRsi, wilders);
  const dar = batchEma(maAtrRsi, wilders).map((x) => x * factor);
  const upper = rsiMa.map((x, i) => x + (dar[i] as number));
  const lower = rsiMa.map((x, i) => x - (dar[i] as number));
  const long = prices.map(() => Number.NaN);
  const short = prices.map(() => Number.NaN);
  const trend = prices.map(() => 1);
  const value = prices.map(() => Number.NaN);
  const at = (xs: number[], i: number) => (i >= 0 ? (xs[i] as number) : Number.NaN);
  for (let i = 1; i < n; i++) {
    if (Number.isNaN(dar[i] as number)) continue;
    const cRsi = at(rsiMa, i);
    const pRsi = at(rsiMa, i - 1);
    const cLong = at(long, i - 1);
    const pLong = at(long, i - 2);
    const cShort = at(short, i - 1);
    const pShort = at(short, i - 2);
    long[i] = pRsi > cLong && cRsi > cLong ? Math.max(cLong, at(lower, i)) : at(lower, i);
    short[i] = pRsi < cShort && cRsi < cShort ? Math.min(cShort, at(upper, i)) : at(upper, i);
    if ((cRsi > cShort && pRsi < pShort) || (cRsi <= cShort && pRsi >= pShort)) {
      trend[i] = 1;
    } else if ((cRsi > cLong && pRsi < pLong) || (cRsi <= cLong && pRsi >= pLong)) {
      trend[i] = -1;
    } else {
      trend[i] = at(trend, i - 1);
    }
    value[i] = trend[i] === 1 ? (long[i] as number) : (short[i] as number);
  }
  return { rsi, rsiMa, long, short, trend, value };
}

const nullable = (x: number) => (Number.isNaN(x) ? null : x);

function expectClose(actual: number | null, expected: number, label: string) {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNull();
  } else {
    expect(actual, label).not.toBeNull();
    expect(Math.abs((actual as number) - expected), label).toBeLessThan(1e-9);
  }
}

// ---------------------------------------------------------------------------------------------------------

describe("QqeBands (the ratchet and trend recursion)", () => {
  it("ratchets, resets and flips on a constructed RsiMa/dar series", () => {
    const bands = new QqeBands();
    expect(bands.value).toBeNull();
    expect(bands.trend).toBeNull();

    // t1: RsiMa 50, dar 5 → long 45, short 55; nothing earlier to compare with → trend stays +1
    expect(bands.update(50, 5)).toBe(45);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([45, 55, 1]);

    // t2: RsiMa 52 → new long 47; 50 > 45 and 52 > 45 → long = max(45, 47) = 47 (ratchets up)
    //     new short 57; 50 < 55 and 52 < 55 → short = min(55, 57) = 55 (holds)
    expect(bands.update(52, 5)).toBe(47);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([47, 55, 1]);

    // t3: RsiMa 51 → new long 46 < 47, RsiMa still above 47 → long holds at 47; short holds at 55
    //     crosses: 51 vs short₋₁ 55 / 52 vs short₋₂ 55: none; 51 vs long₋₁ 47 / 52 vs long₋₂ 45: none
    expect(bands.update(51, 5)).toBe(47);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([47, 55, 1]);
    expect(bands.trendConfirmed).toBe(false); // still the +1 convention

    // t4: RsiMa 46 < long₋₁ 47 → long resets to 46 − 5 = 41; short = min(55, 51) = 51 (ratchets down)
    //     long cross: 46 <= long₋₁ 47 and 51 >= long₋₂ 47 → trend −1, value = short band
    expect(bands.update(46, 5)).toBe(51);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([41, 51, -1]);
    expect(bands.trendConfirmed).toBe(true);

    // t5: RsiMa 44, dar 4 → long = max(41, 40) = 41; short = min(51, 48) = 48
    //     short cross: 44 > 51? no; 44 <= 51 and 46 >= short₋₂ 55? no.
    //     long "cross": 44 > long₋₁ 41 and 46 < long₋₂ 47 → −1 (Pine's cross is either direction)
    expect(bands.update(44, 4)).toBe(48);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([41, 48, -1]);

    // t6: RsiMa 49 → long = max(41, 45) = 45; 49 >= short₋₁ 48 → short resets to 53
    //     short cross: 49 > short₋₁ 48 and 44 < short₋₂ 51 → trend +1, value = long band
    expect(bands.update(49, 4)).toBe(45);
    expect([bands.longBand, bands.shortBand, bands.trend]).toEqual([45, 53, 1]);

    // t7: RsiMa 50 → long = max(45, 46) = 46; short = min(53, 54) = 53
    //     short "cross" down: 50 <= short₋₁ 53 and 49 >= short₋₂ 48 → +1 again (confirms the flip)
    expect(bands.update(50, 4)).toBe(46);
    expect([bands.longBand, bands.shortBand, bands.trend, bands.value]).toEqual([46, 53, 1, 46]);

    bands.reset();
    expect(bands.value).toBeNull();
    expect(bands.trendConfirmed).toBe(false);
    expect(bands.update(30, 10)).toBe(20); // trend back to +1 after reset
  });

  it("uses >, < for the upward cross and <=, >= for the downward one (ties)", () => {
    const bands = new QqeBands();
    bands.update(50, 5); // long 45, short 55
    bands.update(50, 5); // long 45, short 55
    expect(bands.trendConfirmed).toBe(false);
    // RsiMa exactly on the previous long band: 45 <= 45 and 50 >= 45 → −1. This is also the earliest
    // possible cross: the third band update, the first with two earlier bands.
    bands.update(45, 5);
    expect(bands.trend).toBe(-1);
    expect(bands.trendConfirmed).toBe(true);
  });
});

describe("Qqe", () => {
  it("documents its warm-up lengths", () => {
    expect(qqeWarmUp()).toEqual({ rsi: 15, rsiMa: 19, bands: 72 });
    expect(qqeWarmUp({ rsiPeriod: 6, smoothingPeriod: 3 })).toEqual({ rsi: 7, rsiMa: 9, bands: 30 });
    expect(qqeWarmUp({ rsiPeriod: 2, smoothingPeriod: 1, wildersPeriod: 1 })).toEqual({
      rsi: 3,
      rsiMa: 3,
      bands: 4,
    });
    const qqe = new Qqe();
    expect(qqe.warmUp).toEqual({ rsi: 15, rsiMa: 19, bands: 72 });
    expect([qqe.rsiPeriod, qqe.smoothingPeriod, qqe.wildersPeriod, qqe.factor]).toEqual([14, 5, 27, 4.236]);
  });

  it.each<QqeOptions>([
    {},
    { rsiPeriod: 6, smoothingPeriod: 3 },
    { rsiPeriod: 3, smoothingPeriod: 2, wildersPeriod: 4 },
  ])("gives no output before, and every output exactly on, its warm-up update (%o)", (options) => {
    const qqe = new Qqe(options);
    const warm = qqe.warmUp;
    const prices = pseudoRandomPrices(7, warm.bands + 5);
    prices.forEach((price, index) => {
      const n = index + 1;
      const value = qqe.update(price);
      expect(qqe.count).toBe(n);
      expect(qqe.rsi === null, `rsi at ${n}`).toBe(n < warm.rsi);
      expect(qqe.rsiMa === null, `rsiMa at ${n}`).toBe(n < warm.rsiMa);
      for (const output of [value, qqe.value, qqe.longBand, qqe.shortBand, qqe.trend, qqe.dar]) {
        expect(output === null, `bands at ${n}`).toBe(n < warm.bands);
      }
      expect(qqe.isReady).toBe(n >= warm.bands);
    });
  });

  it("keeps the conventional +1 trend, unconfirmed, until RsiMa first crosses a band", () => {
    // A steady fall from the first bar: RsiMa sits near 8 and only crosses its long band on update 89.
    const qqe = new Qqe();
    const price = (i: number) => 100 * (1 - 0.003 * i) + 0.3 * Math.sin(1.7 * i);
    for (let i = 0; i < 88; i++) {
      qqe.update(price(i));
      if (qqe.isReady) {
        expect(qqe.trend).toBe(1);
        expect(qqe.trendConfirmed).toBe(false);
      }
    }
    expect(qqe.rsiMa as number).toBeLessThan(20);
    qqe.update(price(88));
    expect(qqe.trend).toBe(-1);
    expect(qqe.trendConfirmed).toBe(true);
    qqe.reset();
    expect(qqe.trendConfirmed).toBe(false);
  });

  it("trends up on a rally and flips down after a sell-off", () => {
    const qqe = new Qqe();
    const random = mulberry32(3);
    let price = 100;
    for (let i = 0; i < 80; i++) {
      price *= 1 + (random() - 0.5) * 0.002;
      qqe.update(price);
    }
    for (let i = 0; i < 30; i++) {
      price *= 1.004 + (random() - 0.5) * 0.002;
      qqe.update(price);
    }
    expect(qqe.trend).toBe(1);
    expect(qqe.trendConfirmed).toBe(true);
    expect(qqe.value).toBe(qqe.longBand);
    expect(qqe.rsiMa as number).toBeGreaterThan(60);
    let flippedAt = -1;
    for (let i = 0; i < 30 && flippedAt < 0; i++) {
      price *= 0.995;
      qqe.update(price);
      if (qqe.trend === -1) flippedAt = i;
    }
    expect(flippedAt).toBeGreaterThanOrEqual(0);
    expect(flippedAt).toBeLessThan(10);
    expect(qqe.value).toBe(qqe.shortBand);
    expect(qqe.shortBand as number).toBeGreaterThan(qqe.rsiMa as number);
  });

  it.each([
    { seed: 1, options: {} },
    { seed: 2, options: {} },
    { seed: 3, options: { rsiPeriod: 8, smoothingPeriod: 3, factor: 3 } },
    { seed: 4, options: { rsiPeriod: 5, smoothingPeriod: 2, wildersPeriod: 6, factor: 2.5 } },
  ])(
    "agrees with the independent batch implementation on 400 pseudo-random prices (seed $seed)",
    ({ seed, options }) => {
      const prices = pseudoRandomPrices(seed, 400);
      const o = options as QqeOptions;
      const length = o.rsiPeriod ?? 14;
      const expected = batchQqe(
        prices,
        length,
        o.smoothingPeriod ?? 5,
        o.wildersPeriod ?? 2 * length - 1,
        o.factor,
      );
      const qqe = new Qqe(options);
      let flips = 0;
      let previousTrend: number | null = null;
      prices.forEach((price, i) => {
        const value = qqe.update(price);
        expectClose(qqe.rsi, expected.rsi[i] as number, `rsi[${i}]`);
        expectClose(qqe.rsiMa, expected.rsiMa[i] as number, `rsiMa[${i}]`);
        expectClose(qqe.longBand, expected.long[i] as number, `long[${i}]`);
        expectClose(qqe.shortBand, expected.short[i] as number, `short[${i}]`);
        expectClose(value, expected.value[i] as number, `value[${i}]`);
        const expectedTrend = Number.isNaN(expected.value[i] as number) ? null : expected.trend[i];
        expect(qqe.trend, `trend[${i}]`).toBe(expectedTrend);
        if (previousTrend !== null && qqe.trend !== previousTrend) flips++;
        previousTrend = qqe.trend;
      });
      expect(nullable(expected.value[399] as number)).not.toBeNull();
      expect(flips).toBeGreaterThanOrEqual(4); // the comparison exercised real flips
    },
  );

  it("reset forgets everything", () => {
    const qqe = new Qqe({ rsiPeriod: 2, smoothingPeriod: 1, wildersPeriod: 1 });
    const prices = pseudoRandomPrices(9, 20);
    const first = prices.map((p) => qqe.update(p));
    qqe.reset();
    expect(qqe.count).toBe(0);
    expect([qqe.rsi, qqe.rsiMa, qqe.dar, qqe.value, qqe.trend]).toEqual([null, null, null, null, null]);
    expect(prices.map((p) => qqe.update(p))).toEqual(first);
  });

  it("rejects invalid options, naming the field", () => {
    expect(() => new Qqe({ rsiPeriod: 0 })).toThrow(/rsiPeriod: expected an integer >= 1, got 0/);
    expect(() => new Qqe({ smoothingPeriod: 2.5 })).toThrow(
      expect.objectContaining({ code: "NOT_INTEGER", field: "smoothingPeriod" }),
    );
    expect(() => new Qqe({ wildersPeriod: Number.NaN })).toThrow(/wildersPeriod/);
    expect(() => new Qqe({ factor: 0 })).toThrow(/factor: expected a finite number > 0, got 0/);
    expect(() => qqeWarmUp({ factor: -1 })).toThrow(SignalsInputError);
  });

  it("property: an invalid price throws SignalsInputError and changes nothing", () => {
    const qqe = new Qqe({ rsiPeriod: 2, smoothingPeriod: 1, wildersPeriod: 1 });
    for (const p of pseudoRandomPrices(5, 10)) qqe.update(p);
    const snapshot = () => [qqe.count, qqe.rsi, qqe.rsiMa, qqe.longBand, qqe.shortBand, qqe.trend, qqe.value];
    const before = snapshot();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0),
          fc.double({ max: -Number.MIN_VALUE, noNaN: true }),
        ),
        (price) => {
          expect(() => qqe.update(price)).toThrow(SignalsInputError);
          expect(snapshot()).toEqual(before);
        },
      ),
      { seed: 5 },
    );
  });

  it("property: trend is ±1, the value is the band of the trend, and the long band sits below the short", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 40, maxLength: 150 }),
        (ratios) => {
          const qqe = new Qqe({ rsiPeriod: 4, smoothingPeriod: 2, wildersPeriod: 5 });
          let price = 100;
          for (const ratio of ratios) {
            price *= ratio;
            qqe.update(price);
            if (!qqe.isReady) continue;
            expect([1, -1]).toContain(qqe.trend);
            expect(qqe.value).toBe(qqe.trend === 1 ? qqe.longBand : qqe.shortBand);
            expect(qqe.rsi as number).toBeGreaterThanOrEqual(0);
            expect(qqe.rsi as number).toBeLessThanOrEqual(100);
            expect(qqe.longBand as number).toBeLessThanOrEqual(qqe.rsiMa as number);
            expect(qqe.shortBand as number).toBeGreaterThanOrEqual(qqe.rsiMa as number);
          }
        },
      ),
      { seed: 6 },
    );
  });
});
