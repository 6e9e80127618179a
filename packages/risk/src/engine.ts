import type { Clock } from "@botmm/core";
import { RequestBudget } from "./budget.ts";
import { type RiskConfig, type RiskConfigInput, resolveRiskConfig } from "./config.ts";
import {
  ALLOW_DECISION,
  ORDER_ALLOWED,
  type OrderCheck,
  type OrderIntent,
  type RiskAction,
  type RiskDecision,
  type RiskEffect,
  type RiskReason,
  type RiskRuleId,
} from "./decision.ts";
import { RiskInputError } from "./errors.ts";
import { parseRiskSnapshot, type RiskSnapshot } from "./snapshot.ts";
import { SlidingWindow } from "./window.ts";

/** How to build a {@link RiskEngine}. */
export interface RiskEngineOptions {
  /** Where time comes from: `ManualClock` in backtests and tests, `systemClock()` in the live app. */
  clock: Clock;
  /** Overrides of {@link DEFAULT_RISK_CONFIG}; validated, throws `RiskConfigError`. */
  config?: RiskConfigInput;
  /** State to start from (a value `snapshot()` wrote); validated, throws `RiskSnapshotError`. */
  snapshot?: unknown;
}

// Local bindings of the shared answers: the hot path then reads a module constant, not an import binding
// (vitest's module runner turns those into getters, which would distort benchmarks).
const ALLOW: RiskDecision = ALLOW_DECISION;
const ALLOWED: OrderCheck = ORDER_ALLOWED;

const DAY_MS = 86_400_000;
// Indices of RiskEngine's per-step numbers (#account).
const LAST_EQUITY = 0;
const PEAK_EQUITY = 1;
const DAY_START_MS = 2;
const DAY_START_EQUITY = 3;
const DAY_WORST_LOSS = 4;
const GROSS_NOTIONAL = 5;
const SLOW = 1;
const REDUCE = 2;
const HALT = 4;

/**
 * One coin's state. Its number fields start as doubles (−0, NaN) so that V8 keeps them as double fields, updated
 * in place: a field whose first value is a small integer is tagged, and then every store of a fraction — a
 * backtest stores these at every bar — allocates a heap number.
 */
class CoinState {
  readonly coin: string;
  readonly limitUsd: number;
  volTripped = false;
  size = -0;
  markPriceUsd = -0;
  notionalUsd = -0;
  lastDataMs = Number.NaN;
  sigma = Number.NaN;
  volBelowSinceMs = Number.NaN;

  constructor(coin: string, limitUsd: number) {
    this.coin = coin;
    this.limitUsd = limitUsd;
    this.size = 0;
    this.markPriceUsd = 0;
    this.notionalUsd = 0;
  }
}

/**
 * The risk engine: feed it state (positions, equity, market-data arrivals, volatility, errors, requests) and
 * ask it, per decision, whether the bot may quote (`evaluate`) or send one order (`checkOrder`).
 *
 * Rules and boundaries (each configurable and each can be disabled, see {@link DEFAULT_RISK_CONFIG}):
 * | rule | breached when | effect |
 * |---|---|---|
 * | `kill-switch` | `engageKillSwitch()` | halt until `releaseKillSwitch()` |
 * | `max-drawdown` | `(peak − equity) / peak ≥ limitFraction` | halt, latched until `resetDrawdown()` |
 * | `daily-loss` | `dayStartEquity − equity ≥ limitUsd` | halt until the next day starts |
 * | `error-burst` | `≥ maxErrors` errors in the last `windowMs` | halt for `cooldownMs` |
 * | `stale-data` | `now − lastData ≥ timeoutMs` (or never) | halt that coin until data arrives |
 * | `volatility` | `σ ≥ thresholdSigmaPerSqrtHour` | `action` for that coin until `cooldownMs` after σ fell back |
 * | `address-budget` / `ip-budget` | remaining `≤ 0` / `≤ reserve` | halt / slow-down |
 * | `max-position` | `|notional| ≥ limit` for the coin | reduce-only for that coin |
 * | `max-account-position` | `Σ |notional| ≥ limitUsd` | reduce-only for every coin |
 * | `max-order-notional` | order notional `> limitUsd` | `checkOrder` refuses it |
 *
 * Precedence: halt > reduce-only > allow; a decision lists every active reason. Deterministic: time comes
 * only from the clock or from timestamps passed in. `evaluate` and `checkOrder` allocate nothing when
 * everything is fine (they return the shared {@link ALLOW_DECISION} / {@link ORDER_ALLOWED}).
 * Inputs that are NaN or infinite throw `RiskInputError` rather than silently disabling a rule.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(Date.UTC(2025, 0, 1));
 * const risk = new RiskEngine({ clock, config: { maxPosition: { limitUsd: 1_000 } } });
 * risk.recordMarketData("BTC");
 * risk.updateEquity(10_000);
 * risk.updatePosition("BTC", 0.01, 100_000); // $1,000 long: at the limit
 * risk.evaluate("BTC").action; // "reduce-only"
 * risk.checkOrder({ coin: "BTC", side: "sell", notionalUsd: 200, reduceOnly: false }).allowed; // true
 * ```
 */
export class RiskEngine {
  /** The validated configuration (frozen). */
  readonly config: Readonly<RiskConfig>;
  /** Hyperliquid's request budget; record every request you send through it. */
  readonly budget: RequestBudget;
  readonly #clock: Clock;

  #killEngaged = false;
  #killNote: string | null = null;
  #killAtMs = Number.NaN;

  /**
   * The numbers updated at every step, by the index constants above (the last and peak equity, the day's
   * start time and equity, its worst loss, the gross notional): in a typed array, stored in place (two of them
   * start at 0, which as fields would make them tagged, one heap number per store).
   */
  readonly #account = new Float64Array([Number.NaN, Number.NaN, Number.NaN, Number.NaN, 0, 0]);
  #dailyHaltUntilMs = Number.NaN;
  #drawdownLatched = false;
  #drawdownTripFraction = Number.NaN;
  #drawdownLatchedAtMs = Number.NaN;

  readonly #errors: SlidingWindow;
  #errorHaltUntilMs = Number.NaN;
  #errorTripCount = 0;

  readonly #coinsByName = new Map<string, CoinState>();
  readonly #coins: CoinState[] = [];
  /** The coin state found last: a bot or a backtest asks about the same coin on every step (no Map lookup). */
  #lastCoin: CoinState | undefined = undefined;
  // The active rules (and their effects) the last rule check noted, in lists reused (written by index) so that it
  // allocates nothing; observeCoin's activeRule() reads them.
  readonly #foundRules: RiskRuleId[] = [];
  readonly #foundEffects: RiskEffect[] = [];
  #foundCount = 0;

  /**
   * Builds an engine: merges and validates the config (throws `RiskConfigError`), then restores the snapshot
   * if one is given (throws `RiskSnapshotError`).
   *
   * @example
   * ```ts
   * const risk = new RiskEngine({ clock: new ManualClock(0), config: { staleData: { timeoutMs: 10_000 } } });
   * ```
   */
  constructor(options: RiskEngineOptions) {
    this.#clock = options.clock;
    this.config = resolveRiskConfig(options.config);
    this.budget = new RequestBudget({ clock: options.clock, config: this.config.requestBudget });
    this.#errors = new SlidingWindow(
      this.config.errorBurst.windowMs,
      Math.max(16, this.config.errorBurst.maxErrors * 2),
    );
    if (options.snapshot !== undefined) this.restore(options.snapshot);
  }

  // ── inputs ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Sets a coin's position: signed `size` in base units (> 0 long, < 0 short) valued at `markPriceUsd`.
   * Call it on every fill and whenever the mark moves enough to matter (every bar in a backtest).
   *
   * @example
   * ```ts
   * risk.updatePosition("ETH", -0.5, 3_200); // $1,600 short
   * ```
   */
  updatePosition(coin: string, size: number, markPriceUsd: number): void {
    if (!Number.isFinite(size)) throw new RiskInputError("size", "a finite number", size);
    if (!(markPriceUsd >= 0) || markPriceUsd === Number.POSITIVE_INFINITY) {
      throw new RiskInputError("markPriceUsd", "a finite number ≥ 0", markPriceUsd);
    }
    this.#setPosition(this.#coin(coin), size, markPriceUsd);
  }

  /**
   * Records that market data for `coin` arrived at `timeMs` (default: now). Use the local receive time,
   * not the venue's timestamp, so clock skew cannot make data look stale or fresh.
   *
   * @example
   * ```ts
   * venue.on("bookTop", (top) => risk.recordMarketData(top.coin));
   * ```
   */
  recordMarketData(coin: string, timeMs: number = this.#clock.now()): void {
    checkTime(timeMs, "timeMs");
    const state = this.#coin(coin);
    if (!(timeMs <= state.lastDataMs)) state.lastDataMs = timeMs;
  }

  /**
   * Reports the account equity (USD, including unrealized PnL). Drives the daily loss limit (equity change
   * since the day's start) and the drawdown kill switch (from the peak). The day's start equity is the last
   * equity reported before the day began, or the first one reported in it.
   *
   * @example
   * ```ts
   * risk.updateEquity(10_250.4);
   * ```
   */
  updateEquity(equityUsd: number, timeMs: number = this.#clock.now()): void {
    if (!Number.isFinite(equityUsd)) throw new RiskInputError("equityUsd", "a finite number", equityUsd);
    checkTime(timeMs, "timeMs");
    this.#setEquity(equityUsd, timeMs);
  }

  #setEquity(equityUsd: number, timeMs: number): void {
    const { dailyLoss, maxDrawdown } = this.config;
    const account = this.#account;

    const dayStartMs =
      Math.floor((timeMs - dailyLoss.dayStartOffsetMs) / DAY_MS) * DAY_MS + dailyLoss.dayStartOffsetMs;
    if (!(dayStartMs <= account[DAY_START_MS]!)) {
      account[DAY_START_MS] = dayStartMs;
      const last = account[LAST_EQUITY]!;
      account[DAY_START_EQUITY] = Number.isNaN(last) ? equityUsd : last;
      account[DAY_WORST_LOSS] = 0;
    }
    account[LAST_EQUITY] = equityUsd;
    const lossUsd = account[DAY_START_EQUITY]! - equityUsd;
    if (lossUsd > account[DAY_WORST_LOSS]!) account[DAY_WORST_LOSS] = lossUsd;
    if (dailyLoss.enabled && lossUsd >= dailyLoss.limitUsd)
      this.#dailyHaltUntilMs = account[DAY_START_MS]! + DAY_MS;

    if (!(equityUsd <= account[PEAK_EQUITY]!)) account[PEAK_EQUITY] = equityUsd;
    const peak = account[PEAK_EQUITY]!;
    const drawdown = peak > 0 ? (peak - equityUsd) / peak : 0;
    if (maxDrawdown.enabled && !this.#drawdownLatched && drawdown >= maxDrawdown.limitFraction) {
      this.#drawdownLatched = true;
      this.#drawdownTripFraction = drawdown;
      this.#drawdownLatchedAtMs = timeMs;
    }
  }

  /**
   * Reports a coin's current volatility: σ of log mid returns per √hour (0.01 = 1%). At or above the
   * threshold the breaker trips; once σ is reported below it, the breaker clears `cooldownMs` later unless
   * σ comes back.
   *
   * @example
   * ```ts
   * risk.updateVolatility("BTC", ewmaSigmaPerSqrtHour);
   * ```
   */
  updateVolatility(coin: string, sigmaPerSqrtHour: number, timeMs: number = this.#clock.now()): void {
    if (!(sigmaPerSqrtHour >= 0) || sigmaPerSqrtHour === Number.POSITIVE_INFINITY) {
      throw new RiskInputError("sigmaPerSqrtHour", "a finite number ≥ 0", sigmaPerSqrtHour);
    }
    checkTime(timeMs, "timeMs");
    this.#setVolatility(this.#coin(coin), sigmaPerSqrtHour, timeMs);
  }

  #setVolatility(state: CoinState, sigmaPerSqrtHour: number, timeMs: number): void {
    const { volatility } = this.config;
    state.sigma = sigmaPerSqrtHour;
    if (sigmaPerSqrtHour >= volatility.thresholdSigmaPerSqrtHour) {
      if (volatility.enabled) state.volTripped = true;
      state.volBelowSinceMs = Number.NaN;
    } else if (state.volTripped) {
      if (Number.isNaN(state.volBelowSinceMs)) state.volBelowSinceMs = timeMs;
      if (timeMs >= state.volBelowSinceMs + volatility.cooldownMs) {
        state.volTripped = false;
        state.volBelowSinceMs = Number.NaN;
      }
    }
  }

  /**
   * Records one error (a failed or timed-out request, a rejected order that should not have been rejected).
   * `maxErrors` within `windowMs` halt for `cooldownMs`; every further error inside a burst extends it.
   *
   * @example
   * ```ts
   * try { await venue.placeOrders(batch); } catch { risk.recordError(); }
   * ```
   */
  recordError(timeMs: number = this.#clock.now()): void {
    checkTime(timeMs, "timeMs");
    const { errorBurst } = this.config;
    this.#errors.add(timeMs, 1);
    const inWindow = this.#errors.sum(timeMs);
    if (errorBurst.enabled && inWindow >= errorBurst.maxErrors) {
      this.#errorHaltUntilMs = timeMs + errorBurst.cooldownMs;
      this.#errorTripCount = inWindow;
    }
  }

  /**
   * Manual kill switch: halts everything until {@link RiskEngine.releaseKillSwitch}. Survives snapshots.
   *
   * @example
   * ```ts
   * risk.engageKillSwitch("operator: exchange incident");
   * ```
   */
  engageKillSwitch(note?: string): void {
    if (!this.#killEngaged) this.#killAtMs = this.#clock.now();
    this.#killEngaged = true;
    this.#killNote = note ?? this.#killNote;
  }

  /**
   * Releases the manual kill switch.
   *
   * @example
   * ```ts
   * risk.releaseKillSwitch();
   * ```
   */
  releaseKillSwitch(): void {
    this.#killEngaged = false;
    this.#killNote = null;
    this.#killAtMs = Number.NaN;
  }

  /**
   * Whether the manual kill switch is engaged.
   *
   * @example
   * ```ts
   * if (risk.killSwitchEngaged) console.log("halted by the operator");
   * ```
   */
  get killSwitchEngaged(): boolean {
    return this.#killEngaged;
  }

  /**
   * Whether the drawdown kill switch has latched (until {@link RiskEngine.resetDrawdown}).
   *
   * @example
   * ```ts
   * if (risk.drawdownLatched) alertOperator("drawdown limit hit: review, then resetDrawdown()");
   * ```
   */
  get drawdownLatched(): boolean {
    return this.#drawdownLatched;
  }

  /**
   * Releases the drawdown latch after a human has looked, and restarts the peak from the last equity (else
   * it would trip again at once).
   *
   * @example
   * ```ts
   * risk.resetDrawdown();
   * ```
   */
  resetDrawdown(): void {
    this.#drawdownLatched = false;
    this.#drawdownTripFraction = Number.NaN;
    this.#drawdownLatchedAtMs = Number.NaN;
    this.#account[PEAK_EQUITY] = this.#account[LAST_EQUITY]!;
  }

  // ── questions ─────────────────────────────────────────────────────────────────────────────────────────

  /**
   * The decision now: for `coin`, the account-wide reasons plus that coin's (position, stale data,
   * volatility); without a coin, the account-wide reasons only. Returns the shared {@link ALLOW_DECISION}
   * (no allocation) when nothing is active.
   *
   * @example
   * ```ts
   * const decision = risk.evaluate("BTC");
   * if (decision.action === "halt") cancelAll("BTC");
   * for (const reason of decision.reasons) log.warn(reason.rule, reason.value, reason.threshold, reason.message);
   * ```
   */
  evaluate(coin?: string): RiskDecision {
    const now = this.#clock.now();
    const flags = this.#collect(coin, now);
    if (flags === 0) return ALLOW;
    const reasons: RiskReason[] = [];
    this.#reasonsOfFound(coin, now, reasons);
    reasons.sort(bySeverity);
    return { action: actionOf(flags), slowDown: (flags & SLOW) !== 0, reasons };
  }

  /**
   * What {@link RiskEngine.evaluate} decides, without building its reasons: returns the action and calls
   * `onRule` with the rule of each reason `evaluate(coin).reasons` would list, in the same order. For callers
   * that decide on every step and only need which rules were active (a backtest counting bars per rule): it
   * allocates nothing and formats no message.
   *
   * @example
   * ```ts
   * const barsByRule = new Map<RiskRuleId, number>();
   * const count = (rule: RiskRuleId) => barsByRule.set(rule, (barsByRule.get(rule) ?? 0) + 1);
   * risk.evaluateRules("BTC", count); // e.g. "halt", having counted "max-drawdown"
   * ```
   */
  evaluateRules(coin: string | undefined, onRule: (rule: RiskRuleId) => void): RiskAction {
    const action = this.#decideRules(coin, this.#clock.now());
    const count = this.#foundCount;
    for (let i = 0; i < count; i++) onRule(this.#foundRules[i]!);
    return action;
  }

  /**
   * A driver that reports all of a coin's state at once and decides at once (a backtest, at every bar's
   * close): the same as `updateEquity(equityUsd, timeMs)`, `updatePosition(coin, size, markPriceUsd)`,
   * `updateVolatility(coin, sigmaPerSqrtHour, timeMs)` and then `evaluateRules(coin, …)` with the clock at
   * `timeMs` (same checks, same errors), with one coin lookup. The clock is not read: the caller keeps `timeMs`
   * from going backwards. The rules behind the action are then {@link RiskEngine.activeRule}`(0 …
   * activeRuleCount − 1)`: no callback, so that a caller deciding at every step can have the whole call inlined.
   *
   * @example
   * ```ts
   * const risk = new RiskEngine({
   *   clock: new ManualClock(0), // not read by observeCoin
   *   config: { maxPosition: { limitUsd: 1_000 }, staleData: { enabled: false } },
   * });
   * // equity $10,250.40, 0.01 BTC at $100,000 ($1,000: at the limit), σ 0.4%/√h
   * risk.observeCoin("BTC", 10_250.4, 0.01, 100_000, 0.004, Date.UTC(2025, 0, 1)); // "reduce-only"
   * risk.activeRuleCount; // 1
   * risk.activeRule(0); // "max-position"
   * ```
   */
  observeCoin(
    coin: string,
    equityUsd: number,
    size: number,
    markPriceUsd: number,
    sigmaPerSqrtHour: number,
    timeMs: number,
  ): RiskAction {
    if (!Number.isFinite(equityUsd)) throw new RiskInputError("equityUsd", "a finite number", equityUsd);
    checkTime(timeMs, "timeMs");
    this.#setEquity(equityUsd, timeMs);
    if (!Number.isFinite(size)) throw new RiskInputError("size", "a finite number", size);
    if (!(markPriceUsd >= 0) || markPriceUsd === Number.POSITIVE_INFINITY) {
      throw new RiskInputError("markPriceUsd", "a finite number ≥ 0", markPriceUsd);
    }
    const state = this.#coin(coin);
    this.#setPosition(state, size, markPriceUsd);
    if (!(sigmaPerSqrtHour >= 0) || sigmaPerSqrtHour === Number.POSITIVE_INFINITY) {
      throw new RiskInputError("sigmaPerSqrtHour", "a finite number ≥ 0", sigmaPerSqrtHour);
    }
    this.#setVolatility(state, sigmaPerSqrtHour, timeMs);
    return this.#decideRules(coin, timeMs);
  }

  /**
   * How many rules were active at the last {@link RiskEngine.observeCoin} (valid until the next call into the
   * engine).
   *
   * @example
   * ```ts
   * for (let i = 0; i < risk.activeRuleCount; i++) console.log(risk.activeRule(i));
   * ```
   */
  get activeRuleCount(): number {
    return this.#foundCount;
  }

  /**
   * The `index`-th rule active at the last {@link RiskEngine.observeCoin}, in the order `evaluate(coin).reasons`
   * lists them (most severe first); throws a `RangeError` outside `0 … activeRuleCount − 1`.
   *
   * @example
   * ```ts
   * risk.activeRule(0); // e.g. "max-drawdown"
   * ```
   */
  activeRule(index: number): RiskRuleId {
    if (!(index >= 0 && index < this.#foundCount))
      throw new RangeError(
        `activeRule(${index}): the index must be below activeRuleCount (${this.#foundCount})`,
      );
    return this.#foundRules[index]!;
  }

  /** The action at `now` for `coin`, its rules noted most severe first (as evaluate() sorts its reasons). */
  #decideRules(coin: string | undefined, now: number): RiskAction {
    const flags = this.#collect(coin, now);
    if (this.#foundCount > 1) this.#sortFoundBySeverity();
    return actionOf(flags);
  }

  /** Stable insertion sort of the noted rules by severity (a handful; nothing allocated). */
  #sortFoundBySeverity(): void {
    const rules = this.#foundRules;
    const effects = this.#foundEffects;
    for (let i = 1; i < this.#foundCount; i++) {
      const rule = rules[i]!;
      const effect = effects[i]!;
      let j = i - 1;
      while (j >= 0 && severity(effects[j]!) > severity(effect)) {
        rules[j + 1] = rules[j]!;
        effects[j + 1] = effects[j]!;
        j--;
      }
      rules[j + 1] = rule;
      effects[j + 1] = effect;
    }
  }

  /**
   * Whether one intended order may be sent now. Refused when: its notional is above `maxOrderNotional`;
   * the coin is halted; the coin is reduce-only and the order would increase `|position|` (a `reduceOnly`
   * order never does); or its fill would take `|position|` above the coin's or the account's limit (landing
   * exactly on a limit is allowed). Returns the shared {@link ORDER_ALLOWED} when allowed.
   *
   * @example
   * ```ts
   * const check = risk.checkOrder({ coin: "BTC", side: "buy", notionalUsd: 250, reduceOnly: false });
   * if (!check.allowed) log.info(check.reasons.map((r) => r.message).join("; "));
   * ```
   */
  checkOrder(order: OrderIntent): OrderCheck {
    const { coin, notionalUsd } = order;
    if (!(notionalUsd >= 0) || notionalUsd === Number.POSITIVE_INFINITY) {
      throw new RiskInputError("notionalUsd", "a finite number ≥ 0", notionalUsd);
    }
    const { maxOrderNotional, maxPosition, maxAccountPosition } = this.config;
    const now = this.#clock.now();
    const flags = this.#collect(coin, now);
    const state = this.#findCoin(coin);
    const positionUsd = state === undefined ? 0 : state.notionalUsd;
    const afterUsd = positionUsd + (order.side === "buy" ? notionalUsd : -notionalUsd);
    const increases = !order.reduceOnly && Math.abs(afterUsd) > Math.abs(positionUsd);
    const tooLarge = maxOrderNotional.enabled && notionalUsd > maxOrderNotional.limitUsd;
    const halted = (flags & HALT) !== 0;
    const blockedByReduceOnly = !halted && (flags & REDUCE) !== 0 && increases;
    const coinLimitUsd = state === undefined ? this.#limitFor(coin) : state.limitUsd;
    const overCoinLimit = increases && maxPosition.enabled && Math.abs(afterUsd) > coinLimitUsd;
    const grossAfterUsd = this.#account[GROSS_NOTIONAL]! - Math.abs(positionUsd) + Math.abs(afterUsd);
    const overAccountLimit =
      increases && maxAccountPosition.enabled && grossAfterUsd > maxAccountPosition.limitUsd;
    if (!tooLarge && !halted && !blockedByReduceOnly && !overCoinLimit && !overAccountLimit) return ALLOWED;

    const reasons: RiskReason[] = [];
    if (tooLarge) {
      reasons.push(
        reason(
          "max-order-notional",
          "refuse",
          coin,
          notionalUsd,
          maxOrderNotional.limitUsd,
          null,
          `${coin} order notional ${usd(notionalUsd)} is above the ${usd(maxOrderNotional.limitUsd)} maximum per order`,
        ),
      );
    }
    if (halted || blockedByReduceOnly) {
      const active: RiskReason[] = [];
      this.#reasonsOfFound(coin, now, active);
      const wanted: RiskEffect = halted ? "halt" : "reduce-only";
      for (const r of active) if (r.effect === wanted) reasons.push(r);
    } else {
      if (overCoinLimit) {
        reasons.push(
          reason(
            "max-position",
            "refuse",
            coin,
            Math.abs(afterUsd),
            coinLimitUsd,
            null,
            `${coin} order would take |position| to ${usd(Math.abs(afterUsd))}, above the ${usd(coinLimitUsd)} limit`,
          ),
        );
      }
      if (overAccountLimit) {
        reasons.push(
          reason(
            "max-account-position",
            "refuse",
            null,
            grossAfterUsd,
            maxAccountPosition.limitUsd,
            null,
            `${coin} order would take gross position to ${usd(grossAfterUsd)}, above the account limit ${usd(maxAccountPosition.limitUsd)}`,
          ),
        );
      }
    }
    return { allowed: false, reasons };
  }

  // ── persistence ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Everything the engine remembers, as a plain JSON-safe object (see {@link RiskSnapshot}): persist it so
   * the kill switch, latches, cool-downs and budgets survive a restart.
   *
   * @example
   * ```ts
   * await writeFile("risk.json", JSON.stringify(risk.snapshot()));
   * ```
   */
  snapshot(): RiskSnapshot {
    const now = this.#clock.now();
    return {
      version: 1,
      killSwitch: { engaged: this.#killEngaged, note: this.#killNote, engagedAtMs: orNull(this.#killAtMs) },
      equity: {
        lastUsd: orNull(this.#account[LAST_EQUITY]!),
        peakUsd: orNull(this.#account[PEAK_EQUITY]!),
        dayStartMs: orNull(this.#account[DAY_START_MS]!),
        dayStartEquityUsd: orNull(this.#account[DAY_START_EQUITY]!),
        dayWorstLossUsd: this.#account[DAY_WORST_LOSS]!,
        dailyHaltUntilMs: orNull(this.#dailyHaltUntilMs),
        drawdownLatched: this.#drawdownLatched,
        drawdownTripFraction: orNull(this.#drawdownTripFraction),
        drawdownLatchedAtMs: orNull(this.#drawdownLatchedAtMs),
      },
      errorBurst: {
        errorTimesMs: this.#errors.entries(now).map(([timeMs]) => timeMs),
        haltUntilMs: orNull(this.#errorHaltUntilMs),
        tripCount: this.#errorTripCount,
      },
      coins: this.#coins.map((state) => ({
        coin: state.coin,
        size: state.size,
        markPriceUsd: state.markPriceUsd,
        lastDataMs: orNull(state.lastDataMs),
        sigmaPerSqrtHour: orNull(state.sigma),
        volatilityTripped: state.volTripped,
        volatilityBelowSinceMs: orNull(state.volBelowSinceMs),
      })),
      requestBudget: this.budget.snapshot(now),
    };
  }

  /**
   * Replaces the whole state with a snapshot (validated: throws `RiskSnapshotError` naming the field). The
   * engine's config stays; per-coin limits are resolved from it.
   *
   * @example
   * ```ts
   * risk.restore(JSON.parse(await readFile("risk.json", "utf8")));
   * ```
   */
  restore(snapshot: unknown): void {
    const s = parseRiskSnapshot(snapshot);
    this.#killEngaged = s.killSwitch.engaged;
    this.#killNote = s.killSwitch.note;
    this.#killAtMs = orNaN(s.killSwitch.engagedAtMs);
    this.#account[LAST_EQUITY] = orNaN(s.equity.lastUsd);
    this.#account[PEAK_EQUITY] = orNaN(s.equity.peakUsd);
    this.#account[DAY_START_MS] = orNaN(s.equity.dayStartMs);
    this.#account[DAY_START_EQUITY] = orNaN(s.equity.dayStartEquityUsd);
    this.#account[DAY_WORST_LOSS] = s.equity.dayWorstLossUsd;
    this.#dailyHaltUntilMs = orNaN(s.equity.dailyHaltUntilMs);
    this.#drawdownLatched = s.equity.drawdownLatched;
    this.#drawdownTripFraction = orNaN(s.equity.drawdownTripFraction);
    this.#drawdownLatchedAtMs = orNaN(s.equity.drawdownLatchedAtMs);
    this.#errors.clear();
    for (const timeMs of s.errorBurst.errorTimesMs) this.#errors.add(timeMs, 1);
    this.#errorHaltUntilMs = orNaN(s.errorBurst.haltUntilMs);
    this.#errorTripCount = s.errorBurst.tripCount;
    this.#coinsByName.clear();
    this.#coins.length = 0;
    this.#lastCoin = undefined;
    let gross = 0;
    for (const c of s.coins) {
      const state = this.#coin(c.coin);
      state.size = c.size;
      state.markPriceUsd = c.markPriceUsd;
      state.notionalUsd = c.size * c.markPriceUsd;
      state.lastDataMs = orNaN(c.lastDataMs);
      state.sigma = orNaN(c.sigmaPerSqrtHour);
      state.volTripped = c.volatilityTripped;
      state.volBelowSinceMs = orNaN(c.volatilityBelowSinceMs);
      gross += Math.abs(state.notionalUsd);
    }
    this.#account[GROSS_NOTIONAL] = gross;
    this.budget.restore(s.requestBudget);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────

  #setPosition(state: CoinState, size: number, markPriceUsd: number): void {
    state.size = size;
    state.markPriceUsd = markPriceUsd;
    state.notionalUsd = size * markPriceUsd;
    let gross = 0;
    for (let i = 0; i < this.#coins.length; i++) gross += Math.abs(this.#coins[i]!.notionalUsd);
    this.#account[GROSS_NOTIONAL] = gross;
  }

  #findCoin(coin: string): CoinState | undefined {
    const last = this.#lastCoin;
    if (last !== undefined && last.coin === coin) return last;
    const state = this.#coinsByName.get(coin);
    if (state !== undefined) this.#lastCoin = state;
    return state;
  }

  #coin(coin: string): CoinState {
    let state = this.#findCoin(coin);
    if (state === undefined) {
      if (typeof coin !== "string" || coin.length === 0)
        throw new RiskInputError("coin", "a non-empty string", coin);
      state = new CoinState(coin, this.#limitFor(coin));
      this.#coinsByName.set(coin, state);
      this.#coins.push(state);
    }
    return state;
  }

  /** Notes an active rule for {@link RiskEngine.evaluateRules}. */
  #noteRule(rule: RiskRuleId, effect: RiskEffect): void {
    const n = this.#foundCount++;
    this.#foundRules[n] = rule;
    this.#foundEffects[n] = effect;
  }

  #limitFor(coin: string): number {
    const { maxPosition } = this.config;
    return Object.hasOwn(maxPosition.perCoinLimitUsd, coin)
      ? maxPosition.perCoinLimitUsd[coin]!
      : maxPosition.limitUsd;
  }

  /**
   * Checks every rule at `now`: returns the active effects as flags and notes each active rule with its effect
   * (in {@link #foundRules} / {@link #foundEffects}, reused lists: nothing is allocated). Conditions only: the
   * reasons of the noted rules are built by {@link #reasonsOfFound} when someone asks for them, so that the
   * check a backtest runs at every bar stays small enough for V8 to inline and formats no message.
   */
  #collect(coin: string | undefined, now: number): number {
    const c = this.config;
    this.#foundCount = 0;
    let flags = 0;

    if (this.#killEngaged) {
      flags |= HALT;
      this.#noteRule("kill-switch", "halt");
    }
    if (c.maxDrawdown.enabled && this.#drawdownLatched) {
      flags |= HALT;
      this.#noteRule("max-drawdown", "halt");
    }
    if (c.dailyLoss.enabled && now < this.#dailyHaltUntilMs) {
      flags |= HALT;
      this.#noteRule("daily-loss", "halt");
    }
    if (c.errorBurst.enabled && now < this.#errorHaltUntilMs) {
      flags |= HALT;
      this.#noteRule("error-burst", "halt");
    }

    const budgetConfig = c.requestBudget;
    if (budgetConfig.enabled) {
      const addressRemaining = this.budget.addressRemaining();
      if (addressRemaining <= 0) {
        flags |= HALT;
        this.#noteRule("address-budget", "halt");
      } else if (addressRemaining <= budgetConfig.addressReserveRequests) {
        flags |= SLOW;
        this.#noteRule("address-budget", "slow-down");
      }
      const ipRemaining = this.budget.ipWeightRemaining(now);
      if (ipRemaining <= 0) {
        flags |= HALT;
        this.#noteRule("ip-budget", "halt");
      } else if (ipRemaining <= budgetConfig.ipReserveWeight) {
        flags |= SLOW;
        this.#noteRule("ip-budget", "slow-down");
      }
    }

    if (c.maxAccountPosition.enabled && this.#account[GROSS_NOTIONAL]! >= c.maxAccountPosition.limitUsd) {
      flags |= REDUCE;
      this.#noteRule("max-account-position", "reduce-only");
    }

    if (coin === undefined) return flags;
    const state = this.#findCoin(coin);

    if (c.staleData.enabled && staleAgeMs(state, now) >= c.staleData.timeoutMs) {
      flags |= HALT;
      this.#noteRule("stale-data", "halt");
    }

    if (state === undefined) return flags;

    const volatility = c.volatility;
    if (volatility.enabled && state.volTripped && !(now >= state.volBelowSinceMs + volatility.cooldownMs)) {
      const effect = volatility.action;
      flags |= effect === "halt" ? HALT : REDUCE;
      this.#noteRule("volatility", effect);
    }

    if (c.maxPosition.enabled && Math.abs(state.notionalUsd) >= state.limitUsd) {
      flags |= REDUCE;
      this.#noteRule("max-position", "reduce-only");
    }
    return flags;
  }

  /**
   * The reason of each rule {@link #collect} noted (called right after it, with the same `coin` and `now`),
   * appended to `out` in the order they were noted: the values measured, the thresholds and the message.
   */
  #reasonsOfFound(coin: string | undefined, now: number, out: RiskReason[]): void {
    const count = this.#foundCount;
    for (let i = 0; i < count; i++)
      out.push(this.#reasonOf(this.#foundRules[i]!, this.#foundEffects[i]!, coin ?? "", now));
  }

  /** The reason of one active rule (`coin`: the coin asked about, for the per-coin rules). */
  #reasonOf(rule: RiskRuleId, effect: RiskEffect, coin: string, now: number): RiskReason {
    const c = this.config;
    switch (rule) {
      case "kill-switch": {
        const note = this.#killNote === null ? "" : `: ${this.#killNote}`;
        return reason(
          "kill-switch",
          effect,
          null,
          1,
          1,
          null,
          `manual kill switch engaged${note}; halted until released`,
        );
      }
      case "max-drawdown":
        return reason(
          "max-drawdown",
          effect,
          null,
          this.#drawdownTripFraction,
          c.maxDrawdown.limitFraction,
          null,
          `drawdown reached ${pct(this.#drawdownTripFraction)} from the peak (limit ${pct(c.maxDrawdown.limitFraction)}); halted until resetDrawdown()`,
        );
      case "daily-loss":
        return reason(
          "daily-loss",
          effect,
          null,
          this.#account[DAY_WORST_LOSS]!,
          c.dailyLoss.limitUsd,
          this.#dailyHaltUntilMs,
          `loss today reached ${usd(this.#account[DAY_WORST_LOSS]!)} (limit ${usd(c.dailyLoss.limitUsd)}); halted until ${iso(this.#dailyHaltUntilMs)}`,
        );
      case "error-burst":
        return reason(
          "error-burst",
          effect,
          null,
          this.#errorTripCount,
          c.errorBurst.maxErrors,
          this.#errorHaltUntilMs,
          `${this.#errorTripCount} errors within ${c.errorBurst.windowMs} ms (limit ${c.errorBurst.maxErrors}); halted until ${iso(this.#errorHaltUntilMs)}`,
        );
      case "address-budget": {
        const budgetConfig = c.requestBudget;
        const remaining = this.budget.addressRemaining();
        return effect === "halt"
          ? reason(
              "address-budget",
              effect,
              null,
              remaining,
              0,
              null,
              `address request budget spent (${remaining} of ${this.budget.addressLimit()} left): the venue allows one request per ${budgetConfig.throttledIntervalMs} ms until traded volume earns more; halted`,
            )
          : reason(
              "address-budget",
              effect,
              null,
              remaining,
              budgetConfig.addressReserveRequests,
              null,
              `address request budget low: ${remaining} requests left (reserve ${budgetConfig.addressReserveRequests}); slow down`,
            );
      }
      case "ip-budget": {
        const budgetConfig = c.requestBudget;
        const remaining = this.budget.ipWeightRemaining(now);
        return effect === "halt"
          ? reason(
              "ip-budget",
              effect,
              null,
              remaining,
              0,
              this.budget.ipWindowFreesAtMs(now),
              `IP weight spent (${remaining} of ${budgetConfig.ipWeightLimit} per ${budgetConfig.ipWindowMs} ms left); halted until the window frees`,
            )
          : reason(
              "ip-budget",
              effect,
              null,
              remaining,
              budgetConfig.ipReserveWeight,
              null,
              `IP weight low: ${remaining} left of ${budgetConfig.ipWeightLimit} per ${budgetConfig.ipWindowMs} ms (reserve ${budgetConfig.ipReserveWeight}); slow down`,
            );
      }
      case "max-account-position":
        return reason(
          "max-account-position",
          effect,
          null,
          this.#account[GROSS_NOTIONAL]!,
          c.maxAccountPosition.limitUsd,
          null,
          `gross position ${usd(this.#account[GROSS_NOTIONAL]!)} is at or above the account limit ${usd(c.maxAccountPosition.limitUsd)}; reduce-only`,
        );
      case "stale-data": {
        const ageMs = staleAgeMs(this.#findCoin(coin), now);
        const what =
          ageMs === Number.POSITIVE_INFINITY
            ? `no market data for ${coin} yet`
            : `no market data for ${coin} for ${ageMs} ms`;
        return reason(
          "stale-data",
          effect,
          coin,
          ageMs,
          c.staleData.timeoutMs,
          null,
          `${what} (timeout ${c.staleData.timeoutMs} ms); halted until fresh data`,
        );
      }
      case "volatility": {
        const state = this.#findCoin(coin)!;
        const volatility = c.volatility;
        const cooling = !Number.isNaN(state.volBelowSinceMs);
        const untilMs = cooling ? state.volBelowSinceMs + volatility.cooldownMs : null;
        const tail =
          untilMs === null
            ? `${effect} until it falls back`
            : `cooling down, ${effect} until ${iso(untilMs)}`;
        return reason(
          "volatility",
          effect,
          coin,
          state.sigma,
          volatility.thresholdSigmaPerSqrtHour,
          untilMs,
          `${coin} σ ${state.sigma}/√h ${cooling ? "was" : "is"} at or above the ${volatility.thresholdSigmaPerSqrtHour}/√h threshold; ${tail}`,
        );
      }
      default: {
        // max-position (max-order-notional is checkOrder's own, never noted)
        const state = this.#findCoin(coin)!;
        const absNotional = Math.abs(state.notionalUsd);
        return reason(
          "max-position",
          effect,
          coin,
          absNotional,
          state.limitUsd,
          null,
          `${coin} |position| ${usd(absNotional)} is at or above the ${usd(state.limitUsd)} limit; reduce-only`,
        );
      }
    }
  }
}

/** How long since `state`'s last market data at `now` (∞ when none yet or the coin is unknown). */
function staleAgeMs(state: CoinState | undefined, now: number): number {
  const lastDataMs = state === undefined ? Number.NaN : state.lastDataMs;
  return Number.isNaN(lastDataMs) ? Number.POSITIVE_INFINITY : now - lastDataMs;
}

function reason(
  rule: RiskRuleId,
  effect: RiskEffect,
  coin: string | null,
  value: number,
  threshold: number,
  untilMs: number | null,
  message: string,
): RiskReason {
  return { rule, effect, coin, value, threshold, untilMs, message };
}

/** Most severe first: halt, refuse, reduce-only, slow-down. */
function severity(effect: RiskEffect): number {
  switch (effect) {
    case "halt":
      return 0;
    case "refuse":
      return 1;
    case "reduce-only":
      return 2;
    default:
      return 3;
  }
}

function bySeverity(a: RiskReason, b: RiskReason): number {
  return severity(a.effect) - severity(b.effect);
}

function actionOf(flags: number): RiskAction {
  if ((flags & HALT) !== 0) return "halt";
  if ((flags & REDUCE) !== 0) return "reduce-only";
  return "allow";
}

function checkTime(value: number, field: string): void {
  if (!Number.isFinite(value)) throw new RiskInputError(field, "a finite number of ms", value);
}

function orNull(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

function orNaN(value: number | null): number {
  return value === null ? Number.NaN : value;
}

function usd(value: number): string {
  return `$${value.toFixed(2)}`;
}

function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(2)}%`;
}

/** Dates outside ±8.64e15 ms cannot be formatted; say the number instead of throwing. */
const MAX_DATE_MS = 8.64e15;

function iso(timeMs: number): string {
  return Math.abs(timeMs) <= MAX_DATE_MS ? new Date(timeMs).toISOString() : `${timeMs} ms`;
}
