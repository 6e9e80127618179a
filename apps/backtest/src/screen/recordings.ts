// `--recordings PATH`: the real quoted spread of each screened coin that the recordings hold.
import { readdir } from "node:fs/promises";
import { QuotedSpreadAccumulator, type QuotedSpreadSummary } from "@botmm/backtest";
import { BookCheck } from "../recordings/book-check.ts";
import { detectReplaySource, openReplayInput } from "../recordings/source.ts";

/**
 * The quoted-spread summary of every screened coin found in the recordings at `path` (any layout `--replay`
 * reads). Multi-coin directories are opened once per coin they hold; single files once, their books routed by
 * coin. Crossed or locked books are skipped, as the replay's `skip` policy does.
 */
export async function quotedSpreads(
  path: string,
  coins: readonly string[],
  roundTripFeeBps: number,
): Promise<Map<string, QuotedSpreadSummary>> {
  const { format, paths } = await detectReplaySource(path);
  const wanted = new Set(coins);
  const stats = new Map<string, QuotedSpreadAccumulator>();
  const consume = async (events: AsyncIterable<import("@botmm/backtest").MarketEvent>) => {
    for await (const event of events) {
      if (event.type !== "book" || !wanted.has(event.coin)) continue;
      const bid = event.bids[0];
      const ask = event.asks[0];
      if (bid === undefined || ask === undefined) continue;
      let accumulator = stats.get(event.coin);
      if (accumulator === undefined) {
        accumulator = new QuotedSpreadAccumulator(roundTripFeeBps);
        stats.set(event.coin, accumulator);
      }
      accumulator.add({ timeMs: event.t, bidPx: bid[0], bidSz: bid[1], askPx: ask[0], askSz: ask[1] });
    }
  };
  if (format === "hyperliquid-csv" || format === "recording") {
    const entries = await readdir(paths[0]!, { withFileTypes: true });
    const held =
      format === "hyperliquid-csv"
        ? entries.flatMap((entry) => /^orderbooks_(.+?)\.csv(\.gz)?$/.exec(entry.name)?.[1] ?? [])
        : entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    for (const coin of held.filter((name) => wanted.has(name))) {
      const input = await openReplayInput(paths[0]!, { coin, format, check: new BookCheck("skip") });
      await consume(input.events);
    }
  } else {
    const input = await openReplayInput(path, {
      coin: coins[0] ?? "",
      coinOf: (symbol) => symbol.replace(/USDT?$/, ""),
      format,
      check: new BookCheck("skip"),
    });
    await consume(input.events);
  }
  const out = new Map<string, QuotedSpreadSummary>();
  for (const [coin, accumulator] of stats) {
    const summary = accumulator.summary();
    if (summary !== null) out.set(coin, summary);
  }
  return out;
}
