import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cloidToClientId } from "@botmm/exchange-hl";
import { type Emulator, testAccount } from "@botmm/hl-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Journal } from "./journal.ts";
import { clientIdPrefix } from "./prefix.ts";
import { type LiveSession, startSession } from "./run.ts";
import { fastConfig, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

const SEED = 7;
const account = testAccount(SEED);
const prefix = clientIdPrefix(account.address, "botmm");
const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

/** This bot's orders resting on the emulator, by client id. */
function venueOrders(emulator: Emulator): string[] {
  const orders = emulator.account(account.address)?.openOrders ?? new Set();
  return [...orders].map((order) => cloidToClientId(prefix, order.cloid ?? null) ?? `foreign:${order.oid}`);
}

function venuePosition(emulator: Emulator): { size: number; notionalUsd: number } {
  const state = emulator.clearinghouseState(account.address);
  const btc = state.assetPositions.find((entry) => entry.position.coin === "BTC");
  const size = btc ? Number(btc.position.szi) : 0;
  const book = emulator.book("BTC");
  const mid = book ? (Number(book.levels[0][0]?.px) + Number(book.levels[1][0]?.px)) / 2 : 0;
  return { size, notionalUsd: size * mid };
}

describe("--sim end to end with fault injection (in-process emulator, accelerated clock)", () => {
  let emulator: Emulator;
  let session: LiveSession;
  let dir: string;
  const { logger, lines } = memoryLogger("info");
  const maxPositionUsd = 300;
  const positionCeilingUsd = maxPositionUsd * 1.5 + 120; // hard limit + one order in flight
  let worstPositionUsd = 0;
  let sampler: ReturnType<typeof setInterval>;

  /** No orphans (every resting order is one the bot tracks), no duplicates, at most one per slot. */
  async function consistent(timeoutMs = 4_000): Promise<boolean> {
    return waitFor(() => {
      const onVenue = venueOrders(emulator);
      const live = new Set(session.bot.coins.get("BTC")!.kernel.orders.liveClientIds().map(String));
      const unique = new Set(onVenue).size === onVenue.length;
      return unique && onVenue.length <= 2 && onVenue.every((id) => live.has(id));
    }, timeoutMs);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "botmm-live-e2e-"));
    emulator = await startTestEmulator({ seed: SEED, speed: 20 });
    session = await startSession(
      fastConfig({ journal: join(dir, "journal.sqlite"), killFile: join(dir, "KILL") }),
      io,
      {
        emulator,
        logger,
      },
    );
    sampler = setInterval(() => {
      worstPositionUsd = Math.max(worstPositionUsd, Math.abs(venuePosition(emulator).notionalUsd));
    }, 10);
    // Warm-up: two 1 s bars of simulated time, then quotes rest on both sides.
    expect(await waitFor(() => venueOrders(emulator).length === 2, 8_000)).toBe(true);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await session?.close();
    await emulator?.stop();
  });

  it("quotes both sides and gets filled", async () => {
    expect(
      await waitFor(() => session.bot.summary().fills.buy + session.bot.summary().fills.sell > 0, 10_000),
    ).toBe(true);
    expect(await consistent()).toBe(true);
  });

  it("survives a WebSocket drop: reconnects, resubscribes and keeps quoting", async () => {
    const before = session.bot.summary().orders;
    emulator.dropConnections();
    expect(await waitFor(() => emulator.connectionCount > 0, 5_000)).toBe(true);
    const moved = await waitFor(() => {
      const now = session.bot.summary().orders;
      return now.modified + now.placed > before.modified + before.placed + 2;
    }, 8_000);
    expect(moved).toBe(true);
    expect(await consistent()).toBe(true);
  });

  it("survives HTTP 503 and 429 bursts without orphan or duplicate orders", async () => {
    const errorsBefore = session.bot.summary().errors;
    emulator.injectHttpFault({ kind: "status", status: 503, count: 3 });
    emulator.injectHttpFault({ kind: "status", status: 429, count: 2 });
    expect(await waitFor(() => session.bot.summary().errors > errorsBefore, 5_000)).toBe(true);
    expect(await consistent(8_000)).toBe(true);
    expect(await waitFor(() => venueOrders(emulator).length === 2, 8_000)).toBe(true);
  });

  it("halts and cancels on a stalled book, and resumes when it moves again", async () => {
    emulator.stallBook("BTC");
    const stale = () =>
      session.bot.risk.evaluate("BTC").reasons.some((reason) => reason.rule === "stale-data");
    expect(await waitFor(stale, 6_000)).toBe(true);
    expect(await waitFor(() => venueOrders(emulator).length === 0, 4_000)).toBe(true);
    emulator.resumeBook("BTC");
    expect(await waitFor(() => venueOrders(emulator).length === 2, 8_000)).toBe(true);
    expect(await consistent()).toBe(true);
  });

  it("counts rejected orders and re-quotes cleanly", async () => {
    const before = session.bot.summary().orders.rejected;
    emulator.rejectNextOrders(3, "Insufficient margin to place order. asset=0");
    expect(await waitFor(() => session.bot.summary().orders.rejected >= before + 1, 6_000)).toBe(true);
    expect(await waitFor(() => venueOrders(emulator).length === 2, 8_000)).toBe(true);
    expect(await consistent()).toBe(true);
  });

  it("keeps the position within limits and the journal in step with the venue", async () => {
    expect(worstPositionUsd).toBeLessThanOrEqual(positionCeilingUsd);
    // Journal: every resting order of this bot is one the journal believes may rest.
    const journalLive = new Set(session.journal.liveOrders().map((order) => order.clientId));
    expect(venueOrders(emulator).every((id) => journalLive.has(id))).toBe(true);
    // Position: the ledger built from journaled fills matches the venue.
    expect(
      await waitFor(
        () =>
          Math.abs(session.bot.coins.get("BTC")!.kernel.positionSize - venuePosition(emulator).size) < 1e-9,
        4_000,
      ),
    ).toBe(true);
  });

  it("kill file: halts, cancels everything and stays halted", async () => {
    writeFileSync(join(dir, "KILL"), "stop\n");
    expect(await waitFor(() => venueOrders(emulator).length === 0, 5_000)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(venueOrders(emulator)).toEqual([]);
    expect(session.bot.risk.killSwitchEngaged).toBe(true);
  });

  it("stops cleanly: nothing left on the venue, journal closed out, summary complete", async () => {
    const summary = await session.close("test");
    expect(summary.openOrdersAtExit).toBe(0);
    expect(venueOrders(emulator)).toEqual([]);
    expect(summary.maxAbsPositionUsd).toBeLessThanOrEqual(positionCeilingUsd);
    expect(summary.killSwitch).toBe(true);
    for (const key of ["placed", "modified", "cancelled", "rejected"] as const)
      expect(summary.orders[key]).toBeGreaterThanOrEqual(0);
    expect(Object.keys(summary.pnl).sort()).toEqual(["fees", "funding", "inventory", "spread", "total"]);
    const journal = Journal.open(join(dir, "journal.sqlite"));
    try {
      expect(journal.liveOrders()).toEqual([]);
      expect(journal.fillCounts().buy + journal.fillCounts().sell).toBe(
        summary.fills.buy + summary.fills.sell,
      );
    } finally {
      journal.close();
    }
    expect(lines.some((line) => line.includes("KILL SWITCH"))).toBe(true);
  });

  it("journals what the live report reads: closed bars, and each fill's reference mid", () => {
    const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
    try {
      const bars = db.prepare("SELECT * FROM bars ORDER BY start").all() as {
        coin: string;
        start: number;
        open: number;
        high: number;
        low: number;
        close: number;
        position: number;
        halted: number;
      }[];
      expect(bars.length).toBeGreaterThan(2);
      for (const bar of bars) {
        expect(bar.coin).toBe("BTC");
        expect(bar.start % 1_000).toBe(0); // 1 s bars
        expect(bar.low).toBeGreaterThan(0);
        expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
        expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
        expect(Number.isFinite(bar.position)).toBe(true);
        expect([0, 1]).toContain(bar.halted);
      }
      const fills = db.prepare("SELECT price, reference_mid FROM fills").all() as {
        price: number;
        reference_mid: number | null;
      }[];
      expect(fills.length).toBeGreaterThan(0);
      // Each fill's spread is measured from the mid its order was priced from: within 1% of the fill.
      for (const fill of fills) {
        expect(fill.reference_mid).not.toBeNull();
        expect(Math.abs(fill.reference_mid! - fill.price) / fill.price).toBeLessThan(0.01);
      }
    } finally {
      db.close();
    }
  });
});
