import { describe, expect, it } from "vitest";
import { binanceSpecInstrument, DEFAULT_BINANCE_SYMBOLS } from "./emulator.ts";
import { MatchingEngine } from "./engine.ts";
import { type StreamEventSink, StreamEvents, type UserStreamEvent } from "./stream-events.ts";

const btc = binanceSpecInstrument(DEFAULT_BINANCE_SYMBOLS[0]!, 0);
const order = { symbol: "BTCUSDT", quantity: "0.002", reduceOnly: false } as const;

function setup(listed: string[]) {
  const engine = new MatchingEngine([{ instrument: btc, midPrice: 60_000 }], {
    houseLevels: 3,
    houseSize: 1,
  });
  const events = new StreamEvents(engine, listed, { makerFeeRate: 0.0002, takerFeeRate: 0.0005 });
  const market: { channel: string; event: Record<string, unknown> }[] = [];
  const user: { account: string; event: UserStreamEvent }[] = [];
  const sink: StreamEventSink = {
    market: (_symbol, channel, event) => market.push({ channel, event: event as Record<string, unknown> }),
    user: (account, event) => user.push({ account, event }),
  };
  events.flush(0, sink);
  const executions = (account: string) =>
    user.flatMap(({ account: a, event }) =>
      a === account && event.e === "ORDER_TRADE_UPDATE" ? [`${event.o.x}/${event.o.X}`] : [],
    );
  return { engine, events, market, user, executions };
}

describe("StreamEvents (driven by the engine's events, no polling)", () => {
  it("prints the public trade of a taker that is not a listed account (polling saw only listed takers)", () => {
    const { engine, market } = setup(["maker"]);
    engine.place(
      "maker",
      { ...order, side: "SELL", timeInForce: "GTX", price: "60000.0", clientOrderId: "m" },
      1,
    );
    engine.place(
      "stranger",
      { ...order, side: "BUY", timeInForce: "IOC", price: "60000.0", clientOrderId: "t" },
      2,
    );
    const trades = market.filter((m) => m.channel === "trade").map((m) => m.event);
    expect(trades).toEqual([expect.objectContaining({ p: "60000", q: "0.002", m: false, T: 2 })]);
    expect(market.filter((m) => m.channel === "aggTrade")).toHaveLength(1);
  });

  it("reports an order placed and fully filled by one engine call, with no flush between (polling missed it)", () => {
    const { engine, events, executions, market } = setup(["acct"]);
    const depthBefore = events.lastUpdateId("BTCUSDT");
    // Takes the 60,000.1 house ask whole: filled the moment it arrives, never seen open by a poll.
    engine.place(
      "acct",
      { ...order, side: "BUY", timeInForce: "GTC", price: "60000.1", quantity: "1", clientOrderId: "x" },
      3,
    );
    expect(executions("acct")).toEqual(["NEW/NEW", "TRADE/FILLED"]);
    const trade = market.find((m) => m.channel === "trade")!.event;
    expect(events.accountTrades("acct", "BTCUSDT")).toEqual([
      expect.objectContaining({ qty: "1", maker: false, buyer: true, commission: String(60_000.1 * 0.0005) }),
    ]);
    expect(trade).toMatchObject({ q: "1", m: false });
    const depth = market.filter((m) => m.channel === "depth").map((m) => m.event);
    expect(depth).toEqual([
      expect.objectContaining({ pu: depthBefore, u: depthBefore + 1, a: [["60000.10", "0"]] }),
    ]);
    expect(events.lastUpdateId("BTCUSDT")).toBe(depthBefore + 1);
  });

  it("reports amendments, cancels, a partial maker fill and the position, in the engine's order", () => {
    const { engine, executions, user } = setup(["acct"]);
    engine.place(
      "acct",
      { ...order, side: "SELL", timeInForce: "GTX", price: "60000.0", quantity: "0.004", clientOrderId: "a" },
      1,
    );
    engine.modify("acct", { symbol: "BTCUSDT", origClientOrderId: "a" }, "60000.0", "0.006", 2);
    engine.sim.takeLiquidity("BTCUSDT", "buy", 0.002, 3, "60000.0");
    engine.cancel("acct", { symbol: "BTCUSDT", origClientOrderId: "a" }, 4);
    expect(executions("acct")).toEqual([
      "NEW/NEW",
      "AMENDMENT/NEW",
      "TRADE/PARTIALLY_FILLED",
      "CANCELED/CANCELED",
    ]);
    const position = user.find((u) => u.event.e === "ACCOUNT_UPDATE")!.event;
    expect(position).toMatchObject({
      a: { P: [expect.objectContaining({ s: "BTCUSDT", pa: "-0.002", ep: "60000" })] },
    });
  });

  it("queues what happens before the first flush and delivers it in order then", () => {
    const engine = new MatchingEngine([{ instrument: btc, midPrice: 60_000 }], {
      houseLevels: 3,
      houseSize: 1,
    });
    const events = new StreamEvents(engine, ["acct"], { makerFeeRate: 0.0002, takerFeeRate: 0.0005 });
    engine.place(
      "acct",
      { ...order, side: "BUY", timeInForce: "GTX", price: "59000.0", clientOrderId: "q" },
      1,
    );
    engine.cancel("acct", { symbol: "BTCUSDT", origClientOrderId: "q" }, 2);
    const seen: string[] = [];
    events.flush(3, {
      market: (_s, channel) => seen.push(channel),
      user: (_a, event) => seen.push(event.e === "ORDER_TRADE_UPDATE" ? String(event.o.x) : event.e),
    });
    expect(seen).toEqual(["NEW", "depth", "CANCELED", "depth"]);
  });
});
