import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "@botmm/core";
import { parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import {
  ABLATION_COMPONENTS,
  bestCombination,
  CANDLE_ABLATION_COMPONENTS,
  IMBALANCE_SKIP_HYSTERESIS,
  IMBALANCE_SKIP_THRESHOLD,
  keepsMarkouts,
  pnlVersusBaseline,
  SWEEP_PULL,
  variantStrategy,
} from "./ablation.ts";
import { runBacktestCli } from "./run.ts";
import { writeSyntheticRecording } from "./synthetic-recording.ts";
import { captureIo } from "./test-support.ts";

const dir = mkdtempSync(join(tmpdir(), "botmm-ablation-"));
const start = Date.UTC(2025, 0, 6, 10);

/** Forty minutes of a seeded random-walk ETH book (every 500 ms) with trades on both sides. */
function writeRecording(root: string): void {
  writeSyntheticRecording(root, { seed: 11, startMs: start, minutes: 40, sizeJitter: true });
}

describe("pnlVersusBaseline", () => {
  it("is the difference of the totals, with the noise of the minute-by-minute difference", () => {
    // The variant earns the baseline's minutes plus 1 on every other minute: +10 over 20 minutes.
    const baseline = Array.from({ length: 20 }, (_, i) => Math.sin(i) * 3);
    const variant = baseline.map((equity, i) => equity + Math.floor((i + 1) / 2));
    const versus = pnlVersusBaseline(variant, baseline);
    expect(versus.totalUsd).toBeCloseTo(10, 12);
    expect(versus.standardErrorUsd).toBeGreaterThan(0);
    // The baseline's own noise cancels: the same difference over any baseline has the same error.
    const other = baseline.map((equity) => equity * 5 - 2);
    const shifted = other.map((equity, i) => equity + Math.floor((i + 1) / 2));
    expect(pnlVersusBaseline(shifted, other).standardErrorUsd).toBeCloseTo(versus.standardErrorUsd, 9);
    expect(pnlVersusBaseline(baseline, baseline)).toEqual({ totalUsd: 0, standardErrorUsd: 0 });
  });

  it("has no standard error when the runs' bars differ", () => {
    expect(pnlVersusBaseline([1, 2, 3], [1, 2]).standardErrorUsd).toBeNaN();
    expect(pnlVersusBaseline([1, 2, 3], [1, 2]).totalUsd).toBe(1);
  });
});

describe("variantStrategy", () => {
  it("starts every component from the baseline and keeps the user's settings for default", () => {
    const user = parseStrategyConfig({ model: "glft", fairPrice: "microprice", orderSizeUsd: 50 });
    expect(variantStrategy(user, null)).toBe(user);
    const baseline = variantStrategy(user, {});
    expect(baseline.model).toBe("basic");
    expect(baseline.fairPrice).toBe("mid");
    expect(baseline.orderSizeUsd).toBe(50);
    const pull = ABLATION_COMPONENTS.find((c) => c.variant === "+toxicity-pull")!;
    const pulled = variantStrategy(user, pull.overrides);
    expect(pulled).toMatchObject({
      toxicityPull: true,
      toxicityClock: "seconds",
      toxicityPullFills: 3,
      toxicityPullThresholdBps: 3,
      toxicityPullWindowMs: 60_000,
      toxicityPullCooldownMs: 30_000,
      model: "basic",
    });
    const skip = ABLATION_COMPONENTS.find((c) => c.variant === "+imbalance-skip")!;
    expect(variantStrategy(user, skip.overrides).imbalanceSkipThreshold).toBe(IMBALANCE_SKIP_THRESHOLD);
    const ease = ABLATION_COMPONENTS.find((c) => c.variant === "+toxicity-ease-exit")!;
    expect(variantStrategy(user, ease.overrides)).toMatchObject({
      toxicityEaseExit: true,
      toxicityGuard: true,
    });
    expect(variantStrategy(parseStrategyConfig({ toxicityEaseExit: true }), {}).toxicityEaseExit).toBe(false);
    const sweep = ABLATION_COMPONENTS.find((c) => c.variant === "+sweep-pull")!;
    expect(variantStrategy(user, sweep.overrides)).toMatchObject({
      sweepPullBps: 2,
      sweepPullCooldownMs: 10_000,
      model: "basic",
    });
    // The baseline switches a user's sweep pull off.
    expect(variantStrategy(parseStrategyConfig({ sweepPullBps: 3 }), {}).sweepPullBps).toBe(0);
    const hysteresis = ABLATION_COMPONENTS.find((c) => c.variant === "+imbalance-skip-hysteresis")!;
    expect(variantStrategy(user, hysteresis.overrides)).toMatchObject({
      imbalanceSkipThreshold: IMBALANCE_SKIP_THRESHOLD,
      imbalanceSkipExit: IMBALANCE_SKIP_HYSTERESIS.imbalanceSkipExit,
      imbalanceSkipHoldMs: 0,
      model: "basic",
    });
    // ... and a user's skip hysteresis and hold.
    const userSkip = parseStrategyConfig({
      imbalanceSkipThreshold: 0.9,
      imbalanceSkipExit: 0.4,
      imbalanceSkipHoldMs: 2_000,
    });
    expect(variantStrategy(userSkip, {})).toMatchObject({
      imbalanceSkipThreshold: 0,
      imbalanceSkipExit: 0,
      imbalanceSkipHoldMs: 0,
    });
  });

  it("keeps baseline = today's basic model (ease-exit off) and default = what BotMM ships (baseline + ease-exit)", () => {
    const shipped = parseStrategyConfig({});
    const baseline = variantStrategy(shipped, {});
    const asShipped = variantStrategy(shipped, null);
    expect(baseline.toxicityEaseExit).toBe(false);
    expect(asShipped.toxicityEaseExit).toBe(true);
    expect(asShipped).toEqual(variantStrategy(shipped, { toxicityEaseExit: true }));
  });
});

describe("bestCombination", () => {
  const score = (pnlUsd: number, markout1sBps: number | null = 0, markout30sBps: number | null = 0) => ({
    pnlUsd,
    markout1sBps,
    markout30sBps,
  });

  it("adds helpful components greedily, one per exclusive setting, and drops one that hurts together", async () => {
    const evaluated: string[] = [];
    const pnl = (o: Record<string, unknown>) =>
      (o.fairPrice === "imbalance" ? 3 : o.fairPrice === "microprice" ? 2 : 0) +
      (o.sizeDecay === 1 ? 1 : 0) +
      (o.bias === true ? (o.sizeDecay === 1 ? -5 : 0.5) : 0);
    const best = await bestCombination(
      score(0),
      [
        { variant: "+fair-price=microprice", overrides: { fairPrice: "microprice" }, score: score(2) },
        { variant: "+fair-price=imbalance", overrides: { fairPrice: "imbalance" }, score: score(3) },
        { variant: "+size-decay", overrides: { sizeDecay: 1 }, score: score(1) },
        { variant: "+bias", overrides: { bias: true }, score: score(0.5) },
        { variant: "+funding-skew", overrides: { fundingSkewBps: 1 }, score: score(-1) },
      ],
      async (overrides) => {
        evaluated.push(JSON.stringify(overrides));
        return score(pnl(overrides));
      },
    );
    expect(best.variants).toEqual(["+fair-price=imbalance", "+size-decay"]);
    expect(best.overrides).toEqual({ fairPrice: "imbalance", sizeDecay: 1 });
    expect(best.score.pnlUsd).toBe(4);
    expect(evaluated.some((text) => text.includes("fundingSkewBps"))).toBe(false);
  });

  it("takes at most one imbalance skip (plain or with hysteresis)", async () => {
    const best = await bestCombination(
      score(0),
      [
        {
          variant: "+imbalance-skip-hysteresis",
          overrides: { ...IMBALANCE_SKIP_HYSTERESIS },
          score: score(2),
        },
        { variant: "+imbalance-skip", overrides: { imbalanceSkipThreshold: 0.8 }, score: score(1) },
      ],
      async () => score(5),
    );
    expect(best.variants).toEqual(["+imbalance-skip-hysteresis"]);
  });

  it("is the baseline when nothing helps", async () => {
    const best = await bestCombination(
      score(1),
      [{ variant: "+bias", overrides: { bias: true }, score: score(0.5) }],
      async () => score(9),
    );
    expect(best).toEqual({ variants: [], overrides: {}, score: score(1) });
  });

  it("never takes a component whose gain comes with worse 1 s or 30 s mark-outs than the baseline's", async () => {
    const baseline = score(0, -1, -0.5);
    const best = await bestCombination(
      baseline,
      [
        // More PnL, but picked off harder at 1 s; then at 30 s; then no fill at all.
        { variant: "+a", overrides: { sizeDecay: 1 }, score: score(5, -1.2, 0) },
        { variant: "+b", overrides: { bias: true }, score: score(4, -0.9, -0.6) },
        { variant: "+c", overrides: { fundingSkewBps: 1 }, score: score(3, null, null) },
        { variant: "+d", overrides: { imbalanceSkipThreshold: 0.8 }, score: score(1, -0.4, 0.3) },
        { variant: "+e", overrides: { toxicityEaseExit: true }, score: score(0.5, -0.4, 0.3) },
      ],
      // Together with +d, +e keeps the PnL but costs 30-second mark-out.
      async (overrides) => ("toxicityEaseExit" in overrides ? score(2, -0.4, -0.7) : score(1, -0.4, 0.3)),
    );
    expect(best.variants).toEqual(["+d"]);
    expect(best.score).toEqual(score(1, -0.4, 0.3));
    expect(keepsMarkouts(score(0, null, null), score(-1, null, null))).toBe(true);
    expect(keepsMarkouts(score(0, -1, null), score(-1, -1, -2))).toBe(false);
  });
});

describe("backtest CLI ablation", () => {
  it("runs every variant of a recording and writes one JSON row per variant with mark-outs in time", async () => {
    const root = join(dir, "recording");
    writeRecording(root);
    const json = join(dir, "ablation.json");
    const io = captureIo();
    const code = await runBacktestCli(
      [
        "ablation",
        "--replay",
        root,
        "--symbol",
        "ETH",
        "--json",
        json,
        "--volatility-warmup-bars",
        "5",
        "--base-spread-bps",
        "0.5",
        "--vol-multiplier",
        "0",
        "--no-fee-aware",
      ],
      io,
    );
    expect(io.err()).toBe("");
    expect(code).toBe(0);
    const rows = JSON.parse(readFileSync(json, "utf8")) as {
      variant: string;
      pnl: { total: number; spread: number };
      ordersFilled: number;
      markoutsBps: Record<string, number | null>;
      strategy: {
        model: string;
        fairPrice: string;
        calibration: string;
        imbalanceSkipThreshold: number;
        sweepPullBps: number;
        sweepPullCooldownMs: number;
        toxicityEaseExit: boolean;
      };
      calibration: { sigmaBps: number | null };
      versusBaseline: { totalUsd: number; standardErrorUsd: number } | null;
    }[];
    expect(rows.map((row) => row.variant)).toEqual([
      "baseline",
      "default",
      ...ABLATION_COMPONENTS.map((c) => c.variant),
      "best",
    ]);
    expectVersusBaseline(rows);
    const byName = new Map(rows.map((row) => [row.variant, row]));
    expect(byName.get("baseline")!.ordersFilled).toBeGreaterThan(0);
    expect(Object.keys(byName.get("baseline")!.markoutsBps)).toEqual(["1s", "5s", "30s", "60s"]);
    expect(byName.get("baseline")!.markoutsBps["1s"]).toEqual(expect.any(Number));
    expect(byName.get("+model=glft(online)")!.strategy).toMatchObject({
      model: "glft",
      calibration: "online",
    });
    expect(byName.get("+fair-price=microprice")!.strategy.fairPrice).toBe("microprice");
    // The best combination is never worse than the baseline, in PnL or in 1 s and 30 s mark-outs.
    const [best, baseline] = [byName.get("best")!, byName.get("baseline")!];
    expect(best.pnl.total).toBeGreaterThanOrEqual(baseline.pnl.total);
    for (const horizon of ["1s", "30s"])
      if (baseline.markoutsBps[horizon] !== null)
        expect(best.markoutsBps[horizon]).toBeGreaterThanOrEqual(baseline.markoutsBps[horizon]!);
    expect(byName.get("+imbalance-skip")!.strategy.imbalanceSkipThreshold).toBe(IMBALANCE_SKIP_THRESHOLD);
    expect(byName.get("+toxicity-ease-exit")!.strategy.toxicityEaseExit).toBe(true);
    expect(byName.get("baseline")!.strategy.toxicityEaseExit).toBe(false);
    expect(byName.get("default")!.strategy.toxicityEaseExit).toBe(true);
    expect(byName.get("+sweep-pull")!.strategy).toMatchObject(SWEEP_PULL);
    // The recording's trades reach the kernel: sweeps pull quotes, so the run differs from the baseline.
    expect(byName.get("+sweep-pull")!.pnl.total).not.toBe(byName.get("baseline")!.pnl.total);
    expect(io.out()).toContain("+toxicity-pull");
    expect(io.out()).toMatch(/best = baseline/);
  });

  it("runs candles from --csv without the fair-price variants and says why in the table", async () => {
    const csv = join(dir, "candles.csv");
    writeFileSync(csv, syntheticCandleCsv(600));
    const json = join(dir, "ablation-candles.json");
    for (const fillModel of ["cross", "subbar"]) {
      const io = captureIo();
      const code = await runBacktestCli(
        [
          "ablation",
          "--csv",
          csv,
          "--symbol",
          "BTCUSDT",
          "--json",
          json,
          "--fill-model",
          fillModel,
          "--volatility-warmup-bars",
          "5",
          "--base-spread-bps",
          "0.5",
          "--vol-multiplier",
          "0",
          "--no-fee-aware",
          "--no-progress",
          // 10 bps an hour: the funding skew (1 bp per bp of funding) moves the fair price 10 bps.
          "--funding-rate",
          "0.001",
        ],
        io,
      );
      expect(io.err()).toBe("");
      expect(code).toBe(0);
      const rows = JSON.parse(readFileSync(json, "utf8")) as {
        variant: string;
        pnl: { total: number };
        ordersFilled: number;
        markoutsBps: Record<string, number | null>;
        strategy: { model: string; calibration: string; fundingSkewBps: number };
        calibration: { sigmaBps: number | null; sigmaSource: string; intensitySource: string };
        versusBaseline: { totalUsd: number; standardErrorUsd: number } | null;
      }[];
      expectVersusBaseline(rows);
      expect(rows.map((row) => row.variant)).toEqual([
        "baseline",
        "default",
        ...CANDLE_ABLATION_COMPONENTS.map((c) => c.variant),
        "best",
      ]);
      expect(rows.some((row) => row.variant.startsWith("+fair-price"))).toBe(false);
      expect(rows.some((row) => row.variant.startsWith("+imbalance-skip"))).toBe(false);
      expect(rows.some((row) => row.variant === "+sweep-pull")).toBe(false);
      const byName = new Map(rows.map((row) => [row.variant, row]));
      const baseline = byName.get("baseline")!;
      expect(baseline.ordersFilled).toBeGreaterThan(0);
      expect(Object.keys(baseline.markoutsBps)).toEqual(["1s", "5s", "30s", "60s"]);
      // The engines feed the kernel timed mids: fills are marked out.
      expect(baseline.markoutsBps["60s"]).toEqual(expect.any(Number));
      expect(baseline.calibration.sigmaSource).toBe("closes");
      // Online calibration fits σ from what the engine feeds (no trades on candles: A, k stay the constants).
      const glft = byName.get("+model=glft(online)")!;
      expect(glft.strategy).toMatchObject({ model: "glft", calibration: "online" });
      expect(glft.calibration.sigmaSource).not.toBe("closes");
      expect(glft.calibration.sigmaBps).toBeGreaterThan(0);
      expect(glft.calibration.intensitySource).toBe("constants");
      // The engines feed the funding rate (without it the skew sees 0 and repeats the baseline).
      const skewed = byName.get("+funding-skew")!;
      expect(skewed.strategy.fundingSkewBps).toBe(1);
      expect(skewed.pnl.total).not.toBe(baseline.pnl.total);
      expect(byName.get("best")!.pnl.total).toBeGreaterThanOrEqual(baseline.pnl.total);
      expect(io.out()).toContain("note: candles have no book: the fair price falls back to the mid");
      expect(io.out()).toContain("+fair-price=microprice");
      expect(io.out()).toMatch(/best = baseline/);
    }
  });
});

/**
 * Every row but the baseline's says how far its PnL is from the baseline's (the difference of the totals) and
 * with what standard error; a variant that trades exactly as the baseline has a difference of 0 ± 0.
 */
function expectVersusBaseline(
  rows: readonly {
    variant: string;
    pnl: { total: number };
    ordersFilled: number;
    versusBaseline: { totalUsd: number; standardErrorUsd: number } | null;
  }[],
): void {
  const [baseline, ...others] = rows;
  expect(baseline!.versusBaseline).toBeNull();
  let differing = 0;
  for (const row of others) {
    const versus = row.versusBaseline!;
    expect(versus.totalUsd).toBeCloseTo(row.pnl.total - baseline!.pnl.total, 6);
    expect(versus.standardErrorUsd).toBeGreaterThanOrEqual(0);
    if (row.pnl.total === baseline!.pnl.total && row.ordersFilled === baseline!.ordersFilled)
      expect(versus.standardErrorUsd).toBeLessThan(1e-9);
    else if (versus.standardErrorUsd > 0) differing++;
  }
  expect(differing).toBeGreaterThan(0);
}

/** `bars` 1-minute candles of a seeded random walk around 60,000, as a Binance-style CSV. */
function syntheticCandleCsv(bars: number): string {
  const random = createRandom(7);
  const lines = ["open_time,open,high,low,close,volume"];
  let price = 60_000;
  for (let i = 0; i < bars; i++) {
    const open = price;
    price *= Math.exp(random.nextNormal() * 0.0008);
    const high = Math.max(open, price) * (1 + random.next() * 0.0004);
    const low = Math.min(open, price) * (1 - random.next() * 0.0004);
    lines.push(
      [start + i * 60_000, open.toFixed(2), high.toFixed(2), low.toFixed(2), price.toFixed(2), "25"].join(
        ",",
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
