/** One market under the names each venue gives it. */
export interface SymbolMapping {
  /** The base asset as Hyperliquid names it: `BTC`, `kPEPE`. */
  base: string;
  /** Binance USDⓈ-M symbol: `BTCUSDT`, `1000PEPEUSDT`. */
  binance: string;
  /** Hyperliquid perp coin: `BTC`, `kPEPE`. */
  hyperliquid: string;
}

const QUOTES = ["USDT", "USDC"] as const;

/**
 * Maps a symbol written the way any of our sources writes it to each venue's name. Accepted forms:
 * `BTC`, `btc`, `BTCUSDT`, `BTCUSDC`, `BTC/USDT:USDT` (ccxt), `BTC-PERP`, `BTC-USD`; and the thousand-unit
 * coins: Binance's `1000PEPEUSDT` ↔ Hyperliquid's `kPEPE` (both quote the price of 1000 PEPE).
 *
 * Rules: the Binance symbol is base + quote, the quote being the one written (USDT or USDC) or USDT by
 * default; the Hyperliquid coin is the base (upper case, except the `k` prefix). A base written `k` + upper
 * case (`kPEPE`) is a thousand-unit coin; `KAITO` or `kaito` is not. Other names are passed through
 * upper-cased: a market listed on one venue only will simply fail to download on the other.
 *
 * @example
 * ```ts
 * mapSymbol("BTCUSDT"); // { base: "BTC", binance: "BTCUSDT", hyperliquid: "BTC" }
 * mapSymbol("kPEPE"); // { base: "kPEPE", binance: "1000PEPEUSDT", hyperliquid: "kPEPE" }
 * ```
 */
export function mapSymbol(symbol: string): SymbolMapping {
  const input = symbol.trim();
  let base = input;
  let quote: string = QUOTES[0];
  if (input.includes("/")) {
    const [left = "", right = ""] = input.split("/");
    base = left;
    quote = right.split(":")[0]!.toUpperCase() || quote;
  } else if (/-(PERP|USD|USDT|USDC)$/i.test(input)) {
    const dash = input.lastIndexOf("-");
    base = input.slice(0, dash);
    const written = input.slice(dash + 1).toUpperCase();
    if (written === "USDT" || written === "USDC") quote = written;
  } else {
    const upper = input.toUpperCase();
    const written = QUOTES.find((q) => upper.endsWith(q) && upper.length > q.length);
    if (written) {
      base = input.slice(0, -written.length);
      quote = written;
    }
  }
  base = base.trim();
  let hyperliquid: string;
  let binanceBase: string;
  const thousand = /^1000([A-Z0-9]+)$/i.exec(base);
  if (thousand) {
    hyperliquid = `k${thousand[1]!.toUpperCase()}`;
    binanceBase = `1000${thousand[1]!.toUpperCase()}`;
  } else if (/^k[A-Z0-9]+$/.test(base)) {
    hyperliquid = base;
    binanceBase = `1000${base.slice(1)}`;
  } else {
    hyperliquid = base.toUpperCase();
    binanceBase = hyperliquid;
  }
  return { base: hyperliquid, binance: `${binanceBase}${quote}`, hyperliquid };
}
