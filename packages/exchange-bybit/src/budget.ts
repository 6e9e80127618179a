import type { Clock } from "@botmm/core";

/** Which of Bybit's per-endpoint limits a request counts against. */
export type BybitEndpointClass = "create" | "amend" | "cancel" | "query" | "dcp";

/**
 * Bybit v5 request limits (UTA, linear): per UID and endpoint per second, plus the IP limit shared by every
 * request (600 per 5 s).
 */
export interface BybitBudgetConfig {
  /** `order/create` (and each order of `create-batch`) per second (Bybit: 10). */
  createPerSecond: number;
  /** `order/amend` per second (10). */
  amendPerSecond: number;
  /** `order/cancel` and `order/cancel-all` per second (10). */
  cancelPerSecond: number;
  /** `order/realtime`, `order/history`, `execution/list`, `position/list` per second (50). */
  queryPerSecond: number;
  /** `order/disconnected-cancel-all` per second (5). */
  dcpPerSecond: number;
  /** Every request from this IP per 5 s (600). */
  ipPer5s: number;
}

/** What is used in each window now. */
export interface BybitBudgetUse {
  create1s: number;
  amend1s: number;
  cancel1s: number;
  query1s: number;
  dcp1s: number;
  ip5s: number;
}

/**
 * Bybit's limits tracked locally on the clock (sliding windows). The adapter refuses a request locally
 * (`rate-limit`, nothing sent) rather than spend one Bybit would answer with retCode 10006 or, for the IP
 * limit, a 403 ban.
 *
 * @example
 * ```ts
 * const budget = new BybitRequestBudget(clock, { createPerSecond: 10, amendPerSecond: 10, cancelPerSecond: 10, queryPerSecond: 50, dcpPerSecond: 5, ipPer5s: 600 });
 * if (budget.canSend("create")) budget.record("create");
 * ```
 */
export class BybitRequestBudget {
  readonly #clock: Clock;
  readonly #config: BybitBudgetConfig;
  readonly #events: { at: number; endpoint: BybitEndpointClass; count: number }[] = [];

  constructor(clock: Clock, config: BybitBudgetConfig) {
    this.#clock = clock;
    this.#config = config;
  }

  /**
   * Whether `count` more requests of this class fit in every window now.
   *
   * @example
   * ```ts
   * budget.canSend("amend"); // false once 10 amends went out in the last second
   * ```
   */
  canSend(endpoint: BybitEndpointClass, count = 1): boolean {
    const used = this.used();
    const perSecond = {
      create: [used.create1s, this.#config.createPerSecond],
      amend: [used.amend1s, this.#config.amendPerSecond],
      cancel: [used.cancel1s, this.#config.cancelPerSecond],
      query: [used.query1s, this.#config.queryPerSecond],
      dcp: [used.dcp1s, this.#config.dcpPerSecond],
    } as const;
    const [inUse, limit] = perSecond[endpoint];
    return inUse + count <= limit && used.ip5s + 1 <= this.#config.ipPer5s;
  }

  /**
   * Counts a request sent now (`count` orders for a batch; one request against the IP limit).
   *
   * @example
   * ```ts
   * budget.record("create");
   * ```
   */
  record(endpoint: BybitEndpointClass, count = 1): void {
    this.#events.push({ at: this.#clock.now(), endpoint, count });
  }

  /**
   * What is used inside each window now.
   *
   * @example
   * ```ts
   * budget.record("create");
   * budget.used(); // { create1s: 1, amend1s: 0, cancel1s: 0, query1s: 0, dcp1s: 0, ip5s: 1 }
   * ```
   */
  used(): BybitBudgetUse {
    const now = this.#clock.now();
    while (this.#events.length > 0 && now - this.#events[0]!.at >= 5_000) this.#events.shift();
    const use: BybitBudgetUse = { create1s: 0, amend1s: 0, cancel1s: 0, query1s: 0, dcp1s: 0, ip5s: 0 };
    for (const e of this.#events) {
      use.ip5s++;
      if (now - e.at < 1_000) use[`${e.endpoint}1s`] += e.count;
    }
    return use;
  }
}
