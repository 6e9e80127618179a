import type { Clock } from "@botmm/core";
import type { BinanceBudgetConfig } from "./options.ts";

/**
 * Binance USDⓈ-M's request limits, tracked locally on the clock: IP weight per minute and order count per
 * 10 s and per minute (sliding windows). The adapter refuses an order locally (`rate-limit`, nothing sent)
 * rather than spend a request the venue would answer with 429 and, repeated, a 418 ban.
 *
 * @example
 * ```ts
 * const budget = new BinanceRequestBudget(clock, { weightPerMinute: 2400, ordersPer10s: 300, ordersPerMinute: 1200 });
 * if (budget.canSend(1, 1)) budget.record(1, 1);
 * ```
 */
export class BinanceRequestBudget {
  readonly #clock: Clock;
  readonly #config: BinanceBudgetConfig;
  readonly #events: { at: number; weight: number; orders: number }[] = [];

  constructor(clock: Clock, config: BinanceBudgetConfig) {
    this.#clock = clock;
    this.#config = config;
  }

  /** Whether a request of this weight and order count fits in every window now. */
  canSend(weight: number, orders: number): boolean {
    const used = this.used();
    return (
      used.weight1m + weight <= this.#config.weightPerMinute &&
      used.orders10s + orders <= this.#config.ordersPer10s &&
      used.orders1m + orders <= this.#config.ordersPerMinute
    );
  }

  /** Counts a request sent now. */
  record(weight: number, orders: number): void {
    this.#events.push({ at: this.#clock.now(), weight, orders });
  }

  /**
   * What is used inside each window now.
   *
   * @example
   * ```ts
   * budget.record(5, 1);
   * budget.used(); // { weight1m: 5, orders10s: 1, orders1m: 1 }; orders10s drops back to 0 after 10 s
   * ```
   */
  used(): { weight1m: number; orders10s: number; orders1m: number } {
    const now = this.#clock.now();
    while (this.#events.length > 0 && now - this.#events[0]!.at >= 60_000) this.#events.shift();
    let weight1m = 0;
    let orders1m = 0;
    let orders10s = 0;
    for (const e of this.#events) {
      weight1m += e.weight;
      orders1m += e.orders;
      if (now - e.at < 10_000) orders10s += e.orders;
    }
    return { weight1m, orders10s, orders1m };
  }
}
