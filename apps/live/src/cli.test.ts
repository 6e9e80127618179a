import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { cloidToClientId } from "@botmm/exchange-hl";
import { type Emulator, start as startEmulator, testAccount } from "@botmm/hl-emulator";
import { strategyConfigSchema } from "@botmm/strategy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LIVE_OPTIONS, STATUS_LEGEND, UNDOCUMENTED, USAGE } from "./config.ts";
import { Journal } from "./journal.ts";
import { clientIdPrefix } from "./prefix.ts";
import { RECORD_OPTIONS } from "./record/record-options.ts";
import { runLiveCli, startSession } from "./run.ts";
import { fastConfig, memoryLogger, startTestEmulator, waitFor } from "./test-support.ts";
import { describeVenueError } from "./venue.ts";

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
      coins: [
        {
          name: "BTC",
          takerRatePerSec: 12,
          touchNotionalUsd: 1_500,
          levelNotionalUsd: 1_500,
          annualVolatility: 2,
        },
      ],
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
    // The market stands still while the bot dies, so its resting orders stay orphans for the restart to find
    // (12 takers a second, some sweeping the book, would otherwise fill them before anyone looks).
    emulator.stallBook("BTC");
    first.child.kill("SIGKILL");
    await first.exited;
    // Orders of the dead bot still rest (its dead-man's switch has not fired yet).
    expect(ours().length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    emulator.resumeBook("BTC");

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

describe("--help", () => {
  it("is generated from the option table parseCli reads: every flag, with a description", async () => {
    const { stdout, code } = await cli(["--help"]);
    expect(code).toBe(0);
    for (const option of LIVE_OPTIONS) {
      expect(stdout).toContain(`--${option.flag}`);
      expect(option.description).not.toBe(UNDOCUMENTED);
      // parseCli knows the flag: giving it may be wrong for the mode or value, but never "unknown flag".
      const argv = option.type === "boolean" ? [`--${option.flag}`] : [`--${option.flag}`, "1"];
      const error = await cli([...argv, "--print-config"]);
      expect(error.stderr).not.toContain("unknown flag");
    }
    // The ones users were told to pass and could not find: the timeouts and the mode flags.
    for (const flag of [
      "--request-timeout-ms",
      "--order-timeout-ms",
      "--dead-man-switch-ms",
      "--exit-slippage-bps",
    ])
      expect(stdout).toContain(flag);
    for (const flag of [
      "--sim",
      "--paper",
      "--testnet",
      "--mainnet",
      "--i-understand-this-trades-real-money",
    ])
      expect(stdout).toContain(flag);
    expect(USAGE).toBe(stdout.trimEnd());
  });

  it("has a flag for every strategy setting, named after the setting, with --no- for its booleans", async () => {
    const { stdout } = await cli(["--help"]);
    const strategyFlags = LIVE_OPTIONS.filter((option) => option.path?.[0] === "strategy");
    expect(strategyFlags.map((option) => option.path?.[1]).sort()).toEqual(
      Object.keys(strategyConfigSchema.shape).sort(),
    );
    for (const option of strategyFlags) {
      expect(option.flag).toBe(option.path![1]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`));
      if (option.kind === "boolean") expect(stdout).toContain(`--no-${option.flag}`);
    }
    expect(stdout).toContain("--model basic|as|as-infinite|glft");
    expect(stdout).toContain("--fair-price mid|microprice|imbalance");
    const request = await cli([
      "--print-config",
      "--model",
      "as-infinite",
      "--fair-price",
      "microprice",
      "--calibration",
      "online",
      "--toxicity-clock",
      "seconds",
      "--toxicity-pull",
      "--toxicity-pull-fills",
      "2",
      "--size-decay",
      "1.5",
      "--funding-skew-bps",
      "-2",
      "--on-halt",
      "hold",
      "--no-fee-aware",
    ]);
    expect(request.stderr).toBe("");
    expect(JSON.parse(request.stdout).strategy).toMatchObject({
      model: "as-infinite",
      fairPrice: "microprice",
      calibration: "online",
      toxicityClock: "seconds",
      toxicityPull: true,
      toxicityPullFills: 2,
      sizeDecay: 1.5,
      fundingSkewBps: -2,
      onHalt: "hold",
      feeAware: false,
    });
  });

  it("lets a strategy flag override the config file's strategy section, key by key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-live-strategy-"));
    const file = join(dir, "live.yaml");
    writeFileSync(file, "strategy:\n  model: glft\n  orderSizeUsd: 50\n  toxicityGuard: false\n");
    const result = await cli(["--config", file, "--model", "as", "--toxicity-guard", "--print-config"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).strategy).toMatchObject({
      model: "as",
      orderSizeUsd: 50,
      toxicityGuard: true,
    });
  });

  it("includes the record subcommand and its flags", async () => {
    const { stdout } = await cli(["--help"]);
    expect(stdout).toContain("record --out DIR");
    for (const option of RECORD_OPTIONS) expect(stdout).toContain(`--${option.flag}`);
  });

  it("explains the status line: the legend's example has the shape of a real status line", async () => {
    expect(USAGE).toContain(STATUS_LEGEND);
    for (const symbol of ["+placed", "~modified", "xcancelled", "!rejected", "deferred", "err", "t+"])
      expect(STATUS_LEGEND).toContain(symbol);
    const emulator = await startTestEmulator({ seed: 5, speed: 20 });
    const { logger } = memoryLogger("warn");
    const io = { env: {}, stdout: capture().stream, stderr: capture().stream };
    const session = await startSession(fastConfig({ sim: { seed: 5, speed: 20 } }), io, { emulator, logger });
    try {
      // One line, read once: a fill can empty a side between two reads.
      let line = "";
      const quoting = await waitFor(
        () => {
          line = session.bot.statusLine();
          return /q [\d.]+\/[\d.]+/.test(line);
        },
        60_000,
        50,
      );
      expect(quoting, `never quoted: ${line}`).toBe(true);
      const shape = (line: string) =>
        line
          .replace(/\bBTC\b/g, "COIN")
          .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, "N")
          .replace(/\b(allow|reduce-only|halt|none)\b/g, "MODE");
      const example = STATUS_LEGEND.split("\n")[1]!.trim();
      expect(shape(example)).toBe(shape(line));
    } finally {
      await session.close();
      await emulator.stop();
    }
  }, 90_000);
});

describe("errors that say what failed and what to check", () => {
  it("reports every config problem at once — file, environment and flags — each with its field and origin", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-live-errors-"));
    const file = join(dir, "live.yaml");
    writeFileSync(
      file,
      "requoteIntervalMs: 1\nstrategy:\n  orderSizeUsd: -5\nrisk:\n  maxPosition:\n    limitUsd: oops\n",
    );
    const result = await cli(
      ["--sim", "--config", file, "--leverage", "0", "--sim-speed", "abc", "--paper-source", "x", "--bogus"],
      { BOTMM_METRICS_PORT: "99999" },
    );
    expect(result.code).toBe(2);
    const text = result.stderr;
    expect(text).toContain("--bogus: unknown flag");
    expect(text).toContain('--sim-speed: expected a number, got "abc"');
    expect(text).toMatch(/--paper-source only applies to --paper/);
    expect(text).toMatch(/leverage: .* \(--leverage\)/);
    expect(text).toMatch(/metricsPort: .* \(env BOTMM_METRICS_PORT\)/);
    expect(text).toContain(`requoteIntervalMs: Too small: expected number to be >=10 (in ${file})`);
    expect(text).toMatch(/strategy\.orderSizeUsd: .*\(in .*live\.yaml\)/);
    expect(text).toContain("risk.maxPosition.limitUsd");
    expect(text).toMatch(/\d+ problems:/);
    const strategy = await cli([
      "--model",
      "bogus",
      "--fair-price",
      "book",
      "--toxicity-pull-fills",
      "0",
      "--leverage",
      "0",
      "--no-bias=1",
    ]);
    expect(strategy.code).toBe(2);
    expect(strategy.stderr).toMatch(/strategy\.model: .*"as-infinite".* \(--model\)/);
    expect(strategy.stderr).toMatch(/strategy\.fairPrice: .*"microprice".* \(--fair-price\)/);
    expect(strategy.stderr).toMatch(/strategy\.toxicityPullFills: .* \(--toxicity-pull-fills\)/);
    expect(strategy.stderr).toMatch(/leverage: .* \(--leverage\)/);
    expect(strategy.stderr).toContain("--no-bias takes no value");
    expect(strategy.stderr).toContain("5 problems:");
  });

  it("takes a value that is also a flag's name as a value, and a flag where a value belongs as a mistake", async () => {
    const request = await cli(["--sim", "--log-format", "json", "--print-config"]);
    expect(request.code).toBe(0);
    expect(JSON.parse(request.stdout).logFormat).toBe("json");
    const missing = await cli(["--coins", "--paper", "--print-config"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--coins: expected a value");
  });

  it("resolves relative paths against the directory pnpm was started from (INIT_CWD) and prints them absolute", async () => {
    const dir = mkdtempSync(join(tmpdir(), "botmm-live-cwd-"));
    const result = await cli(["--sim", "--print-config", "--journal", "j.sqlite", "--json", "out/s.json"], {
      INIT_CWD: dir,
    });
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed.journal).toBe(join(dir, "j.sqlite"));
    expect(printed.json).toBe(join(dir, "out/s.json"));
  });

  it("names the URL that could not be reached and what to check, for --testnet and --paper", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const testnet = await cli(["--testnet", "--api-url", url, "--log-level", "error"], {
      BOTMM_PRIVATE_KEY: KEY,
    });
    expect(testnet.code).toBe(1);
    expect(testnet.stderr).toContain(`could not start: cannot reach ${url}`);
    expect(testnet.stderr).toContain("ECONNREFUSED");
    expect(testnet.stderr).toContain("check the URL and port");
    expect(leaksKey(testnet.stderr + testnet.stdout)).toBe(false);
    const paper = await cli(["--paper", "--api-url", url, "--log-level", "error"]);
    expect(paper.code).toBe(1);
    expect(paper.stderr).toContain(`cannot reach ${url}`);
  });

  it("names the host of a DNS failure (offline) without printing credentials in the URL", () => {
    const dns = Object.assign(new Error("getaddrinfo ENOTFOUND api.hyperliquid-testnet.xyz"), {
      code: "ENOTFOUND",
    });
    const error = new Error("info request meta failed: fetch failed", {
      cause: new TypeError("fetch failed", { cause: dns }),
    });
    const text = describeVenueError(error, "https://user:secret@api.hyperliquid-testnet.xyz");
    expect(text).toContain("cannot reach https://api.hyperliquid-testnet.xyz");
    expect(text).toContain("ENOTFOUND");
    expect(text).toContain("internet connection");
    expect(text).not.toContain("secret");
    // Not a venue problem (a bad key): left as it is.
    expect(describeVenueError(new Error("BOTMM_PRIVATE_KEY is not a key"), "https://x")).toBe(
      "BOTMM_PRIVATE_KEY is not a key",
    );
  });
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
