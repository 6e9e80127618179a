import type { RiskGate } from "@botmm/backtest";
import { ManualClock } from "@botmm/core";
import { RiskEngine, type RiskRuleId } from "@botmm/risk";

/** Risk limits of a candle backtest, scaled to its capital and position limit. */
export interface BacktestRiskSettings {
  coin: string;
  capitalUsd: number;
  /** The strategy's soft limit × its hard-limit multiple: beyond it, reduce-only. */
  hardPositionLimitUsd: number;
  intervalMs: number;
}

/**
 * The live bot's risk engine, wired for a candle backtest: daily loss (3% of capital, UTC days), max drawdown
 * (10% of peak account value, latched for the rest of the run), the volatility breaker and the hard position
 * limit act as they would live. Rules that only make sense against a venue (stale data, error bursts, the
 * request budget) are off: a candle run has neither sockets nor requests.
 */
export function backtestRiskGate(settings: BacktestRiskSettings): RiskGate {
  const risk = new RiskEngine({
    // Never read: the gate passes each bar's time (observeCoin).
    clock: new ManualClock(0),
    config: {
      maxPosition: { limitUsd: settings.hardPositionLimitUsd },
      maxAccountPosition: { enabled: false },
      maxOrderNotional: { enabled: false },
      dailyLoss: { limitUsd: 0.03 * settings.capitalUsd },
      maxDrawdown: { limitFraction: 0.1 },
      staleData: { enabled: false },
      errorBurst: { enabled: false },
      requestBudget: { enabled: false },
    },
  });
  const sqrtBarsPerHour = Math.sqrt(3_600_000 / settings.intervalMs);
  // Counted every bar: the rules in the order they first fired (the report's order) and their bars, searched
  // by identity (a handful of rules; a Map's get and set cost more on every bar).
  const rules: RiskRuleId[] = [];
  const bars: number[] = [];
  const countBar = (rule: RiskRuleId) => {
    for (let i = 0; i < rules.length; i++) {
      if (rules[i] === rule) {
        bars[i]!++;
        return;
      }
    }
    rules.push(rule);
    bars.push(1);
  };
  // The gate's time, which never goes backwards (a typed array: a number kept in a closure's variable or an
  // object's field is a new heap object at every store).
  const time = new Float64Array([0]);
  return {
    activeBarsByRule: () => Object.fromEntries(rules.map((rule, i) => [rule, bars[i]!])),
    decide(state) {
      if (!Number.isFinite(state.timeMs)) throw new RangeError(`timeMs must be finite, got ${state.timeMs}`);
      if (state.timeMs > time[0]!) time[0] = state.timeMs;
      // Equity, position, volatility and the decision in one call. Every bar, often with a rule latched for
      // the rest of the run: only the rules are counted, so no reason (and no message) is built.
      return risk.observeCoin(
        settings.coin,
        settings.capitalUsd + state.equityUsd,
        state.positionSize,
        state.markPrice,
        (state.volatilityBps / 10_000) * sqrtBarsPerHour,
        time[0]!,
        countBar,
      );
    },
  };
}
