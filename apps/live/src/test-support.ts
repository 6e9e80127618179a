import type { MarketEvent, RecordedLevel } from "@botmm/backtest";
import {
  type Clock,
  createRandom,
  hyperliquidPerpInstrument,
  type Instrument,
  instrumentSchema,
  type L2Book,
  type Venue,
  type VenueEvent,
} from "@botmm/core";
import { type Emulator, start as startEmulator, testAccount } from "@botmm/hl-emulator";
import { SIM_HOUSE, type SimExchange, type SimOrder } from "@botmm/sim-exchange";
import { type Logger, pino } from "pino";
import { buildConfig, type LiveConfig } from "./config.ts";

/** Settings that make a sim run quote within a second of real time: short bars, tight quotes, small sizes. */
export const FAST_SETTINGS = {
  mode: "sim",
  coins: ["BTC"],
  barIntervalMs: 1_000,
  requoteIntervalMs: 200,
  reconcileIntervalMs: 5_000,
  statusIntervalMs: 0,
  deadManSwitchMs: 20_000,
  sim: { seed: 7, speed: 20 },
  strategy: {
    volatilityWarmupBars: 2,
    volMultiplier: 0,
    baseSpreadBps: 1,
    feeAware: false,
    refreshToleranceBps: 3,
    orderSizeUsd: 60,
    maxPositionUsd: 300,
    toxicityGuard: false,
  },
  risk: {
    maxPosition: { limitUsd: 600 },
    maxDrawdown: { enabled: false },
    dailyLoss: { limitUsd: 5_000 },
    errorBurst: { maxErrors: 100 },
    // 1 s bars of an emulator at 20× speed can look like a 2%/√h crash; the breaker has its own tests in @botmm/risk.
    volatility: { enabled: false },
  },
};

/**
 * A validated config from {@link FAST_SETTINGS} plus overrides (later layers win, key by key).
 *
 * @example
 * ```ts
 * const config = fastConfig({ coins: ["BTC", "ETH"] });
 * ```
 */
export function fastConfig(...layers: Record<string, unknown>[]): LiveConfig {
  return buildConfig([FAST_SETTINGS, ...layers]);
}

/**
 * A logger that keeps every line in memory (JSON) so tests can read them and check none leaks a secret.
 *
 * @example
 * ```ts
 * const { logger, lines } = memoryLogger();
 * ```
 */
export function memoryLogger(level = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/**
 * Starts an emulator for tests on 127.0.0.1 with the seed's TEST account funded, the dead-man's switch
 * ungated and (for speed ≠ 1) the nonce window off.
 *
 * @example
 * ```ts
 * const emulator = await startTestEmulator({ seed: 7, speed: 20 });
 * ```
 */
export async function startTestEmulator(options: {
  seed: number;
  speed: number;
  coins?: string[];
}): Promise<Emulator> {
  return startEmulator({
    coins: options.coins ?? ["BTC"],
    seed: options.seed,
    speed: options.speed,
    accounts: [{ privateKey: testAccount(options.seed).privateKey, usdc: 100_000 }],
    scheduleCancelMinVolumeUsd: 0,
    ...(options.speed === 1 ? {} : { nonceWindowMs: Number.POSITIVE_INFINITY }),
  });
}

/**
 * Polls `check` (real time) until it returns true or `timeoutMs` passes; returns the last outcome.
 *
 * @example
 * ```ts
 * expect(await waitFor(() => bot.summary().fills.buy > 0, 5_000)).toBe(true);
 * ```
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The instrument of {@link scriptedMarketEvents}: a Hyperliquid-like BTC perp (5 size decimals, $1 ticks at 60k). */
export const SCRIPT_INSTRUMENT: Instrument = hyperliquidPerpInstrument({
  coin: "BTC",
  assetId: 0,
  szDecimals: 5,
  maxLeverage: 40,
});

/**
 * A seeded script of market events in the replay's format: a book every 500 ms whose mid walks by whole $1
 * ticks around 60,000 (five levels a side, spread 1–3 ticks), and after about half of them a message of 1–3
 * public trades at or through the best price. Same seed, same events.
 *
 * @example
 * ```ts
 * const events = scriptedMarketEvents({ seed: 1, startMs: Date.UTC(2025, 0, 1), minutes: 5 });
 * ```
 */
export function scriptedMarketEvents(options: {
  seed: number;
  startMs: number;
  minutes: number;
}): MarketEvent[] {
  const random = createRandom(options.seed);
  const coin = SCRIPT_INSTRUMENT.coin;
  const events: MarketEvent[] = [];
  const endMs = options.startMs + options.minutes * 60_000;
  let bestBid = 60_000;
  let tradeId = 0;
  for (let time = options.startMs; time < endMs; time += 500) {
    bestBid += random.nextInt(7) - 3;
    const spread = 1 + random.nextInt(3);
    const level = (price: number): RecordedLevel => [price, Number((0.05 + random.next()).toFixed(5)), 1];
    const bids = [0, 1, 2, 3, 4].map((i) => level(bestBid - i));
    const asks = [0, 1, 2, 3, 4].map((i) => level(bestBid + spread + i));
    events.push({ type: "book", coin, t: time, lt: time, bids, asks });
    if (random.next() < 0.5) continue;
    const trades = Array.from({ length: 1 + random.nextInt(3) }, () => {
      const buy = random.next() < 0.5;
      const through = random.next() < 0.3 ? random.nextInt(6) : 0;
      return {
        t: time + 100,
        px: buy ? bestBid + spread + through : bestBid - through,
        sz: Number((0.01 + random.next() * 0.5).toFixed(5)),
        side: buy ? ("B" as const) : ("A" as const),
        tid: ++tradeId,
      };
    });
    events.push({ type: "trades", coin, lt: time + 100, trades });
  }
  return events;
}

/**
 * A replay event as a venue streams it (`null` for a gap, which a live venue does not send).
 *
 * @example
 * ```ts
 * market.emit(toVenueEvent(event, clock)!);
 * ```
 */
export function toVenueEvent(event: MarketEvent, clock: Clock): VenueEvent | null {
  if (event.type === "gap") return null;
  if (event.type === "book") {
    const book: L2Book = {
      coin: event.coin,
      time: event.lt,
      bids: event.bids.map(([price, size]) => ({ price, size })),
      asks: event.asks.map(([price, size]) => ({ price, size })),
    };
    return { type: "book", book, receivedAt: clock.now() };
  }
  return {
    type: "trades",
    trades: event.trades.map((trade) => ({
      coin: event.coin,
      time: event.lt,
      side: trade.side === "B" ? ("buy" as const) : ("sell" as const),
      price: trade.px,
      size: trade.sz,
      id: String(trade.tid),
    })),
    receivedAt: clock.now(),
  };
}

/**
 * A market-data-only venue whose events the test pushes with {@link ScriptedMarket.emit}: the market a
 * `PaperVenue` trades against in tests. It holds no orders of its own.
 *
 * @example
 * ```ts
 * const market = new ScriptedMarket([SCRIPT_INSTRUMENT]);
 * const paper = new PaperVenue({ market, clock, makerFee: 0.00015, capitalUsd: 10_000 });
 * market.emit({ type: "book", book, receivedAt: clock.now() });
 * ```
 */
export class ScriptedMarket implements Venue {
  readonly name = "scripted";
  readonly #instruments: Instrument[];
  readonly #listeners = new Set<(event: VenueEvent) => void>();

  constructor(instruments: Instrument[]) {
    this.#instruments = instruments;
  }

  emit(event: VenueEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async instruments(): Promise<Instrument[]> {
    return this.#instruments;
  }

  async subscribe(_request: unknown, listener: (event: VenueEvent) => void): Promise<() => Promise<void>> {
    this.#listeners.add(listener);
    return async () => {
      this.#listeners.delete(listener);
    };
  }

  async placeOrders(): Promise<never> {
    throw new Error("ScriptedMarket serves market data only: orders go to the PaperVenue");
  }

  async modifyOrders(): Promise<never> {
    throw new Error("ScriptedMarket serves market data only: orders go to the PaperVenue");
  }

  async cancelOrders(): Promise<never> {
    throw new Error("ScriptedMarket serves market data only: orders go to the PaperVenue");
  }

  async openOrders(): Promise<[]> {
    return [];
  }

  async position(coin: string): Promise<{ coin: string; size: number; entryPrice: number }> {
    return { coin, size: 0, entryPrice: 0 };
  }
}

/** What {@link crossNextInwardModify} did: the refused order, and the simulated time it was refused at. */
export interface ForcedModifyRefusal {
  order: SimOrder;
  time: number;
}

/**
 * Makes the next modify of `account` that moves a post-only order toward the spread meet a book that moved
 * through its new price after the bot priced it: the race a venue refuses (Binance −5022 ends the GTX order,
 * Bybit accepts the amend and cancels it). Just before the modify is matched, a house order is laid at the new
 * price on the other side (taking the house liquidity in front of it), and removed right after. Only the
 * exchange's public methods are used; `refusal()` is null until it happened, `disarm()` restores `modify`.
 *
 * @example
 * ```ts
 * const forced = crossNextInwardModify(venueSim.sim, venueSim.keys.apiKey);
 * await waitFor(() => forced.refusal() !== null, 60_000);
 * forced.disarm();
 * ```
 */
export function crossNextInwardModify(
  sim: SimExchange,
  account: string,
): { refusal(): ForcedModifyRefusal | null; disarm(): void } {
  const original = sim.modify;
  let refusal: ForcedModifyRefusal | null = null;
  let crossings = 0;
  sim.modify = (owner, ref, price, quantity, now) => {
    const order = refusal === null && owner === account ? sim.find(owner, ref) : undefined;
    const inward =
      order !== undefined &&
      order.timeInForce === "alo" &&
      (order.side === "buy" ? Number(price) > Number(order.price) : Number(price) < Number(order.price));
    if (!inward) return original.call(sim, owner, ref, price, quantity, now);
    // The crossing order takes what rests at or through the new price on its way, then rests one order's size.
    const side = order.side === "buy" ? "sell" : "buy";
    const levels = side === "sell" ? sim.depth(ref.symbol, 10_000).bids : sim.depth(ref.symbol, 10_000).asks;
    const ahead = levels
      .filter(([level]) =>
        side === "sell" ? Number(level) >= Number(price) : Number(level) <= Number(price),
      )
      .reduce((total, [, size]) => total + size, 0);
    const decimals = quantity.split(".")[1]?.length ?? 0;
    const cross = { symbol: ref.symbol, clientId: `test-cross-${++crossings}` };
    const laid = sim.place(
      SIM_HOUSE,
      {
        ...cross,
        side,
        timeInForce: "gtc",
        price,
        quantity: (ahead + Number(quantity)).toFixed(decimals),
        reduceOnly: false,
      },
      now,
    );
    const answer = original.call(sim, owner, ref, price, quantity, now);
    if (!("reject" in laid)) sim.cancel(SIM_HOUSE, cross, now);
    if ("reject" in answer && answer.reject === "post-only" && answer.order)
      refusal = { order: answer.order, time: now };
    return answer;
  };
  return {
    refusal: () => refusal,
    disarm: () => {
      sim.modify = original;
    },
  };
}

/**
 * Fills `order` (an account's resting order) now with a house taker that takes everything resting at or
 * through its price: a fill at a known time. Answers the account fills it caused.
 *
 * @example
 * ```ts
 * const fills = fillResting(venueSim.sim, venueSim.sim.openOrders(apiKey)[0]!, clock.now());
 * ```
 */
export function fillResting(
  sim: SimExchange,
  order: SimOrder,
  now: number,
): ReturnType<SimExchange["takeLiquidity"]> {
  const buy = order.side === "buy";
  const levels = buy ? sim.depth(order.symbol, 10_000).bids : sim.depth(order.symbol, 10_000).asks;
  const through = levels
    .filter(([level]) => (buy ? Number(level) >= Number(order.price) : Number(level) <= Number(order.price)))
    .reduce((total, [, size]) => total + size, 0);
  return sim.takeLiquidity(order.symbol, buy ? "sell" : "buy", through, now, order.price);
}

/** Binance USDⓈ-M BTCUSDT's rules as the venue lists them: tick 0.10, lot 0.001, a $100 minimum notional. */
export const BINANCE_BTC: Instrument = instrumentSchema.parse({
  venue: "binance",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 100,
  maxLeverage: 20,
}) as Instrument;
