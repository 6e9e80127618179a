import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { parseStrategyConfig } from "@botmm/strategy";
import { describe, expect, it } from "vitest";
import { needsTrades } from "./bot.ts";
import { startSession } from "./run.ts";
import { fastConfig, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

describe("needsTrades", () => {
  it("opens the trade stream only for the trade-flow shift and the online calibration", () => {
    expect(needsTrades(parseStrategyConfig())).toBe(false);
    expect(needsTrades(parseStrategyConfig({ fairPrice: "microprice", toxicityPull: true }))).toBe(false);
    expect(needsTrades(parseStrategyConfig({ calibration: "online" }))).toBe(true);
    expect(needsTrades(parseStrategyConfig({ tradeFlowShiftBps: 0.5 }))).toBe(true);
    expect(needsTrades(parseStrategyConfig({ sweepPullBps: 2 }))).toBe(true);
  });
});

describe("memory over a long run", () => {
  it("keeps none of fetch's resource timings (Node would buffer up to 250 per process)", async () => {
    performance.clearResourceTimings();
    let requests = 0;
    const observer = new PerformanceObserver((list) => {
      requests += list.getEntriesByType("resource").length;
    });
    observer.observe({ type: "resource" });
    const emulator = await startTestEmulator({ seed: 5, speed: 20 });
    const dir = mkdtempSync(join(tmpdir(), "botmm-bot-memory-"));
    const session = await startSession(
      fastConfig({ journal: join(dir, "journal.sqlite"), reconcileIntervalMs: 1_000 }),
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { emulator, logger: memoryLogger("silent").logger },
    );
    try {
      // Start-up alone asks the info endpoint several times; periodic reconciliation keeps asking.
      expect(await waitFor(() => requests >= 20, 30_000)).toBe(true);
      expect(performance.getEntriesByType("resource")).toHaveLength(0);
    } finally {
      observer.disconnect();
      await session.close("test");
      await emulator.stop();
    }
  });
});

describe("periodic reconciliation", () => {
  it("leaves room to requote when each reconciliation takes longer than the interval", async () => {
    // At 100× a 100 ms (simulated) interval is 1 ms of real time: shorter than any reconciliation's requests.
    // Counted from the start of the last one, reconciling ran back to back and the bot never requoted again.
    const emulator = await startTestEmulator({ seed: 11, speed: 100 });
    const { logger, lines } = memoryLogger("debug");
    const session = await startSession(
      fastConfig({ reconcileIntervalMs: 100, sim: { seed: 11, speed: 100 } }),
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { emulator, logger },
    );
    try {
      const reconciled = () => session.bot.summary().requestsByKind.other;
      const moved = () => session.bot.summary().orders.modified + session.bot.summary().orders.placed;
      expect(await waitFor(() => reconciled() >= 10 && moved() > 0, 60_000)).toBe(true);
      const before = { reconciled: reconciled(), moved: moved() };
      // Reconciliations go on, and so does quoting between them.
      expect(await waitFor(() => reconciled() >= before.reconciled + 20, 60_000)).toBe(true);
      expect(await waitFor(() => moved() >= before.moved + 5, 60_000)).toBe(true);
      expect(lines.join("\n")).not.toContain('"msg":"loop failed"');
    } finally {
      await session.close("test");
      await emulator.stop();
    }
  }, 200_000);
});
