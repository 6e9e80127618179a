import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * HTTP plumbing shared by the venue emulators (`@botmm/binance-emulator`, `@botmm/bybit-emulator`): the
 * server, queued faults, lost answers and signature comparison. Each venue's routes, wire formats, error codes
 * and wording stay in its own package.
 */

/** A request handler given the whole body as text. */
export type EmulatorRequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => Promise<void>;

/**
 * A server that reads each request's body as UTF-8 text, then hands it to `handle`; an error thrown by
 * `handle` before anything was sent is answered by `onError` (the venue's own 5xx words).
 *
 * @example
 * ```ts
 * const server = createEmulatorServer(
 *   async (_req, res, body) => sendJson(res, 200, { echo: body }),
 *   (res, error) => sendJson(res, 500, { msg: String(error) }),
 * );
 * ```
 */
export function createEmulatorServer(
  handle: EmulatorRequestHandler,
  onError: (res: ServerResponse, error: unknown) => void,
): Server {
  return createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      void handle(req, res, body).catch((error: unknown) => {
        if (!res.headersSent) onError(res, error);
      });
    });
  });
}

/**
 * Answers JSON with this HTTP status.
 *
 * @example
 * ```ts
 * sendJson(res, 400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent." });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(json));
}

/**
 * Starts listening (port 0: an ephemeral one) and answers the port.
 *
 * @example
 * ```ts
 * const port = await listenEmulator(server, "127.0.0.1", 0);
 * ```
 */
export async function listenEmulator(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Compares a request's signature with the expected one in constant time.
 *
 * @example
 * ```ts
 * signatureMatches(signQuery(payload, secret), params.get("signature") ?? ""); // true when signed right
 * ```
 */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A fault that applies to the next `count` requests (default 1). */
export interface CountedFault {
  count?: number;
}

/**
 * Faults waiting for requests, first in first out; each applies to its `count` requests in turn.
 *
 * @example
 * ```ts
 * const faults = new FaultQueue<{ kind: "delay"; ms: number; count?: number }>();
 * faults.push({ kind: "delay", ms: 50, count: 2 });
 * faults.next(); // the delay, for this request
 * faults.next(); // the delay again; then undefined
 * ```
 */
export class FaultQueue<F extends CountedFault> {
  readonly #queue: F[] = [];

  /**
   * Queues a copy of a fault.
   *
   * @example
   * ```ts
   * faults.push({ kind: "drop", when: "after" });
   * ```
   */
  push(fault: F): void {
    this.#queue.push({ ...fault });
  }

  /**
   * The fault for the request at hand, if any, counting it as used once.
   *
   * @example
   * ```ts
   * const fault = faults.next();
   * ```
   */
  next(): F | undefined {
    const fault = this.#queue[0];
    if (fault) {
      fault.count = (fault.count ?? 1) - 1;
      if (fault.count <= 0) this.#queue.shift();
    }
    return fault;
  }
}

/**
 * Answers an emulator chose never to give: `hang` keeps the connection open until the client times out (or
 * the emulator closes), `reset` ends the socket at once.
 *
 * @example
 * ```ts
 * const lost = new LostAnswers();
 * lost.lose(res); // the client waits for its timeout
 * lost.close(); // on shutdown
 * ```
 */
export class LostAnswers {
  readonly #hanging = new Set<ServerResponse>();

  /**
   * Never answers this request.
   *
   * @example
   * ```ts
   * lost.lose(res, "reset");
   * ```
   */
  lose(res: ServerResponse, mode: "hang" | "reset" = "hang"): void {
    if (mode === "reset") res.socket?.destroy();
    else this.#hanging.add(res);
  }

  /**
   * Ends every hanging request (on shutdown).
   *
   * @example
   * ```ts
   * lost.close();
   * ```
   */
  close(): void {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
  }
}

/**
 * Closes a server and every connection it still has.
 *
 * @example
 * ```ts
 * await closeEmulatorServer(server);
 * ```
 */
export async function closeEmulatorServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
