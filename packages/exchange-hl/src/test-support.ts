import { ManualClock, type OrderRequest, type VenueEvent } from "@botmm/core";
import { type Emulator, type EmulatorOptions, start, testAccount } from "@botmm/hl-emulator";
import { privateKeyToAccount } from "viem/accounts";
import type { HyperliquidLogEntry, HyperliquidVenueOptions } from "./options.ts";
import { HyperliquidVenue } from "./venue.ts";

/** This bot's cloid prefix in tests. */
export const PREFIX = "b07a11ce00000001";
/** Another bot's prefix. */
export const OTHER_PREFIX = "0123456789abcdef";

/**
 * The request timeout of every test venue. A local request takes milliseconds; this is far above what a loaded
 * 2-core machine needs, so only a request the emulator is told to hang or delay past it ever times out.
 */
export const REQUEST_TIMEOUT_MS = 2_000;

/**
 * How long {@link until} waits by default. Only a bound for a failing test: waits end as soon as the condition
 * holds, so this can be far above the slowest machine's worst case without slowing a passing run.
 */
export const UNTIL_DEADLINE_MS = 30_000;

/**
 * Test helper (not exported from the package): an emulator on a manual clock (127.0.0.1, ephemeral port) with
 * two funded TEST accounts, a venue trading the first, and a venue trading the second (to take liquidity).
 *
 * @example
 * ```ts
 * const t = await setup();
 * await t.venue.placeOrders([order("1", "buy", t.bid() - 10, 0.001)]);
 * await t.stop();
 * ```
 */
export async function setup(
  options: { emulator?: EmulatorOptions; venue?: Partial<HyperliquidVenueOptions> } = {},
) {
  const clock = new ManualClock(Date.now());
  const key = testAccount(7).privateKey;
  const otherKey = testAccount(7, 1).privateKey;
  const emulator: Emulator = await start({
    clock,
    seed: 7,
    scheduleCancelMinVolumeUsd: 0,
    accounts: [{ privateKey: key }, { privateKey: otherKey }],
    ...options.emulator,
  });
  const logs: HyperliquidLogEntry[] = [];
  const base = {
    network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
    clock,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    housekeepingIntervalMs: 10,
    reconnectDelayMs: 20,
  };
  const venue = await HyperliquidVenue.connect({
    ...base,
    wallet: privateKeyToAccount(key),
    clientIdPrefix: PREFIX,
    onLog: (entry) => logs.push(entry),
    ...options.venue,
  });
  const other = await HyperliquidVenue.connect({
    ...base,
    wallet: privateKeyToAccount(otherKey),
    clientIdPrefix: OTHER_PREFIX,
    deadManSwitchMs: null,
  });
  const bid = (coin = "BTC") => Number(emulator.book(coin)?.levels[0][0]?.px);
  const ask = (coin = "BTC") => Number(emulator.book(coin)?.levels[1][0]?.px);
  const stop = async () => {
    await venue.close();
    await other.close();
    await emulator.stop();
  };
  return { emulator, clock, venue, other, logs, key, otherKey, bid, ask, stop, base };
}

/** What {@link setup} returns. */
export type Setup = Awaited<ReturnType<typeof setup>>;

/**
 * An order request with defaults (ALO, not reduce-only, BTC).
 *
 * @example
 * ```ts
 * order("1", "buy", 99_000, 0.001);
 * ```
 */
export function order(
  clientId: string,
  side: "buy" | "sell",
  price: number,
  size: number,
  extra: Partial<OrderRequest> = {},
): OrderRequest {
  return { clientId, coin: "BTC", side, price, size, timeInForce: "alo", reduceOnly: false, ...extra };
}

/**
 * Waits until `predicate` holds (polling every 5 ms) or fails after `timeoutMs` of real time.
 *
 * @example
 * ```ts
 * await until(() => events.length > 0, "an event");
 * ```
 */
export async function until(
  predicate: () => boolean,
  what = "condition",
  timeoutMs = UNTIL_DEADLINE_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Collects venue events by type.
 *
 * @example
 * ```ts
 * const events = collector();
 * await venue.subscribe(request, events.listener);
 * events.of("fill");
 * ```
 */
export function collector() {
  const all: VenueEvent[] = [];
  return {
    all,
    listener: (event: VenueEvent) => {
      all.push(event);
    },
    of<T extends VenueEvent["type"]>(type: T): Extract<VenueEvent, { type: T }>[] {
      return all.filter((event): event is Extract<VenueEvent, { type: T }> => event.type === type);
    },
  };
}

/** Sleeps `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
