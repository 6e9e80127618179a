import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import { ManualClock } from "@botmm/core";
import { start, testAccount } from "@botmm/hl-emulator";
import { privateKeyToAccount } from "viem/accounts";
import { HyperliquidVenue } from "../src/venue.ts";

/** One measured book update. Times are `performance.now()` ms. */
export interface LatencySample {
  /** Emulator handed the l2Book push to the socket → the order request arrived at the emulator's HTTP server. */
  totalMs: number;
  /** Push → the venue's `book` event reached the quoting loop (WebSocket, SDK parse, conversion). */
  wsMs: number;
  /** `book` event → request arrival (rounding, cloid, signing, HTTP). */
  orderMs: number;
  /** `book` event → `fetch` called (adapter + SDK: rounding, cloid, validation, msgpack, signing). */
  signMs: number;
  /** `fetch` called → request arrival (HTTP client and server parsing). */
  httpMs: number;
}

/**
 * A minimal quoting loop against an in-process emulator: on every `book` event it moves one bid (`batchModify`,
 * the first time `order`) to 20 below the best bid. {@link LatencyLoop.step} advances the emulator's manual
 * clock by one push interval and measures from the push to the order request's arrival at the emulator
 * (`http.server.request.start` diagnostics channel).
 *
 * @example
 * ```ts
 * const loop = await createLatencyLoop();
 * const sample = await loop.step(); // null when the market did not change (no push)
 * await loop.stop();
 * ```
 */
export async function createLatencyLoop() {
  const clock = new ManualClock(Date.now());
  const account = testAccount(11);
  const emulator = await start({
    clock,
    seed: 11,
    accounts: [{ privateKey: account.privateKey }],
    coins: [{ name: "BTC", takerRatePerSec: 0 }], // no fills: the quote only moves
    addressBudget: false,
    ipWeightPerMinute: Number.POSITIVE_INFINITY,
    l2BookIntervalMs: 100,
  });
  const venue = await HyperliquidVenue.connect({
    network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
    wallet: privateKeyToAccount(account.privateKey),
    clock,
    clientIdPrefix: "1a7e0c1e00000001",
    deadManSwitchMs: null,
    syncRequestBudget: false,
    requestBudget: { enabled: false },
  });

  let arrivedAt = Number.NaN;
  let fetchAt = Number.NaN;
  const originalFetch = globalThis.fetch;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
    if (String(args[0]).endsWith("/exchange")) fetchAt = performance.now();
    return originalFetch(...args);
  }) as typeof fetch;
  const onRequest = (message: unknown) => {
    const request = (message as { request: IncomingMessage }).request;
    if (request.url === "/exchange") arrivedAt = performance.now();
  };
  dc.subscribe("http.server.request.start", onRequest);

  let bookAt = Number.NaN;
  let nextClientId = 1;
  let working: string | null = null;
  let inFlight: Promise<unknown> | null = null;
  let failures = 0;
  const unsubscribe = await venue.subscribe(
    { coins: ["BTC"], book: "l2", trades: false, account: false },
    (event) => {
      if (event.type !== "book" || inFlight !== null) return;
      bookAt = performance.now();
      const best = event.book.bids[0]?.price;
      if (best === undefined) return;
      const quote = {
        coin: "BTC",
        side: "buy" as const,
        price: best - 20,
        size: 0.001,
        timeInForce: "alo" as const,
        reduceOnly: false,
      };
      const clientId = String(nextClientId++);
      const request =
        working === null
          ? venue.placeOrders([{ ...quote, clientId }])
          : venue.modifyOrders([{ ...quote, clientId: working, newClientId: clientId }]);
      inFlight = request.then((results) => {
        const result = results[0];
        if (result?.status === "open") working = clientId;
        else {
          failures++;
          working = null;
        }
        inFlight = null;
      });
    },
  );

  const waitFor = async (predicate: () => boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return true;
  };

  return {
    emulator,
    venue,
    get failures() {
      return failures;
    },
    /** Advances one push interval; resolves with the sample, or null when no book update was pushed. */
    async step(): Promise<LatencySample | null> {
      if (inFlight) await inFlight;
      arrivedAt = Number.NaN;
      bookAt = Number.NaN;
      fetchAt = Number.NaN;
      emulator.advance(100);
      const pushedAt = performance.now();
      const arrived = await waitFor(() => !Number.isNaN(arrivedAt), 25);
      if (!arrived) return null;
      if (inFlight) await inFlight;
      return {
        totalMs: arrivedAt - pushedAt,
        wsMs: bookAt - pushedAt,
        orderMs: arrivedAt - bookAt,
        signMs: fetchAt - bookAt,
        httpMs: arrivedAt - fetchAt,
      };
    },
    async stop(): Promise<void> {
      if (inFlight) await inFlight;
      dc.unsubscribe("http.server.request.start", onRequest);
      globalThis.fetch = originalFetch;
      await unsubscribe();
      await venue.close();
      await emulator.stop();
    },
  };
}

/**
 * The `q`-quantile (0…1) of `values` (nearest rank on a sorted copy).
 *
 * @example
 * ```ts
 * quantile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
