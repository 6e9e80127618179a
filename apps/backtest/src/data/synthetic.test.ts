import { validateCandles } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { CandleSourceError } from "./errors.ts";
import { generateSyntheticCandles, syntheticStartPrice } from "./synthetic.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
function correlation(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < a.length; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}

describe("generateSyntheticCandles", () => {
  const month = generateSyntheticCandles({
    start: START,
    end: START + 30 * DAY,
    intervalMs: MINUTE,
    seed: 42,
    startPrice: 60_000,
  });
  const logReturns = month.slice(1).map((c, i) => Math.log(c.close / month[i]!.close));

  it("is deterministic for a seed and differs between seeds", () => {
    const options = { start: START, end: START + DAY, intervalMs: MINUTE, seed: 42, startPrice: 60_000 };
    expect(generateSyntheticCandles(options)).toEqual(generateSyntheticCandles(options));
    expect(generateSyntheticCandles(options)).toEqual(month.slice(0, 1440));
    const other = generateSyntheticCandles({ ...options, seed: 43 });
    expect(other).not.toEqual(month.slice(0, 1440));
    expect(other[0]!.open).toBe(60_000);
    expect(other[1]!.close).not.toBe(month[1]!.close);
  });

  it("makes valid, gap-free, continuous bars", () => {
    expect(month).toHaveLength(30 * 1440);
    expect(validateCandles(month, { intervalMs: MINUTE }).gapCount).toBe(0);
    expect(month[0]).toMatchObject({ openTime: START, open: 60_000 });
    for (let i = 1; i < month.length; i++) expect(month[i]!.open).toBe(month[i - 1]!.close);
    // five significant figures, like Hyperliquid prices
    for (const c of month.slice(0, 500)) expect(Number(c.close.toPrecision(5))).toBe(c.close);
  });

  it("has the configured volatility, fat tails and volatility clustering", () => {
    const annualized = Math.sqrt(mean(logReturns.map((r) => r * r)) * 365 * 1440);
    expect(annualized).toBeGreaterThan(0.45);
    expect(annualized).toBeLessThan(0.8);
    const variance = mean(logReturns.map((r) => r * r));
    const kurtosis = mean(logReturns.map((r) => r ** 4)) / variance ** 2;
    expect(kurtosis).toBeGreaterThan(5); // a normal has 3
    const absolute = logReturns.map(Math.abs);
    expect(correlation(absolute.slice(0, -1), absolute.slice(1))).toBeGreaterThan(0.1); // clustering
    expect(Math.abs(correlation(logReturns.slice(0, -1), logReturns.slice(1)))).toBeLessThan(0.05); // no momentum
  });

  it("jumps at the configured rate and size", () => {
    const options = { start: START, end: START + 30 * DAY, intervalMs: MINUTE, seed: 42 };
    const bigMoves = (candles: typeof month) =>
      candles.slice(1).filter((c, i) => Math.abs(Math.log(c.close / candles[i]!.close)) > 0.01).length;
    // 5 jumps a day of σ = 2 %: ~150 jumps, ~62 % of them beyond ±1 %, a move the diffusion never makes
    const jumpy = bigMoves(generateSyntheticCandles({ ...options, jumpsPerDay: 5, jumpStdFraction: 0.02 }));
    expect(jumpy).toBeGreaterThan(60);
    expect(jumpy).toBeLessThan(130);
    expect(bigMoves(generateSyntheticCandles({ ...options, jumpsPerDay: 0 }))).toBeLessThan(5);
  });

  it("draws intra-bar ranges consistent with the bar volatility (Parkinson ≈ close-to-close)", () => {
    const parkinson = mean(month.map((c) => Math.log(c.high / c.low) ** 2)) / (4 * Math.log(2));
    const closeToClose = mean(logReturns.map((r) => r * r));
    expect(parkinson / closeToClose).toBeGreaterThan(0.7);
    expect(parkinson / closeToClose).toBeLessThan(1.3);
    expect(month.filter((c) => c.high > Math.max(c.open, c.close)).length / month.length).toBeGreaterThan(
      0.9,
    );
  });

  it("trades about the configured notional, more when the price moves", () => {
    const notionalPerDay = (mean(month.map((c) => c.volume * c.close)) * 1440) / 1e9;
    expect(notionalPerDay).toBeGreaterThan(0.7);
    expect(notionalPerDay).toBeLessThan(1.3);
    expect(month.every((c) => c.volume > 0)).toBe(true);
    const moves = month.map((c) => Math.abs(Math.log(c.close / c.open)));
    expect(
      correlation(
        moves,
        month.map((c) => c.volume),
      ),
    ).toBeGreaterThan(0.2);
  });

  it("rejects bad parameters", () => {
    const base = { start: START, end: START + DAY, intervalMs: MINUTE, seed: 1 };
    expect(() => generateSyntheticCandles({ ...base, seed: 1.5 })).toThrow(CandleSourceError);
    expect(() => generateSyntheticCandles({ ...base, startPrice: 0 })).toThrow(/startPrice must be > 0/);
    expect(() => generateSyntheticCandles({ ...base, shockWeight: 1 })).toThrow(/shockWeight/);
    expect(generateSyntheticCandles({ ...base, end: START })).toEqual([]);
  });

  it("starts near the usual price of the symbol", () => {
    expect(syntheticStartPrice("btc")).toBe(60_000);
    expect(syntheticStartPrice("ETH")).toBe(3000);
    expect(syntheticStartPrice("DOGE")).toBe(100);
  });
});
