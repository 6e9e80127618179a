import { systemClock } from "@botmm/core";
import { afterEach, describe, expect, it } from "vitest";
import { buildConfig } from "./config.ts";
import { type CcxtVenueSim, startCcxtVenueSim } from "./live-venues.ts";
import { type LiveSession, startSession } from "./run.ts";
import { fastConfig, memoryLogger, waitFor } from "./test-support.ts";

const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

it("--venue binance --paper quotes $200 orders unless the size is set (Binance's $100 minimum notional)", () => {
  expect(buildConfig([{ mode: "paper", venue: "binance" }]).strategy.orderSizeUsd).toBe(200);
  expect(
    buildConfig([{ mode: "paper", venue: "binance", strategy: { orderSizeUsd: 150 } }]).strategy.orderSizeUsd,
  ).toBe(150);
  expect(buildConfig([{ mode: "testnet", venue: "binance" }]).strategy.orderSizeUsd).toBe(100);
});

describe.each(["binance", "bybit"] as const)(
  "--venue %s --paper against the emulator's market data",
  (venue) => {
    let sim: CcxtVenueSim | undefined;
    let session: LiveSession | undefined;
    afterEach(async () => {
      await session?.close("test");
      await sim?.stop();
    });

    it("quotes on paper from the venue's public streams, sends no order, and stops cleanly", async () => {
      sim = await startCcxtVenueSim(venue, {
        symbols: ["BTCUSDT"],
        clock: systemClock(),
        seed: 11,
        speed: 1,
      });
      const before = sim.requestCount();
      const { logger, lines } = memoryLogger("info");
      const config = fastConfig({
        mode: "paper",
        venue,
        apiUrl: sim.url,
        wsUrl: sim.wsUrl,
        barIntervalMs: 300,
        requoteIntervalMs: 100,
        // Binance's BTCUSDT minimum notional is $100: the default $60 orders would never be sent.
        strategy: { orderSizeUsd: 150, maxPositionUsd: 600 },
        risk: { maxPosition: { limitUsd: 1_200 } },
      });
      session = await startSession(config, io, { logger });
      expect(session.venue.name).toBe("paper");
      expect(await waitFor(async () => (await session!.venue.openOrders()).length === 2, 15_000)).toBe(true);
      // Paper orders never reach the venue: no account there holds an order, and no key was needed.
      expect(sim.sim.openOrders(sim.keys.apiKey)).toHaveLength(0);
      expect(sim.sim.openOrders("botmmPaperPublic")).toHaveLength(0);
      expect(sim.requestCount()).toBeGreaterThan(before);
      const summary = await session.close("test");
      session = undefined;
      expect(summary.orders.placed).toBeGreaterThanOrEqual(2);
      expect(summary.openOrdersAtExit).toBe(0);
      expect(lines.join("\n")).not.toMatch(/botmm-paper-public/);
    });
  },
);
