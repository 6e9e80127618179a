import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HyperliquidVenue } from "@botmm/exchange-hl";
import { type Emulator, testAccount } from "@botmm/hl-emulator";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, describe, expect, it } from "vitest";
import { startSession } from "./run.ts";
import { fastConfig, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";

const SEED = 11;

/** Leaves a $400 BTC long on the emulator's test account, as an earlier run or a manual trade would. */
async function leaveLong(emulator: Emulator, account: ReturnType<typeof testAccount>): Promise<() => number> {
  const manual = await HyperliquidVenue.connect({
    network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
    wallet: privateKeyToAccount(account.privateKey),
    clock: { now: () => emulator.now() },
    clientIdPrefix: "0000000000000abc",
    deadManSwitchMs: null,
  });
  const ask = Number(emulator.book("BTC")!.levels[1][0]!.px);
  const [taken] = await manual.placeOrders([
    {
      clientId: "1",
      coin: "BTC",
      side: "buy",
      price: ask * 1.01,
      size: Number((400 / ask).toFixed(5)),
      timeInForce: "ioc",
      reduceOnly: false,
    },
  ]);
  expect(taken?.status).toBe("filled");
  await manual.close();
  return () => {
    const btc = emulator
      .clearinghouseState(account.address)
      .assetPositions.find((p) => p.position.coin === "BTC");
    const book = emulator.book("BTC")!;
    const mid = (Number(book.levels[0][0]!.px) + Number(book.levels[1][0]!.px)) / 2;
    return btc ? Number(btc.position.szi) * mid : 0;
  };
}

describe("halted by the risk engine (--sim)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("flattens the position with a reduce-only IOC exit when onHalt is flatten (the default)", async () => {
    const seed = 12;
    const emulator = await startTestEmulator({ seed, speed: 20 });
    cleanups.push(() => emulator.stop());
    const positionUsd = await leaveLong(emulator, testAccount(seed));
    expect(positionUsd()).toBeGreaterThan(350);
    const { logger, lines } = memoryLogger("info");
    // Any volatility at all halts quoting; the $400 long is within the hard limit ($450), so only the halt exits.
    const config = fastConfig({
      journal: join(mkdtempSync(join(tmpdir(), "botmm-halt-")), "journal.sqlite"),
      sim: { seed, speed: 20 },
      risk: {
        volatility: { enabled: true, thresholdSigmaPerSqrtHour: 1e-9, action: "halt", cooldownMs: 600_000 },
      },
    });
    const session = await startSession(
      config,
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { emulator, logger },
    );
    cleanups.push(() => session.close("test"));
    expect(await waitFor(() => Math.abs(positionUsd()) < 1, 15_000)).toBe(true);
    expect(lines.some((line) => line.includes("halted: flattening the position"))).toBe(true);
    const exits = session.journal
      .events()
      .filter((event) => event.kind === "place" && event.data?.includes('"ioc"'));
    expect(exits.length).toBeGreaterThanOrEqual(1);
    expect(session.bot.coins.get("BTC")!.kernel.haltAccounting().halts).toBeGreaterThanOrEqual(1);
  });

  it("keeps the position with onHalt hold", async () => {
    const seed = 13;
    const emulator = await startTestEmulator({ seed, speed: 20 });
    cleanups.push(() => emulator.stop());
    const positionUsd = await leaveLong(emulator, testAccount(seed));
    const config = fastConfig({
      journal: join(mkdtempSync(join(tmpdir(), "botmm-hold-")), "journal.sqlite"),
      sim: { seed, speed: 20 },
      strategy: { onHalt: "hold" },
      risk: {
        volatility: { enabled: true, thresholdSigmaPerSqrtHour: 1e-9, action: "halt", cooldownMs: 600_000 },
      },
    });
    const session = await startSession(
      config,
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { emulator, logger: memoryLogger("info").logger },
    );
    cleanups.push(() => session.close("test"));
    const kernel = session.bot.coins.get("BTC")!.kernel;
    expect(await waitFor(() => kernel.riskMode === "halt", 15_000)).toBe(true);
    // Many book updates (and requote chances) later, still halted: the long is held, no exit was sent.
    const updates = session.bot.summary().bookUpdates;
    expect(await waitFor(() => session.bot.summary().bookUpdates >= updates + 20, 15_000)).toBe(true);
    expect(kernel.riskMode).toBe("halt");
    // Held, not flattened (flatten takes it under $1): a quote of $100 may have filled before the halt took
    // effect, and the mark moves with the simulated market, so only a wide bound is safe on a loaded machine.
    expect(positionUsd()).toBeGreaterThan(200);
    const exits = session.journal
      .events()
      .filter((event) => event.kind === "place" && event.data?.includes('"ioc"'));
    expect(exits).toEqual([]);
  });
});

describe("hard position limit (--sim)", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it("cuts a position beyond the hard limit back to the soft limit with an IOC reduce-only order", async () => {
    const emulator = await startTestEmulator({ seed: SEED, speed: 20 });
    cleanups.push(() => emulator.stop());
    const account = testAccount(SEED);
    // Somebody (an earlier run, a manual trade) left a $400 long on the account.
    const manual = await HyperliquidVenue.connect({
      network: { apiUrl: emulator.url, wsUrl: emulator.wsUrl },
      wallet: privateKeyToAccount(account.privateKey),
      clock: { now: () => emulator.now() },
      clientIdPrefix: "0000000000000abc",
      deadManSwitchMs: null,
    });
    const book = emulator.book("BTC")!;
    const ask = Number(book.levels[1][0]!.px);
    const size = Number((400 / ask).toFixed(5));
    const [taken] = await manual.placeOrders([
      {
        clientId: "1",
        coin: "BTC",
        side: "buy",
        price: ask * 1.01,
        size,
        timeInForce: "ioc",
        reduceOnly: false,
      },
    ]);
    expect(taken?.status).toBe("filled");
    await manual.close();
    const positionUsd = () => {
      const btc = emulator
        .clearinghouseState(account.address)
        .assetPositions.find((p) => p.position.coin === "BTC");
      const mid =
        (Number(emulator.book("BTC")!.levels[0][0]!.px) + Number(emulator.book("BTC")!.levels[1][0]!.px)) / 2;
      return btc ? Number(btc.position.szi) * mid : 0;
    };
    expect(positionUsd()).toBeGreaterThan(350);

    const { logger, lines } = memoryLogger("info");
    // Soft limit $100, hard limit $150: the $400 long must come back to about $100.
    const config = fastConfig({
      journal: join(mkdtempSync(join(tmpdir(), "botmm-hard-limit-")), "journal.sqlite"),
      sim: { seed: SEED, speed: 20 },
      strategy: { maxPositionUsd: 100, hardLimitMultiple: 1.5 },
    });
    const session = await startSession(
      config,
      { env: {}, stdout: process.stdout, stderr: process.stderr },
      { emulator, logger },
    );
    cleanups.push(() => session.close("test"));
    const cut = await waitFor(() => positionUsd() <= 150, 15_000);
    expect(cut).toBe(true);
    expect(positionUsd()).toBeGreaterThan(50); // cut to the soft limit, not flattened
    expect(lines.some((line) => line.includes("hard limit: cutting the position"))).toBe(true);
    const exits = session.journal
      .events()
      .filter((event) => event.kind === "place" && event.data?.includes('"ioc"'));
    expect(exits.length).toBeGreaterThanOrEqual(1);
  });
});
