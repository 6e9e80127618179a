import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { type BinanceEmulator, signQuery, startBinanceEmulator } from "@botmm/binance-emulator";
import { systemClock } from "@botmm/core";
import { afterAll, describe, expect, it } from "vitest";
import { runRecordCli } from "./record-cli.ts";
import { binanceRecordCoin } from "./record-venues.ts";
import { readRecordedEvents } from "./test-support.ts";

const run = promisify(execFile);
const TAKER = { apiKey: "taker-key", secret: "taker-secret" };

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/**
 * Someone trades: small signed IOC orders of a listed account, alternately lifting the ask and hitting the bid
 * (through HTTP: the emulator prints public trades of the orders its API placed).
 */
function marketActivity(emulator: BinanceEmulator): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const buy = n % 2 === 0;
      const query = `symbol=BTCUSDT&side=${buy ? "BUY" : "SELL"}&type=LIMIT&timeInForce=IOC&price=${buy ? "60010" : "59990"}&quantity=0.010&newClientOrderId=t${n}&timestamp=${Date.now()}`;
      const response = await fetch(
        `${emulator.url}/fapi/v1/order?${query}&signature=${signQuery(query, TAKER.secret)}`,
        { method: "POST", headers: { "X-MBX-APIKEY": TAKER.apiKey } },
      );
      if (!response.ok) throw new Error(`taker order ${n}: ${response.status} ${await response.text()}`);
      await new Promise((done) => setTimeout(done, 25));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
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
    cleanups.push(stopActivity);

    const out = join(mkdtempSync(join(tmpdir(), "botmm-record-binance-")), "rec");
    let err = "";
    const stops: (() => void)[] = [];
    const io = {
      env: {},
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      stderr: {
        write: (text: string) => {
          err += text;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      onSignal: (_signal: NodeJS.Signals, handler: () => void) => {
        stops.push(handler);
        return () => {};
      },
    };
    const recording = runRecordCli(
      [
        "--venue",
        "binance",
        "--api-url",
        emulator.url,
        "--coins",
        "BTC",
        "--out",
        out,
        "--status-interval",
        "100ms",
      ],
      io,
    );
    const counts = () => {
      const status = [...err.matchAll(/recording BTC: (\d+) books, (\d+) trades, (\d+) gaps/g)].at(-1);
      return status === undefined
        ? { books: 0, trades: 0, gaps: 0 }
        : { books: Number(status[1]), trades: Number(status[2]), gaps: Number(status[3]) };
    };
    await until(() => counts().books >= 40 && counts().trades >= 20, 60_000, `books and trades (${err})`);
    // The market socket drops: the adapter reconnects and the recorder writes the outage as a gap.
    const before = counts().books;
    expect(emulator.injectWsFault({ kind: "drop", target: "market" })).toBeGreaterThan(0);
    await until(
      () => counts().gaps === 1 && counts().books >= before + 20,
      60_000,
      `a gap, then books (${err})`,
    );
    for (const stop of stops) stop(); // as Ctrl-C would
    expect(await recording).toBe(0);
    await stopActivity();
    expect(err).toContain(`recording BTC (BTCUSDT) from Binance USDⓈ-M ${emulator.url} into ${out}`);
    expect(err).toMatch(/botmm record: \d+ books, \d+ trades, 1 gaps in 1 files/);

    // The recording is under the backtest's coin name, and its header names the venue.
    expect(readdirSync(out)).toEqual(["BTC"]);
    const day = readdirSync(join(out, "BTC"))[0]!;
    const file = join(out, "BTC", day, readdirSync(join(out, "BTC", day))[0]!);
    const header = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8").split("\n")[0]!);
    expect(header).toMatchObject({ format: "botmm-md", coin: "BTC", venue: "binance-usdm" });
    const events = readRecordedEvents(out, "BTC");
    expect(events.filter((event) => event.type === "gap")).toHaveLength(1);
    const books = events.filter((event) => event.type === "book");
    const trades = events.flatMap((event) => (event.type === "trades" ? event.trades : []));
    expect(books.length).toBeGreaterThan(0);
    expect(trades.length).toBeGreaterThan(0);
    expect(books[0]!.bids[0]![0]).toBeLessThan(books[0]!.asks[0]![0]);
    expect(new Set(trades.map((trade) => trade.side))).toEqual(new Set(["A", "B"]));

    // The backtest's --symbol BTCUSDT maps to the recording's BTC; the venue's fees and tick apply.
    const cli = resolve(import.meta.dirname, "../../../backtest/src/cli.ts");
    const { stdout } = await run(
      process.execPath,
      [
        "--conditions=@botmm/source",
        cli,
        "--replay",
        out,
        "--symbol",
        "BTCUSDT",
        "--no-progress",
        "--volatility-warmup-bars",
        "2",
        "--base-spread-bps",
        "1",
      ],
      { cwd: resolve(import.meta.dirname, "../../../backtest") },
    );
    const source =
      /source\s+recording:\S+ \(venue binance-usdm\): ([\d,]+) books, ([\d,]+) trades, 1 gaps/.exec(stdout);
    expect(source, stdout).not.toBeNull();
    expect(Number(source![1]!.replaceAll(",", ""))).toBe(books.length);
    expect(Number(source![2]!.replaceAll(",", ""))).toBe(trades.length);
    expect(stdout).toMatch(/fees\s+maker 0\.0200% \(a cost\), taker 0\.0500%/);
    expect(stdout).toContain("Binance USDⓈ-M futures VIP 0");
    expect(stdout).toContain("quotes on the book's own tick 0.1");
  });

  it("names Binance coins as the backtest does", () => {
    expect(binanceRecordCoin("BTC")).toEqual({ coin: "BTC", symbol: "BTCUSDT" });
    expect(binanceRecordCoin("ethusdt")).toEqual({ coin: "ETH", symbol: "ETHUSDT" });
    expect(binanceRecordCoin("kPEPE")).toEqual({ coin: "kPEPE", symbol: "1000PEPEUSDT" });
    expect(binanceRecordCoin("1000PEPEUSDT")).toEqual({ coin: "kPEPE", symbol: "1000PEPEUSDT" });
    expect(binanceRecordCoin("USDT")).toMatch(/names no coin/);
  });

  it.each([
    [["--venue", "kraken"], /--venue: expected one of hyperliquid, binance, got "kraken"/],
    [["--venue", "binance", "--sim"], /--sim: Binance USDⓈ-M has no in-process market/],
    [["--testnet", "--api-url", "http://127.0.0.1:1"], /--testnet and --api-url each say where/],
    [["--ws-url", "ws://127.0.0.1:1/ws"], /--ws-url goes with --api-url/],
    [["--api-url", "ftp://127.0.0.1"], /--api-url: expected a http or https URL/],
  ])("%j → a usage error naming the flag", async (args, message) => {
    let err = "";
    const io = {
      env: {},
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      stderr: {
        write: (text: string) => {
          err += text;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
    };
    expect(await runRecordCli(["--out", "x", ...args], io)).toBe(2);
    expect(err).toMatch(message);
  });

  it("says when the venue lists no such perp, and exits 1", async () => {
    const emulator = await startBinanceEmulator({ clock: systemClock(), accounts: [TAKER] });
    cleanups.push(() => emulator.close());
    let err = "";
    const io = {
      env: {},
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      stderr: {
        write: (text: string) => {
          err += text;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
    };
    const out = join(mkdtempSync(join(tmpdir(), "botmm-record-binance-")), "rec");
    expect(
      await runRecordCli(
        ["--venue", "binance", "--api-url", emulator.url, "--coins", "DOGE", "--out", out],
        io,
      ),
    ).toBe(1);
    expect(err).toContain(`cannot connect to ${emulator.url}: ${emulator.url} lists no USDⓈ-M perp DOGEUSDT`);
  });
});
