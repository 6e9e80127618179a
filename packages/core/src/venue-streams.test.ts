import { describe, expect, it } from "vitest";
import { ManualClock } from "./clock.ts";
import { BotmmError } from "./errors.ts";
import type { Fill } from "./types.ts";
import type { VenueEvent } from "./venue.ts";
import {
  bookTopFromRows,
  l2BookFromRows,
  type StreamLoopSpec,
  VenueStreams,
  type VenueStreamsContext,
} from "./venue-streams.ts";

const fill = (tradeId: string, time = 1): Fill => ({
  clientId: "c",
  venueOrderId: "o",
  tradeId,
  coin: "BTC",
  side: "buy",
  price: 100,
  size: 1,
  fee: 0,
  liquidity: "maker",
  time,
});

/** A watcher fed by hand: each `push` resolves the pending `watch()`; `fail` rejects it. */
function manualLoop(
  key: string,
  kind: "market" | "user",
  deliver: (value: unknown, out: Parameters<StreamLoopSpec["dispatch"]>[1]) => void,
) {
  const queue: { value?: unknown; error?: unknown }[] = [];
  let wake = () => {};
  const spec: StreamLoopSpec = {
    key,
    kind,
    unwatch: null,
    dispatch: deliver,
    async watch() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const next = queue.shift()!;
      if (next.error !== undefined) throw next.error;
      return next.value;
    },
  };
  return {
    spec,
    push(value: unknown) {
      queue.push({ value });
      wake();
    },
    fail(error: unknown) {
      queue.push({ error });
      wake();
    },
  };
}

function setup(overrides: Partial<VenueStreamsContext> = {}) {
  const clock = new ManualClock(100_000);
  const recovered: { since: number; coins: readonly string[] }[] = [];
  let recoverFills: Fill[] = [];
  const fills = manualLoop("myTrades", "user", (value, out) => {
    for (const f of value as Fill[]) out.deliverFill(f);
  });
  const streams = new VenueStreams({
    clock,
    reconnectDelayMs: 1,
    subscribeTimeoutMs: 5_000,
    loopsFor: () => [fills.spec],
    classify: (error) => ((error as Error).message === "refused" ? "refused" : "network"),
    describe: (error) => String(error instanceof Error ? error.message : error),
    log: () => {},
    error: (code, message) => new BotmmError(code, message),
    recover: async (since, coins) => {
      recovered.push({ since, coins });
      return { fills: recoverFills, updates: [] };
    },
    fillKey: (f) => `${f.coin}:${f.tradeId}`,
    closeTransport: async () => {},
    ...overrides,
  });
  return { clock, streams, fills, recovered, setRecovered: (f: Fill[]) => (recoverFills = f) };
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
};

describe("VenueStreams", () => {
  it("delivers each fill once, and after a user-socket drop recovers the missed ones before `reconnected`", async () => {
    const { clock, streams, fills, recovered, setRecovered } = setup();
    const events: VenueEvent[] = [];
    const pending = streams.subscribe({ coins: ["BTC"], book: "none", trades: false, account: true }, (e) =>
      events.push(e),
    );
    fills.push([fill("1")]);
    const stop = await pending;
    fills.push([fill("1"), fill("2")]);
    await until(() => events.filter((e) => e.type === "fill").length === 2, "two fills");

    streams.socketClosed("never-opened", false, "dial refused"); // a dial that never opened is no drop
    expect(events.some((e) => e.type === "connection")).toBe(false);
    streams.socketOpened("private");
    clock.set(200_000);
    streams.socketClosed("private", true, "WebSocket closed (code 1006)");
    streams.socketClosed("private", true, "again"); // the same outage: reported once
    setRecovered([fill("2"), fill("3")]);
    streams.socketOpened("private");
    await until(
      () => events.some((e) => e.type === "connection" && e.state === "reconnected"),
      "reconnected",
    );
    expect(recovered).toEqual([{ since: 200_000 - 60_000, coins: ["BTC"] }]);
    expect(
      events.map((e) => (e.type === "fill" ? e.fill.tradeId : e.type === "connection" ? e.state : e.type)),
    ).toEqual(["1", "2", "disconnected", "3", "reconnected"]);
    await stop();
    await streams.close();
  });

  it("fails a subscription whose watcher is refused, naming the loop and why", async () => {
    const { streams, fills } = setup();
    const pending = streams.subscribe(
      { coins: ["BTC"], book: "none", trades: false, account: true },
      () => {},
    );
    fills.fail(new Error("refused"));
    await expect(pending).rejects.toThrow(/myTrades \(refused\)/);
    await streams.close();
    await expect(
      streams.subscribe({ coins: [], book: "none", trades: false, account: false }, () => {}),
    ).rejects.toThrow(/closed/);
  });
});

describe("book rows", () => {
  it("turns streamed rows into a core book and top", () => {
    const rows = {
      bids: [
        [99, 2],
        [98, 1],
      ],
      asks: [[101, 3]],
      timestamp: 7,
    };
    expect(l2BookFromRows("BTC", rows, 1)).toEqual({
      coin: "BTC",
      time: 7,
      bids: [{ price: 99, size: 2 }],
      asks: [{ price: 101, size: 3 }],
    });
    expect(bookTopFromRows("BTC", { bids: [], asks: rows.asks })).toEqual({
      coin: "BTC",
      time: 0,
      bid: null,
      ask: { price: 101, size: 3 },
    });
  });
});
