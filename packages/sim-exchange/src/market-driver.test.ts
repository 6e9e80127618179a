import { type Instrument, instrumentSchema } from "@botmm/core";
import { describe, expect, it } from "vitest";
import { SimExchange, type SimOrder } from "./exchange.ts";
import { SimMarketDriver, type SimMarketDriverOptions } from "./market-driver.ts";

const btc = instrumentSchema.parse({
  venue: "test",
  coin: "BTCUSDT",
  assetId: 0,
  priceRule: { type: "tick", tickSize: "0.10" },
  sizeRule: { type: "step", stepSize: "0.001" },
  minNotionalUsd: 5,
  maxLeverage: 20,
}) as Instrument;
const options: SimMarketDriverOptions = {
  symbol: "BTCUSDT",
  seed: 7,
  startMid: 60_000,
  startMs: 0,
  sigmaPerMinute: 0.002,
  takersPerMinute: 30,
  takerMedianQty: 0.01,
  takerSizeSigma: 1,
  houseLevels: 3,
  houseSize: 1,
};
const market = (overrides: Partial<SimMarketDriverOptions> = {}) => {
  const sim = new SimExchange([{ instrument: btc, midPrice: 60_000 }], { houseLevels: 3, houseSize: 1 });
  return { sim, driver: new SimMarketDriver(sim, { ...options, ...overrides }) };
};
const trades = (sim: SimExchange) => {
  const seen: number[] = [];
  sim.onMarketEvent((e) => {
    if (e.type === "trade") seen.push(e.price, e.quantity);
  });
  return seen;
};

describe("SimMarketDriver", () => {
  it("is deterministic for a seed: same mids, same trades; another seed differs", () => {
    const run = (seed: number) => {
      const { sim, driver } = market({ seed });
      const seen = trades(sim);
      const mids: number[] = [];
      for (let t = 10_000; t <= 300_000; t += 10_000) mids.push(driver.advanceTo(t) && driver.mid);
      return { mids, seen };
    };
    expect(run(7)).toEqual(run(7));
    expect(run(8).mids).not.toEqual(run(7).mids);
  });

  it("steps on its grid only, whatever the advance times", () => {
    const a = market();
    const b = market();
    for (let t = 333; t <= 120_000; t += 333) a.driver.advanceTo(t);
    a.driver.advanceTo(120_000);
    expect(b.driver.advanceTo(120_000).steps).toBe(120);
    expect(a.driver.time).toBe(120_000);
    expect(a.driver.mid).toBe(b.driver.mid);
    expect(a.driver.advanceTo(120_999).steps).toBe(0);
  });

  it("walks the mid with about the σ asked for and re-lays the house around it", () => {
    const { sim, driver } = market({ sigmaPerMinute: 0.001, takersPerMinute: 0 });
    const returns: number[] = [];
    let last = driver.mid;
    for (let minute = 1; minute <= 2_000; minute++) {
      driver.advanceTo(minute * 60_000);
      returns.push(Math.log(driver.mid / last));
      last = driver.mid;
    }
    const sd = Math.sqrt(returns.reduce((s, r) => s + r * r, 0) / returns.length);
    expect(sd).toBeGreaterThan(0.0009);
    expect(sd).toBeLessThan(0.0011);
    const { bid, ask } = sim.top("BTCUSDT");
    expect(Number(ask?.price) - Number(bid?.price)).toBeCloseTo(0.2, 6);
    expect(Math.abs((Number(ask?.price) + Number(bid?.price)) / 2 - driver.mid)).toBeLessThanOrEqual(
      0.05 + 1e-9,
    );
  });

  it("re-lays one symbol's house liquidity while another symbol's rests with the same levels", () => {
    const eth = instrumentSchema.parse({ ...btc, coin: "ETHUSDT", assetId: 1 }) as Instrument;
    const sim = new SimExchange(
      [
        { instrument: btc, midPrice: 60_000 },
        { instrument: eth, midPrice: 3_000 },
      ],
      { houseLevels: 3, houseSize: 1 },
    );
    const driver = new SimMarketDriver(sim, { ...options, takersPerMinute: 0 });
    for (let minute = 1; minute <= 3; minute++) driver.advanceTo(minute * 60_000);
    for (const symbol of ["BTCUSDT", "ETHUSDT"]) {
      const { bid, ask } = sim.top(symbol);
      expect(bid, symbol).toBeDefined();
      expect(ask, symbol).toBeDefined();
    }
    expect(Math.abs(Number(sim.top("BTCUSDT").bid?.price) - driver.mid)).toBeLessThan(1);
  });

  it("sends Poisson takers at about the rate asked for, with lot-valid log-normal sizes", () => {
    const { sim, driver } = market({ sigmaPerMinute: 0, takersPerMinute: 30 });
    const seen = trades(sim);
    const takers = driver.advanceTo(60 * 60_000).takers;
    expect(takers).toBeGreaterThan(1_600); // 1,800 expected in an hour; ±5σ ≈ ±212
    expect(takers).toBeLessThan(2_000);
    const quantities = seen.filter((_, i) => i % 2 === 1);
    expect(quantities.length).toBeGreaterThanOrEqual(takers);
    for (const q of quantities) expect(Math.abs(Math.round(q * 1000) - q * 1000)).toBeLessThan(1e-6);
  });

  it("fills an account's resting quote when the mid moves through it, and when a taker reaches it", () => {
    const { sim, driver } = market({ seed: 3, sigmaPerMinute: 0.01, takersPerMinute: 0 });
    const bid = sim.place(
      "acct",
      {
        symbol: "BTCUSDT",
        side: "buy",
        timeInForce: "alo",
        price: "59990.00",
        quantity: "0.002",
        clientId: "b",
        reduceOnly: false,
      },
      0,
    ) as SimOrder;
    const ask = sim.place(
      "acct",
      {
        symbol: "BTCUSDT",
        side: "sell",
        timeInForce: "alo",
        price: "60010.00",
        quantity: "0.002",
        clientId: "a",
        reduceOnly: false,
      },
      0,
    ) as SimOrder;
    expect([bid.status, ask.status]).toEqual(["open", "open"]);
    let fills = 0;
    for (let t = 1_000; t <= 3_600_000 && fills === 0; t += 1_000) fills += driver.advanceTo(t).fills.length;
    expect(fills).toBeGreaterThan(0);
    expect(sim.fills("acct").length).toBe(fills);
    expect(sim.fills("acct")[0]?.liquidity).toBe("maker");
  });

  it("makes a seeded history before the start that closes at the start mid", () => {
    const { driver } = market({ startMs: 3_600_000 + 20_000 });
    const bars = driver.candlesBefore(60_000, 3_600_000 - 30 * 60_000);
    expect(bars.length).toBe(31);
    expect(bars.at(-1)).toMatchObject({ openTime: 3_600_000, close: 60_000 });
    expect(bars[0]?.openTime).toBe(1_800_000);
    for (let i = 1; i < bars.length; i++) expect(bars[i]?.open).toBe(bars[i - 1]?.close);
    expect(new Set(bars.map((b) => b.close)).size).toBeGreaterThan(25);
    expect(market({ startMs: 3_620_000 }).driver.candlesBefore(60_000, 1_800_000)).toEqual(bars);
  });

  it("refuses an unlisted symbol and nonsense rates, naming the field", () => {
    expect(() => market({ symbol: "ETHUSDT" })).toThrow(/ETHUSDT.*BTCUSDT/);
    expect(() => market({ sigmaPerMinute: -1 })).toThrow(/sigmaPerMinute/);
    expect(() => market({ houseLevels: 0 })).toThrow(/houseLevels/);
  });
});
