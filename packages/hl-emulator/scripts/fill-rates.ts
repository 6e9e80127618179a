/**
 * Fill rate of a quote at a fixed distance from the mid, on the emulator's market and (with `--recording`) on a
 * real Hyperliquid capture, measured the same way: every second a bid and an ask are re-centred `d` bps around
 * the book mid, live 200 ms later until the next ones go live; a quote counts as filled (once per second and
 * side) when a taker prints at or through it. On the emulator it also places real post-only orders at those
 * prices (1 lot above $10) and counts their fills, which include the queue ahead of them and the fair-price
 * jumps that cross them. "default" is the strategy's default quote: 2 bps + 1.5 × σ of 1-minute returns (the
 * model's σ on the emulator, the measured σ on the recording). Not part of `pnpm test`; the numbers go into the
 * comment above HYPERLIQUID_MARKET_PROFILES in src/market.ts.
 *
 *   node --conditions=@botmm/source packages/hl-emulator/scripts/fill-rates.ts \
 *     --coins BTC,ETH,SOL --seeds 1,2 --hours 3 \
 *     --recording ../shared/data/hyperliquid_ws_20250904_4coins_35min
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gunzipSync } from "node:zlib";
import { coinSpec, type EngineEvent, MatchingEngine, TIER0_FEES } from "../src/engine.ts";
import { MarketDriver, marketProfile, minuteVolatility } from "../src/market.ts";
import type { Hex } from "../src/wire.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    coins: { type: "string", default: "BTC,ETH,SOL" },
    seeds: { type: "string", default: "1,2" },
    hours: { type: "string", default: "3" },
    distances: { type: "string", default: "2,3,5" },
    recording: { type: "string" },
  },
});
const coins = values.coins.split(",");
const seeds = values.seeds.split(",").map(Number);
const hours = Number(values.hours);
const distances = values.distances.split(",").map(Number);
const LIVE_AFTER_MS = 200;
const defaultHalfSpreadBps = (sigmaFraction: number): number => 2 + 1.5 * sigmaFraction * 10_000;

/** Counts, per distance, the seconds in which a print reached the bid or the ask. */
class PrintCounter {
  readonly counts: number[];
  #period = -1;
  #mid = 0;
  #hit: boolean[] = [];
  readonly halfSpreadsBps: number[];
  constructor(halfSpreadsBps: number[]) {
    this.halfSpreadsBps = halfSpreadsBps;
    this.counts = halfSpreadsBps.map(() => 0);
  }
  /** The quotes re-centred on `mid` go live now (they replace the previous ones). */
  recentre(period: number, mid: number): void {
    this.#period = period;
    this.#mid = mid;
    this.#hit = this.halfSpreadsBps.flatMap(() => [false, false]);
  }
  print(isBuy: boolean, px: number): void {
    if (this.#period < 0) return;
    this.halfSpreadsBps.forEach((d, i) => {
      const reached = isBuy ? px >= this.#mid * (1 + d / 10_000) : px <= this.#mid * (1 - d / 10_000);
      const slot = 2 * i + (isBuy ? 1 : 0);
      if (reached && !this.#hit[slot]) {
        this.#hit[slot] = true;
        this.counts[i] = (this.counts[i] ?? 0) + 1;
      }
    });
  }
}

interface EmulatedRun {
  prints: number[];
  orders: number[];
  minutes: number;
  volumeUsd: number;
  minuteSquares: number;
}

function emulated(coin: string, seed: number): EmulatedRun {
  const halfSpreads = [...distances, defaultHalfSpreadBps(minuteVolatility(marketProfile(coin)))];
  const engine = new MatchingEngine([coinSpec(coin)], {
    fees: TIER0_FEES,
    maxOpenOrders: 1000,
    scheduleCancelMinVolumeUsd: 0,
    scheduleCancelMaxTriggersPerDay: 10,
  });
  const user = "0x00000000000000000000000000000000000000aa" as Hex;
  engine.addAccount(user, 1e12);
  const state = engine.coins[0];
  if (!state) throw new Error(`no coin ${coin}`);
  const prints = new PrintCounter(halfSpreads);
  let volumeUsd = 0;
  let minuteSquares = 0;
  const orderFills = halfSpreads.map(() => 0);
  const sideOf = new Map<number, number>(); // oid → slot (2 × distance index + side)
  let filledThisPeriod = new Set<number>();
  engine.onEvent((event: EngineEvent) => {
    if (event.type === "trades") {
      for (const trade of event.trades) {
        if (trade.users[0] === user || trade.users[1] === user) continue;
        volumeUsd += Number(trade.px) * Number(trade.sz);
        prints.print(trade.side === "B", Number(trade.px));
      }
    } else if (event.type === "fills" && event.user === user) {
      for (const fill of event.fills) {
        const slot = sideOf.get(fill.oid);
        if (slot === undefined || filledThisPeriod.has(slot)) continue;
        filledThisPeriod.add(slot);
        const i = Math.floor(slot / 2);
        orderFills[i] = (orderFills[i] ?? 0) + 1;
      }
    }
  });
  const t0 = 1_700_000_000_000;
  const driver = new MarketDriver(engine, { seed, stepMs: 100, startMs: t0 });
  const seconds = hours * 3_600;
  let mid = engine.midPx(state);
  let minuteMid = mid;
  const lotUsd = engine.sz(state, 1) * state.fairPx;
  const szInt = Math.max(1, Math.ceil(11 / lotUsd));
  for (let s = 0; s < seconds; s++) {
    const t = t0 + s * 1_000;
    driver.runUntil(t + LIVE_AFTER_MS);
    for (const order of [...(engine.accounts.get(user)?.openOrders ?? [])]) {
      engine.cancel(user, 0, order.oid, t + LIVE_AFTER_MS);
    }
    sideOf.clear();
    filledThisPeriod = new Set();
    prints.recentre(s, mid);
    halfSpreads.forEach((d, i) => {
      for (const isBuy of [true, false]) {
        const raw = mid * (isBuy ? 1 - d / 10_000 : 1 + d / 10_000);
        const tick = engine.tickUnits(state, raw);
        const scale = 10 ** state.pxDecimals;
        const pxInt = (isBuy ? Math.floor((raw * scale) / tick) : Math.ceil((raw * scale) / tick)) * tick;
        const status = engine.placeOrder(
          user,
          {
            a: 0,
            b: isBuy,
            p: engine.pxWire(state, pxInt),
            s: engine.szWire(state, szInt),
            r: false,
            t: { limit: { tif: "Alo" } },
          },
          t + LIVE_AFTER_MS,
        );
        if ("resting" in status) sideOf.set(status.resting.oid, 2 * i + (isBuy ? 0 : 1));
      }
    });
    driver.runUntil(t + 1_000);
    const next = engine.midPx(state);
    if (s % 60 === 0) {
      if (s > 0) minuteSquares += Math.log(next / minuteMid) ** 2;
      minuteMid = next;
    }
    mid = next;
  }
  return { prints: prints.counts, orders: orderFills, minutes: seconds / 60, volumeUsd, minuteSquares };
}

function csvRows(path: string): string[][] {
  const text = gunzipSync(readFileSync(path)).toString("utf8");
  return text
    .split("\n")
    .slice(1)
    .filter((line) => line.length > 0)
    .map((line) => line.split(","));
}

function recorded(dir: string, coin: string): { prints: number[]; minutes: number; halfSpreadBps: number } {
  // Books: exchange_timestamp (ms) and the mid of level 0.
  const books = csvRows(join(dir, `orderbooks_${coin}.csv.gz`)).map((row) => ({
    t: Number(row[2]),
    mid: (Number(row[3]) + Number(row[5])) / 2,
  }));
  books.sort((a, b) => a.t - b.t);
  const first = books[0]?.t ?? 0;
  const last = books.at(-1)?.t ?? 0;
  const seen = new Set<string>();
  const trades = csvRows(join(dir, `trades_${coin}.csv.gz`))
    .map((row) => ({ px: Number(row[1]), isBuy: row[3] === "buy", id: row[4], t: Number(row[5]) }))
    .filter((trade) => {
      const key = `${trade.id}@${trade.t}`;
      if (seen.has(key) || trade.t < first) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.t - b.t);
  const midAt = (t: number): number | null => {
    let lo = 0;
    let hi = books.length - 1;
    while (lo < hi) {
      const m = Math.ceil((lo + hi) / 2);
      if ((books[m]?.t ?? 0) <= t) lo = m;
      else hi = m - 1;
    }
    const book = books[lo];
    // No book for 2 s (the capture's gap): no quote.
    return book && book.t <= t && t - book.t <= 2_000 ? book.mid : null;
  };
  const minuteReturns: number[] = [];
  for (let t = first + 60_000; t <= last; t += 60_000) {
    const a = midAt(t - 60_000);
    const b = midAt(t);
    if (a && b) minuteReturns.push(Math.log(b / a));
  }
  const sigma = Math.sqrt(minuteReturns.reduce((sum, r) => sum + r * r, 0) / minuteReturns.length);
  const halfSpreadBps = defaultHalfSpreadBps(sigma);
  const counter = new PrintCounter([...distances, halfSpreadBps]);
  let k = 0;
  let live = 0;
  for (let s = Math.ceil(first / 1_000) * 1_000; s + 1_000 <= last; s += 1_000) {
    const mid = midAt(s);
    const from = s + LIVE_AFTER_MS;
    while (k < trades.length && (trades[k]?.t ?? 0) < from) k++;
    if (mid === null) continue;
    live++;
    counter.recentre(s, mid);
    while (k < trades.length && (trades[k]?.t ?? 0) < from + 1_000) {
      const trade = trades[k];
      if (trade) counter.print(trade.isBuy, trade.px);
      k++;
    }
  }
  return { prints: counter.counts, minutes: live / 60, halfSpreadBps };
}

const fmt = (x: number): string => x.toFixed(x < 0.1 ? 3 : 2);
const header = [...distances.map((d) => `${d} bps`), "default"].join(" | ");
console.log(`fills per minute, both sides: ${header}`);
for (const coin of coins) {
  if (values.recording) {
    const real = recorded(values.recording, coin);
    console.log(
      `${coin} recording (${real.minutes.toFixed(0)} min, default ${real.halfSpreadBps.toFixed(1)} bps), prints: ` +
        real.prints.map((n) => fmt(n / real.minutes)).join(" | "),
    );
  }
  const prints = [...distances, 0].map(() => 0);
  const orders = [...distances, 0].map(() => 0);
  let minutes = 0;
  let volumeUsd = 0;
  let minuteSquares = 0;
  for (const seed of seeds) {
    const run = emulated(coin, seed);
    volumeUsd += run.volumeUsd;
    minuteSquares += run.minuteSquares;
    run.prints.forEach((n, i) => {
      prints[i] = (prints[i] ?? 0) + n;
    });
    run.orders.forEach((n, i) => {
      orders[i] = (orders[i] ?? 0) + n;
    });
    minutes += run.minutes;
  }
  const d = defaultHalfSpreadBps(minuteVolatility(marketProfile(coin)));
  const label = `${coin} emulator (seeds ${seeds.join(",")}, ${minutes / 60} h, default ${d.toFixed(1)} bps)`;
  console.log(`${label}, prints: ${prints.map((n) => fmt(n / minutes)).join(" | ")}`);
  console.log(`${label}, orders: ${orders.map((n) => fmt(n / minutes)).join(" | ")}`);
  const sigmaBps = Math.sqrt(minuteSquares / (minutes - seeds.length)) * 10_000;
  console.log(
    `${label}: σ(1m) ${sigmaBps.toFixed(1)} bps (model ${(minuteVolatility(marketProfile(coin)) * 10_000).toFixed(1)}), ` +
      `volume $${(volumeUsd / minutes / 1e6).toFixed(2)} M a minute`,
  );
}
