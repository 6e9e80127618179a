import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { cloidToClientId } from "@botmm/exchange-hl";
import { type Emulator, start as startEmulator, testAccount } from "@botmm/hl-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Journal } from "./journal.ts";
import { clientIdPrefix } from "./prefix.ts";
import { runLiveCli } from "./run.ts";
import { waitFor } from "./test-support.ts";

const APP = dirname(dirname(fileURLToPath(import.meta.url)));
const SEED = 11;
const account = testAccount(SEED);
const KEY = account.privateKey;

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runLiveCli(argv, { env, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** Every spelling of the key a leak could take. */
function leaksKey(text: string): boolean {
  const lower = text.toLowerCase();
  const bare = KEY.slice(2).toLowerCase();
  return lower.includes(bare) || lower.includes(bare.slice(0, 32)) || lower.includes(bare.slice(32));
}

describe("CLI safety", () => {
  it("refuses mainnet without the explicit confirmation flag and says why", async () => {
    const result = await cli(["--mainnet"], { BOTMM_PRIVATE_KEY: KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("refusing to start on mainnet");
    expect(result.stderr).toContain("--i-understand-this-trades-real-money");
    expect(leaksKey(result.stderr + result.stdout)).toBe(false);
  });

  it("refuses the confirmation flag without --mainnet", async () => {
    const result = await cli(["--testnet", "--i-understand-this-trades-real-money"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("only makes sense with --mainnet");
  });

  it("never prints the key: --print-config redacts it", async () => {
    const result = await cli(["--testnet", "--print-config", "--coins", "BTC,ETH"], {
      BOTMM_PRIVATE_KEY: KEY,
    });
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed.privateKey).toContain("redacted");
    expect(printed.coins).toEqual(["BTC", "ETH"]);
    expect(leaksKey(result.stdout)).toBe(false);
  });

  it("never echoes a malformed key in the start-up error", async () => {
    const bad = `${KEY.slice(0, 40)}zz`;
    const result = await cli(["--testnet", "--api-url", "http://127.0.0.1:9"], { BOTMM_PRIVATE_KEY: bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("BOTMM_PRIVATE_KEY");
    expect(result.stderr.toLowerCase()).not.toContain(bad.slice(2, 40).toLowerCase());
  });

  it("names the field of a bad config value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-live-cfg-"));
    const file = join(dir, "live.yaml");
    writeFileSync(
      file,
      "coins: [BTC]\nstrategy:\n  orderSizeUsd: -5\nrisk:\n  maxPosition:\n    limitUsd: oops\n",
    );
    const result = await cli(["--sim", "--config", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("strategy.orderSizeUsd");
    const riskOnly = join(dir, "risk.yaml");
    writeFileSync(riskOnly, "risk:\n  maxPosition:\n    limitUsd: oops\n");
    expect((await cli(["--sim", "--config", riskOnly])).stderr).toContain("risk.maxPosition.limitUsd");
    expect((await cli(["--sim", "--duration", "soon"])).stderr).toContain("duration");
    expect((await cli(["--sim", "--bogus"])).code).toBe(2);
  });
});

describe("the bot as a child process against a standalone emulator: kill -9 and restart, SIGUSR2", () => {
  let emulator: Emulator;
  let dir: string;
  const prefix = clientIdPrefix(account.address, "botmm");
  const children: ChildProcess[] = [];
  const output: string[] = [];

  const ours = () =>
    [...(emulator.account(account.address)?.openOrders ?? [])].filter(
      (order) => cloidToClientId(prefix, order.cloid ?? null) !== null,
    );
  const venueSize = () => {
    const entry = emulator
      .clearinghouseState(account.address)
      .assetPositions.find((position) => position.position.coin === "BTC");
    return entry ? Number(entry.position.szi) : 0;
  };

  function runBot(extra: string[]): { child: ChildProcess; exited: Promise<number | null> } {
    const child = spawn(
      process.execPath,
      [
        "--conditions=@botmm/source",
        "src/cli.ts",
        "--testnet",
        "--api-url",
        emulator.url,
        "--config",
        join(dir, "live.yaml"),
        "--journal",
        join(dir, "journal.sqlite"),
        "--log-format",
        "json",
        ...extra,
      ],
      {
        cwd: APP,
        env: { PATH: process.env.PATH ?? "", BOTMM_PRIVATE_KEY: KEY },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "botmm-live-kill-"));
    writeFileSync(
      join(dir, "live.yaml"),
      [
        "coins: [BTC]",
        "barIntervalMs: 400",
        "requoteIntervalMs: 100",
        "reconcileIntervalMs: 2000",
        "statusIntervalMs: 0",
        "deadManSwitchMs: 30000",
        "strategy: { volatilityWarmupBars: 2, volMultiplier: 0, baseSpreadBps: 0.5, feeAware: false, refreshToleranceBps: 3, orderSizeUsd: 60, maxPositionUsd: 300, toxicityGuard: false }",
        "risk: { maxDrawdown: { enabled: false }, errorBurst: { maxErrors: 100 }, volatility: { enabled: false } }",
        "",
      ].join("\n"),
    );
    emulator = await startEmulator({
      coins: [{ name: "BTC", takerRatePerSec: 12, levelNotionalUsd: 1_500, annualVolatility: 2 }],
      seed: SEED,
      accounts: [{ privateKey: account.privateKey, usdc: 100_000 }],
      scheduleCancelMinVolumeUsd: 0,
    });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    await emulator?.stop();
  });

  it("kill -9 and restart recovers: no orphans, journal and venue agree, PnL continues", async () => {
    const first = runBot(["--duration", "120s"]);
    const fills = () => emulator.account(account.address)?.fills.length ?? 0;
    // Real time: a loaded CI machine (every package's suite at once on two cores) can be slow to start the child.
    const ready = await waitFor(() => ours().length === 2 && fills() >= 2, 60_000, 50);
    if (!ready) {
      throw new Error(
        `the first bot never had 2 orders resting and 2 fills (orders ${ours().length}, fills ${fills()}); its output:\n${output.join("").slice(-3_000)}`,
      );
    }
    first.child.kill("SIGKILL");
    await first.exited;
    // Orders of the dead bot still rest (its dead-man's switch has not fired yet).
    expect(ours().length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));

    const journal = Journal.open(join(dir, "journal.sqlite"));
    const before = journal.getState("inventory:BTC") as {
      feesPaidUsd: number;
      buyCount: number;
      sellCount: number;
    };
    const fillsBefore = journal.fillCounts();
    journal.close();
    expect(before.feesPaidUsd).toBeGreaterThan(0);

    const second = runBot(["--duration", "4s", "--json", join(dir, "summary.json")]);
    expect(await second.exited).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
    expect(summary.restarts).toBe(1);
    expect(summary.openOrdersAtExit).toBe(0);
    expect(ours()).toEqual([]);
    // PnL continues: fees only grow and the journal's fills are all still counted.
    expect(summary.pnl.fees).toBeGreaterThanOrEqual(before.feesPaidUsd - 1e-9);
    expect(summary.fillsAllRuns.buy).toBeGreaterThanOrEqual(fillsBefore.buy);
    expect(summary.fillsAllRuns.sell).toBeGreaterThanOrEqual(fillsBefore.sell);
    for (const key of ["placed", "modified", "cancelled", "rejected"])
      expect(typeof summary.orders[key]).toBe("number");
    for (const key of ["total", "spread", "inventory", "fees", "funding"])
      expect(typeof summary.pnl[key]).toBe("number");
    expect(typeof summary.requests).toBe("number");
    expect(typeof summary.errors).toBe("number");
    // Journal and venue agree: nothing believed live, and the ledger's position is the venue's.
    const after = Journal.open(join(dir, "journal.sqlite"));
    try {
      expect(after.liveOrders()).toEqual([]);
      const inventory = after.getState("inventory:BTC") as { size: number };
      expect(inventory.size).toBeCloseTo(venueSize(), 9);
      expect(summary.positions.BTC.size).toBeCloseTo(summary.positions.BTC.venueSize, 9);
      // Security: the key is in no journal row.
      expect(leaksKey(JSON.stringify(after.events()))).toBe(false);
    } finally {
      after.close();
    }
    // Security: the key appears in no log line or summary.
    expect(leaksKey(output.join(""))).toBe(false);
    expect(leaksKey(readFileSync(join(dir, "summary.json"), "utf8"))).toBe(false);
    expect(existsSync(join(dir, "journal.sqlite"))).toBe(true);
  }, 150_000);

  it("SIGUSR2 to the pid it prints engages the kill switch: every order cancelled, halted until stopped", async () => {
    const started = output.length;
    const bot = runBot(["--duration", "120s", "--json", join(dir, "killed.json")]);
    const ready = await waitFor(() => ours().length === 2, 60_000, 50);
    if (!ready)
      throw new Error(`the bot never had 2 orders resting; its output:\n${output.slice(started).join("")}`);
    const printed = /running as pid (\d+); kill switch: kill -USR2 \1/.exec(output.slice(started).join(""));
    expect(Number(printed?.[1])).toBe(bot.child.pid);

    process.kill(Number(printed?.[1]), "SIGUSR2");
    expect(await waitFor(() => ours().length === 0, 30_000, 50)).toBe(true);
    // Halted, not stopped: it keeps running (and keeps its orders at zero) until told to stop.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(bot.child.exitCode).toBe(null);
    expect(ours()).toEqual([]);

    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, "killed.json"), "utf8"));
    expect(summary.killSwitch).toBe(true);
    expect(summary.openOrdersAtExit).toBe(0);
    expect(output.slice(started).join("")).toContain("KILL SWITCH engaged");
    const journal = Journal.open(join(dir, "journal.sqlite"));
    try {
      const notes = journal.events().map((event) => JSON.parse(event.data ?? "null"));
      expect(notes).toContainEqual(expect.objectContaining({ event: "kill-switch", source: "SIGUSR2" }));
    } finally {
      journal.close();
    }
  }, 120_000);
});
