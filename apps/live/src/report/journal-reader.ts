import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { Liquidity, Side } from "@botmm/core";

/** One closed bar of one coin as the bot journaled it (mid prices; position in base units at the close). */
export interface JournalBar {
  coin: string;
  start: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  position: number;
  /** True when quoting was halted at the bar's close. */
  halted: boolean;
  /**
   * When the bot stopped inside this bar (a clean stop journals its open bar up to then: a partial bar whose
   * close is the last mid before the stop); null for a bar that closed.
   */
  endedAt: number | null;
}

/** One own fill as journaled; `referenceMid` is null when the bot did not know (or an older journal). */
export interface JournalFillRow {
  tradeId: string;
  run: number;
  time: number;
  coin: string;
  side: Side;
  price: number;
  size: number;
  /** USD, positive = paid, negative = rebate (what the venue charged). */
  fee: number;
  liquidity: Liquidity;
  clientId: string | null;
  referenceMid: number | null;
}

/** One funding payment as journaled (USD, positive = received). */
export interface JournalFundingRow {
  coin: string;
  time: number;
  run: number;
  payment: number;
  rate: number;
  position: number;
}

/** Order actions of one coin over every run of a journal. */
export interface OrderCounts {
  placed: number;
  modified: number;
  cancelled: number;
  rejected: number;
}

/** Everything the live report reads from a journal. */
export interface JournalData {
  path: string;
  runs: { id: number; startedAt: number; endedAt: number | null; mode: string; summary: unknown }[];
  /** Bars by coin, each sorted by start. */
  bars: Map<string, JournalBar[]>;
  /** Fills sorted by time. */
  fills: JournalFillRow[];
  /** Funding payments sorted by time. */
  funding: JournalFundingRow[];
  /** Order actions over every run by coin, counted from the events table. */
  orders: Map<string, OrderCounts>;
  /** False for a journal written before fills carried `reference_mid` (spread is then measured from the bar close before the fill). */
  hasReferenceMid: boolean;
  /** The bot's own position ledgers (`inventory:<coin>` state), for the cross-check; absent coins are missing. */
  inventorySnapshots: Map<string, unknown>;
}

/** A journal the live report cannot read, with what is wrong with it. */
export class JournalReadError extends Error {
  override name = "JournalReadError";
}

const REQUIRED_TABLES = ["runs", "events", "fills", "funding", "state"] as const;

/**
 * Reads a live bot's SQLite journal, opened read-only (a running bot may keep writing it). Throws a
 * {@link JournalReadError} naming the file and what is missing when it is not a journal or has no `bars` table
 * (a journal of a bot older than the live report).
 *
 * @example
 * ```ts
 * const data = readJournal("state/journal.sqlite");
 * data.bars.get("BTC")?.length; // closed 1-minute bars of BTC
 * ```
 */
export function readJournal(path: string): JournalData {
  if (!existsSync(path)) throw new JournalReadError(`journal ${path}: no such file`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: true });
  } catch (error) {
    throw new JournalReadError(`journal ${path}: cannot open it read-only (${(error as Error).message})`);
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
          (row) => row.name,
        ),
      );
    } catch (error) {
      throw new JournalReadError(`journal ${path}: not an SQLite database (${(error as Error).message})`);
    }
    const missing = REQUIRED_TABLES.filter((table) => !tables.has(table));
    if (missing.length > 0) {
      throw new JournalReadError(
        `journal ${path}: not a BotMM journal, table${missing.length === 1 ? "" : "s"} ${missing.join(", ")} missing`,
      );
    }
    if (!tables.has("bars")) {
      throw new JournalReadError(
        `journal ${path}: no bars table — it was written by a bot older than the live report, which journals one row per closed bar; the PnL split, drawdown, daily PnL and mark-outs need those bars. Run a current bot to get a journal the report can read.`,
      );
    }
    const fillColumns = new Set(
      (db.prepare("PRAGMA table_info(fills)").all() as { name: string }[]).map((row) => row.name),
    );
    const hasReferenceMid = fillColumns.has("reference_mid");

    const runs = (
      db.prepare("SELECT id, started_at, ended_at, mode, summary FROM runs ORDER BY id").all() as {
        id: number;
        started_at: number;
        ended_at: number | null;
        mode: string;
        summary: string | null;
      }[]
    ).map((row) => ({
      id: Number(row.id),
      startedAt: Number(row.started_at),
      endedAt: row.ended_at === null ? null : Number(row.ended_at),
      mode: row.mode,
      summary: parseJson(row.summary),
    }));

    const bars = new Map<string, JournalBar[]>();
    const barColumns = new Set(
      (db.prepare("PRAGMA table_info(bars)").all() as { name: string }[]).map((row) => row.name),
    );
    const barRows = db
      .prepare(
        `SELECT coin, start, open, high, low, close, volume, position, halted${barColumns.has("ended_at") ? ", ended_at" : ""}
         FROM bars ORDER BY coin, start`,
      )
      .all() as Record<string, unknown>[];
    for (const row of barRows) {
      const bar: JournalBar = {
        coin: String(row.coin),
        start: Number(row.start),
        open: Number(row.open),
        high: Number(row.high),
        low: Number(row.low),
        close: Number(row.close),
        volume: Number(row.volume ?? 0),
        position: Number(row.position ?? 0),
        halted: Number(row.halted ?? 0) === 1,
        endedAt: row.ended_at === undefined || row.ended_at === null ? null : Number(row.ended_at),
      };
      if (!(bar.close > 0)) {
        throw new JournalReadError(
          `journal ${path}: bars row coin ${bar.coin} start ${bar.start}: close must be a positive price, got ${String(row.close)}`,
        );
      }
      const list = bars.get(bar.coin);
      if (list === undefined) bars.set(bar.coin, [bar]);
      else list.push(bar);
    }

    const fills = (
      db
        .prepare(
          `SELECT trade_id, run, time, coin, side, price, size, fee, liquidity, client_id${hasReferenceMid ? ", reference_mid" : ""}
           FROM fills ORDER BY time, trade_id`,
        )
        .all() as Record<string, unknown>[]
    ).map((row): JournalFillRow => {
      const side = row.side;
      const liquidity = row.liquidity;
      if ((side !== "buy" && side !== "sell") || (liquidity !== "maker" && liquidity !== "taker")) {
        throw new JournalReadError(
          `journal ${path}: fills row trade_id ${String(row.trade_id)}: side must be buy|sell and liquidity maker|taker, got ${String(side)} / ${String(liquidity)}`,
        );
      }
      const referenceMid =
        row.reference_mid === undefined || row.reference_mid === null ? null : Number(row.reference_mid);
      return {
        tradeId: String(row.trade_id),
        run: Number(row.run),
        time: Number(row.time),
        coin: String(row.coin),
        side,
        price: Number(row.price),
        size: Number(row.size),
        fee: Number(row.fee),
        liquidity,
        clientId: row.client_id === null ? null : String(row.client_id),
        referenceMid: referenceMid !== null && referenceMid > 0 ? referenceMid : null,
      };
    });

    const funding = (
      db
        .prepare("SELECT coin, time, run, payment, rate, position FROM funding ORDER BY time, coin")
        .all() as Record<string, unknown>[]
    ).map(
      (row): JournalFundingRow => ({
        coin: String(row.coin),
        time: Number(row.time),
        run: Number(row.run),
        payment: Number(row.payment),
        rate: Number(row.rate),
        position: Number(row.position),
      }),
    );

    const orders = new Map<string, OrderCounts>();
    for (const row of db
      .prepare(
        `SELECT coin, kind, COUNT(*) AS n FROM events
         WHERE kind IN ('place', 'modify', 'cancel', 'reject') AND coin IS NOT NULL GROUP BY coin, kind`,
      )
      .all() as { coin: string; kind: string; n: number }[]) {
      const n = Number(row.n);
      const counts = orders.get(row.coin) ?? { placed: 0, modified: 0, cancelled: 0, rejected: 0 };
      orders.set(row.coin, counts);
      if (row.kind === "place") counts.placed = n;
      else if (row.kind === "modify") counts.modified = n;
      else if (row.kind === "cancel") counts.cancelled = n;
      else counts.rejected = n;
    }

    const inventorySnapshots = new Map<string, unknown>();
    for (const row of db.prepare("SELECT key, value FROM state WHERE key LIKE 'inventory:%'").all() as {
      key: string;
      value: string;
    }[]) {
      inventorySnapshots.set(row.key.slice("inventory:".length), parseJson(row.value));
    }

    return { path, runs, bars, fills, funding, orders, hasReferenceMid, inventorySnapshots };
  } finally {
    db.close();
  }
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
