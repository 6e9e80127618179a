import type { Order } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { type CcxtReconciledOrder, settleTrackedOrders } from "./recover.ts";

const open = (clientId: string): Order =>
  ({ clientId, coin: "BTCUSDT", status: "open", updatedAt: 5 }) as unknown as Order;

describe("settleTrackedOrders", () => {
  it("looks up the tracked orders no longer open and answers them as updates; a failed look-up stays tracked", async () => {
    const forgotten: string[] = [];
    const asked: string[] = [];
    const states: Record<string, CcxtReconciledOrder> = {
      "8": {
        clientId: "8",
        status: "cancelled",
        venueOrderId: "v8",
        order: { updatedAt: 42 } as unknown as Order,
      },
      "9": { clientId: "9", status: "notFound", venueOrderId: null },
      "10": { clientId: "10", status: "unknown", venueOrderId: null, reason: "timeout" },
    };
    const venue = {
      openOrders: async () => [open("7")],
      reconcile: async (orders: readonly { clientId: string }[]) => {
        asked.push(...orders.map((o) => o.clientId));
        return orders.map((o) => states[o.clientId]!);
      },
    };
    const updates = await settleTrackedOrders(
      venue,
      "BTCUSDT",
      ["7", "8", "9", "10"],
      (clientId) => forgotten.push(clientId),
      { now: () => 100 },
    );
    expect(asked).toEqual(["8", "9", "10"]);
    expect(forgotten).toEqual(["8", "9"]);
    expect(updates).toEqual([
      { clientId: "8", venueOrderId: "v8", coin: "BTCUSDT", status: "cancelled", time: 42 },
      {
        clientId: "9",
        venueOrderId: null,
        coin: "BTCUSDT",
        status: "rejected",
        reason: "not on the venue (never reached its engine)",
        time: 100,
      },
    ]);
  });

  it("asks nothing when no order is tracked", async () => {
    const fail = () => Promise.reject(new Error("must not be called"));
    const venue = { openOrders: fail, reconcile: fail };
    expect(await settleTrackedOrders(venue, "BTCUSDT", [], () => {}, { now: () => 0 })).toEqual([]);
  });
});
