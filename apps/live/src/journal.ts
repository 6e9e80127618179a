import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { Fill, FundingPayment, Side } from "@botmm/core";

/** What the journal remembers about one order. */
export interface JournalOrder {
  clientId: string;
  coin: string;
  side: Side;
  price: number;
  size: number;
  /** `pending` (sent, no answer), `open`, `unknown` (answer lost), `closed` (cancelled, filled, rejected). */
  status: "pending" | "open" | "unknown" | "closed";
  updatedAt: number;
}

/** Kinds of journal events. */
export type JournalEventKind =
  | "place"
  | "modify"
  | "cancel"
  | "ack"
  | "reject"
  | "unknown"
  | "closed"
  | "fill"
  | "funding"
  | "note";

/** A run as the journal records it. */
export interface JournalRun {
  id: number;
  startedAt: number;
  endedAt: number | null;
  mode: string;
}

/** One bar as {@link Journal.recordBar} takes it (a `BarBuilder`'s `lastClosed`, or its `current` at a stop). */
export interface JournalBar {
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * An append-only SQLite journal (Node's built-in `node:sqlite`, no native addon) of every order intent,
 * acknowledgement and fill, plus the state a restart needs: Inventory and risk snapshots, the next client
 * id of each coin and the time of the last fill. Writes are synchronous, so an intent is on disk before the
 * request leaves and an answer right after it arrives. `":memory:"` keeps it in memory (nothing to resume).
 *
 * @example
 * ```ts
 * const journal = Journal.open("run.sqlite");
 * const run = journal.beginRun("sim", Date.now());
 * journal.recordIntent("place", { clientId: "7", coin: "BTC", side: "buy", price: 100, size: 1 }, Date.now());
 * journal.close();
 * ```
 */
export class Journal {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #insertEvent: StatementSync;
  readonly #upsertOrder: StatementSync;
  readonly #setOrderStatus: StatementSync;
  readonly #insertFunding: StatementSync;

  readonly #insertFill: StatementSync;
  readonly #setFillReferenceMid: StatementSync;
  readonly #insertBar: StatementSync;
  readonly #setState: StatementSync;
  readonly #getState: StatementSync;
  #runId = 0;

  private constructor(path: string) {
    this.path = path;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, ended_at INTEGER, mode TEXT NOT NULL,
        summary TEXT);
      CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
        coin TEXT, client_id TEXT, data TEXT);
      CREATE TABLE IF NOT EXISTS orders (
        client_id TEXT PRIMARY KEY, coin TEXT NOT NULL, side TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL,
        status TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS orders_status ON orders(status);
      CREATE TABLE IF NOT EXISTS fills (
        trade_id TEXT PRIMARY KEY, run INTEGER NOT NULL, time INTEGER NOT NULL, coin TEXT NOT NULL,
        side TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL, fee REAL NOT NULL, liquidity TEXT NOT NULL,
        client_id TEXT, reference_mid REAL);
      CREATE TABLE IF NOT EXISTS bars (
        coin TEXT NOT NULL, start INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
        close REAL NOT NULL, volume REAL NOT NULL, position REAL NOT NULL, halted INTEGER NOT NULL,
        ended_at INTEGER, PRIMARY KEY (coin, start));
      CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS funding (
        coin TEXT NOT NULL, time INTEGER NOT NULL, run INTEGER NOT NULL, payment REAL NOT NULL, rate REAL NOT NULL,
        position REAL NOT NULL, PRIMARY KEY (coin, time));
    `);
    // Journals written before the live report existed lack the fill's reference mid.
    const fillColumns = this.#db.prepare("PRAGMA table_info(fills)").all() as { name: string }[];
    if (!fillColumns.some((column) => column.name === "reference_mid"))
      this.#db.exec("ALTER TABLE fills ADD COLUMN reference_mid REAL");
    this.#setFillReferenceMid = this.#db.prepare("UPDATE fills SET reference_mid = ? WHERE trade_id = ?");
    // Journals written before a clean stop journaled its open bar lack the bar's `ended_at`.
    const barColumns = this.#db.prepare("PRAGMA table_info(bars)").all() as { name: string }[];
    if (!barColumns.some((column) => column.name === "ended_at"))
      this.#db.exec("ALTER TABLE bars ADD COLUMN ended_at INTEGER");
    this.#insertBar = this.#db.prepare(
      `INSERT OR REPLACE INTO bars (coin, start, open, high, low, close, volume, position, halted, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertEvent = this.#db.prepare(
      "INSERT INTO events (run, time, kind, coin, client_id, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#upsertOrder = this.#db.prepare(
      `INSERT INTO orders (client_id, coin, side, price, size, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(client_id) DO UPDATE SET price = excluded.price, size = excluded.size,
       status = excluded.status, updated_at = excluded.updated_at`,
    );
    this.#setOrderStatus = this.#db.prepare(
      "UPDATE orders SET status = ?, updated_at = ? WHERE client_id = ?",
    );
    this.#insertFunding = this.#db.prepare(
      "INSERT OR IGNORE INTO funding (coin, time, run, payment, rate, position) VALUES (?, ?, ?, ?, ?, ?)",
    );
    this.#insertFill = this.#db.prepare(
      `INSERT OR IGNORE INTO fills (trade_id, run, time, coin, side, price, size, fee, liquidity, client_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#setState = this.#db.prepare(
      "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    );
    this.#getState = this.#db.prepare("SELECT value FROM state WHERE key = ?");
  }

  /**
   * Opens (creating if needed) a journal file, or an in-memory one for `":memory:"`.
   *
   * @example
   * ```ts
   * const journal = Journal.open(":memory:");
   * ```
   */
  static open(path: string): Journal {
    return new Journal(path);
  }

  /** The current run's id (0 before {@link Journal.beginRun}). */
  get runId(): number {
    return this.#runId;
  }

  /**
   * Starts a run and returns how many runs this journal held before it (the restarts).
   *
   * @example
   * ```ts
   * const restarts = journal.beginRun("sim", clock.now());
   * ```
   */
  beginRun(mode: string, time: number): number {
    const before = this.#db.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number };
    const result = this.#db.prepare("INSERT INTO runs (started_at, mode) VALUES (?, ?)").run(time, mode);
    this.#runId = Number(result.lastInsertRowid);
    return Number(before.n);
  }

  /**
   * Closes the current run with its summary.
   *
   * @example
   * ```ts
   * journal.endRun(clock.now(), summary);
   * ```
   */
  endRun(time: number, summary: unknown): void {
    this.#db
      .prepare("UPDATE runs SET ended_at = ?, summary = ? WHERE id = ?")
      .run(time, JSON.stringify(summary), this.#runId);
  }

  /**
   * Every run, oldest first.
   *
   * @example
   * ```ts
   * journal.runs().length; // 2 after one restart
   * ```
   */
  runs(): JournalRun[] {
    const rows = this.#db.prepare("SELECT id, started_at, ended_at, mode FROM runs ORDER BY id").all() as {
      id: number;
      started_at: number;
      ended_at: number | null;
      mode: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      mode: row.mode,
    }));
  }

  /**
   * Appends an intent (before the request is sent) and records the order as pending.
   *
   * @example
   * ```ts
   * journal.recordIntent("place", { clientId: "12", coin: "BTC", side: "sell", price: 101, size: 0.01 }, now);
   * ```
   */
  recordIntent(
    kind: "place" | "modify" | "cancel",
    order: { clientId: string; coin: string; side: Side; price: number; size: number; replaces?: string },
    time: number,
  ): void {
    this.#insertEvent.run(this.#runId, time, kind, order.coin, order.clientId, JSON.stringify(order));
    if (kind !== "cancel") {
      this.#upsertOrder.run(order.clientId, order.coin, order.side, order.price, order.size, "pending", time);
    }
  }

  /**
   * Appends an answer or a state change of an order and updates its status.
   *
   * @example
   * ```ts
   * journal.recordOrderEvent("ack", "BTC", "12", now);
   * journal.recordOrderEvent("reject", "BTC", "13", now, { reason: "Post only order would have immediately matched" });
   * ```
   */
  recordOrderEvent(
    kind: "ack" | "reject" | "unknown" | "closed",
    coin: string,
    clientId: string,
    time: number,
    data?: Record<string, unknown>,
  ): void {
    this.#insertEvent.run(this.#runId, time, kind, coin, clientId, data ? JSON.stringify(data) : null);
    const status = kind === "ack" ? "open" : kind === "unknown" ? "unknown" : "closed";
    this.#setOrderStatus.run(status, time, clientId);
  }

  /**
   * Appends a fill unless one with the same trade id is already there. Returns false for a duplicate.
   *
   * @example
   * ```ts
   * if (journal.recordFill(fill)) inventory.applyFill(fill);
   * ```
   */
  recordFill(fill: Fill): boolean {
    const result = this.#insertFill.run(
      fill.tradeId,
      this.#runId,
      fill.time,
      fill.coin,
      fill.side,
      fill.price,
      fill.size,
      fill.fee,
      fill.liquidity,
      fill.clientId,
    );
    if (Number(result.changes) === 0) return false;
    this.#insertEvent.run(this.#runId, fill.time, "fill", fill.coin, fill.clientId, JSON.stringify(fill));
    return true;
  }

  /**
   * Sets the mid a journaled fill's spread was measured against (the kernel's reference mid), once it is
   * booked. NaN or non-positive leaves it NULL.
   *
   * @example
   * ```ts
   * if (journal.recordFill(fill)) {
   *   kernel.bookFill(id, fill.side, fill.price, fill.size, fill.liquidity, fill.time);
   *   journal.setFillReferenceMid(fill.tradeId, kernel.lastFillReferenceMid);
   * }
   * ```
   */
  setFillReferenceMid(tradeId: string, referenceMid: number): void {
    this.#setFillReferenceMid.run(referenceMid > 0 ? referenceMid : null, tradeId);
  }

  /**
   * Journals a closed bar of `coin` with the position at its close and whether quoting was halted
   * (the live report's bars; a bar written again replaces the earlier row). `endedAt` marks a partial bar: the
   * bar still open when the bot stopped cleanly, journaled up to that time so that fills before the stop are
   * marked at its last mid; a later run's closed bar of the same start replaces it.
   *
   * @example
   * ```ts
   * if (bars.onMid(mid, now) > 0) journal.recordBar("BTC", bars.lastClosed, kernel.positionSize, false);
   * // at a clean stop:
   * if (bars.isOpen) journal.recordBar("BTC", bars.current, kernel.positionSize, false, clock.now());
   * ```
   */
  recordBar(coin: string, bar: JournalBar, position: number, halted: boolean, endedAt?: number): void {
    this.#insertBar.run(
      coin,
      bar.startMs,
      bar.open,
      bar.high,
      bar.low,
      bar.close,
      bar.volume,
      position,
      halted ? 1 : 0,
      endedAt ?? null,
    );
  }

  /**
   * Journals a funding payment; false when it was journaled before (a resubscription may repeat it), so the
   * caller books it into the position ledger exactly once.
   *
   * @example
   * ```ts
   * if (journal.recordFunding(payment)) inventory.recordFundingPayment(payment.paymentUsd);
   * ```
   */
  recordFunding(payment: FundingPayment): boolean {
    const result = this.#insertFunding.run(
      payment.coin,
      payment.time,
      this.#runId,
      payment.paymentUsd,
      payment.rate,
      payment.positionSize,
    );
    if (Number(result.changes) === 0) return false;
    this.#insertEvent.run(this.#runId, payment.time, "funding", payment.coin, null, JSON.stringify(payment));
    return true;
  }

  /**
   * Whether a fill with this trade id is journaled.
   *
   * @example
   * ```ts
   * journal.hasFill("0xabc:1");
   * ```
   */
  hasFill(tradeId: string): boolean {
    return this.#db.prepare("SELECT 1 FROM fills WHERE trade_id = ?").get(tradeId) !== undefined;
  }

  /**
   * Appends a free-form note (start-up steps, risk changes, reconciliation outcomes).
   *
   * @example
   * ```ts
   * journal.note(now, { event: "kill-switch", source: "SIGUSR2" });
   * ```
   */
  note(time: number, data: Record<string, unknown>): void {
    this.#insertEvent.run(this.#runId, time, "note", null, null, JSON.stringify(data));
  }

  /**
   * Orders the journal believes may still rest (pending, open or unknown).
   *
   * @example
   * ```ts
   * for (const order of journal.liveOrders()) console.log(order.clientId);
   * ```
   */
  liveOrders(): JournalOrder[] {
    const rows = this.#db
      .prepare(
        "SELECT client_id, coin, side, price, size, status, updated_at FROM orders WHERE status != 'closed'",
      )
      .all() as {
      client_id: string;
      coin: string;
      side: Side;
      price: number;
      size: number;
      status: JournalOrder["status"];
      updated_at: number;
    }[];
    return rows.map((row) => ({
      clientId: row.client_id,
      coin: row.coin,
      side: row.side,
      price: row.price,
      size: row.size,
      status: row.status,
      updatedAt: row.updated_at,
    }));
  }

  /**
   * Counts of journaled fills by side (all runs).
   *
   * @example
   * ```ts
   * journal.fillCounts(); // { buy: 3, sell: 2 }
   * ```
   */
  fillCounts(): { buy: number; sell: number } {
    const rows = this.#db.prepare("SELECT side, COUNT(*) AS n FROM fills GROUP BY side").all() as {
      side: Side;
      n: number;
    }[];
    const counts = { buy: 0, sell: 0 };
    for (const row of rows) counts[row.side] = Number(row.n);
    return counts;
  }

  /**
   * The largest numeric client id journaled for `coin` (0 when none): a restarted bot continues past it.
   *
   * @example
   * ```ts
   * const next = journal.maxClientId("BTC") + 1;
   * ```
   */
  maxClientId(coin: string): number {
    const row = this.#db
      .prepare("SELECT MAX(CAST(client_id AS INTEGER)) AS id FROM orders WHERE coin = ?")
      .get(coin) as { id: number | bigint | null };
    return row.id === null ? 0 : Number(row.id);
  }

  /**
   * Time of the newest journaled fill (0 when none).
   *
   * @example
   * ```ts
   * const since = journal.lastFillTime();
   * ```
   */
  lastFillTime(): number {
    const row = this.#db.prepare("SELECT MAX(time) AS t FROM fills").get() as { t: number | null };
    return row.t ?? 0;
  }

  /**
   * Stores a JSON value under `key` (snapshots, counters).
   *
   * @example
   * ```ts
   * journal.setState("inventory:BTC", inventory.toJSON());
   * ```
   */
  setState(key: string, value: unknown): void {
    this.#setState.run(key, JSON.stringify(value));
  }

  /**
   * Reads a JSON value stored with {@link Journal.setState}, or undefined.
   *
   * @example
   * ```ts
   * const snapshot = journal.getState("risk");
   * ```
   */
  getState(key: string): unknown {
    const row = this.#getState.get(key) as { value: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.value);
  }

  /**
   * Runs `write` in one transaction (state saves touch several rows).
   *
   * @example
   * ```ts
   * journal.transaction(() => { journal.setState("a", 1); journal.setState("b", 2); });
   * ```
   */
  transaction(write: () => void): void {
    this.#db.exec("BEGIN");
    try {
      write();
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Every event of every run as rows (for tests, audits and the security check that no secret is stored).
   *
   * @example
   * ```ts
   * journal.events().filter((event) => event.kind === "fill").length;
   * ```
   */
  events(): {
    run: number;
    time: number;
    kind: JournalEventKind;
    coin: string | null;
    clientId: string | null;
    data: string | null;
  }[] {
    const rows = this.#db
      .prepare("SELECT run, time, kind, coin, client_id, data FROM events ORDER BY seq")
      .all() as {
      run: number;
      time: number;
      kind: JournalEventKind;
      coin: string | null;
      client_id: string | null;
      data: string | null;
    }[];
    return rows.map((row) => ({ ...row, clientId: row.client_id }));
  }

  /**
   * Flushes (a WAL checkpoint) and closes the database.
   *
   * @example
   * ```ts
   * journal.close();
   * ```
   */
  close(): void {
    if (!this.#db.isOpen) return;
    try {
      if (this.path !== ":memory:") this.#db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      this.#db.close();
    }
  }
}
