import { DatabaseSync } from "node:sqlite";

/** A bar row of a hand-built journal (`halted` 0/1 as stored). */
export interface TestBar {
  coin: string;
  start: number;
  open?: number;
  high?: number;
  low?: number;
  close: number;
  volume?: number;
  position: number;
  halted?: boolean;
  /** The stop time of a partial bar (the open bar a clean stop journals). */
  endedAt?: number;
}

/** A fill row of a hand-built journal. */
export interface TestFill {
  tradeId: string;
  time: number;
  coin: string;
  side: "buy" | "sell";
  price: number;
  size: number;
  fee: number;
  liquidity?: "maker" | "taker";
  clientId?: string | null;
  referenceMid?: number | null;
}

/** A funding row of a hand-built journal. */
export interface TestFunding {
  coin: string;
  time: number;
  payment: number;
  rate?: number;
  position?: number;
}

/**
 * Writes a journal with the bot's schema (runs, events, orders, fills with `reference_mid`, state, funding and
 * bars) and the given rows, for the report's tests. `legacy` leaves out what older bots did not write: the
 * bars table, the `reference_mid` column and the bars' `ended_at` column.
 *
 * @example
 * ```ts
 * writeTestJournal(path, { bars: [{ coin: "BTC", start: 0, close: 100, position: 0 }], fills: [], funding: [] });
 * ```
 */
export function writeTestJournal(
  path: string,
  rows: {
    bars: TestBar[];
    fills: TestFill[];
    funding: TestFunding[];
    mode?: string;
    legacy?: { noBars?: boolean; noReferenceMid?: boolean; noBarEnd?: boolean };
    events?: { kind: string; coin: string; time: number }[];
  },
): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(`
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL, ended_at INTEGER, mode TEXT NOT NULL,
        summary TEXT);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, run INTEGER NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
        coin TEXT, client_id TEXT, data TEXT);
      CREATE TABLE orders (
        client_id TEXT PRIMARY KEY, coin TEXT NOT NULL, side TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL,
        status TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE fills (
        trade_id TEXT PRIMARY KEY, run INTEGER NOT NULL, time INTEGER NOT NULL, coin TEXT NOT NULL,
        side TEXT NOT NULL, price REAL NOT NULL, size REAL NOT NULL, fee REAL NOT NULL, liquidity TEXT NOT NULL,
        client_id TEXT${rows.legacy?.noReferenceMid ? "" : ", reference_mid REAL"});
      CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE funding (
        coin TEXT NOT NULL, time INTEGER NOT NULL, run INTEGER NOT NULL, payment REAL NOT NULL, rate REAL NOT NULL,
        position REAL NOT NULL, PRIMARY KEY (coin, time));
    `);
    if (!rows.legacy?.noBars) {
      db.exec(`CREATE TABLE bars (coin TEXT, start INTEGER, open REAL, high REAL, low REAL, close REAL, volume REAL,
        position REAL, halted INTEGER${rows.legacy?.noBarEnd ? "" : ", ended_at INTEGER"}, PRIMARY KEY(coin, start))`);
    }
    db.exec("BEGIN");
    const first = Math.min(...rows.bars.map((bar) => bar.start), 0);
    db.prepare("INSERT INTO runs (started_at, ended_at, mode, summary) VALUES (?, ?, ?, NULL)").run(
      first,
      null,
      rows.mode ?? "sim",
    );
    if (!rows.legacy?.noBars) {
      const insertBar = db.prepare(
        `INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?${rows.legacy?.noBarEnd ? "" : ", ?"})`,
      );
      for (const bar of rows.bars) {
        const end = rows.legacy?.noBarEnd ? [] : [bar.endedAt ?? null];
        insertBar.run(
          bar.coin,
          bar.start,
          bar.open ?? bar.close,
          bar.high ?? bar.close,
          bar.low ?? bar.close,
          bar.close,
          bar.volume ?? 0,
          bar.position,
          bar.halted ? 1 : 0,
          ...end,
        );
      }
    }
    const insertFill = rows.legacy?.noReferenceMid
      ? db.prepare("INSERT INTO fills VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)")
      : db.prepare("INSERT INTO fills VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const fill of rows.fills) {
      const values = [
        fill.tradeId,
        fill.time,
        fill.coin,
        fill.side,
        fill.price,
        fill.size,
        fill.fee,
        fill.liquidity ?? "maker",
        fill.clientId === undefined ? fill.tradeId : fill.clientId,
      ];
      if (!rows.legacy?.noReferenceMid) values.push(fill.referenceMid ?? null);
      insertFill.run(...values);
    }
    const insertFunding = db.prepare("INSERT INTO funding VALUES (?, ?, 1, ?, ?, ?)");
    for (const payment of rows.funding) {
      insertFunding.run(
        payment.coin,
        payment.time,
        payment.payment,
        payment.rate ?? 0,
        payment.position ?? 0,
      );
    }
    const insertEvent = db.prepare("INSERT INTO events (run, time, kind, coin) VALUES (1, ?, ?, ?)");
    for (const event of rows.events ?? []) insertEvent.run(event.time, event.kind, event.coin);
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}
