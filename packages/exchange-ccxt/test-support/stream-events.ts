// Tests only (not published): what the ccxt adapters' stream tests ask of the events a subscription received.
import type { Fill, L2Book, VenueEvent } from "@botmm/core";

/**
 * Queries over the events a test's subscription collected (`events()` is read on every call, so a test may
 * replace its array between cases).
 */
export function streamEventQueries(events: () => VenueEvent[]): {
  /** Waits (generous cap, no timing assert) until `check` returns a value; the error lists the events seen. */
  waitFor<T>(
    check: () => T | undefined | false | Promise<T | undefined | false>,
    what: string,
    capMs?: number,
  ): Promise<T>;
  /** The fills of one client id. */
  fills(clientId: string): Fill[];
  /** How many `connection` events of this state arrived. */
  connection(state: string): number;
  /** Whether an order update of this client id and status arrived. */
  orderUpdate(clientId: string, status: string): boolean;
  /** The newest `book` event's book. */
  lastBook(): L2Book | undefined;
  /** Whether the newest streamed book has exactly the levels of the venue's REST snapshot. */
  bookMatches(rest: () => Promise<Pick<L2Book, "bids" | "asks">>): Promise<boolean>;
  /** What could leak a secret: every error message and connection reason among the events, and each log entry. */
  wordsSeen(logs: readonly unknown[]): string[];
} {
  const lastBook = (): L2Book | undefined => {
    const all = events();
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i]!;
      if (e.type === "book") return e.book;
    }
    return undefined;
  };
  return {
    async waitFor(check, what, capMs = 20_000) {
      for (let waited = 0; waited < capMs; waited += 10) {
        const value = await check();
        if (value !== undefined && value !== false) return value;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(
        `timed out waiting for ${what}; events: ${events()
          .map((e) => e.type)
          .join(",")}`,
      );
    },
    fills: (clientId) =>
      events().flatMap((e) => (e.type === "fill" && e.fill.clientId === clientId ? [e.fill] : [])),
    connection: (state) => events().filter((e) => e.type === "connection" && e.state === state).length,
    orderUpdate: (clientId, status) =>
      events().some(
        (e) => e.type === "order" && e.update.clientId === clientId && e.update.status === status,
      ),
    lastBook,
    wordsSeen(logs) {
      const words: string[] = [];
      for (const e of events()) {
        if (e.type === "error") words.push(e.error.message);
        if (e.type === "connection") words.push(e.reason ?? "");
      }
      return [...words, ...logs.map((entry) => JSON.stringify(entry))];
    },
    async bookMatches(rest) {
      const book = lastBook();
      const levels = await rest();
      return (
        book !== undefined &&
        JSON.stringify([book.bids, book.asks]) === JSON.stringify([levels.bids, levels.asks])
      );
    },
  };
}
