// The `--queue redis://HOST:PORT[/DB]` of the sweep commands and the worker, read once at the edge.
import { CliUsageError } from "../options.ts";

/** Where the queue's Redis is, as ioredis and BullMQ take it. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** `rediss://`: TLS with the system's CAs. */
  tls: boolean;
  /** The URL as printed in messages: the password, if any, replaced by `***`. */
  display: string;
}

/**
 * Parses `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (or `rediss://` for TLS); the port defaults to 6379, the
 * database to 0.
 *
 * @example
 * ```ts
 * parseRedisUrl("redis://127.0.0.1:6380/2"); // { host: "127.0.0.1", port: 6380, db: 2, tls: false, … }
 * ```
 */
export function parseRedisUrl(text: string, flag = "--queue"): RedisTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`${flag} ${JSON.stringify(text)}: expected redis://HOST:PORT[/DB]`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:")
    throw new CliUsageError(
      `${flag} ${JSON.stringify(text)}: expected a redis:// or rediss:// URL, got ${url.protocol}//`,
    );
  if (url.hostname === "")
    throw new CliUsageError(`${flag} ${JSON.stringify(text)}: no host (expected redis://HOST:PORT[/DB])`);
  const port = url.port === "" ? 6379 : Number(url.port);
  const dbText = url.pathname.replace(/^\//, "");
  const db = dbText === "" ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db < 0)
    throw new CliUsageError(
      `${flag} ${JSON.stringify(text)}: the database after the port must be a number ≥ 0, got ${JSON.stringify(dbText)}`,
    );
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const target: RedisTarget = {
    host,
    port,
    db,
    tls: url.protocol === "rediss:",
    display: "",
  };
  if (url.username !== "") target.username = decodeURIComponent(url.username);
  if (url.password !== "") target.password = decodeURIComponent(url.password);
  const user = `${target.username ?? ""}${target.password === undefined ? "" : ":***"}`;
  target.display = `${url.protocol}//${user === "" ? "" : `${user}@`}${url.hostname}:${port}/${db}`;
  return target;
}
