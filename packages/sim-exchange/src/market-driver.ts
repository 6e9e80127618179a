import { type Candle, type Clock, createRandom, lotStepOf, type Random } from "@botmm/core";
import { houseClientId, SIM_HOUSE, type SimExchange, type SimFill, type SimSide } from "./exchange.ts";

/** Options of {@link SimMarketDriver}: one symbol's market, in simulated time. */
export interface SimMarketDriverOptions {
  /** The symbol it moves (must be listed on the exchange). */
  symbol: string;
  /** Seed of the walk and the takers: the same seed and the same steps give the same market. */
  seed: number;
  /** Where the mid starts. */
  startMid: number;
  /** Simulated time of the start (ms). */
  startMs: number;
  /** σ of the mid's log return per simulated minute (0.001 = 0.1 %). */
  sigmaPerMinute: number;
  /** Mean taker orders per simulated minute (a Poisson process). */
  takersPerMinute: number;
  /** Median taker size (base units) and σ of its logarithm: sizes are log-normal. */
  takerMedianQty: number;
  takerSizeSigma: number;
  /** House levels each side of the mid and the quantity at each, re-laid around the new mid every step. */
  houseLevels: number;
  houseSize: number;
  /** Simulated ms per step (default 1,000). */
  stepMs?: number;
}

/** What {@link SimMarketDriver.advanceTo} did. */
export interface SimMarketStep {
  /** Steps taken. */
  steps: number;
  /** Taker orders sent. */
  takers: number;
  /** Fills of accounts (never of the house) the moves and takers caused. */
  fills: SimFill[];
}

/**
 * A seeded, venue-neutral market for a {@link SimExchange}: on a fixed grid of simulated time the mid takes a
 * geometric random-walk step (σ per minute), the house liquidity is re-laid around it (so a mid moving through
 * an account's resting quote fills it, as a real market would) and Poisson taker orders of log-normal size
 * take liquidity. The same seed and the same `advanceTo` times give the same market.
 *
 * @example
 * ```ts
 * const driver = new SimMarketDriver(sim, {
 *   symbol: "BTCUSDT", seed: 1, startMid: 60_000, startMs: 0, sigmaPerMinute: 0.001,
 *   takersPerMinute: 30, takerMedianQty: 0.01, takerSizeSigma: 1, houseLevels: 5, houseSize: 2,
 * });
 * driver.advanceTo(60_000).steps; // 60: one simulated minute of 1 s steps
 * driver.mid; // wherever the walk went
 * ```
 */
export class SimMarketDriver {
  readonly #sim: SimExchange;
  readonly #options: SimMarketDriverOptions;
  readonly #random: Random;
  readonly #stepMs: number;
  readonly #tick: number;
  readonly #tickDecimals: number;
  readonly #lot: number;
  readonly #lotDecimals: number;
  #time: number;
  #mid: number;

  constructor(sim: SimExchange, options: SimMarketDriverOptions) {
    const spec = sim.symbols().find((s) => s.instrument.coin === options.symbol);
    if (!spec) {
      throw new Error(
        `SimMarketDriver: symbol "${options.symbol}" is not listed (expected one of ${sim
          .symbols()
          .map((s) => s.instrument.coin)
          .join(", ")})`,
      );
    }
    for (const field of ["startMid", "takerMedianQty", "houseSize"] as const) {
      if (!(options[field] > 0))
        throw new RangeError(`SimMarketDriver: ${field} must be > 0, got ${options[field]}`);
    }
    for (const field of ["sigmaPerMinute", "takersPerMinute", "takerSizeSigma"] as const) {
      if (!(options[field] >= 0)) {
        throw new RangeError(`SimMarketDriver: ${field} must be ≥ 0, got ${options[field]}`);
      }
    }
    if (!Number.isInteger(options.houseLevels) || options.houseLevels < 1) {
      throw new RangeError(`SimMarketDriver: houseLevels must be an integer ≥ 1, got ${options.houseLevels}`);
    }
    this.#stepMs = options.stepMs ?? 1_000;
    if (!(this.#stepMs > 0)) throw new RangeError(`SimMarketDriver: stepMs must be > 0, got ${this.#stepMs}`);
    const instrument = spec.instrument;
    const tickSize = instrument.priceRule.type === "tick" ? instrument.priceRule.tickSize : "0.01";
    this.#tick = Number(tickSize);
    this.#tickDecimals = decimalsOf(tickSize);
    this.#lot = lotStepOf(instrument);
    this.#lotDecimals =
      instrument.sizeRule.type === "step"
        ? decimalsOf(instrument.sizeRule.stepSize)
        : instrument.sizeRule.decimals;
    this.#sim = sim;
    this.#options = options;
    this.#random = createRandom(options.seed);
    this.#time = options.startMs;
    this.#mid = options.startMid;
  }

  /**
   * The current mid.
   *
   * @example
   * ```ts
   * driver.advanceTo(60_000); driver.mid; // where the seeded random walk has taken the mid after a minute
   * ```
   */
  get mid(): number {
    return this.#mid;
  }

  /**
   * Simulated time the driver has reached (ms).
   *
   * @example
   * ```ts
   * driver.advanceTo(60_500); driver.time; // 60_000 (1 s steps from 0): the last whole step reached
   * ```
   */
  get time(): number {
    return this.#time;
  }

  /**
   * Steps the market on its grid up to `now` (simulated ms); a `now` before the next step does nothing.
   *
   * @example
   * ```ts
   * driver.advanceTo(clock.now()).fills.length; // account fills the steps caused
   * ```
   */
  advanceTo(now: number): SimMarketStep {
    const result: SimMarketStep = { steps: 0, takers: 0, fills: [] };
    const o = this.#options;
    const minutes = this.#stepMs / 60_000;
    const sigma = o.sigmaPerMinute * Math.sqrt(minutes);
    while (this.#time + this.#stepMs <= now) {
      this.#time += this.#stepMs;
      result.steps++;
      this.#mid *= Math.exp(sigma * this.#random.nextNormal() - (sigma * sigma) / 2);
      result.fills.push(...this.#relayHouse());
      // Poisson arrivals within the step: exponential gaps at rate takersPerMinute.
      let t = this.#random.nextExponential(Math.max(o.takersPerMinute, 1e-12));
      while (o.takersPerMinute > 0 && t < minutes) {
        const side: SimSide = this.#random.next() < 0.5 ? "buy" : "sell";
        const raw = o.takerMedianQty * Math.exp(o.takerSizeSigma * this.#random.nextNormal());
        const quantity = Math.max(this.#lot, Math.round(raw / this.#lot) * this.#lot);
        result.fills.push(
          ...this.#sim.takeLiquidity(o.symbol, side, Number(quantity.toFixed(this.#lotDecimals)), this.#time),
        );
        result.takers++;
        t += this.#random.nextExponential(o.takersPerMinute);
      }
    }
    return result;
  }

  /**
   * The market's history before the driver started, for priming a strategy as a venue's candle snapshot would:
   * bars of `intervalMs` opening on its multiples from `fromMs` up to the bar holding the start, a seeded walk
   * with the driver's σ that closes at the start mid. The same seed gives the same bars.
   *
   * @example
   * ```ts
   * driver.candlesBefore(60_000, startMs - 30 * 60_000).length; // 31: thirty whole minutes and the started one
   * ```
   */
  candlesBefore(intervalMs: number, fromMs: number): Candle[] {
    if (!(intervalMs > 0)) throw new RangeError(`candlesBefore: intervalMs must be > 0, got ${intervalMs}`);
    const random = createRandom((this.#options.seed ^ 0x5eed) | 0);
    const sigma = this.#options.sigmaPerMinute * Math.sqrt(intervalMs / 60_000);
    const last = Math.floor(this.#options.startMs / intervalMs) * intervalMs;
    const first = Math.ceil(fromMs / intervalMs) * intervalMs;
    const candles: Candle[] = [];
    let close = this.#options.startMid;
    for (let openTime = last; openTime >= first; openTime -= intervalMs) {
      const open = close * Math.exp(-sigma * random.nextNormal());
      candles.push({
        openTime,
        open,
        high: Math.max(open, close),
        low: Math.min(open, close),
        close,
        volume: 0,
      });
      close = open;
    }
    return candles.reverse();
  }

  /**
   * Advances with `clock` every `intervalMs` of real time (an accelerated clock gives an accelerated market);
   * answers a function that stops it.
   *
   * @example
   * ```ts
   * const stop = driver.run(emulatorClock, 100);
   * stop();
   * ```
   */
  run(clock: Clock, intervalMs = 100, onStep?: (step: SimMarketStep) => void): () => void {
    const timer = setInterval(() => {
      const step = this.advanceTo(clock.now());
      if (step.steps > 0) onStep?.(step);
    }, intervalMs);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  #relayHouse(): SimFill[] {
    const o = this.#options;
    this.#sim.cancelAll(SIM_HOUSE, o.symbol, this.#time);
    const center = Math.round(this.#mid / this.#tick);
    const quantity = o.houseSize.toFixed(this.#lotDecimals);
    const fills: SimFill[] = [];
    // A house order laid through an account's resting quote trades with it: collect those account fills.
    const stop = this.#sim.onEvent((event) => {
      if (event.type === "fill") fills.push(event.fill);
    });
    try {
      for (let level = 1; level <= o.houseLevels; level++) {
        for (const side of ["buy", "sell"] as const) {
          const price = ((center + (side === "buy" ? -level : level)) * this.#tick).toFixed(
            this.#tickDecimals,
          );
          if (!(Number(price) > 0)) continue;
          const placed = this.#sim.place(
            SIM_HOUSE,
            {
              symbol: o.symbol,
              side,
              timeInForce: "gtc",
              price,
              quantity,
              clientId: houseClientId(o.symbol, side, level),
              reduceOnly: false,
            },
            this.#time,
          );
          if ("reject" in placed) {
            throw new Error(
              `SimMarketDriver: the house order ${side} ${quantity} ${o.symbol} @ ${price} was refused (${placed.reject})`,
            );
          }
        }
      }
    } finally {
      stop();
    }
    return fills;
  }
}

function decimalsOf(decimal: string): number {
  const dot = decimal.indexOf(".");
  return dot < 0 ? 0 : decimal.length - dot - 1;
}
