import { type Logger, pino } from "pino";
import pretty from "pino-pretty";

/** Where log lines go. */
export interface LoggerOptions {
  format: "pretty" | "json";
  level: string;
  /** Destination stream (default stdout). */
  stream?: NodeJS.WritableStream;
}

/** Log paths that may never be printed, whatever a caller passes in. */
export const REDACTED_PATHS = [
  "privateKey",
  "key",
  "secret",
  "wallet",
  "*.privateKey",
  "*.key",
  "*.secret",
  "*.wallet",
  "config.privateKey",
];

/**
 * A pino logger: JSON lines, or a readable pretty format for a terminal. Secrets are redacted by path and the
 * bot never passes the key to it in the first place.
 *
 * @example
 * ```ts
 * const log = createLogger({ format: process.stdout.isTTY ? "pretty" : "json", level: "info" });
 * log.info({ coin: "BTC" }, "started");
 * ```
 */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.stream ?? process.stdout;
  const base = {
    level: options.level,
    base: { app: "botmm-live" },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
  };
  if (options.format === "pretty") {
    const stream = pretty({
      destination,
      colorize: destination === process.stdout && process.stdout.isTTY === true,
      sync: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,app",
      singleLine: true,
    });
    return pino(base, stream);
  }
  return pino(base, destination as NodeJS.WritableStream & { write(text: string): boolean });
}
