import { createHash } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Clock } from "@botmm/core";
import { type WebSocket, WebSocketServer } from "ws";
import type { UserStreamEvent } from "./stream-events.ts";

/** A listen key lives this long after its last `POST`/`PUT /fapi/v1/listenKey` (Binance: 60 minutes). */
export const LISTEN_KEY_VALIDITY_MS = 60 * 60_000;

/** Which sockets a WebSocket fault hits: market-data streams, user data streams, or both. */
export type BinanceWsTarget = "market" | "user" | "all";

interface ListenKey {
  key: string;
  account: string;
  expiresAt: number;
}

interface Connection {
  socket: WebSocket;
  kind: "market" | "user";
  /** Market: subscribed stream names (`btcusdt@depth@100ms`); user: the listen key. */
  streams: Set<string>;
  listenKey: string;
}

const STREAM = /^([a-z0-9]+)@(depth(?:@(?:100|250|500)ms)?|trade|aggTrade)$/;

/**
 * The emulator's WebSocket side, on the same port as its REST API: market streams at any `/ws`, `/public/ws`
 * or `/market/ws` path (`SUBSCRIBE` / `UNSUBSCRIBE` / `LIST_SUBSCRIPTIONS` with `<symbol>@depth[@100ms]`,
 * `@trade`, `@aggTrade`, or a stream named in the path as `/ws/<stream>`), and the user data stream at
 * `/private/ws?listenKey=<key>` or `/ws/<key>`, keyed by listen keys it issues and expires on the clock
 * (`listenKeyExpired`, then the socket closes). Faults: drop sockets, refuse new connections.
 *
 * @example
 * ```ts
 * const streams = new BinanceStreamServer(httpServer, clock, (symbol) => symbols.has(symbol));
 * const key = streams.issueListenKey("acct");
 * streams.publishUser("acct", { e: "ACCOUNT_UPDATE", E: 0, T: 0, a: {} });
 * streams.drop("all");
 * ```
 */
export class BinanceStreamServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #clock: Clock;
  readonly #isSymbol: (symbol: string) => boolean;
  readonly #connections = new Set<Connection>();
  readonly #keys = new Map<string, ListenKey>();
  #issued = 0;
  #refusing = false;
  /** How many sockets have been accepted, ever (a reconnect shows as a new one). */
  accepted = 0;

  constructor(server: Server, clock: Clock, isSymbol: (symbol: string) => boolean) {
    this.#clock = clock;
    this.#isSymbol = isSymbol;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    );
  }

  /**
   * `POST /fapi/v1/listenKey`: the account's live key, extended, or a new one.
   *
   * @example
   * ```ts
   * streams.issueListenKey("acct"); // a 64-hex-character key; the same one again while it lives
   * ```
   */
  issueListenKey(account: string): string {
    const now = this.#clock.now();
    for (const entry of this.#keys.values()) {
      if (entry.account === account && entry.expiresAt > now) {
        entry.expiresAt = now + LISTEN_KEY_VALIDITY_MS;
        return entry.key;
      }
    }
    const key = createHash("sha256")
      .update(`${account}\u0000${this.#issued++}\u0000${now}`)
      .digest("hex");
    this.#keys.set(key, { key, account, expiresAt: now + LISTEN_KEY_VALIDITY_MS });
    return key;
  }

  /**
   * `PUT /fapi/v1/listenKey`: extends the account's live key; false when it has none (−1125).
   *
   * @example
   * ```ts
   * streams.keepAliveListenKey("acct"); // true while a key lives
   * ```
   */
  keepAliveListenKey(account: string): boolean {
    const now = this.#clock.now();
    for (const entry of this.#keys.values()) {
      if (entry.account === account && entry.expiresAt > now) {
        entry.expiresAt = now + LISTEN_KEY_VALIDITY_MS;
        return true;
      }
    }
    return false;
  }

  /**
   * `DELETE /fapi/v1/listenKey`: closes the account's user streams and forgets its keys.
   *
   * @example
   * ```ts
   * streams.deleteListenKeys("acct");
   * ```
   */
  deleteListenKeys(account: string): void {
    for (const [key, entry] of this.#keys) {
      if (entry.account !== account) continue;
      this.#keys.delete(key);
      for (const c of this.#connections) if (c.listenKey === key) c.socket.close(1000, "listenKey deleted");
    }
  }

  /**
   * Expires listen keys whose time has come (all of them with `force`): their sockets get
   * `listenKeyExpired` and are closed.
   *
   * @example
   * ```ts
   * streams.expireListenKeys(true); // every user stream ends; clients must POST a new listen key
   * ```
   */
  expireListenKeys(force = false): void {
    const now = this.#clock.now();
    for (const [key, entry] of this.#keys) {
      if (!force && entry.expiresAt > now) continue;
      this.#keys.delete(key);
      for (const c of this.#connections) {
        if (c.listenKey !== key) continue;
        this.#send(c, { e: "listenKeyExpired", E: now, listenKey: key });
        c.socket.close(1000, "listenKey expired");
      }
    }
  }

  /**
   * Sends a market event to the sockets subscribed to `<symbol>@<channel>` (any depth speed for `depth`).
   *
   * @example
   * ```ts
   * streams.publishMarket("BTCUSDT", "trade", { e: "trade", s: "BTCUSDT", t: 1, p: "60000", q: "0.01", m: false });
   * ```
   */
  publishMarket(symbol: string, channel: "depth" | "trade" | "aggTrade", event: unknown): void {
    const prefix = `${symbol.toLowerCase()}@${channel}`;
    for (const c of this.#connections) {
      if (c.kind !== "market") continue;
      for (const stream of c.streams) {
        if (stream === prefix || (channel === "depth" && stream.startsWith(`${prefix}@`))) {
          this.#send(c, event);
          break;
        }
      }
    }
  }

  /**
   * Sends a user data event to the account's user streams.
   *
   * @example
   * ```ts
   * streams.publishUser("acct", { e: "ORDER_TRADE_UPDATE", E: 0, T: 0, o: { s: "BTCUSDT", x: "NEW" } });
   * ```
   */
  publishUser(account: string, event: UserStreamEvent): void {
    for (const c of this.#connections) {
      if (c.kind === "user" && this.#keys.get(c.listenKey)?.account === account) this.#send(c, event);
    }
  }

  /**
   * Fault: terminates the chosen sockets without a close handshake (clients see code 1006).
   *
   * @example
   * ```ts
   * streams.drop("user"); // user data streams only; market streams stay up
   * ```
   */
  drop(target: BinanceWsTarget = "all"): number {
    let n = 0;
    for (const c of this.#connections) {
      if (target !== "all" && c.kind !== target) continue;
      c.socket.terminate();
      this.#connections.delete(c);
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
   * Open sockets of a kind.
   *
   * @example
   * ```ts
   * streams.openSockets("user"); // 1 while one user data stream is connected
   * ```
   */
  openSockets(kind: "market" | "user"): number {
    return [...this.#connections].filter((c) => c.kind === kind).length;
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

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const refuse = (status: number, text: string): false => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return false;
    };
    if (this.#refusing) return refuse(503, "Service Unavailable");
    const match = /^\/(?:public\/|market\/|private\/)?(ws|stream)(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!match) return refuse(404, "Not Found");
    const tail = match[2] ?? "";
    const listenKey = url.searchParams.get("listenKey") ?? (this.#keys.has(tail) ? tail : null);
    const kind: Connection["kind"] =
      listenKey !== null || url.pathname.startsWith("/private/") ? "user" : "market";
    if (kind === "user") {
      const entry = listenKey === null ? undefined : this.#keys.get(listenKey);
      if (!entry || entry.expiresAt <= this.#clock.now()) return refuse(400, "Bad Request");
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: Connection = { socket: ws, kind, streams: new Set(), listenKey: listenKey ?? "" };
      if (kind === "market" && STREAM.test(tail)) connection.streams.add(tail);
      this.#connections.add(connection);
      this.accepted++;
      ws.on("close", () => this.#connections.delete(connection));
      ws.on("error", () => this.#connections.delete(connection));
      ws.on("message", (data) => this.#onMessage(connection, String(data)));
    });
    return true;
  }

  #onMessage(c: Connection, text: string): void {
    this.#send(c, this.#answer(c, text));
  }

  #answer(c: Connection, text: string): unknown {
    let message: { method?: unknown; params?: unknown; id?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return { error: { code: 3, msg: "Invalid JSON: expected a JSON object" } };
    }
    const id = message.id ?? null;
    const params = Array.isArray(message.params) ? (message.params as unknown[]) : [];
    switch (message.method) {
      case "SUBSCRIBE":
      case "UNSUBSCRIBE": {
        const bad = params.find((p) => typeof p !== "string" || !this.#validStream(p));
        if (bad !== undefined)
          return this.#send(c, {
            error: { code: 2, msg: `Invalid request: invalid stream ${String(bad)}` },
            id,
          });
        for (const p of params as string[]) {
          if (message.method === "SUBSCRIBE") c.streams.add(p);
          else c.streams.delete(p);
        }
        return { result: null, id };
      }
      case "LIST_SUBSCRIPTIONS":
        return { result: [...c.streams], id };
      default:
        return {
          error: { code: 2, msg: `Invalid request: unknown method ${JSON.stringify(message.method)}` },
          id,
        };
    }
  }

  #validStream(stream: string): boolean {
    const match = STREAM.exec(stream);
    return match !== null && this.#isSymbol(match[1]!.toUpperCase());
  }

  #send(c: Connection, payload: unknown): void {
    if (c.socket.readyState === c.socket.OPEN) c.socket.send(JSON.stringify(payload));
  }
}
