import type { Clock, Venue } from "@botmm/core";
import { HYPERLIQUID_MAINNET, HYPERLIQUID_TESTNET, HyperliquidVenue } from "@botmm/exchange-hl";
import { start as startHyperliquidEmulator } from "@botmm/hl-emulator";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

/** Where `record` reads from: a venue's public network by name, or explicit endpoints (an emulator). */
export type RecordNetwork = "mainnet" | "testnet" | { apiUrl: string; wsUrl?: string };

/** One coin as `record` names it in the recording and as the venue lists it. */
export interface RecordCoin {
  /** The recording's coin: its directory and header, and what the backtest's `--symbol` maps to. */
  coin: string;
  /** The venue's market id, subscribed to (`BTC` on Hyperliquid, `BTCUSDT` on Binance). */
  symbol: string;
}

/** A market-data-only connection to a venue. */
export interface RecordSource {
  venue: Venue;
  /** Where it connected, for the start line (a URL; never a key). */
  where: string;
  /** Closes the venue and whatever `--sim` started. */
  close: () => Promise<void>;
}

/** What `record` needs to know about one venue: adding a venue is one entry of {@link RECORD_VENUES}. */
export interface RecordVenue {
  /** How the help and messages name it. */
  label: string;
  /** `--coins` entry → recording coin and venue symbol, or an error message saying what was expected. */
  coinOf: (written: string) => RecordCoin | string;
  /** Connects for public market data only: no key is read and nothing is ever signed. */
  connect: (
    network: RecordNetwork,
    clock: Clock,
    warn: (message: string) => void,
    coins: readonly RecordCoin[],
  ) => Promise<RecordSource>;
  /** Starts an in-process emulator with market activity for `--sim`, or null when the venue has none. */
  sim:
    | ((
        coins: readonly RecordCoin[],
        clock: Clock,
      ) => Promise<{ network: RecordNetwork; stop: () => Promise<void> }>)
    | null;
}

/**
 * A `--coins` entry on Binance USDⓈ-M: `BTC` or `BTCUSDT` → recorded as `BTC` from `BTCUSDT` (the coin the
 * backtest's `--symbol BTC` / `--symbol BTCUSDT` replays); `kPEPE` or `1000PEPE(USDT)` → `kPEPE` from
 * `1000PEPEUSDT`, as the backtest maps them.
 *
 * @example
 * ```ts
 * binanceRecordCoin("BTCUSDT"); // { coin: "BTC", symbol: "BTCUSDT" }
 * ```
 */
export function binanceRecordCoin(written: string): RecordCoin | string {
  const stripped = written.replace(/USDT$/i, "");
  if (stripped === "") return `"${written}" names no coin (expected BTC or BTCUSDT)`;
  const thousand = /^1000([A-Za-z0-9]+)$/.exec(stripped) ?? /^k([A-Z0-9]+)$/.exec(stripped);
  if (thousand !== null) {
    const base = thousand[1]!.toUpperCase();
    return { coin: `k${base}`, symbol: `1000${base}USDT` };
  }
  const base = stripped.toUpperCase();
  return { coin: base, symbol: `${base}USDT` };
}

/** What a ccxt adapter's `connect` takes for market data only (both adapters share these options). */
interface CcxtRecordOptions {
  network: "mainnet" | "testnet" | { baseUrl: string; wsUrl?: string };
  apiKey: string;
  secret: string;
  clock: Clock;
  onLog: (entry: { level: string; message: string }) => void;
}

/**
 * Connects a ccxt adapter (Binance USDⓈ-M, Bybit linear) for public market data and checks that it lists every
 * coin. Loaded on demand: ccxt is ~30 MB of source a Hyperliquid recording has no use for.
 */
async function connectCcxtForRecord(
  venue: {
    load: () => Promise<{ connect(options: CcxtRecordOptions): Promise<Venue & { close(): Promise<void> }> }>;
    hosts: { mainnet: string; testnet: string };
    /** How the venue's listing names a market, for the error when one is missing. */
    listing: string;
  },
  o: { network: RecordNetwork; clock: Clock; warn: (message: string) => void; coins: readonly RecordCoin[] },
): Promise<RecordSource> {
  const adapter = await venue.load();
  const { network } = o;
  const connected = await adapter.connect({
    network:
      typeof network === "string"
        ? network
        : { baseUrl: network.apiUrl, ...(network.wsUrl === undefined ? {} : { wsUrl: network.wsUrl }) },
    // Public streams need no key; the adapters insist on non-empty strings, and these never sign anything.
    apiKey: "botmm-record-public",
    secret: "botmm-record-public",
    clock: o.clock,
    onLog: (entry) => {
      if (entry.level === "warn" || entry.level === "error") o.warn(`${entry.level}: ${entry.message}`);
    },
  });
  const where = typeof network === "string" ? venue.hosts[network] : network.apiUrl;
  const listed = new Set((await connected.instruments()).map((instrument) => instrument.coin));
  const missing = o.coins.filter((c) => !listed.has(c.symbol)).map((c) => c.symbol);
  if (missing.length > 0) {
    await connected.close();
    throw new Error(`${where} lists no ${venue.listing} ${missing.join(", ")}`);
  }
  return { venue: connected, where, close: () => connected.close() };
}

/** The venues `record --venue` reads, by flag value. */
export const RECORD_VENUES = {
  hyperliquid: {
    label: "Hyperliquid",
    coinOf: (written) => ({ coin: written, symbol: written }),
    async connect(network, clock, warn) {
      const endpoints =
        network === "mainnet"
          ? HYPERLIQUID_MAINNET
          : network === "testnet"
            ? HYPERLIQUID_TESTNET
            : {
                apiUrl: network.apiUrl.replace(/\/$/, ""),
                wsUrl:
                  network.wsUrl ??
                  `${network.apiUrl.startsWith("https:") ? "wss" : "ws"}://${new URL(network.apiUrl).host}/ws`,
              };
      const venue = await HyperliquidVenue.connect({
        network: typeof network === "string" ? network : endpoints,
        wallet: privateKeyToAccount(generatePrivateKey()), // market data only: never signs
        clock,
        clientIdPrefix: "5ec0de0000000000",
        deadManSwitchMs: null,
        onLog: (entry) => {
          if (entry.level === "warn" || entry.level === "error") warn(`${entry.level}: ${entry.message}`);
        },
      });
      return { venue, where: endpoints.apiUrl, close: () => venue.close() };
    },
    async sim(coins) {
      const emulator = await startHyperliquidEmulator({ coins: coins.map((c) => c.symbol), seed: 1 });
      return { network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl }, stop: () => emulator.stop() };
    },
  },
  binance: {
    label: "Binance USDⓈ-M",
    coinOf: binanceRecordCoin,
    connect: (network, clock, warn, coins) =>
      connectCcxtForRecord(
        {
          load: async () => (await import("@botmm/exchange-binance")).BinanceUsdmVenue,
          hosts: { mainnet: "https://fapi.binance.com", testnet: "https://testnet.binancefuture.com" },
          listing: "USDⓈ-M perp",
        },
        { network, clock, warn, coins },
      ),
    sim: null,
  },
  bybit: {
    label: "Bybit linear",
    // Bybit names linear perps as Binance does (BTCUSDT, 1000PEPEUSDT), and the backtest maps them alike.
    coinOf: binanceRecordCoin,
    connect: (network, clock, warn, coins) =>
      connectCcxtForRecord(
        {
          load: async () => (await import("@botmm/exchange-bybit")).BybitLinearVenue,
          hosts: { mainnet: "https://api.bybit.com", testnet: "https://api-testnet.bybit.com" },
          listing: "linear perp",
        },
        { network, clock, warn, coins },
      ),
    sim: null,
  },
} as const satisfies Record<string, RecordVenue>;

/** A `--venue` value. */
export type RecordVenueName = keyof typeof RECORD_VENUES;

/** The `--venue` values, in help order. */
export const RECORD_VENUE_NAMES = Object.keys(RECORD_VENUES) as RecordVenueName[];
