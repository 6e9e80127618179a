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
