import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Candle, type Clock, systemClock } from "@botmm/core";
import { privateKeyToAccount } from "viem/accounts";
import { type WebSocket, WebSocketServer } from "ws";
import { z } from "zod";
import {
  type AccountState,
  type CoinSpec,
  type CoinState,
  coinSpec,
  type EngineEvent,
  type FeeRates,
  MatchingEngine,
  TIER0_FEES,
} from "./engine.ts";
import { EmulatorError } from "./errors.ts";
import { type ExchangeContext, handleExchange } from "./exchange.ts";
import { allMids, answerInfo, clearinghouseState, infoRequestSchema, l2Book } from "./info.ts";
import { exchangeRequestWeight, IpWeightLimiter, infoRequestWeight, NonceTracker } from "./limits.ts";
import { MarketDriver, type PriceSource } from "./market.ts";
import { type TestAccount, testAccount } from "./testAccount.ts";
import type { Hex } from "./wire.ts";

/** An account to create at start. Give `address` or `privateKey` (the key is only used to derive the address). */
export interface AccountOptions {
  address?: string;
  privateKey?: Hex;
  /** USDC collateral (default 100,000). */
  usdc?: number;
  /** Traded volume to start with, in USD (raises the address budget and unlocks `scheduleCancel`). */
  volumeUsd?: number;
}

/** Options of {@link start}. Everything is optional. */
export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: an ephemeral port). */
  port?: number;
  /** Coins to list, by symbol or as specs (default BTC, ETH). Asset ids follow this order. */
  coins?: (string | (Partial<CoinSpec> & { name: string }))[];
  /** Seed of the market model and of the TEST account (default 1). */
  seed?: number;
  /**
   * Where time comes from. Pass a `ManualClock` to step time yourself with {@link Emulator.advance}; any other
   * clock (default: the system clock) runs the market in real time, scaled by `speed`.
   */
  clock?: Clock;
  /** Simulated-time speed factor for a real-time clock (default 1). */
  speed?: number;
  /** Market step (default 100 ms). */
  stepMs?: number;
  /** Accounts to fund. Default: the seed's TEST account with 100,000 USDC. */
  accounts?: AccountOptions[];
  /** Pre-registered API (agent) wallets: agent address → master address. */
  agents?: Record<string, string>;
  /** Candles to replay per coin instead of the synthetic process. */
  candles?: Record<string, Candle[]>;
  /** Signing source: mainnet expects "a", testnet "b" (default mainnet). */
  network?: "mainnet" | "testnet";
  /** Fee rates (default tier 0: maker 0.015 %, taker 0.045 %). */
  fees?: FeeRates;
  /** Open orders allowed per account (default 1000). */
  maxOpenOrders?: number;
  /** IP weight per minute (default 1200; `Infinity` disables). */
  ipWeightPerMinute?: number;
  /** Apply the address-based request budget (default true). */
  addressBudget?: boolean;
  /** How far a nonce may be from server time (default one day; `Infinity` disables). */
  nonceWindowMs?: number;
  /** Volume needed before `scheduleCancel` is accepted (default 1,000,000 as on the venue; 0 disables the gate). */
  scheduleCancelMinVolumeUsd?: number;
  /** Minimum time between two `l2Book` pushes per coin (default 500 ms of simulated time). */
  l2BookIntervalMs?: number;
  /** Serve `POST /control` (the CLI turns it on). Default false. */
  controlEndpoint?: boolean;
}

/** An HTTP fault to inject into `/info` and `/exchange`. */
export type HttpFault =
  | { kind: "status"; status: number; count?: number }
  | { kind: "delay"; ms: number; count?: number }
  | { kind: "hang"; count?: number };

/** Per-subscription key → the subscription object exactly as the client sent it. */
type SubscriptionMap = Map<string, Record<string, unknown>>;

/**
 * Bytes a client's socket may have queued before its snapshot pushes (l2Book, bbo, allMids) are held back: a
 * client slower than an accelerated market then gets the latest snapshot once it has drained, instead of an
 * ever longer queue of superseded ones in the emulator's heap (a soak at 400× queued 50,000 books, ~1 GB).
 * Incremental channels (trades, fills, order updates, funding) are never held back.
 */
const SNAPSHOT_BACKLOG_BYTES = 1 << 20;

const subscriptionSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("l2Book"),
    coin: z.string(),
    nSigFigs: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5)]).nullish(),
    mantissa: z.union([z.literal(2), z.literal(5)]).nullish(),
  }),
  z.looseObject({ type: z.literal("trades"), coin: z.string() }),
  z.looseObject({ type: z.literal("bbo"), coin: z.string() }),
  z.looseObject({ type: z.literal("allMids"), dex: z.string().optional() }),
  z.looseObject({ type: z.literal("userFills"), user: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }),
  z.looseObject({ type: z.literal("orderUpdates"), user: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }),
  z.looseObject({ type: z.literal("userEvents"), user: z.string().regex(/^0x[0-9a-fA-F]{40}$/) }),
]);

/**
 * A running emulator. Create it with {@link start}; stop it with {@link Emulator.stop}.
 *
 * @example
 * ```ts
 * const emulator = await start({ port: 0, coins: ["BTC"], seed: 1 });
 * console.log(emulator.url, emulator.wsUrl, emulator.testAccount.address);
 * emulator.dropConnections(); // fault injection: every WebSocket client must reconnect
 * await emulator.stop();
 * ```
 */
export class Emulator {
  /** HTTP base URL, e.g. `http://127.0.0.1:8787` (give it to `HttpTransport({ apiUrl })`). */
  url = "";
  /** WebSocket URL, e.g. `ws://127.0.0.1:8787/ws` (give it to `WebSocketTransport({ url })`). */
  wsUrl = "";
  /** The port listened on. */
  port = 0;
  /** The interface listened on. */
  readonly host: string;
  /** The matching engine (books, accounts, orders) for inspection. */
  readonly engine: MatchingEngine;
  /** The market driver (fair price, background book, taker flow). */
  readonly market: MarketDriver;
  /** The funded TEST account derived from the seed (only when no `accounts` were given). */
  readonly testAccount: TestAccount | null;

  readonly #options: EmulatorOptions;
  readonly #baseClock: Clock;
  readonly #origin: number;
  readonly #speed: number;
  readonly #context: ExchangeContext;
  readonly #ipLimiter: IpWeightLimiter;
  #server: Server | null = null;
  #wss: WebSocketServer | null = null;
  readonly #sockets = new Set<Socket>();
  readonly #clients = new Map<WebSocket, SubscriptionMap>();
  readonly #hanging = new Set<ServerResponse>();
  #httpFaults: HttpFault[] = [];
  #pump: ReturnType<typeof setInterval> | null = null;
  readonly #dirtyBooks = new Set<string>();
  readonly #lastL2Push = new Map<string, number>();
  readonly #lastBbo = new Map<string, string>();
  /** Per client: keys of snapshot subscriptions whose push was held back while its socket was backed up. */
  readonly #heldBack = new Map<WebSocket, Set<string>>();
  #lastMids = "";
  #lastMidsPush = Number.NEGATIVE_INFINITY;
  #syncing = false;

  /** @internal use {@link start}. */
  constructor(options: EmulatorOptions) {
    this.#options = options;
    this.host = options.host ?? "127.0.0.1";
    this.#baseClock = options.clock ?? systemClock();
    this.#origin = this.#baseClock.now();
    this.#speed = isManual(this.#baseClock) ? 1 : (options.speed ?? 1);
    if (!(this.#speed > 0))
      throw new EmulatorError("INVALID_OPTION", `speed must be > 0, got ${options.speed}`);
    const seed = options.seed ?? 1;
    const specs = (options.coins ?? ["BTC", "ETH"]).map((coin) =>
      typeof coin === "string" ? coinSpec(coin) : coinSpec(coin.name, coin),
    );
    if (specs.length === 0) throw new EmulatorError("INVALID_OPTION", "coins must list at least one coin");
    this.engine = new MatchingEngine(specs, {
      fees: options.fees ?? TIER0_FEES,
      maxOpenOrders: options.maxOpenOrders ?? 1000,
      scheduleCancelMinVolumeUsd: options.scheduleCancelMinVolumeUsd ?? 1_000_000,
      scheduleCancelMaxTriggersPerDay: 10,
    });
    this.testAccount = options.accounts ? null : testAccount(seed);
    for (const account of options.accounts ?? [{ address: this.testAccount?.address ?? "" }]) {
      const address =
        account.address ?? (account.privateKey ? privateKeyToAccount(account.privateKey).address : undefined);
      if (!address || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
        throw new EmulatorError(
          "INVALID_OPTION",
          "accounts[]: give an address (0x + 40 hex) or a privateKey",
        );
      }
      this.engine.addAccount(address, account.usdc ?? 100_000, account.volumeUsd ?? 0);
    }
    const agents = new Map<Hex, Hex>();
    for (const [agent, master] of Object.entries(options.agents ?? {})) {
      agents.set(agent.toLowerCase() as Hex, master.toLowerCase() as Hex);
    }
    const sources: Record<string, PriceSource> = {};
    for (const [coin, candles] of Object.entries(options.candles ?? {})) {
      if (candles.length === 0) throw new EmulatorError("INVALID_OPTION", `candles.${coin} is empty`);
      sources[coin] = { kind: "replay", candles };
    }
    this.market = new MarketDriver(this.engine, {
      seed,
      stepMs: options.stepMs ?? 100,
      startMs: this.now(),
      sources,
    });
    this.#context = {
      engine: this.engine,
      nonces: new NonceTracker(options.nonceWindowMs ?? 86_400_000),
      agents,
      isTestnet: options.network === "testnet",
      addressBudget: options.addressBudget ?? true,
      now: () => this.now(),
      rejectNext: { remaining: 0, error: "" },
    };
    this.#ipLimiter = new IpWeightLimiter(options.ipWeightPerMinute ?? 1200);
    this.engine.onEvent((event) => this.#onEngineEvent(event));
  }

  /**
   * Simulated time in ms since the epoch.
   *
   * @example
   * ```ts
   * emulator.now(); // ms since the epoch, in simulated time
   * ```
   */
  now(): number {
    return this.#origin + (this.#baseClock.now() - this.#origin) * this.#speed;
  }

  /**
   * Moves a manual clock forward by `ms` and runs the market (steps, pushes, funding, dead-man's switches) up to
   * the new time. Only for an emulator started with a `ManualClock`.
   *
   * @example
   * ```ts
   * const emulator = await start({ clock: new ManualClock(Date.now()) });
   * emulator.advance(1_000); // ten 100 ms market steps
   * ```
   */
  advance(ms: number): void {
    const clock = this.#baseClock;
    if (!isManual(clock)) {
      throw new EmulatorError(
        "NOT_MANUAL_CLOCK",
        "advance(ms) needs an emulator started with clock: new ManualClock(…)",
      );
    }
    clock.advance(ms);
    this.sync();
  }

  /**
   * Brings the simulation up to the current time: runs market steps one by one and publishes after each.
   * Called before every request and by the real-time pump; call it after moving a clock by other means.
   *
   * @example
   * ```ts
   * clock.set(clock.now() + 5_000);
   * emulator.sync();
   * ```
   */
  sync(): void {
    if (this.#syncing) return;
    this.#syncing = true;
    try {
      const now = this.now();
      const step = this.market.stepMs;
      while (this.market.lastStepMs + step <= now) {
        this.market.runUntil(this.market.lastStepMs + step);
        this.#publishMarket(this.market.lastStepMs);
      }
      this.engine.runScheduledCancels(now);
      this.#publishMarket(now);
    } finally {
      this.#syncing = false;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Control (fault injection and state)
  // ---------------------------------------------------------------------------------------------------------

  /**
   * Closes every WebSocket connection abruptly (clients see a drop and should reconnect and resubscribe).
   *
   * @example
   * ```ts
   * emulator.dropConnections();
   * ```
   */
  dropConnections(): void {
    for (const socket of this.#clients.keys()) socket.terminate();
    this.#clients.clear();
    this.#heldBack.clear();
  }

  /**
   * Injects an HTTP fault into the next `count` (default 1; `Infinity` for all) `/info` and `/exchange`
   * requests: a status code (5xx, 429), a delay, or a hang (no answer until the client gives up).
   *
   * @example
   * ```ts
   * emulator.injectHttpFault({ kind: "status", status: 503, count: 2 });
   * emulator.injectHttpFault({ kind: "delay", ms: 200 });
   * ```
   */
  injectHttpFault(fault: HttpFault): void {
    this.#httpFaults.push({ ...fault, count: fault.count ?? 1 });
  }

  /**
   * Removes pending HTTP faults and answers requests left hanging with a 503.
   *
   * @example
   * ```ts
   * emulator.clearHttpFaults();
   * ```
   */
  clearHttpFaults(): void {
    this.#httpFaults = [];
    for (const response of this.#hanging) {
      if (!response.writableEnded) response.writeHead(503).end();
    }
    this.#hanging.clear();
  }

  /**
   * Stalls the market of one coin (or all when omitted): no price moves, book rebuilds, taker flow or book
   * pushes until {@link Emulator.resumeBook}.
   *
   * @example
   * ```ts
   * emulator.stallBook("BTC");
   * ```
   */
  stallBook(coin?: string): void {
    if (coin === undefined) this.market.stalledAll = true;
    else this.market.stalled.add(coin);
  }

  /**
   * Ends a stall started by {@link Emulator.stallBook} (all coins when omitted).
   *
   * @example
   * ```ts
   * emulator.resumeBook();
   * ```
   */
  resumeBook(coin?: string): void {
    if (coin === undefined) {
      this.market.stalledAll = false;
      this.market.stalled.clear();
    } else {
      this.market.stalled.delete(coin);
    }
  }

  /**
   * Rejects the next `count` orders (in `order`, `modify` and `batchModify`) with `error` as their status.
   *
   * @example
   * ```ts
   * emulator.rejectNextOrders(2, "Insufficient margin to place order. asset=0");
   * ```
   */
  rejectNextOrders(count: number, error: string): void {
    this.#context.rejectNext = { remaining: count, error };
  }

  /**
   * Closes the listeners (dropping every connection) and opens them again on the same port, keeping all state:
   * books, accounts, orders, nonces. `downMs` (real time) keeps it closed a while first.
   *
   * @example
   * ```ts
   * await emulator.restart();
   * ```
   */
  async restart(downMs = 0): Promise<void> {
    await this.#close();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.listen(this.port);
  }

  /**
   * Adds USDC to an account (creating it when new).
   *
   * @example
   * ```ts
   * emulator.fund("0x1234…", 5_000);
   * ```
   */
  fund(address: string, usdc: number, volumeUsd = 0): void {
    this.engine.addAccount(address, usdc, volumeUsd);
  }

  /**
   * Registers an API (agent) wallet that trades for `master`.
   *
   * @example
   * ```ts
   * emulator.addAgent(agent.address, master.address);
   * ```
   */
  addAgent(agent: string, master: string): void {
    this.#context.agents.set(agent.toLowerCase() as Hex, master.toLowerCase() as Hex);
  }

  /**
   * The raw account state of an address (positions in lots, collateral, budget), or undefined.
   *
   * @example
   * ```ts
   * emulator.account(address)?.usdc;
   * ```
   */
  account(address: string): AccountState | undefined {
    return this.engine.accounts.get(address.toLowerCase() as Hex);
  }

  /**
   * The venue's `clearinghouseState` for an address, as `/info` would answer it now.
   *
   * @example
   * ```ts
   * emulator.clearinghouseState(address).marginSummary.accountValue;
   * ```
   */
  clearinghouseState(address: string): ReturnType<typeof clearinghouseState> {
    return clearinghouseState(this.engine, address.toLowerCase() as Hex, this.now());
  }

  /**
   * The L2 book of a coin as `/info` `l2Book` would answer it now (`null` for an unknown coin).
   *
   * @example
   * ```ts
   * emulator.book("BTC")?.levels[0][0]?.px; // best bid
   * ```
   */
  book(coin: string): ReturnType<typeof l2Book> | null {
    const state = this.engine.coin(coin);
    return state ? l2Book(this.engine, state, this.now(), null, null) : null;
  }

  /** Number of open WebSocket connections. */
  get connectionCount(): number {
    return this.#clients.size;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Lifecycle
  // ---------------------------------------------------------------------------------------------------------

  /**
   * @internal Opens the HTTP + WebSocket listener.
   *
   * @example
   * ```ts
   * await emulator.listen(0);
   * ```
   */
  async listen(port: number): Promise<void> {
    const server = createServer((request, response) => {
      this.#onRequest(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { "Content-Type": "text/plain" });
        response.end(String(error));
      });
    });
    server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on("upgrade", (request, socket, head) => {
      if (!(request.url ?? "").startsWith("/ws")) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => this.#onConnection(ws));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    this.#wss = wss;
    this.port = (server.address() as AddressInfo).port;
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    this.url = `http://${host}:${this.port}`;
    this.wsUrl = `ws://${host}:${this.port}/ws`;
    if (!isManual(this.#baseClock) && this.#pump === null) {
      this.#pump = setInterval(() => this.sync(), 50);
      this.#pump.unref();
    }
  }

  async #close(): Promise<void> {
    this.dropConnections();
    this.clearHttpFaults();
    const server = this.#server;
    this.#server = null;
    this.#wss?.close();
    this.#wss = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
  }

  /**
   * Stops the emulator: closes every connection and the listener, stops the real-time pump.
   *
   * @example
   * ```ts
   * await emulator.stop();
   * ```
   */
  async stop(): Promise<void> {
    if (this.#pump !== null) clearInterval(this.#pump);
    this.#pump = null;
    await this.#close();
  }

  // ---------------------------------------------------------------------------------------------------------
  // HTTP
  // ---------------------------------------------------------------------------------------------------------

  async #onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "POST" || (path !== "/info" && path !== "/exchange" && path !== "/control")) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
      return;
    }
    const text = await readBody(request);
    if (path === "/control") {
      if (!this.#options.controlEndpoint) {
        response.writeHead(404, { "Content-Type": "text/plain" }).end("Not Found");
        return;
      }
      await this.#onControl(text, response);
      return;
    }
    const fault = this.#takeFault();
    if (fault?.kind === "hang") {
      this.#hanging.add(response);
      response.on("close", () => this.#hanging.delete(response));
      return;
    }
    if (fault?.kind === "status") {
      response.writeHead(fault.status, { "Content-Type": "text/plain" }).end(statusText(fault.status));
      return;
    }
    if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      response
        .writeHead(422, { "Content-Type": "text/plain" })
        .end("Failed to deserialize the JSON body into the target type");
      return;
    }
    const ip = request.socket.remoteAddress ?? "unknown";
    // The weight known up front is charged before anything runs; items-based extra weight after the answer.
    const upfront =
      path === "/info" ? infoRequestWeight(requestType(body), 0) : exchangeRequestWeight(batchLength(body));
    if (!this.#ipLimiter.tryConsume(ip, upfront, this.now())) {
      response.writeHead(429, { "Content-Type": "application/json" }).end("null");
      return;
    }
    const result = path === "/info" ? this.#info(body) : await this.#exchange(body);
    if (result.weight > upfront) this.#ipLimiter.add(ip, result.weight - upfront, this.now());
    if (result.kind === "unprocessable") {
      response.writeHead(422, { "Content-Type": "text/plain" }).end(result.text);
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(result.body));
  }

  #takeFault(): HttpFault | undefined {
    const fault = this.#httpFaults[0];
    if (!fault) return undefined;
    const count = (fault.count ?? 1) - 1;
    if (count <= 0) this.#httpFaults.shift();
    else fault.count = count;
    return fault;
  }

  #info(
    body: unknown,
  ):
    | { kind: "json"; body: unknown; weight: number }
    | { kind: "unprocessable"; text: string; weight: number } {
    this.sync();
    const parsed = infoRequestSchema.safeParse(body);
    if (!parsed.success) {
      const type = typeof body === "object" && body !== null ? (body as { type?: unknown }).type : undefined;
      return {
        kind: "unprocessable",
        text: `Failed to deserialize the JSON body into the target type: ${typeof type === "string" ? `unknown or unsupported variant \`${type}\` or invalid fields` : "missing field `type`"}`,
        weight: 20,
      };
    }
    const { data, items } = answerInfo(this.engine, parsed.data, this.now());
    return { kind: "json", body: data, weight: infoRequestWeight(parsed.data.type, items) };
  }

  async #exchange(
    body: unknown,
  ): Promise<
    { kind: "json"; body: unknown; weight: number } | { kind: "unprocessable"; text: string; weight: number }
  > {
    this.sync();
    const outcome = await handleExchange(this.#context, body);
    this.sync();
    return { ...outcome, weight: exchangeRequestWeight(batchLength(body)) };
  }

  async #onControl(text: string, response: ServerResponse): Promise<void> {
    let command: { action?: string; [key: string]: unknown };
    try {
      command = JSON.parse(text);
    } catch {
      response.writeHead(400, { "Content-Type": "application/json" }).end('{"error":"body must be JSON"}');
      return;
    }
    const reply = (body: unknown): void => {
      response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(body));
    };
    switch (command.action) {
      case "dropConnections":
        this.dropConnections();
        return reply({ ok: true });
      case "injectHttpFault":
        this.injectHttpFault(command.fault as HttpFault);
        return reply({ ok: true });
      case "clearHttpFaults":
        this.clearHttpFaults();
        return reply({ ok: true });
      case "stallBook":
        this.stallBook(command.coin as string | undefined);
        return reply({ ok: true });
      case "resumeBook":
        this.resumeBook(command.coin as string | undefined);
        return reply({ ok: true });
      case "rejectNextOrders":
        this.rejectNextOrders(
          Number(command.count ?? 1),
          String(command.error ?? "Order rejected by fault injection"),
        );
        return reply({ ok: true });
      case "fund":
        this.fund(String(command.address), Number(command.usdc ?? 0));
        return reply({ ok: true });
      case "restart":
        reply({ ok: true });
        setTimeout(() => void this.restart(Number(command.downMs ?? 0)), 10);
        return;
      default:
        response
          .writeHead(400, { "Content-Type": "application/json" })
          .end(JSON.stringify({ error: `unknown control action ${String(command.action)}` }));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // WebSocket
  // ---------------------------------------------------------------------------------------------------------

  #onConnection(ws: WebSocket): void {
    const subscriptions: SubscriptionMap = new Map();
    this.#clients.set(ws, subscriptions);
    const forget = () => {
      this.#clients.delete(ws);
      this.#heldBack.delete(ws);
    };
    ws.on("close", forget);
    ws.on("error", forget);
    ws.on("message", (data) => {
      void this.#onMessage(ws, subscriptions, data.toString());
    });
  }

  async #onMessage(ws: WebSocket, subscriptions: SubscriptionMap, text: string): Promise<void> {
    let message: { method?: unknown; subscription?: unknown; id?: unknown; request?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      send(ws, { channel: "error", data: `Error parsing JSON into valid websocket request: ${text}` });
      return;
    }
    if (message.method === "ping") {
      send(ws, { channel: "pong" });
      return;
    }
    this.sync();
    if (message.method === "subscribe" || message.method === "unsubscribe") {
      const subscription = message.subscription as Record<string, unknown>;
      const parsed = subscriptionSchema.safeParse(subscription);
      const coin = parsed.success && "coin" in parsed.data ? String(parsed.data.coin) : undefined;
      if (!parsed.success || (coin !== undefined && !this.engine.coin(coin))) {
        send(ws, { channel: "error", data: `Invalid subscription ${JSON.stringify(subscription ?? null)}` });
        return;
      }
      const key = subscriptionKey(subscription);
      if (message.method === "subscribe") {
        if (subscriptions.has(key)) {
          send(ws, { channel: "error", data: `Already subscribed: ${JSON.stringify(subscription)}` });
          return;
        }
        subscriptions.set(key, subscription);
        send(ws, { channel: "subscriptionResponse", data: { method: "subscribe", subscription } });
        this.#sendSnapshot(ws, subscription);
      } else {
        if (!subscriptions.delete(key)) {
          send(ws, { channel: "error", data: `Already unsubscribed: ${JSON.stringify(subscription)}` });
          return;
        }
        send(ws, { channel: "subscriptionResponse", data: { method: "unsubscribe", subscription } });
      }
      return;
    }
    if (message.method === "post") {
      const id = message.id;
      const request = message.request as { type?: unknown; payload?: unknown } | undefined;
      const respond = (response: unknown) => send(ws, { channel: "post", data: { id, response } });
      if (typeof id !== "number" || !request || (request.type !== "info" && request.type !== "action")) {
        send(ws, { channel: "error", data: `Error parsing JSON into valid websocket request: ${text}` });
        return;
      }
      if (!this.#ipLimiter.tryConsume("ws", 1, this.now())) {
        respond({ type: "error", payload: `Too many requests id=${id}` });
        return;
      }
      if (request.type === "info") {
        const result = this.#info(request.payload);
        if (result.kind === "unprocessable") respond({ type: "error", payload: result.text });
        else
          respond({
            type: "info",
            payload: { type: (request.payload as { type?: string }).type, data: result.body },
          });
        return;
      }
      const result = await this.#exchange(request.payload);
      if (result.kind === "unprocessable") respond({ type: "error", payload: result.text });
      else respond({ type: "action", payload: result.body });
      return;
    }
    send(ws, { channel: "error", data: `Error parsing JSON into valid websocket request: ${text}` });
  }

  #sendSnapshot(ws: WebSocket, subscription: Record<string, unknown>): void {
    const now = this.now();
    switch (subscription.type) {
      case "l2Book": {
        const coin = this.engine.coin(String(subscription.coin));
        if (coin) {
          const data = l2Book(
            this.engine,
            coin,
            now,
            (subscription.nSigFigs as number | null | undefined) ?? null,
            (subscription.mantissa as number | null | undefined) ?? null,
          );
          send(ws, { channel: "l2Book", data });
        }
        return;
      }
      case "bbo": {
        const coin = this.engine.coin(String(subscription.coin));
        if (coin) send(ws, { channel: "bbo", data: this.#bboData(coin, now) });
        return;
      }
      case "allMids":
        send(ws, { channel: "allMids", data: { mids: allMids(this.engine) } });
        return;
      case "userFills": {
        const user = String(subscription.user).toLowerCase() as Hex;
        const fills = [...(this.engine.accounts.get(user)?.fills ?? [])].reverse();
        send(ws, { channel: "userFills", data: { user, fills, isSnapshot: true } });
        return;
      }
      default:
        return;
    }
  }

  #bboData(coin: CoinState, now: number) {
    const { bid, ask } = this.engine.bbo(coin);
    const level = (l: typeof bid) =>
      l ? { px: this.engine.pxWire(coin, l.pxInt), sz: this.engine.szWire(coin, l.szInt), n: l.n } : null;
    return { coin: coin.spec.name, time: now, bbo: [level(bid), level(ask)] };
  }

  #broadcast(match: (subscription: Record<string, unknown>) => boolean, message: unknown): void {
    let text: string | undefined;
    for (const [ws, subscriptions] of this.#clients) {
      for (const subscription of subscriptions.values()) {
        if (!match(subscription)) continue;
        text ??= JSON.stringify(message);
        if (ws.readyState === ws.OPEN) ws.send(text);
        break;
      }
    }
  }

  /** Like `#broadcast`, for a snapshot channel: held back from a client whose socket is backed up. */
  #broadcastSnapshot(match: (subscription: Record<string, unknown>) => boolean, message: unknown): void {
    let text: string | undefined;
    for (const [ws, subscriptions] of this.#clients) {
      for (const [key, subscription] of subscriptions) {
        if (!match(subscription)) continue;
        this.#pushSnapshot(ws, key, () => {
          text ??= JSON.stringify(message);
          return text;
        });
        break;
      }
    }
  }

  /** Sends a snapshot now, or remembers to send the latest one when the client's socket has drained. */
  #pushSnapshot(ws: WebSocket, key: string, render: () => string): void {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > SNAPSHOT_BACKLOG_BYTES) {
      let held = this.#heldBack.get(ws);
      if (held === undefined) {
        held = new Set();
        this.#heldBack.set(ws, held);
      }
      held.add(key);
      return;
    }
    this.#heldBack.get(ws)?.delete(key);
    ws.send(render());
  }

  /** Sends the current snapshot of every held-back subscription of the clients that have drained. */
  #flushHeldBack(): void {
    for (const [ws, keys] of this.#heldBack) {
      const subscriptions = this.#clients.get(ws);
      if (subscriptions === undefined || ws.readyState !== ws.OPEN) {
        this.#heldBack.delete(ws);
        continue;
      }
      if (ws.bufferedAmount > SNAPSHOT_BACKLOG_BYTES) continue;
      this.#heldBack.delete(ws);
      for (const key of keys) {
        const subscription = subscriptions.get(key);
        if (subscription !== undefined) this.#sendSnapshot(ws, subscription);
      }
    }
  }

  #onEngineEvent(event: EngineEvent): void {
    switch (event.type) {
      case "book":
        this.#dirtyBooks.add(event.coin);
        return;
      case "trades":
        this.#broadcast((s) => s.type === "trades" && s.coin === event.coin, {
          channel: "trades",
          data: event.trades,
        });
        return;
      case "fills": {
        const isUser = (s: Record<string, unknown>, type: string) =>
          s.type === type && String(s.user).toLowerCase() === event.user;
        this.#broadcast((s) => isUser(s, "userFills"), {
          channel: "userFills",
          data: { user: event.user, fills: event.fills },
        });
        this.#broadcast((s) => isUser(s, "userEvents"), { channel: "user", data: { fills: event.fills } });
        return;
      }
      case "orderUpdates":
        this.#broadcast((s) => s.type === "orderUpdates" && String(s.user).toLowerCase() === event.user, {
          channel: "orderUpdates",
          data: event.updates,
        });
        return;
      case "funding":
        this.#broadcast((s) => s.type === "userEvents" && String(s.user).toLowerCase() === event.user, {
          channel: "user",
          data: { funding: event.funding },
        });
        return;
    }
  }

  /** Pushes bbo (on change), l2Book (at most every l2BookIntervalMs per coin) and allMids. */
  #publishMarket(now: number): void {
    const interval = this.#options.l2BookIntervalMs ?? 500;
    if (this.#heldBack.size > 0) this.#flushHeldBack();
    for (const name of [...this.#dirtyBooks]) {
      const coin = this.engine.coin(name);
      if (!coin) continue;
      const bbo = this.#bboData(coin, now);
      const bboKey = JSON.stringify(bbo.bbo);
      if (this.#lastBbo.get(name) !== bboKey) {
        this.#lastBbo.set(name, bboKey);
        this.#broadcastSnapshot((s) => s.type === "bbo" && s.coin === name, { channel: "bbo", data: bbo });
      }
      const last = this.#lastL2Push.get(name) ?? Number.NEGATIVE_INFINITY;
      if (now - last < interval) continue;
      this.#lastL2Push.set(name, now);
      this.#dirtyBooks.delete(name);
      for (const [ws, subscriptions] of this.#clients) {
        for (const [key, subscription] of subscriptions) {
          if (subscription.type !== "l2Book" || subscription.coin !== name) continue;
          this.#pushSnapshot(ws, key, () => {
            const data = l2Book(
              this.engine,
              coin,
              now,
              (subscription.nSigFigs as number | null | undefined) ?? null,
              (subscription.mantissa as number | null | undefined) ?? null,
            );
            return JSON.stringify({ channel: "l2Book", data });
          });
        }
      }
    }
    if (now - this.#lastMidsPush >= interval) {
      const mids = allMids(this.engine);
      const key = JSON.stringify(mids);
      if (key !== this.#lastMids) {
        this.#lastMids = key;
        this.#lastMidsPush = now;
        this.#broadcastSnapshot((s) => s.type === "allMids" && !s.dex, {
          channel: "allMids",
          data: { mids },
        });
      }
    }
  }
}

/**
 * Starts an emulator listening on 127.0.0.1 (port 0 = ephemeral by default) and resolves once it accepts
 * connections.
 *
 * @example
 * ```ts
 * import { start } from "@botmm/hl-emulator";
 * import { HttpTransport, InfoClient } from "@nktkas/hyperliquid";
 *
 * const emulator = await start({ coins: ["BTC", "ETH"], seed: 1 });
 * const info = new InfoClient({ transport: new HttpTransport({ apiUrl: emulator.url }) });
 * console.log(await info.allMids());
 * await emulator.stop();
 * ```
 */
export async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0);
  return emulator;
}

/** The `type` of an info body, or "" when it has none. */
function requestType(body: unknown): string {
  const type = typeof body === "object" && body !== null ? (body as { type?: unknown }).type : undefined;
  return typeof type === "string" ? type : "";
}

/** Number of orders, cancels or modifies in an exchange body (1 for other actions). */
function batchLength(body: unknown): number {
  const action = (
    body as { action?: { orders?: unknown[]; cancels?: unknown[]; modifies?: unknown[] } } | null
  )?.action;
  const items = action?.orders ?? action?.cancels ?? action?.modifies;
  return Array.isArray(items) ? items.length : 1;
}

/** A clock that moves only when told to (core's `ManualClock`, duck-typed so any copy of core works). */
function isManual(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === "function";
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

/** Key of a subscription: keys sorted, hex lowercased, nulls dropped (so `nSigFigs: null` equals absent). */
function subscriptionKey(subscription: Record<string, unknown>): string {
  const normalised: Record<string, unknown> = {};
  for (const key of Object.keys(subscription).sort()) {
    const value = subscription[key];
    if (value === null || value === undefined || value === false) continue;
    normalised[key] =
      typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : value;
  }
  return JSON.stringify(normalised);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return texts[status] ?? `Error ${status}`;
}
