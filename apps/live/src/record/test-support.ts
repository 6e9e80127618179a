// Tests only: reads back what a RecordingWriter wrote, through the library's reading rules (the backtest app
// owns the streaming file readers; these tests need the events, not the streaming).
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { type MarketEvent, RecordingFileDecoder, recordingFileStartMs } from "@botmm/backtest";
import { expect } from "vitest";
import { runRecordCli } from "./record-cli.ts";

/** Every event of `coin` under a recording root, in file order. */
export function readRecordedEvents(rootDir: string, coin: string): MarketEvent[] {
  const events: MarketEvent[] = [];
  const coinDir = join(rootDir, coin);
  for (const day of readdirSync(coinDir).sort()) {
    for (const name of readdirSync(join(coinDir, day)).sort()) {
      if (recordingFileStartMs(day, name) === null) continue;
      const file = join(coinDir, day, name);
      const decoder = new RecordingFileDecoder(file);
      const lines = gunzipSync(readFileSync(file)).toString("utf8").split("\n");
      lines.forEach((text, i) => {
        if (text.length === 0) return;
        const event = decoder.decode(text, i + 1);
        if (event !== null) events.push(event);
      });
    }
  }
  return events;
}

/** A `LiveIo` for `runRecordCli` that keeps stderr and lets a test stop the recording as Ctrl-C would. */
export function capturingIo(): {
  io: {
    env: Record<string, string>;
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    onSignal: (signal: NodeJS.Signals, handler: () => void) => () => void;
  };
  err: () => string;
  interrupt: () => void;
} {
  let err = "";
  const handlers: (() => void)[] = [];
  return {
    io: {
      env: {},
      stdout: { write: () => true } as unknown as NodeJS.WritableStream,
      stderr: {
        write: (text: string) => {
          err += text;
          return true;
        },
      } as unknown as NodeJS.WritableStream,
      onSignal: (_signal, handler) => {
        handlers.push(handler);
        return () => {};
      },
    },
    err: () => err,
    interrupt: () => {
      for (const handler of handlers) handler();
    },
  };
}

async function until(predicate: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** A ccxt venue's emulator with market activity running, as {@link recordDropAndReplay} records it. */
export interface CcxtRecordCase {
  /** The `--venue` value. */
  venue: "binance" | "bybit";
  /** The emulator's REST root (`--api-url`). */
  apiUrl: string;
  /** How `record` names the venue in its start line (`Binance USDⓈ-M`). */
  label: string;
  /** The adapter's name, written in the recording's header (`binance-usdm`). */
  headerVenue: string;
  /** Drops the emulator's market-data sockets; answers how many. */
  dropMarketSockets: () => number;
  /** What the replay report says of the venue's base fees and tick. */
  replayFees: RegExp;
  replayTierName: string;
  replayTick: string;
  /** Stops the market activity the recording needed, once it is written (the replay runs without it). */
  stopActivity: () => Promise<void>;
}

/**
 * Someone trades: `sendOrder(n)` (a signed IOC order of a listed account, alternately lifting the ask and
 * hitting the bid) every 25 ms until the returned stop is called. A failed order ends the activity, and the stop
 * rethrows it, so a test sees it where it awaits the stop and never as an unhandled rejection.
 */
export function takerActivity(sendOrder: (n: number, buy: boolean) => Promise<void>): () => Promise<void> {
  let stopped = false;
  let failure: unknown = null;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      try {
        await sendOrder(n, n % 2 === 0);
      } catch (error) {
        failure = error;
        return;
      }
      await new Promise((done) => setTimeout(done, 25));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    if (failure !== null) throw failure;
  };
}

/**
 * Records BTC from a ccxt venue's emulator through a dropped market socket (written as one gap), checks the
 * recording, then replays it with the backtest CLI (`--symbol BTCUSDT`) and checks the replay read every event
 * and took the venue's fees and tick.
 */
export async function recordDropAndReplay(c: CcxtRecordCase): Promise<void> {
  const out = join(mkdtempSync(join(tmpdir(), `botmm-record-${c.venue}-`)), "rec");
  const { io, err, interrupt } = capturingIo();
  const recording = runRecordCli(
    ["--venue", c.venue, "--api-url", c.apiUrl, "--coins", "BTC", "--out", out, "--status-interval", "100ms"],
    io,
  );
  const counts = () => {
    const status = [...err().matchAll(/recording BTC: (\d+) books, (\d+) trades, (\d+) gaps/g)].at(-1);
    return status === undefined
      ? { books: 0, trades: 0, gaps: 0 }
      : { books: Number(status[1]), trades: Number(status[2]), gaps: Number(status[3]) };
  };
  await until(
    () => counts().books >= 40 && counts().trades >= 20,
    60_000,
    () => `books and trades (${err()})`,
  );
  // The market socket drops: the adapter reconnects and the recorder writes the outage as a gap.
  const before = counts().books;
  expect(c.dropMarketSockets()).toBeGreaterThan(0);
  await until(
    () => counts().gaps === 1 && counts().books >= before + 20,
    60_000,
    () => `a gap, then books (${err()})`,
  );
  interrupt();
  expect(await recording).toBe(0);
  await c.stopActivity();
  expect(err()).toContain(`recording BTC (BTCUSDT) from ${c.label} ${c.apiUrl} into ${out}`);
  expect(err()).toMatch(/botmm record: \d+ books, \d+ trades, 1 gaps in 1 files/);

  // The recording is under the backtest's coin name, and its header names the venue.
  expect(readdirSync(out)).toEqual(["BTC"]);
  const day = readdirSync(join(out, "BTC"))[0]!;
  const file = join(out, "BTC", day, readdirSync(join(out, "BTC", day))[0]!);
  const header = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8").split("\n")[0]!);
  expect(header).toMatchObject({ format: "botmm-md", coin: "BTC", venue: c.headerVenue });
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
  const { stdout } = await promisify(execFile)(
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
  const source = new RegExp(
    `source\\s+recording:\\S+ \\(venue ${c.headerVenue}\\): ([\\d,]+) books, ([\\d,]+) trades, 1 gaps`,
  ).exec(stdout);
  expect(source, stdout).not.toBeNull();
  expect(Number(source![1]!.replaceAll(",", ""))).toBe(books.length);
  expect(Number(source![2]!.replaceAll(",", ""))).toBe(trades.length);
  expect(stdout).toMatch(c.replayFees);
  expect(stdout).toContain(c.replayTierName);
  expect(stdout).toContain(`quotes on the book's own tick ${c.replayTick}`);
}
