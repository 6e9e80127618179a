import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAccount } from "@botmm/hl-emulator";
import { describe, expect, it } from "vitest";
import { buildConfig } from "../config.ts";
import { startSession } from "../run.ts";
import { memoryLogger, startTestEmulator, waitFor } from "../test-support.ts";
import { readJournal } from "./journal-reader.ts";
import { buildLiveReport, formatLiveSummary, renderLiveHtmlReport } from "./live-report.ts";

const SEED = 3;
const io = { env: {}, stdout: process.stdout, stderr: process.stderr };

// `--sim --duration 10m` with default 1-minute bars against a seeded emulator on 127.0.0.1, then the report
// from its journal. Assertions are on counts and on the journal; the real-time waits only fail a hung run.
describe("the live report of a --sim run", () => {
  it("reads the bot's journal: bars, fills with their reference mids, and the bot's own spread and fees", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-live-report-e2e-"));
    const journalPath = join(dir, "journal.sqlite");
    const emulator = await startTestEmulator({ seed: SEED, speed: 120 });
    const { logger } = memoryLogger("info");
    const config = buildConfig([
      {
        mode: "sim",
        duration: "10m",
        statusIntervalMs: 0,
        journal: journalPath,
        // The scenario this test was written for: the strategy's default quotes and one pushed fill (with the
        // starter quotes of --sim, many more fills, the report once ended with a warning under a loaded suite).
        sim: { seed: SEED, speed: 120, quotes: "defaults" },
      },
    ]);
    const session = await startSession(config, io, { emulator, logger });
    let summary: Awaited<typeof session.bot.finished>;
    try {
      expect(await waitFor(() => session.bot.summary().quotingSince !== null, 30_000)).toBe(true);
      const quotingSince = session.bot.summary().quotingSince ?? 0;
      expect(await waitFor(() => emulator.now() >= quotingSince + 120_000, 30_000)).toBe(true);
      // A move through the resting ask (≈ 8–10 bps from the mid) so the run has a fill; again if no ask was
      // resting then (a loaded machine can leave the bot between quotes or briefly halted).
      const btc = emulator.engine.coin("BTC");
      if (!btc) throw new Error("the emulator lists no BTC");
      const account = () => emulator.account(testAccount(SEED).address);
      const restingAsk = () => [...(account()?.openOrders ?? [])].some((order) => !order.isBuy);
      for (let push = 0; push < 5 && (account()?.fills.length ?? 0) === 0; push++) {
        await waitFor(restingAsk, 20_000);
        btc.fairPx *= 1.004;
        await waitFor(() => (account()?.fills.length ?? 0) > 0, 5_000);
      }
      summary = await Promise.race([
        session.bot.finished,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("the 10m run did not end within 60 s")), 60_000),
        ),
      ]);
    } finally {
      await session.close("test");
      await emulator.stop();
    }

    const data = readJournal(journalPath);
    expect(data.hasReferenceMid).toBe(true);
    expect(data.bars.get("BTC")?.length ?? 0).toBeGreaterThanOrEqual(8);
    expect(data.fills.length).toBeGreaterThan(0);
    expect(data.fills.every((fill) => fill.referenceMid !== null)).toBe(true);

    const result = buildLiveReport(data, { capitalUsd: 10_000, onHalt: "flatten" });
    const report = result.report;
    expect(report.warnings).toEqual([]);
    expect(report.fills.buy + report.fills.sell).toBe(summary.fills.buy + summary.fills.sell);
    // The same reference mids as the bot's ledger: the same spread; fees as the venue charged them.
    expect(report.pnl.spread).toBeCloseTo(summary.pnl.spread, 6);
    expect(report.pnl.fees).toBeCloseTo(summary.pnl.fees, 6);
    expect(report.ledgerTotal).toBeCloseTo(report.pnl.total, 6);
    expect(formatLiveSummary(report)).toContain("BotMM live run report — BTC (sim)");
    expect(renderLiveHtmlReport(result).match(/<svg/g)).toHaveLength(5);
  }, 120_000);
});
