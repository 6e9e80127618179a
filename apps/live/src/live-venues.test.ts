import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfig, parseCli } from "./config.ts";
import { loadVenueKeys, venueSymbols } from "./live-venues.ts";

describe("--venue", () => {
  it("defaults to hyperliquid, whose fees stay the strategy's own", () => {
    const config = buildConfig([{ mode: "sim" }]);
    expect(config.venue).toBe("hyperliquid");
    expect(config.venuePresetsApplied).toEqual({});
    expect(config.strategy.makerFee).toBe(0.00015);
  });

  it("puts the venue's VIP 0 fees into the strategy unless they were set", () => {
    const binance = buildConfig([{ mode: "testnet", venue: "binance" }]);
    expect([binance.strategy.makerFee, binance.strategy.takerFee]).toEqual([0.0002, 0.0005]);
    const bybit = buildConfig([{ mode: "testnet", venue: "bybit" }]);
    expect([bybit.strategy.makerFee, bybit.strategy.takerFee]).toEqual([0.0002, 0.00055]);
    const own = buildConfig([{ mode: "testnet", venue: "bybit", strategy: { makerFee: 0.0001 } }]);
    expect([own.strategy.makerFee, own.strategy.takerFee]).toEqual([0.0001, 0.00055]);
    expect(own.venuePresetsApplied).toEqual({ takerFee: 0.00055 });
  });

  it("sizes Binance sim orders above BTCUSDT's $100 minimum only in --sim and only when unset", () => {
    expect(buildConfig([{ mode: "sim", venue: "binance" }]).strategy.orderSizeUsd).toBe(200);
    expect(buildConfig([{ mode: "testnet", venue: "binance" }]).strategy.orderSizeUsd).toBe(100);
    expect(
      buildConfig([{ mode: "sim", venue: "binance", strategy: { orderSizeUsd: 150 } }]).strategy.orderSizeUsd,
    ).toBe(150);
  });

  it("is a flag and an environment variable, and refuses unknown venues and a Hyperliquid master address", async () => {
    expect((await parseCli(["--venue", "bybit", "--sim"], {})).kind).toBe("run");
    const fromEnv = await parseCli(["--sim"], { BOTMM_VENUE: "binance" });
    expect(fromEnv.kind === "run" && fromEnv.config.venue).toBe("binance");
    await expect(parseCli(["--venue", "kraken"], {})).rejects.toThrow(/venue/);
    await expect(
      parseCli(["--testnet", "--venue", "binance", "--account", `0x${"1".repeat(40)}`], {}),
    ).rejects.toThrow(/account: .*Hyperliquid/);
  });

  it("maps --coins to the venue's symbols", () => {
    expect(venueSymbols("binance", ["BTC", "ETHUSDT", "kPEPE"])).toEqual([
      "BTCUSDT",
      "ETHUSDT",
      "1000PEPEUSDT",
    ]);
    expect(() => venueSymbols("bybit", ["USDT"])).toThrow(/--coins: "USDT" names no coin/);
  });
});

describe("loadVenueKeys", () => {
  const secret = "s3cr3t-never-printed";

  it("reads the venue's environment variables", () => {
    expect(
      loadVenueKeys("binance", { BOTMM_BINANCE_API_KEY: "k", BOTMM_BINANCE_API_SECRET: secret }),
    ).toEqual({
      apiKey: "k",
      secret,
    });
    expect(loadVenueKeys("bybit", { BOTMM_BYBIT_API_KEY: "k", BOTMM_BYBIT_API_SECRET: secret }).secret).toBe(
      secret,
    );
  });

  it("names the missing variable, never a value", () => {
    let message = "";
    try {
      loadVenueKeys("bybit", { BOTMM_BYBIT_API_KEY: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/set BOTMM_BYBIT_API_SECRET/);
    expect(message).not.toContain(secret);
  });

  it("reads a JSON key file, and says what it expected without echoing a malformed one", () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-venue-keys-"));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ apiKey: "k", secret }));
    expect(loadVenueKeys("binance", {}, good)).toEqual({ apiKey: "k", secret });
    const bad = join(dir, "bad.json");
    writeFileSync(bad, `{"apiKey": "k", "secret": "${secret}"`);
    expect(() => loadVenueKeys("binance", {}, bad)).toThrow(/expected JSON \{"apiKey"/);
    try {
      loadVenueKeys("binance", {}, bad);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
