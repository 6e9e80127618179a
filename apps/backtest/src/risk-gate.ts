import type { RiskGate, RiskGateState } from "@botmm/backtest";
import { ManualClock } from "@botmm/core";
import { RiskEngine, type RiskRuleId } from "@botmm/risk";
import type { RiskMode } from "@botmm/strategy";

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
  return new BacktestRiskGate(settings);
}

/**
 * The gate of {@link backtestRiskGate}. A class, not closures: a sweep builds one gate per run, and closures made
 * anew for each run are "many closures" to V8, which it declines to inline (then every number passed across
 * the call is boxed on the heap, at every bar); a class's methods are the same functions in every run.
 */
class BacktestRiskGate implements RiskGate {
  readonly #risk: RiskEngine;
  readonly #coin: string;
  readonly #capitalUsd: number;
  readonly #sqrtBarsPerHour: number;
  // The rules in the order they first fired (the report's order) and their bars, searched by identity (a
  // handful of rules; a Map's get and set cost more on every bar).
  readonly #rules: RiskRuleId[] = [];
  readonly #bars: number[] = [];
  /** The gate's time, which never goes backwards. */
  readonly #time = new Float64Array(1);

  constructor(settings: BacktestRiskSettings) {
    this.#risk = new RiskEngine({
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
    this.#coin = settings.coin;
    this.#capitalUsd = settings.capitalUsd;
    this.#sqrtBarsPerHour = Math.sqrt(3_600_000 / settings.intervalMs);
  }

  decide(state: RiskGateState): RiskMode {
    const timeMs = state.timeMs;
    if (!Number.isFinite(timeMs)) throw new RangeError(`timeMs must be finite, got ${timeMs}`);
    const time = this.#time;
    if (timeMs > time[0]!) time[0] = timeMs;
    // Equity, position, volatility and the decision in one call. Every bar, often with a rule latched for the
    // rest of the run: only the rules are counted, so no reason (and no message) is built.
    const risk = this.#risk;
    const action = risk.observeCoin(
      this.#coin,
      this.#capitalUsd + state.equityUsd,
      state.positionSize,
      state.markPrice,
      (state.volatilityBps / 10_000) * this.#sqrtBarsPerHour,
      time[0]!,
    );
    for (let i = 0; i < risk.activeRuleCount; i++) this.#countBar(risk.activeRule(i));
    return action;
  }

  activeBarsByRule(): Record<string, number> {
    return Object.fromEntries(this.#rules.map((rule, i) => [rule, this.#bars[i]!]));
  }

  #countBar(rule: RiskRuleId): void {
    const rules = this.#rules;
    for (let i = 0; i < rules.length; i++) {
      if (rules[i] === rule) {
        this.#bars[i]!++;
        return;
      }
    }
    rules.push(rule);
    this.#bars.push(1);
  }
}
