import type { Emulator } from "@botmm/hl-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSession } from "./run.ts";
import { fastConfig, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

describe("--paper against the emulator's market data", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator({ seed: 5, speed: 1 });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it("quotes on paper (no key, nothing sent to the venue) and stops cleanly", async () => {
    const { logger } = memoryLogger("info");
    const config = fastConfig({
      mode: "paper",
      apiUrl: emulator.url,
      barIntervalMs: 300,
      requoteIntervalMs: 100,
    });
    const session = await startSession(
      config,
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { logger },
    );
    expect(session.venue.name).toBe("paper");
    expect(await waitFor(async () => (await session.venue.openOrders()).length === 2, 8_000)).toBe(true);
    // Paper orders never reach the venue: the emulator holds no user orders at all.
    for (const account of emulator.engine.accounts.values()) expect(account.openOrders.size).toBe(0);
    const summary = await session.close("test");
    expect(summary.orders.placed).toBeGreaterThanOrEqual(2);
    expect(summary.openOrdersAtExit).toBe(0);
  });
});
