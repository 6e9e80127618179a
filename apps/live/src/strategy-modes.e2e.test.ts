import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloidToClientId } from "@botmm/exchange-hl";
import { type Emulator, testAccount } from "@botmm/hl-emulator";
import { describe, expect, it } from "vitest";
import { parseCli } from "./config.ts";
import { clientIdPrefix } from "./prefix.ts";
import { type LiveSession, startSession } from "./run.ts";
import { FAST_SETTINGS, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

// The issue-13 strategy options end to end in `--sim`: the flags reach the kernel, the kernel reads the emulator's
// book, and the toxicity pull takes the bid out and brings it back. Every assertion is on the simulated clock, on
// counts or on the bot's state; real-time waits are generous upper bounds that only fail a hung run.

const io = { env: {}, stdout: process.stdout, stderr: process.stderr };
const WAIT_MS = 60_000;

/** Our buy orders resting on the emulator (the bid side as the venue sees it). */
function restingBids(emulator: Emulator, seed: number): number {
  const account = testAccount(seed);
  const prefix = clientIdPrefix(account.address, "botmm");
  const orders = emulator.account(account.address)?.openOrders ?? new Set();
  return [...orders].filter((order) => order.isBuy && cloidToClientId(prefix, order.cloid ?? null) !== null)
    .length;
}

/** Our buy fills on the emulator, with their simulated times. */
function buyFills(emulator: Emulator, seed: number): { time: number; px: number }[] {
  const fills = emulator.account(testAccount(seed).address)?.fills ?? [];
  return fills.filter((fill) => fill.side === "B").map((fill) => ({ time: fill.time, px: Number(fill.px) }));
}

/**
 * The config the command line gives for `--sim --config fast.json <flags>`, the file holding the fast test
 * settings (1 s bars, two-bar warm-up, tight small quotes): the flags go through the parser a user's do.
 */
async function configFromFlags(flags: string[], seed: number, speed: number) {
  const dir = mkdtempSync(join(tmpdir(), "botmm-strategy-modes-"));
  const file = join(dir, "fast.json");
  writeFileSync(file, JSON.stringify(FAST_SETTINGS));
  const argv = [
    "--sim",
    "--config",
    file,
    "--sim-seed",
    String(seed),
    "--sim-speed",
    String(speed),
    ...flags,
  ];
  const request = await parseCli(argv, {});
  if (request.kind !== "run") throw new Error(`expected a run, got ${request.kind}`);
  return request.config;
}

async function withSession(
  seed: number,
  speed: number,
  flags: string[],
  body: (session: LiveSession, emulator: Emulator) => Promise<void>,
): Promise<void> {
  const emulator = await startTestEmulator({ seed, speed });
  const { logger } = memoryLogger("warn");
  const session = await startSession(await configFromFlags(flags, seed, speed), io, { emulator, logger });
  try {
    await body(session, emulator);
  } finally {
    await session.close("test");
    await emulator.stop();
  }
}

describe("--sim with the fair-price modes", () => {
  for (const mode of ["mid", "microprice", "imbalance"] as const) {
    it(`--fair-price ${mode}: quotes, centred ${mode === "mid" ? "on the mid" : "off the mid when the book leans"}`, async () => {
      const seed = 21;
      await withSession(seed, 20, ["--fair-price", mode], async (session, emulator) => {
        const kernel = session.bot.coins.get("BTC")!.kernel;
        expect(kernel.maker.config.fairPrice).toBe(mode);
        // Each decision next to the mid it was made on (the kernel's mark at that moment).
        const decisions: { mid: number; fairPrice: number; imbalance: number }[] = [];
        const decide = kernel.decide.bind(kernel);
        kernel.decide = (...args) => {
          const counts = decide(...args);
          if (kernel.decision.status === "quoting")
            decisions.push({
              mid: kernel.markPrice,
              fairPrice: kernel.decision.fairPrice,
              imbalance: kernel.decision.bookImbalance,
            });
          return counts;
        };
        const enough = await waitFor(
          () => decisions.length >= 20 && restingBids(emulator, seed) > 0,
          WAIT_MS,
          10,
        );
        expect(enough, `quoted ${decisions.length} times: ${session.bot.statusLine()}`).toBe(true);
        // Both sides on the status line: a side is empty for a moment after each fill until the next requote.
        const bothQuoted = await waitFor(
          () => /q [\d.]+\/[\d.]+/.test(session.bot.statusLine()),
          WAIT_MS,
          10,
        );
        expect(bothQuoted, session.bot.statusLine()).toBe(true);
        const offMid = decisions.filter((decision) => decision.fairPrice !== decision.mid);
        if (mode === "mid") expect(offMid).toEqual([]);
        else {
          expect(offMid.length).toBeGreaterThan(0);
          for (const decision of offMid) {
            // Towards the heavier side, by less than a few bps (the book is a few ticks wide).
            expect(Math.sign(decision.fairPrice - decision.mid)).toBe(Math.sign(decision.imbalance));
            expect(Math.abs(decision.fairPrice / decision.mid - 1)).toBeLessThan(0.001);
          }
        }
      });
    }, 120_000);
  }
});

describe("--sim with the toxicity pull", () => {
  it("pulls the bid after two toxic buys forced by price drops, then restores it after the cool-down", async () => {
    const seed = 23;
    const cooldownMs = 30_000;
    // Speed 3: the 30 s cool-down lasts 10 s of real time, long enough to see on a loaded machine.
    const flags = [
      "--toxicity-clock",
      "seconds",
      "--toxicity-horizon-ms",
      "1000",
      "--toxicity-pull",
      "--toxicity-pull-fills",
      "2",
      "--toxicity-pull-threshold-bps",
      "3",
      // Two forced drops are a few simulated seconds apart; a wide window keeps a slow machine from spreading
      // them out of it.
      "--toxicity-pull-window-ms",
      "600000",
      "--toxicity-pull-cooldown-ms",
      String(cooldownMs),
    ];
    await withSession(seed, 3, flags, async (session, emulator) => {
      const btc = session.bot.coins.get("BTC")!;
      const coin = emulator.engine.coin("BTC");
      if (!coin) throw new Error("the emulator lists no BTC");
      expect(btc.kernel.maker.config).toMatchObject({
        toxicityClock: "seconds",
        toxicityPull: true,
        toxicityPullFills: 2,
        toxicityPullCooldownMs: cooldownMs,
      });
      expect(await waitFor(() => restingBids(emulator, seed) > 0, WAIT_MS)).toBe(true);

      // Twice: the market drops 40 bps through our bid (it quotes ~1 bp under the mid), so the resting bid is
      // filled and the mid a second later is far below the fill: a toxic buy.
      let firstToxicFill = Number.NaN;
      for (let drop = 0; drop < 2 && !btc.kernel.decision.bidPulled; drop++) {
        const before = buyFills(emulator, seed).length;
        coin.fairPx *= 0.996;
        const filled = await waitFor(() => buyFills(emulator, seed).length > before, WAIT_MS);
        expect(filled, `drop ${drop + 1} did not fill the bid: ${session.bot.statusLine()}`).toBe(true);
        if (drop === 0) firstToxicFill = buyFills(emulator, seed)[before]!.time;
        // The next drop needs a bid resting again (or the pull already holds it out).
        expect(
          await waitFor(() => btc.kernel.decision.bidPulled || restingBids(emulator, seed) > 0, WAIT_MS),
        ).toBe(true);
      }

      const pulled = await waitFor(
        () => btc.kernel.decision.bidPulled && restingBids(emulator, seed) === 0,
        WAIT_MS,
        10,
      );
      expect(pulled, `the bid was not pulled: ${session.bot.statusLine()}`).toBe(true);
      expect(btc.kernel.decision.askPulled).toBe(false);
      expect(session.bot.statusLine()).toContain("pulled bid");
      expect(btc.kernel.maker.timedToxicity?.pulls).toBeGreaterThanOrEqual(1);
      const markouts = btc.kernel.markouts.summary();
      expect(markouts["1s"]).toBeLessThan(-3);

      const restored = await waitFor(
        () => !btc.kernel.decision.bidPulled && restingBids(emulator, seed) > 0,
        WAIT_MS,
        10,
      );
      expect(restored, `the bid never came back: ${session.bot.statusLine()}`).toBe(true);
      // The burst needs a fill of the drops, so the pull starts no earlier than the first one's mark-out and the
      // bid is back a full cool-down (simulated time) after that fill at the earliest.
      expect(emulator.now() - firstToxicFill).toBeGreaterThanOrEqual(cooldownMs);
    });
  }, 180_000);
});
