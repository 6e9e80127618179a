import { describe, expect, it } from "vitest";
import { mapSymbol } from "./symbols.ts";

describe("mapSymbol", () => {
  const cases: Array<[string, string, string]> = [
    ["BTC", "BTCUSDT", "BTC"],
    ["btc", "BTCUSDT", "BTC"],
    ["BTCUSDT", "BTCUSDT", "BTC"],
    ["ethusdt", "ETHUSDT", "ETH"],
    ["BTCUSDC", "BTCUSDC", "BTC"],
    ["BTC/USDT:USDT", "BTCUSDT", "BTC"],
    ["ETH/USDC:USDC", "ETHUSDC", "ETH"],
    ["SOL-PERP", "SOLUSDT", "SOL"],
    ["SOL-USD", "SOLUSDT", "SOL"],
    ["kPEPE", "1000PEPEUSDT", "kPEPE"],
    ["1000PEPEUSDT", "1000PEPEUSDT", "kPEPE"],
    ["1000BONK", "1000BONKUSDT", "kBONK"],
    ["KAITO", "KAITOUSDT", "KAITO"],
    ["kaito", "KAITOUSDT", "KAITO"],
    [" HYPE ", "HYPEUSDT", "HYPE"],
  ];
  for (const [input, binance, hyperliquid] of cases) {
    it(`${JSON.stringify(input)} → ${binance} / ${hyperliquid}`, () => {
      expect(mapSymbol(input)).toEqual({ base: hyperliquid, binance, hyperliquid });
    });
  }
});
