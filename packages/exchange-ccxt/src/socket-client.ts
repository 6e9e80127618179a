import type { Exchange } from "ccxt";

/** What a {@link withSocketHooks} client tells its owner about its WebSockets. */
export interface CcxtSocketHooks {
  /** A socket to `url` opened (a first dial or a reconnect). */
  opened(url: string): void;
  /** A socket to `url` closed or failed (`reason` in ccxt's words, which may contain the URL). */
  closed(url: string, reason: string): void;
}

/** What {@link withSocketHooks} adds to a ccxt pro exchange class. */
export interface SocketHooked {
  /** Told of every socket open and close; cleared by `close`. */
  hooks: CcxtSocketHooks | null;
  /**
   * Whether a newer deferred run of `method` replaces the pending one (default: none does). Binance's
   * listen-key keep-alive is one: each re-authentication schedules another and only the newest matters.
   */
  replacesPendingRun(method: (...args: unknown[]) => unknown): boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: a mixin's base constructor takes whatever ccxt's does.
type ExchangeClass = new (...args: any[]) => Exchange;

type Timer = ReturnType<typeof setTimeout>;

/**
 * A ccxt pro exchange class (REST included) that reports socket opens and closes to {@link SocketHooked.hooks}
 * and runs ccxt's deferred tasks (keep-alives, retries) on unref'd timers that `close` clears, so a closed
 * venue never holds the process open. What the Binance and Bybit adapters' clients extend.
 *
 * @example
 * ```ts
 * class BybitLinearClient extends withSocketHooks(ccxt.pro.bybit) {}
 * const client = new BybitLinearClient({ apiKey, secret });
 * client.hooks = { opened: (url) => console.log("up", url), closed: (url, reason) => console.log("down", reason) };
 * await client.watchOrderBook("BTC/USDT:USDT", 50);
 * await client.close();
 * ```
 */
export function withSocketHooks<TBase extends ExchangeClass>(
  Base: TBase,
  // biome-ignore lint/suspicious/noExplicitAny: the mixin's constructor takes whatever the base's does.
): TBase & (new (...args: any[]) => SocketHooked) {
  return class extends Base {
    hooks: CcxtSocketHooks | null = null;
    readonly #timers = new Map<Timer, (...args: unknown[]) => unknown>();

    replacesPendingRun(_method: (...args: unknown[]) => unknown): boolean {
      return false;
    }

    override onConnected(client: { url: string }, message?: unknown): void {
      super.onConnected(client, message);
      this.hooks?.opened(client.url);
    }

    /** A refused dial or a missed pong. */
    override onError(client: { url: string }, error: unknown): void {
      super.onError(client, error);
      this.hooks?.closed(client.url, error instanceof Error ? error.message : String(error));
    }

    override onClose(client: { url: string; error?: unknown }, event: unknown): void {
      super.onClose(client, event);
      const code = (event as { code?: number } | undefined)?.code;
      this.hooks?.closed(client.url, `WebSocket closed${code === undefined ? "" : ` (code ${code})`}`);
    }

    override delay(timeout: number, method: (...args: unknown[]) => unknown, ...args: unknown[]): void {
      if (this.replacesPendingRun(method)) {
        for (const [pending, of] of this.#timers) {
          if (of !== method) continue;
          clearTimeout(pending);
          this.#timers.delete(pending);
        }
      }
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.spawn(method, ...args);
      }, timeout);
      timer.unref?.();
      this.#timers.set(timer, method);
    }

    override async close(cleanInstanceCache?: boolean): Promise<void> {
      for (const timer of this.#timers.keys()) clearTimeout(timer);
      this.#timers.clear();
      this.hooks = null;
      await super.close(cleanInstanceCache);
    }
  };
}
