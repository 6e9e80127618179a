import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BinanceEmulator, signQuery, startBinanceEmulator } from "@botmm/binance-emulator";
import { systemClock } from "@botmm/core";
import { afterAll, describe, expect, it } from "vitest";
import { runRecordCli } from "./record-cli.ts";
import { binanceRecordCoin } from "./record-venues.ts";
import { capturingIo, recordDropAndReplay, takerActivity } from "./test-support.ts";

const TAKER = { apiKey: "taker-key", secret: "taker-secret" };

/** Signed IOC orders of the TAKER account (a wide `recvWindow`: a loaded machine must not fail the scaffolding). */
function marketActivity(emulator: BinanceEmulator): () => Promise<void> {
  return takerActivity(async (n, buy) => {
    const query = `symbol=BTCUSDT&side=${buy ? "BUY" : "SELL"}&type=LIMIT&timeInForce=IOC&price=${buy ? "60010" : "59990"}&quantity=0.010&newClientOrderId=t${n}&recvWindow=60000&timestamp=${Date.now()}`;
    const response = await fetch(
      `${emulator.url}/fapi/v1/order?${query}&signature=${signQuery(query, TAKER.secret)}`,
      { method: "POST", headers: { "X-MBX-APIKEY": TAKER.apiKey } },
    );
    if (!response.ok) throw new Error(`taker order ${n}: ${response.status} ${await response.text()}`);
  });
}

describe("record --venue binance", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("records Binance books and trades from the emulator, and the backtest replays them with Binance's fees", async () => {
    const emulator = await startBinanceEmulator({ clock: systemClock(), accounts: [TAKER] });
    cleanups.push(() => emulator.close());
    const stopActivity = marketActivity(emulator);
    // A failed test leaves the activity running: stop it (its error, if any, is the test's, already reported).
    cleanups.push(() => stopActivity().catch(() => {}));
    await recordDropAndReplay({
      stopActivity,
      venue: "binance",
      apiUrl: emulator.url,
      label: "Binance USDⓈ-M",
      headerVenue: "binance-usdm",
      dropMarketSockets: () => emulator.injectWsFault({ kind: "drop", target: "market" }),
      replayFees: /fees\s+maker 0\.0200% \(a cost\), taker 0\.0500%/,
      replayTierName: "Binance USDⓈ-M futures VIP 0",
      replayTick: "0.1",
    });
  });

  it("names Binance coins as the backtest does", () => {
    expect(binanceRecordCoin("BTC")).toEqual({ coin: "BTC", symbol: "BTCUSDT" });
    expect(binanceRecordCoin("ethusdt")).toEqual({ coin: "ETH", symbol: "ETHUSDT" });
    expect(binanceRecordCoin("kPEPE")).toEqual({ coin: "kPEPE", symbol: "1000PEPEUSDT" });
    expect(binanceRecordCoin("1000PEPEUSDT")).toEqual({ coin: "kPEPE", symbol: "1000PEPEUSDT" });
    expect(binanceRecordCoin("USDT")).toMatch(/names no coin/);
  });

  it.each([
    [["--venue", "kraken"], /--venue: expected one of hyperliquid, binance, bybit, got "kraken"/],
    [["--venue", "binance", "--sim"], /--sim: Binance USDⓈ-M has no in-process market/],
    [["--testnet", "--api-url", "http://127.0.0.1:1"], /--testnet and --api-url each say where/],
    [["--ws-url", "ws://127.0.0.1:1/ws"], /--ws-url goes with --api-url/],
    [["--api-url", "ftp://127.0.0.1"], /--api-url: expected a http or https URL/],
  ])("%j → a usage error naming the flag", async (args, message) => {
    const { io, err } = capturingIo();
    expect(await runRecordCli(["--out", "x", ...args], io)).toBe(2);
    expect(err()).toMatch(message);
  });

  it("says when the venue lists no such perp, and exits 1", async () => {
    const emulator = await startBinanceEmulator({ clock: systemClock(), accounts: [TAKER] });
    cleanups.push(() => emulator.close());
    const { io, err } = capturingIo();
    const out = join(mkdtempSync(join(tmpdir(), "botmm-record-binance-")), "rec");
    expect(
      await runRecordCli(
        ["--venue", "binance", "--api-url", emulator.url, "--coins", "DOGE", "--out", out],
        io,
      ),
    ).toBe(1);
    expect(err()).toContain(
      `cannot connect to ${emulator.url}: ${emulator.url} lists no USDⓈ-M perp DOGEUSDT`,
    );
  });
});
