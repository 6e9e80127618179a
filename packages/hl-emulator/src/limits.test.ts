import { ExchangeClient, HttpRequestError } from "@nktkas/hyperliquid";
import { describe, expect, it } from "vitest";
import {
  type AddressBudgetState,
  consumeAddressBudget,
  exchangeRequestWeight,
  IpWeightLimiter,
  infoRequestWeight,
  NonceTracker,
} from "./limits.ts";
import { setup, top } from "./testSupport.ts";

describe("NonceTracker", () => {
  const now = 1_700_000_000_000;

  it("rejects duplicates with the venue's message", () => {
    const nonces = new NonceTracker();
    expect(nonces.check("0xa", now, now)).toBeNull();
    expect(nonces.check("0xa", now, now)).toBe(`Invalid nonce: duplicate nonce ${now}`);
    expect(nonces.check("0xb", now, now)).toBeNull(); // per signer
  });

  it("keeps the highest 100 and rejects nonces at or below the smallest kept", () => {
    const nonces = new NonceTracker();
    for (let i = 1; i <= 100; i++) expect(nonces.check("0xa", now + i * 10, now)).toBeNull();
    // Out of order but above the smallest kept: fine.
    expect(nonces.check("0xa", now + 15, now)).toBeNull();
    expect(nonces.check("0xa", now + 5, now)).toMatch(/^Invalid nonce: nonce 1700000000005 is too low/);
  });

  it("rejects nonces more than a day from server time", () => {
    const nonces = new NonceTracker();
    expect(nonces.check("0xa", now - 86_400_001, now)).toMatch(
      /^Invalid nonce: .* too far from the current time/,
    );
    expect(nonces.check("0xa", now + 86_400_001, now)).toMatch(/^Invalid nonce/);
    expect(nonces.check("0xa", now - 86_000_000, now)).toBeNull();
  });
});

describe("weights and budgets", () => {
  it("weighs info and exchange requests as documented", () => {
    expect(infoRequestWeight("l2Book", 0)).toBe(2);
    expect(infoRequestWeight("allMids", 0)).toBe(2);
    expect(infoRequestWeight("clearinghouseState", 0)).toBe(2);
    expect(infoRequestWeight("orderStatus", 0)).toBe(2);
    expect(infoRequestWeight("meta", 0)).toBe(20);
    expect(infoRequestWeight("userFills", 45)).toBe(22);
    expect(infoRequestWeight("candleSnapshot", 120)).toBe(22);
    expect(exchangeRequestWeight(1)).toBe(1);
    expect(exchangeRequestWeight(39)).toBe(1);
    expect(exchangeRequestWeight(40)).toBe(2);
  });

  it("limits IP weight over a sliding minute", () => {
    const limiter = new IpWeightLimiter(100);
    for (let i = 0; i < 5; i++) expect(limiter.tryConsume("ip", 20, i)).toBe(true);
    expect(limiter.tryConsume("ip", 20, 10)).toBe(false);
    expect(limiter.tryConsume("other", 20, 10)).toBe(true);
    expect(limiter.tryConsume("ip", 20, 60_001)).toBe(true);
  });

  it("gives 10,000 requests plus one per USDC traded, counts batches by size, lets cancels go further", () => {
    const state: AddressBudgetState = { requestsUsed: 9_990, volumeUsd: 0, lastThrottledAllowedMs: null };
    expect(consumeAddressBudget(state, 10, false, 0)).toBeNull();
    expect(state.requestsUsed).toBe(10_000);
    // Over the limit one request per 10 s still goes through.
    expect(consumeAddressBudget(state, 1, false, 0)).toBeNull();
    expect(consumeAddressBudget(state, 1, false, 5_000)).toBe(
      "Too many cumulative requests sent (10002 > 10000) for cumulative volume traded $0. Place taker orders to free up 1 request per USDC traded.",
    );
    expect(consumeAddressBudget(state, 1, true, 5_000)).toBeNull(); // cancels: min(limit + 100000, 2 · limit)
    expect(consumeAddressBudget(state, 1, false, 10_001)).toBeNull();
    state.volumeUsd = 1234.567;
    state.lastThrottledAllowedMs = 10_001;
    expect(consumeAddressBudget(state, 20_000, false, 10_002)).toBe(
      "Too many cumulative requests sent (30003 > 11234) for cumulative volume traded $1234.57. Place taker orders to free up 1 request per USDC traded.",
    );
  });
});

describe("limits through the SDK", () => {
  it("rejects a duplicate and a stale nonce", async () => {
    const t = await setup();
    try {
      let next = Date.now();
      const fixed = new ExchangeClient({
        transport: t.transport,
        wallet: t.wallet,
        nonceManager: () => next,
      });
      await fixed.scheduleCancel();
      await expect(fixed.scheduleCancel()).rejects.toThrow(`Invalid nonce: duplicate nonce ${next}`);
      next = Date.now() - 2 * 86_400_000;
      await expect(fixed.scheduleCancel()).rejects.toThrow(
        /^Invalid nonce: nonce \d+ is too far from the current time/,
      );
    } finally {
      await t.emulator.stop();
    }
  });

  it("answers 429 once the IP weight is spent", async () => {
    const t = await setup({ ipWeightPerMinute: 50 });
    try {
      await t.info.meta();
      await t.info.meta();
      const error = await t.info.meta().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpRequestError);
      expect((error as HttpRequestError).response?.status).toBe(429);
      for (let i = 0; i < 5; i++) await t.info.allMids(); // weight 2 each: 50 of 50 used
      // A refused exchange request is not executed.
      const { bid } = top(t.emulator, "BTC");
      const order = {
        a: 0,
        b: true,
        p: String(bid - 10),
        s: "0.001",
        r: false,
        t: { limit: { tif: "Alo" as const } },
      };
      await expect(t.exchange.order({ orders: [order], grouping: "na" })).rejects.toThrow(/429/);
      expect(t.emulator.account(t.user)?.openOrders.size).toBe(0);
      t.emulator.advance(60_001);
      await expect(t.info.meta()).resolves.toBeTruthy();
    } finally {
      await t.emulator.stop();
    }
  });

  it("refuses orders past the address budget with the venue's message, then one per 10 s", async () => {
    const t = await setup();
    try {
      const account = t.emulator.account(t.user);
      if (!account) throw new Error("no account");
      account.requestsUsed = 9_998;
      const { bid } = top(t.emulator, "BTC");
      const order = (p: number) => ({
        a: 0,
        b: true,
        p: String(p),
        s: "0.001",
        r: false,
        t: { limit: { tif: "Alo" as const } },
      });
      await t.exchange.order({ orders: [order(bid - 10), order(bid - 20)], grouping: "na" }); // a batch of 2 counts 2
      await t.exchange.order({ orders: [order(bid - 30)], grouping: "na" }); // over: the one-per-10-s allowance
      await expect(t.exchange.order({ orders: [order(bid - 40)], grouping: "na" })).rejects.toThrow(
        "Too many cumulative requests sent (10002 > 10000) for cumulative volume traded $0. Place taker orders to free up 1 request per USDC traded.",
      );
      t.emulator.advance(10_000);
      await expect(t.exchange.order({ orders: [order(bid - 40)], grouping: "na" })).resolves.toBeTruthy();
    } finally {
      await t.emulator.stop();
    }
  });
});
