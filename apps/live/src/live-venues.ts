import { readFileSync } from "node:fs";
import type { BinanceEmulator } from "@botmm/binance-emulator";
import type { BybitEmulator } from "@botmm/bybit-emulator";
import type { Candle, Clock, Venue } from "@botmm/core";
// The ccxt adapters and the emulators are loaded when a run asks for them: ccxt alone is ~30 MB of source a
// Hyperliquid run has no use for.
import type { SimExchange, SimMarketDriver } from "@botmm/sim-exchange";
import { z } from "zod";
import { ConfigError, type LiveVenueName } from "./config-schema.ts";
import { clientIdPrefix } from "./prefix.ts";
import { binanceRecordCoin, type RecordCoin } from "./record/record-venues.ts";
import type { LiveVenue } from "./venue.ts";

/** The venues other than Hyperliquid: adapters over ccxt with an in-process emulator for `--sim`. */
export type CcxtVenueName = Exclude<LiveVenueName, "hyperliquid">;

/** An API key pair of Binance or Bybit (never logged, never printed). */
export interface VenueKeys {
  apiKey: string;
  secret: string;
}

/** Where a ccxt venue connects: its public network by name, or an endpoint (the emulator, `--api-url`). */
export type CcxtNetwork = "mainnet" | "testnet" | { baseUrl: string; wsUrl?: string };

/** A log line of an adapter. */
type AdapterLog = { level: "debug" | "info" | "warn" | "error"; message: string; [key: string]: unknown };

/** Options of {@link connectCcxtVenue}. */
export interface CcxtConnectOptions {
  network: CcxtNetwork;
  keys: VenueKeys;
  clock: Clock;
  botName: string;
  /** The venue's market ids the bot trades (`BTCUSDT`), for the dead-man's switch. */
  symbols: readonly string[];
  requestTimeoutMs: number;
  /** Dead-man's switch horizon (bot clock), or null for none. */
  deadManSwitchMs: number | null;
  /** Simulated ms per real ms (1 off `--sim`): how often the dead-man's switch is re-armed in real time. */
  speed: number;
  /** Signed requests' receive window (bot clock); the adapters' default unless set. */
  recvWindowMs?: number;
  onLog: (entry: AdapterLog) => void;
}

/** What `--sim` started for a ccxt venue: where it listens, its TEST keys, and its fault injection. */
export interface CcxtVenueSim {
  venue: CcxtVenueName;
  url: string;
  wsUrl: string;
  /** The public throwaway key pair the emulator accepts. */
  keys: VenueKeys;
  /** The simulated-execution core under the emulator, and the market drivers moving it (one per symbol). */
  sim: SimExchange;
  drivers: readonly SimMarketDriver[];
  /**
   * The emulated market's candles (bars before the start from each driver's seeded history), so the strategy
   * is primed as from a venue's candle snapshot.
   */
  candles(coin: string, intervalMs: number, startMs: number): Promise<Candle[]>;
  /** Requests the emulator has seen (it keeps the last 10,000). */
  requestCount(): number;
  /** Fault injection: drop every WebSocket now (answers how many closed). */
  dropWebSockets(): number;
  /** Fault injection: the next request answers HTTP 503. */
  injectServerError(): void;
  /** Fault injection: the next request is refused for its rate (Binance 429 with Retry-After, Bybit retCode 10006). */
  injectRateLimit(): void;
  stop(): Promise<void>;
}

/** Per-venue facts the live app needs: adding a venue is one entry here (like `RECORD_VENUES`). */
export interface CcxtVenueSpec {
  label: string;
  /** `--coins` entry → coin and venue symbol (`BTC` → `BTCUSDT`), or what was expected. */
  coinOf: (written: string) => RecordCoin | string;
  /** Environment variables of the key pair. */
  keyEnv: { apiKey: string; secret: string };
  /** The REST root of a named network, for messages. */
  apiUrl: (network: "mainnet" | "testnet") => string;
}

/** The ccxt venues of `--venue`, by flag value. */
export const CCXT_VENUES: Readonly<Record<CcxtVenueName, CcxtVenueSpec>> = {
  binance: {
    label: "Binance USDⓈ-M",
    coinOf: binanceRecordCoin,
    keyEnv: { apiKey: "BOTMM_BINANCE_API_KEY", secret: "BOTMM_BINANCE_API_SECRET" },
    apiUrl: (network) =>
      network === "mainnet" ? "https://fapi.binance.com" : "https://testnet.binancefuture.com",
  },
  bybit: {
    label: "Bybit linear",
    coinOf: binanceRecordCoin, // Bybit names linear perps the same way: BTCUSDT, 1000PEPEUSDT
    keyEnv: { apiKey: "BOTMM_BYBIT_API_KEY", secret: "BOTMM_BYBIT_API_SECRET" },
    apiUrl: (network) => (network === "mainnet" ? "https://api.bybit.com" : "https://api-testnet.bybit.com"),
  },
};

const keyFileSchema = z.object({ apiKey: z.string().min(1), secret: z.string().min(1) }).strict();

/**
 * The API key pair of a ccxt venue: from `keyFile` (JSON `{ "apiKey": "…", "secret": "…" }`) when given, else
 * from the venue's environment variables. Errors name the variable or file and what was expected, never a value.
 *
 * @throws ConfigError when the pair is missing or malformed.
 * @example
 * ```ts
 * loadVenueKeys("binance", process.env); // { apiKey, secret } from BOTMM_BINANCE_API_KEY / _SECRET
 * ```
 */
export function loadVenueKeys(
  venue: CcxtVenueName,
  env: Readonly<Record<string, string | undefined>>,
  keyFile?: string,
): VenueKeys {
  const names = CCXT_VENUES[venue].keyEnv;
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, "utf8");
    } catch (error) {
      throw new ConfigError(
        `cannot read the key file ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const keys = keyFileSchema.safeParse(parsed);
    if (!keys.success) {
      throw new ConfigError(
        `key file ${keyFile}: expected JSON {"apiKey": "…", "secret": "…"} with two non-empty strings`,
      );
    }
    return keys.data;
  }
  const apiKey = env[names.apiKey]?.trim();
  const secret = env[names.secret]?.trim();
  const missing = [apiKey ? null : names.apiKey, secret ? null : names.secret].filter((n) => n !== null);
  if (missing.length > 0) {
    throw new ConfigError(
      `--venue ${venue} needs an API key pair: set ${missing.join(" and ")} (or --key-file with {"apiKey","secret"})`,
    );
  }
  return { apiKey: apiKey!, secret: secret! };
}

/**
 * The venue symbols of `--coins` on a ccxt venue (`BTC` → `BTCUSDT`).
 *
 * @throws ConfigError naming the entry that names no coin.
 * @example
 * ```ts
 * venueSymbols("binance", ["BTC", "ETHUSDT"]); // ["BTCUSDT", "ETHUSDT"]
 * ```
 */
export function venueSymbols(venue: CcxtVenueName, coins: readonly string[]): string[] {
  return coins.map((written) => {
    const coin = CCXT_VENUES[venue].coinOf(written);
    if (typeof coin === "string") throw new ConfigError(`--coins: ${coin}`);
    return coin.symbol;
  });
}

/**
 * Connects a ccxt venue and gives it the live extras it can back: a dead-man's switch (Binance
 * `countdownCancelAll` per symbol, re-armed every third of the horizon; Bybit's disconnection protection),
 * missed fills (Bybit). Candles and a shared request budget are not served: the bot warms up on live bars and
 * the adapter paces its own requests.
 *
 * @example
 * ```ts
 * const venue = await connectCcxtVenue("binance", { network: "testnet", keys, clock, botName: "botmm", symbols: ["BTCUSDT"], requestTimeoutMs: 10_000, deadManSwitchMs: 60_000, speed: 1, onLog });
 * ```
 */
export async function connectCcxtVenue(name: CcxtVenueName, o: CcxtConnectOptions): Promise<LiveVenue> {
  // A short deterministic prefix: wire ids are `<prefix>-<clientId>`, at most 36 characters on both venues.
  const prefix = clientIdPrefix(`${name}:${o.keys.apiKey}`, o.botName).slice(0, 12);
  const common = {
    apiKey: o.keys.apiKey,
    secret: o.keys.secret,
    clock: o.clock,
    clientIdPrefix: prefix,
    requestTimeoutMs: o.requestTimeoutMs,
    ...(o.recvWindowMs === undefined ? {} : { recvWindowMs: o.recvWindowMs }),
    onLog: o.onLog,
  };
  if (name === "binance") {
    const { BinanceUsdmVenue } = await import("@botmm/exchange-binance");
    const venue = await BinanceUsdmVenue.connect({ network: o.network, ...common });
    let timer: ReturnType<typeof setInterval> | null = null;
    const horizon = o.deadManSwitchMs;
    const arm = async () => {
      await Promise.all(o.symbols.map((symbol) => venue.cancelAllAfter(symbol, horizon ?? 0)));
    };
    const extras: Partial<LiveVenue> = {};
    if (horizon !== null) {
      extras.armDeadManSwitch = async () => {
        await arm();
        timer ??= setInterval(
          () => {
            arm().catch((error: unknown) =>
              o.onLog({ level: "warn", message: `dead-man's switch re-arm failed: ${String(error)}` }),
            );
          },
          Math.max(20, horizon / 3 / o.speed),
        );
        timer.unref?.();
      };
      extras.disarmDeadManSwitch = async () => {
        if (timer) clearInterval(timer);
        timer = null;
        await Promise.all(o.symbols.map((symbol) => venue.cancelAllAfter(symbol, 0)));
      };
    }
    return delegate(venue, {
      ...extras,
      close: async () => {
        if (timer) clearInterval(timer);
        await venue.close();
      },
    });
  }
  const { BybitLinearVenue } = await import("@botmm/exchange-bybit");
  const venue = await BybitLinearVenue.connect({ network: o.network, ...common });
  const horizon = o.deadManSwitchMs;
  return delegate(venue, {
    ...(horizon === null
      ? {}
      : {
          // Bybit cancels every order once the private stream has been gone this long (seconds, 3–300).
          armDeadManSwitch: () =>
            venue.setDisconnectProtection(Math.min(300, Math.max(3, Math.round(horizon / 1_000)))),
        }),
    fillsSince: async (timeMs) =>
      (await Promise.all(o.symbols.map((symbol) => venue.recentFills(symbol, timeMs)))).flat(),
    close: () => venue.close(),
  });
}

/**
 * Starts the emulator of a ccxt venue in-process on 127.0.0.1 for `--sim`, with a funded TEST account (public
 * throwaway keys derived from the seed) and a seeded market driver per symbol moving the mid and sending takers
 * on `clock` (simulated time).
 *
 * @throws ConfigError when the emulator does not list a symbol.
 * @example
 * ```ts
 * const sim = await startCcxtVenueSim("bybit", { symbols: ["BTCUSDT"], clock, seed: 1 });
 * sim.dropWebSockets();
 * await sim.stop();
 * ```
 */
export async function startCcxtVenueSim(
  name: CcxtVenueName,
  o: { symbols: readonly string[]; clock: Clock; seed: number; speed: number },
): Promise<CcxtVenueSim> {
  const keys = { apiKey: `botmmSimTestKey${o.seed}`, secret: `botmm-sim-public-test-secret-${o.seed}` };
  const pick = <T extends { symbol: string }>(listed: readonly T[]): T[] =>
    o.symbols.map((symbol) => {
      const spec = listed.find((s) => s.symbol === symbol);
      if (!spec) {
        throw new ConfigError(
          `--sim --venue ${name} emulates ${listed.map((s) => s.symbol).join(", ")}; ${symbol} is not listed`,
        );
      }
      return spec;
    });
  const [
    { DEFAULT_BINANCE_SYMBOLS, startBinanceEmulator },
    { DEFAULT_BYBIT_SYMBOLS, startBybitEmulator },
    { SimMarketDriver },
  ] = await Promise.all([
    import("@botmm/binance-emulator"),
    import("@botmm/bybit-emulator"),
    import("@botmm/sim-exchange"),
  ]);
  const specs: { symbol: string; midPrice: number }[] =
    name === "binance" ? pick(DEFAULT_BINANCE_SYMBOLS) : pick(DEFAULT_BYBIT_SYMBOLS);
  const house = { houseLevels: 10, houseSize: 5 };
  // ccxt stamps signed requests with real time; an accelerated clock would make every one look stale.
  const timestamps = o.speed === 1 ? {} : { ignoreRequestTimestamps: true };
  let emulator: BinanceEmulator | BybitEmulator;
  let sim: SimExchange;
  let faults: Pick<CcxtVenueSim, "dropWebSockets" | "injectServerError" | "injectRateLimit">;
  if (name === "binance") {
    const binance = await startBinanceEmulator({
      clock: o.clock,
      accounts: [keys],
      symbols: pick(DEFAULT_BINANCE_SYMBOLS),
      ...house,
      ...timestamps,
    });
    emulator = binance;
    sim = binance.engine.sim;
    faults = {
      dropWebSockets: () => binance.injectWsFault({ kind: "drop" }),
      injectServerError: () => binance.injectHttpFault({ kind: "status", status: 503 }),
      injectRateLimit: () =>
        binance.injectHttpFault({ kind: "rate-limit", status: 429, retryAfterSeconds: 1 }),
    };
  } else {
    const bybit = await startBybitEmulator({
      clock: o.clock,
      accounts: [keys],
      symbols: pick(DEFAULT_BYBIT_SYMBOLS),
      ...house,
      ...timestamps,
    });
    emulator = bybit;
    sim = bybit.sim;
    faults = {
      dropWebSockets: () => bybit.dropStreams(),
      injectServerError: () => bybit.injectHttpFault({ kind: "status", status: 503 }),
      injectRateLimit: () => bybit.injectHttpFault({ kind: "rate-limit", as: "10006" }),
    };
  }
  const drivers = specs.map(
    (spec, i) =>
      new SimMarketDriver(sim, {
        symbol: spec.symbol,
        seed: o.seed * 1_000 + i,
        startMid: spec.midPrice,
        startMs: o.clock.now(),
        // About a BTC perp's calm minute: 0.1 % σ, a taker every few seconds of about $2,000.
        sigmaPerMinute: 0.001,
        takersPerMinute: 20,
        takerMedianQty: 2_000 / spec.midPrice,
        takerSizeSigma: 1,
        ...house,
      }),
  );
  const stops = drivers.map((driver) => driver.run(o.clock, 50));
  return {
    venue: name,
    url: emulator.url,
    wsUrl: emulator.wsUrl,
    keys,
    sim,
    drivers,
    requestCount: () => emulator.requests.length,
    async candles(coin, intervalMs, startMs) {
      const driver = drivers[specs.findIndex((spec) => spec.symbol === coin)];
      return driver === undefined ? [] : driver.candlesBefore(intervalMs, startMs);
    },
    ...faults,
    async stop() {
      for (const stop of stops) stop();
      await emulator.close();
    },
  };
}

/** A `Venue` with the live extras added (the adapters' other methods stay reachable through the extras). */
function delegate(venue: Venue, extras: Partial<LiveVenue>): LiveVenue {
  return {
    name: venue.name,
    instruments: () => venue.instruments(),
    placeOrders: (requests) => venue.placeOrders(requests),
    modifyOrders: (requests) => venue.modifyOrders(requests),
    cancelOrders: (requests) => venue.cancelOrders(requests),
    openOrders: (coin) => venue.openOrders(coin),
    position: (coin) => venue.position(coin),
    subscribe: (request, listener) => venue.subscribe(request, listener),
    ...extras,
  };
}
