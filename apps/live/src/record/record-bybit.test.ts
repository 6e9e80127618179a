import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BybitEmulator, signBybit, startBybitEmulator } from "@botmm/bybit-emulator";
import { systemClock } from "@botmm/core";
import { afterAll, describe, expect, it } from "vitest";
import { runRecordCli } from "./record-cli.ts";
import { RECORD_VENUES } from "./record-venues.ts";
import { capturingIo, recordDropAndReplay, takerActivity } from "./test-support.ts";

const ACCOUNT = { apiKey: "bybit-record-test-key", secret: "bybit-record-test-secret" };

/** Signed IOC orders (Bybit v5 `order/create`; a wide recv window: a loaded machine must not fail the scaffolding). */
function marketActivity(emulator: BybitEmulator): () => Promise<void> {
  return takerActivity(async (n, buy) => {
    const body = JSON.stringify({
      category: "linear",
      symbol: "BTCUSDT",
      side: buy ? "Buy" : "Sell",
      orderType: "Limit",
      timeInForce: "IOC",
      price: buy ? "60010" : "59990",
      qty: "0.010",
      orderLinkId: `t${n}`,
    });
    const timestamp = Date.now();
    const response = await fetch(`${emulator.url}/v5/order/create`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "X-BAPI-API-KEY": ACCOUNT.apiKey,
        "X-BAPI-TIMESTAMP": String(timestamp),
        "X-BAPI-RECV-WINDOW": "60000",
        "X-BAPI-SIGN": signBybit(
          { timestamp, apiKey: ACCOUNT.apiKey, recvWindow: 60_000, payload: body },
          ACCOUNT.secret,
        ),
      },
      body,
    });
    const answer = (await response.json()) as { retCode: number; retMsg: string };
    if (answer.retCode !== 0) throw new Error(`taker order ${n}: ${answer.retCode} ${answer.retMsg}`);
  });
}

describe("record --venue bybit", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("records Bybit books and trades from the emulator, and the backtest replays them with Bybit's fees", async () => {
    const emulator = await startBybitEmulator({ clock: systemClock(), accounts: [ACCOUNT] });
    cleanups.push(() => emulator.close());
    const stopActivity = marketActivity(emulator);
    // A failed test leaves the activity running: stop it (its error, if any, is the test's, already reported).
    cleanups.push(() => stopActivity().catch(() => {}));
    await recordDropAndReplay({
      stopActivity,
      venue: "bybit",
      apiUrl: emulator.url,
      label: "Bybit linear",
      headerVenue: "bybit-linear",
      dropMarketSockets: () => emulator.dropStreams("public"),
      replayFees: /fees\s+maker 0\.0200% \(a cost\), taker 0\.0550%/,
      replayTierName: "Bybit derivatives VIP 0",
      replayTick: "0.1",
    });
  });

  it("names Bybit coins as the backtest does", () => {
    expect(RECORD_VENUES.bybit.coinOf("BTC")).toEqual({ coin: "BTC", symbol: "BTCUSDT" });
    expect(RECORD_VENUES.bybit.coinOf("1000PEPE")).toEqual({ coin: "kPEPE", symbol: "1000PEPEUSDT" });
  });

  it("says when the venue lists no such perp, and exits 1", async () => {
    const emulator = await startBybitEmulator({ clock: systemClock(), accounts: [ACCOUNT] });
    cleanups.push(() => emulator.close());
    const { io, err } = capturingIo();
    const out = join(mkdtempSync(join(tmpdir(), "botmm-record-bybit-")), "rec");
    expect(
      await runRecordCli(
        ["--venue", "bybit", "--api-url", emulator.url, "--coins", "DOGE", "--out", out],
        io,
      ),
    ).toBe(1);
    expect(err()).toContain(
      `cannot connect to ${emulator.url}: ${emulator.url} lists no linear perp DOGEUSDT`,
    );
    expect(emulator.requests.every((request) => !request.signed)).toBe(true);
  });
});
