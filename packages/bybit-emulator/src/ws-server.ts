import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Clock } from "@botmm/core";
import { type WebSocket, WebSocketServer } from "ws";

/** Which sockets a WebSocket fault hits: public market data, private account streams, or both. */
export type BybitWsTarget = "public" | "private" | "all";

/** What the stream server needs from the emulator. */
export interface BybitStreamHooks {
  /** The secret of an API key, or undefined when the key is unknown. */
  secretOf(apiKey: string): string | undefined;
  /** Whether `symbol` is listed. */
  isSymbol(symbol: string): boolean;
  /** The depth a new `orderbook.<n>.<symbol>` subscriber gets as its snapshot (prices, quantities as strings). */
  depth(symbol: string, limit: number): { b: [string, string][]; a: [string, string][] };
  /** The account's first authenticated private socket is up (disconnection protection stands down). */
  privateUp(account: string): void;
  /** The account's last authenticated private socket went down (disconnection protection starts counting). */
  privateDown(account: string): void;
}

interface Connection {
  id: string;
  socket: WebSocket;
  kind: "public" | "private";
  topics: Set<string>;
  /** The authenticated API key of a private socket ("" before `auth`). */
  account: string;
}

/** Depth levels Bybit's linear `orderbook.<n>` topics offer. */
const BOOK_DEPTHS = new Set([1, 50, 200, 500, 1000]);
const PRIVATE_TOPICS = new Set(["order", "execution", "position", "wallet"]);

/**
 * The emulator's Bybit v5 WebSocket side, on the same port as its REST API: public linear streams at
 * `/v5/public/linear` (`orderbook.<n>.<symbol>`: a snapshot on subscribe, then deltas with `u` and `seq`;
 * `publicTrade.<symbol>`) and the private stream at `/v5/private` (`auth` with the API key, `expires` and
 * HMAC-SHA256 of `GET/realtime<expires>`; then `order`, `execution`, `position`). `ping` is answered as
 * Bybit does (public: `ret_msg: "pong"`; private: `op: "pong"`). When an account's last authenticated
 * private socket goes, {@link BybitStreamHooks.privateDown} starts disconnection protection. Faults: drop
 * sockets, refuse new connections.
 *
 * @example
 * ```ts
 * const streams = new BybitStreamServer(httpServer, clock, hooks);
 * streams.publishBook("BTCUSDT", { b: [["59999.9", "5"]], a: [] }); // a delta to every orderbook subscriber
 * streams.drop("private");
 * ```
 */
export class BybitStreamServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #clock: Clock;
  readonly #hooks: BybitStreamHooks;
  readonly #connections = new Set<Connection>();
  /** Per symbol: the last depth published (price -> qty per side), the update id and the sequence. */
  readonly #books = new Map<string, { bids: Map<string, string>; asks: Map<string, string>; u: number }>();
  #seq = 1;
  #nextConnection = 1;
  #nextMessage = 1;
  #refusing = false;
  /** How many sockets have been accepted, ever (a reconnect shows as a new one). */
  accepted = 0;

  constructor(server: Server, clock: Clock, hooks: BybitStreamHooks) {
    this.#clock = clock;
    this.#hooks = hooks;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  /**
   * The update id of a symbol's book as last published (what `GET /v5/market/orderbook` reports as `u`).
   *
   * @example
   * ```ts
   * streams.updateId("BTCUSDT"); // 1 before anything changed
   * ```
   */
  updateId(symbol: string): number {
    return this.#book(symbol).u;
  }

  /**
   * Publishes a symbol's new depth (best first, up to the deepest topic offered): each `orderbook.<n>`
   * subscriber gets a delta of its top `n` levels (quantity "0" = level gone), when anything in them changed.
   *
   * @example
   * ```ts
   * streams.publishBook("BTCUSDT", { b: [["59999.9", "5"]], a: [["60000.1", "4"]] });
   * ```
   */
  publishBook(symbol: string, depth: { b: [string, string][]; a: [string, string][] }): void {
    const book = this.#book(symbol);
    const before = { bids: book.bids, asks: book.asks };
    const after = { bids: new Map(depth.b), asks: new Map(depth.a) };
    if (sameLevels(before.bids, after.bids) && sameLevels(before.asks, after.asks)) return;
    book.bids = after.bids;
    book.asks = after.asks;
    book.u++;
    const seq = this.#seq++;
    const now = this.#clock.now();
    for (const c of this.#connections) {
      if (c.kind !== "public") continue;
      for (const topic of c.topics) {
        const n = bookDepthOf(topic, symbol);
        if (n === null) continue;
        const b = deltaOf(before.bids, after.bids, n);
        const a = deltaOf(before.asks, after.asks, n);
        if (b.length === 0 && a.length === 0) continue;
        this.#send(c, { topic, type: "delta", ts: now, data: { s: symbol, b, a, u: book.u, seq }, cts: now });
      }
    }
  }

  /**
   * Publishes public trades of a symbol (`S`: the taker's side).
   *
   * @example
   * ```ts
   * streams.publishTrades("BTCUSDT", [{ T: 1, s: "BTCUSDT", S: "Buy", v: "0.01", p: "60000.1", L: "PlusTick", i: "7", BT: false }]);
   * ```
   */
  publishTrades(symbol: string, trades: Record<string, unknown>[]): void {
    const topic = `publicTrade.${symbol}`;
    const message = { topic, type: "snapshot", ts: this.#clock.now(), data: trades };
    for (const c of this.#connections) if (c.kind === "public" && c.topics.has(topic)) this.#send(c, message);
  }

  /**
   * Publishes rows of a private topic (`order`, `execution`, `position`) to an account's sockets that
   * subscribed to it.
   *
   * @example
   * ```ts
   * streams.publishPrivate("apiKey", "order", [{ category: "linear", orderLinkId: "a", orderStatus: "New" }]);
   * ```
   */
  publishPrivate(account: string, topic: string, data: Record<string, unknown>[]): void {
    const now = this.#clock.now();
    for (const c of this.#connections) {
      if (c.kind !== "private" || c.account !== account || !c.topics.has(topic)) continue;
      this.#send(c, { id: `${c.id}-${this.#nextMessage++}`, topic, creationTime: now, data });
    }
  }

  /**
   * Fault: terminates the chosen sockets without a close handshake (clients see code 1006).
   *
   * @example
   * ```ts
   * streams.drop("private"); // the account streams only; public data stays up
   * ```
   */
  drop(target: BybitWsTarget = "all"): number {
    let n = 0;
    for (const c of [...this.#connections]) {
      if (target !== "all" && c.kind !== target) continue;
      c.socket.terminate();
      this.#forget(c);
      n++;
    }
    return n;
  }

  /**
   * Fault: while `true`, new WebSocket connections are refused (HTTP 503 on the upgrade).
   *
   * @example
   * ```ts
   * streams.refuseConnections(true); streams.drop(); // clients stay disconnected until…
   * streams.refuseConnections(false);
   * ```
   */
  refuseConnections(refuse: boolean): void {
    this.#refusing = refuse;
  }

  /**
   * Open sockets of a kind (private ones count once authenticated).
   *
   * @example
   * ```ts
   * streams.openSockets("private"); // 1 while one authenticated private stream is connected
   * ```
   */
  openSockets(kind: "public" | "private"): number {
    return [...this.#connections].filter((c) => c.kind === kind && (kind === "public" || c.account !== ""))
      .length;
  }

  /**
   * Closes every socket and stops accepting new ones.
   *
   * @example
   * ```ts
   * streams.close();
   * ```
   */
  close(): void {
    for (const c of this.#connections) c.socket.terminate();
    this.#connections.clear();
    this.#wss.close();
  }

  #book(symbol: string) {
    let book = this.#books.get(symbol);
    if (!book) {
      const depth = this.#hooks.depth(symbol, 1000);
      book = { bids: new Map(depth.b), asks: new Map(depth.a), u: 1 };
      this.#books.set(symbol, book);
    }
    return book;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): undefined {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname.replace(/\/+$/, "");
    const refuse = (status: number, text: string): undefined => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (this.#refusing) return refuse(503, "Service Unavailable");
    const kind = path === "/v5/public/linear" ? "public" : path === "/v5/private" ? "private" : null;
    if (kind === null) return refuse(404, "Not Found");
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: Connection = {
        id: `emu-${this.#nextConnection++}`,
        socket: ws,
        kind,
        topics: new Set(),
        account: "",
      };
      this.#connections.add(connection);
      this.accepted++;
      ws.on("close", () => this.#forget(connection));
      ws.on("error", () => this.#forget(connection));
      ws.on("message", (data) => this.#onMessage(connection, String(data)));
    });
  }

  #forget(c: Connection): void {
    if (!this.#connections.delete(c)) return;
    if (c.kind !== "private" || c.account === "") return;
    const still = [...this.#connections].some((o) => o.kind === "private" && o.account === c.account);
    if (!still) this.#hooks.privateDown(c.account);
  }

  #onMessage(c: Connection, text: string): undefined {
    let message: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return this.#send(c, this.#ack(c, "", false, "error:request must be a JSON object"));
    }
    const reqId =
      typeof message.req_id === "string" || typeof message.req_id === "number" ? message.req_id : "";
    const args = Array.isArray(message.args) ? (message.args as unknown[]) : [];
    const now = this.#clock.now();
    switch (message.op) {
      case "ping":
        if (c.kind === "public") return this.#send(c, this.#ack(c, reqId, true, "pong", "ping"));
        return this.#send(c, { req_id: String(reqId), op: "pong", args: [String(now)], conn_id: c.id });
      case "auth":
        return this.#auth(c, reqId, args);
      case "subscribe":
      case "unsubscribe": {
        if (c.kind === "private" && c.account === "")
          return this.#send(c, this.#ack(c, reqId, false, "Request not authorized", message.op));
        const bad = args.find((t) => typeof t !== "string" || !this.#validTopic(c.kind, t));
        if (bad !== undefined)
          return this.#send(
            c,
            this.#ack(c, reqId, false, `error:handler not found, topic: ${String(bad)}`, message.op),
          );
        const topics = args as string[];
        this.#send(c, this.#ack(c, reqId, true, "", message.op));
        for (const topic of topics) {
          if (message.op === "unsubscribe") {
            c.topics.delete(topic);
            continue;
          }
          c.topics.add(topic);
          const symbol = topic.split(".")[2] ?? "";
          const n = bookDepthOf(topic, symbol);
          if (n !== null) {
            const book = this.#book(symbol);
            const b = [...book.bids].slice(0, n);
            const a = [...book.asks].slice(0, n);
            this.#send(c, {
              topic,
              type: "snapshot",
              ts: now,
              data: { s: symbol, b, a, u: book.u, seq: this.#seq },
              cts: now,
            });
          }
        }
        return;
      }
      default:
        return this.#send(c, this.#ack(c, reqId, false, `error:invalid op ${JSON.stringify(message.op)}`));
    }
  }

  #auth(c: Connection, reqId: unknown, args: unknown[]): undefined {
    // The key, expiry and signature are never echoed back (Bybit echoes them; a log line would carry them).
    const fail = (words: string) =>
      this.#send(c, { ...this.#ack(c, reqId, false, words, "auth"), request: { op: "auth", args: [] } });
    if (c.kind !== "private") return fail("error:auth is only for the private stream");
    const [apiKey, expires, signature] = args.map((a) => String(a ?? ""));
    const secret = this.#hooks.secretOf(apiKey ?? "");
    if (secret === undefined) return fail("error:USVC1111 (unknown API key)");
    const expected = Buffer.from(
      createHmac("sha256", secret).update(`GET/realtime${expires}`).digest("hex"),
      "utf8",
    );
    const given = Buffer.from(signature ?? "", "utf8");
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return fail("error:signature verification failed");
    if (!(Number(expires) > this.#clock.now())) return fail("Params Error: expires must be in the future");
    const first = ![...this.#connections].some(
      (o) => o !== c && o.kind === "private" && o.account === apiKey,
    );
    c.account = apiKey!;
    if (first) this.#hooks.privateUp(c.account);
    this.#send(c, this.#ack(c, reqId, true, "", "auth"));
  }

  #ack(c: Connection, reqId: unknown, success: boolean, retMsg: string, op?: string) {
    return {
      success,
      ret_msg: retMsg,
      conn_id: c.id,
      ...(reqId === "" ? {} : { req_id: String(reqId) }),
      ...(op === undefined ? {} : { op }),
    };
  }

  #validTopic(kind: Connection["kind"], topic: string): boolean {
    if (kind === "private") return PRIVATE_TOPICS.has(topic);
    const parts = topic.split(".");
    if (parts[0] === "publicTrade" && parts.length === 2) return this.#hooks.isSymbol(parts[1]!);
    return (
      parts[0] === "orderbook" &&
      parts.length === 3 &&
      BOOK_DEPTHS.has(Number(parts[1])) &&
      this.#hooks.isSymbol(parts[2]!)
    );
  }

  /** Answers `undefined` so handlers can `return this.#send(...)`. */
  #send(c: Connection, payload: unknown): undefined {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(payload));
  }
}

function bookDepthOf(topic: string, symbol: string): number | null {
  const parts = topic.split(".");
  if (parts[0] !== "orderbook" || parts[2] !== symbol) return null;
  return Number(parts[1]);
}

function sameLevels(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [price, qty] of a) if (b.get(price) !== qty) return false;
  return true;
}

/** Changes within the top `n` levels of one side (maps hold levels best first). */
function deltaOf(before: Map<string, string>, after: Map<string, string>, n: number): [string, string][] {
  const top = (m: Map<string, string>) => new Map([...m].slice(0, n));
  const was = top(before);
  const now = top(after);
  const out: [string, string][] = [];
  for (const [price, qty] of now) if (was.get(price) !== qty) out.push([price, qty]);
  for (const price of was.keys()) if (!now.has(price)) out.push([price, "0"]);
  return out;
}
