// A seeded synthetic Binance USDⓈ-M BTCUSDT capture in hftbacktest's collector format, for benchmarks only:
// `<local ns> <message>` lines of `btcusdt@depth@0ms` diffs, `btcusdt@trade` and `btcusdt@bookTicker`, after a
// 1,000-level REST snapshot. Rates per second of market time (defaults): 20 depth diffs of ~8 level changes
// (most within a few ticks of the top, some deep), 15 trades, 40 book tickers — about the size of a real
// BTCUSDT day (≈ 6.5M lines, ≈ 15M level changes + trades). The book stays uncrossed and in sequence.
import { createWriteStream } from "node:fs";
import { createGzip } from "node:zlib";

export interface CaptureStats {
  lines: number;
  diffs: number;
  levelChanges: number;
  trades: number;
  tickers: number;
}

export interface CaptureOptions {
  path: string;
  hours: number;
  seed?: number;
  startMs?: number;
  diffsPerSecond?: number;
  tradesPerSecond?: number;
  tickersPerSecond?: number;
  levelsPerDiff?: number;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TICK = 0.1;
const price = (ticks: number) => (ticks * TICK).toFixed(1);

/** Writes the capture (gzip, level 1) and returns what it holds. */
export async function writeBinanceCapture(options: CaptureOptions): Promise<CaptureStats> {
  const rand = random(options.seed ?? 7);
  const startMs = options.startMs ?? Date.UTC(2024, 7, 8);
  const endMs = startMs + options.hours * 3_600_000;
  const diffsPerSecond = options.diffsPerSecond ?? 20;
  const tradesPerSecond = options.tradesPerSecond ?? 15;
  const tickersPerSecond = options.tickersPerSecond ?? 40;
  const levelsPerDiff = options.levelsPerDiff ?? 8;
  const gzip = createGzip({ level: 1 });
  const out = createWriteStream(options.path);
  gzip.pipe(out);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  const stats: CaptureStats = { lines: 0, diffs: 0, levelChanges: 0, trades: 0, tickers: 0 };
  let buffer = "";
  const write = async (line: string) => {
    buffer += `${line}\n`;
    stats.lines++;
    if (buffer.length > 1 << 20) {
      if (!gzip.write(buffer)) await new Promise((resolve) => gzip.once("drain", resolve));
      buffer = "";
    }
  };
  const ns = (ms: number) => `${Math.floor(ms)}${String(Math.floor((ms % 1) * 1e6)).padStart(6, "0")}`;

  // Sizes by tick; bids at ticks ≤ mid, asks at ticks > mid.
  let mid = 600_000; // 60,000.0
  const bids = new Map<number, string>();
  const asks = new Map<number, string>();
  const size = () => (rand() < 0.3 ? (rand() * 0.05).toFixed(3) : (0.001 + rand() * rand() * 12).toFixed(3));
  for (let i = 0; i < 1000; i++) {
    bids.set(mid - i - Math.floor(i * 0.5), size());
    asks.set(mid + 1 + i + Math.floor(i * 0.5), size());
  }
  let updateId = 5_000_000_000;
  let tradeId = 4_000_000_000;
  const snapshotBids = [...bids].sort((a, b) => b[0] - a[0]).map(([tick, sz]) => [price(tick), sz]);
  const snapshotAsks = [...asks].sort((a, b) => a[0] - b[0]).map(([tick, sz]) => [price(tick), sz]);
  await write(
    `${ns(startMs)} ${JSON.stringify({ lastUpdateId: updateId, E: startMs, T: startMs - 1, bids: snapshotBids, asks: snapshotAsks })}`,
  );
  let previousU = updateId - 3;
  const best = (side: Map<number, string>, from: number, step: number) => {
    for (let tick = from; ; tick += step) if (side.has(tick)) return tick;
  };

  let lastLt = startMs;
  const perSecond = [diffsPerSecond, tradesPerSecond, tickersPerSecond];
  const next = [0, 0, 0].map((_, kind) => startMs + (-Math.log(1 - rand()) * 1000) / perSecond[kind]!);
  for (;;) {
    let kind = 0;
    for (let k = 1; k < 3; k++) if (next[k]! < next[kind]!) kind = k;
    const at = next[kind]!;
    if (at >= endMs) break;
    next[kind] = at + (-Math.log(1 - rand()) * 1000) / perSecond[kind]!;
    // Local receive times never go back, as a collector's clock does not.
    const lt = Math.max(lastLt, at + 1 + rand() * 3);
    lastLt = lt;
    if (kind === 0) {
      const b: string[][] = [];
      const a: string[][] = [];
      // The top moves now and then: the level given up is removed and the other side takes it.
      if (rand() < 0.15) {
        if (rand() < 0.5) {
          if (asks.has(mid + 1)) {
            asks.delete(mid + 1);
            a.push([price(mid + 1), "0"]);
          }
          mid++;
        } else {
          if (bids.has(mid)) {
            bids.delete(mid);
            b.push([price(mid), "0"]);
          }
          mid--;
        }
      }
      const changes = 1 + Math.floor(-Math.log(1 - rand()) * (levelsPerDiff - 1));
      for (let c = 0; c < changes; c++) {
        const isBid = rand() < 0.5;
        const deep = rand() < 0.1;
        const distance = deep ? Math.floor(rand() * 1500) : Math.floor(-Math.log(1 - rand()) * 6);
        const tick = isBid ? mid - distance : mid + 1 + distance;
        const side = isBid ? bids : asks;
        const remove = side.has(tick) && rand() < 0.3;
        const sz = remove ? "0" : size();
        if (remove) side.delete(tick);
        else side.set(tick, sz);
        (isBid ? b : a).push([price(tick), sz]);
      }
      // The first diff brackets the snapshot's lastUpdateId, as the venue's sync rule wants.
      const first = stats.diffs === 0 ? updateId - 2 : updateId + 1;
      updateId += 1 + Math.floor(rand() * 20);
      stats.diffs++;
      stats.levelChanges += b.length + a.length;
      const E = Math.floor(at);
      await write(
        `${ns(lt)} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":${E},"T":${E - 1},"s":"BTCUSDT","U":${first},"u":${updateId},"pu":${previousU},"b":${JSON.stringify(b)},"a":${JSON.stringify(a)}}}`,
      );
      previousU = updateId;
    } else if (kind === 1) {
      const sell = rand() < 0.5;
      const tick = sell ? best(bids, mid, -1) : best(asks, mid + 1, 1);
      const E = Math.floor(at);
      stats.trades++;
      await write(
        `${ns(lt)} {"stream":"btcusdt@trade","data":{"e":"trade","E":${E},"T":${E - 1},"s":"BTCUSDT","t":${tradeId++},"p":"${price(tick)}","q":"${(0.001 + rand() * rand() * 0.5).toFixed(3)}","X":"MARKET","m":${sell}}}`,
      );
    } else {
      const bb = best(bids, mid, -1);
      const ba = best(asks, mid + 1, 1);
      stats.tickers++;
      await write(
        `${ns(lt)} {"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":${updateId},"s":"BTCUSDT","b":"${price(bb)}","B":"${bids.get(bb)}","a":"${price(ba)}","A":"${asks.get(ba)}","T":${Math.floor(at) - 1},"E":${Math.floor(at)}}}`,
      );
    }
  }
  gzip.end(buffer);
  await done;
  return stats;
}
