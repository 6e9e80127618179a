import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { runReplayBacktest } from "@botmm/backtest";
import { hyperliquidPerpInstrument, ManualClock } from "@botmm/core";
import { HyperliquidVenue } from "@botmm/exchange-hl";
import { start } from "@botmm/hl-emulator";
import { parseStrategyConfig } from "@botmm/strategy";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";
import { Recorder } from "./recorder.ts";
import { readRecordedEvents } from "./test-support.ts";
import { RecordingWriter } from "./writer.ts";

const run = promisify(execFile);

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

describe("Recorder", () => {
  const dir = mkdtempSync(join(tmpdir(), "botmm-record-"));
  const root = join(dir, "rec");
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("records books and trades from the emulator across a WebSocket drop, and the recording replays", async () => {
    const clock = new ManualClock(Date.UTC(2025, 2, 3, 9, 58));
    const emulator = await start({ clock, seed: 3, coins: ["ETH"] });
    cleanups.push(() => emulator.stop());
    const venue = await HyperliquidVenue.connect({
      network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
      wallet: privateKeyToAccount(generatePrivateKey()), // market data only: this key never signs anything
      clock,
      clientIdPrefix: "5ec0de0000000001",
      deadManSwitchMs: null,
      reconnectDelayMs: 20,
    });
    cleanups.push(() => venue.close());
    const connection: string[] = [];
    const stopWatch = await venue.subscribe(
      { coins: ["ETH"], book: "none", trades: false, account: false },
      (event) => {
        if (event.type === "connection") connection.push(event.state);
      },
    );
    cleanups.push(stopWatch);
    const writer = new RecordingWriter({ rootDir: root });
    const statuses: string[] = [];
    const recorder = new Recorder({
      venue,
      coins: ["ETH"],
      writer,
      clock,
      onStatus: (line) => statuses.push(line),
      statusIntervalMs: 100,
    });
    await recorder.start();

    // 40 simulated minutes, a book push every 500 ms of emulator time; the socket drops at minute 20.
    const step = async (minutes: number) => {
      for (let i = 0; i < minutes * 120; i++) {
        emulator.advance(500);
        if (i % 60 === 0) await new Promise((done) => setTimeout(done, 1));
      }
    };
    await step(20);
    emulator.dropConnections();
    await until(() => connection.includes("disconnected"), 5_000, "disconnected");
    emulator.advance(5_000); // five seconds of market the recorder cannot see
    await until(() => connection.includes("reconnected"), 5_000, "reconnected");
    await step(20);
    await new Promise((done) => setTimeout(done, 50));
    const summary = await recorder.stop();
    expect(summary.books).toBeGreaterThan(2_000);
    expect(summary.trades).toBeGreaterThan(50);
    expect(summary.gaps).toBe(1);
    expect(summary.files.length).toBeGreaterThanOrEqual(1);
    expect(statuses.at(-1)).toMatch(
      /recording ETH: \d+ books, \d+ trades, 1 gaps, [\d.]+ events\/s, \d+ files, [\d.]+ MiB compressed/,
    );

    const options = {
      instrument: hyperliquidPerpInstrument({ coin: "ETH", assetId: 1, szDecimals: 4, maxLeverage: 25 }),
      strategy: parseStrategyConfig({
        volatilityWarmupBars: 5,
        baseSpreadBps: 1,
        volMultiplier: 0.5,
        feeAware: false,
      }),
    };
    const first = await runReplayBacktest(readRecordedEvents(root, "ETH"), options);
    const second = await runReplayBacktest(readRecordedEvents(root, "ETH"), options);
    expect(second).toEqual(first); // deterministic
    expect(first.gaps.length).toBeGreaterThanOrEqual(1); // the drop is reported, not papered over
    expect(first.events.books).toBe(summary.books);
  });

  it("feeds the candle-vs-replay realism report, which prints the ratios", async () => {
    const cli = resolve(import.meta.dirname, "../../../backtest/src/cli.ts");
    const args = [
      "--conditions=@botmm/source",
      cli,
      "--replay",
      root,
      "--symbol",
      "ETH",
      "--compare-candles",
      "--no-progress",
    ];
    args.push(
      "--volatility-warmup-bars",
      "5",
      "--base-spread-bps",
      "1",
      "--vol-multiplier",
      "0.5",
      "--no-fee-aware",
    );
    const { stdout } = await run(process.execPath, args, {
      cwd: resolve(import.meta.dirname, "../../../backtest"),
    });
    expect(stdout).toContain("candle vs replay");
    expect(stdout).toMatch(/orders filled\s+\d+\s+\d+\s+(\d+\.\d+×|n\/a)/);
    expect(stdout).toMatch(/fills \(incl\. partial\)\s+\d+\s+\d+\s+(\d+\.\d+×|n\/a)/);
    expect(stdout).toContain("gap");
  });
});
