import { existsSync, mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { dirname } from "node:path";
import { type Clock, systemClock } from "@botmm/core";
import { type HyperliquidNetwork, HyperliquidVenue, loadWallet } from "@botmm/exchange-hl";
import { type Emulator, start as startEmulator, testAccount } from "@botmm/hl-emulator";
import type { Logger } from "pino";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { Bot, type RunSummary } from "./bot.ts";
import { ConfigError, type LiveConfig, parseCli, redactedConfig, USAGE } from "./config.ts";
import { LIVE_DEFAULTS, starterText } from "./config-schema.ts";
import { Journal } from "./journal.ts";
import {
  CCXT_VENUES,
  type CcxtNetwork,
  type CcxtVenueSim,
  connectCcxtVenue,
  loadVenueKeys,
  startCcxtVenueSim,
  type VenueKeys,
  venueSymbols,
} from "./live-venues.ts";
import { createLogger } from "./logger.ts";
import { Metrics, serverPort } from "./metrics.ts";
import { PaperVenue, type PaperVenueOptions } from "./paper.ts";
import { clientIdPrefix } from "./prefix.ts";
import { describeVenueError, type LiveVenue, venueApiUrl } from "./venue.ts";

/** The process around a run: streams, environment and signal hooks (tests pass their own). */
export interface LiveIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** Registers a signal handler; returns a function removing it (default: `process.on`). */
  onSignal?: (signal: NodeJS.Signals, handler: () => void) => () => void;
  /** Called on a second stop signal (default: `process.exit(130)`). */
  forceExit?: (code: number) => void;
}

/** Everything a run set up, for tests that drive a bot in-process. */
export interface LiveSession {
  bot: Bot;
  venue: LiveVenue;
  journal: Journal;
  emulator: Emulator | null;
  /** `--sim` on Binance or Bybit: the in-process emulator, its market drivers and fault injection. */
  venueSim: CcxtVenueSim | null;
  metricsServer: Server | null;
  /** Stops the bot (if running) and releases everything; resolves with the summary. */
  close(reason?: string): Promise<RunSummary>;
}

/** Extra wiring for in-process use (tests, the soak script). */
export interface SessionOverrides {
  /** Use this emulator for `--sim` instead of starting one. */
  emulator?: Emulator;
  /** The bot's clock (default: the emulator's in `--sim`, the system clock otherwise). */
  clock?: Clock;
  logger?: Logger;
  /** Real-ms period of the bot's loop. */
  loopIntervalMs?: number;
}

/**
 * The venue network for testnet-style trading: Hyperliquid testnet, or any endpoint given with `--api-url`
 * (signing as testnet only when the URL says testnet, since the emulator checks mainnet signatures).
 *
 * @example
 * ```ts
 * networkFor({ ...config, apiUrl: "http://127.0.0.1:8787" }); // { apiUrl, wsUrl: "ws://127.0.0.1:8787/ws", isTestnet: false }
 * ```
 */
export function networkFor(config: LiveConfig): HyperliquidNetwork {
  if (config.mode === "mainnet") return "mainnet";
  if (config.apiUrl === undefined) return config.mode === "paper" ? config.paper.source : "testnet";
  const url = new URL(config.apiUrl);
  const wsUrl = config.wsUrl ?? `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}/ws`;
  return { apiUrl: config.apiUrl.replace(/\/$/, ""), wsUrl, isTestnet: /testnet/i.test(url.host) };
}

/** The API host of a network, for log lines and warnings. */
function hostOf(network: HyperliquidNetwork): string {
  if (network === "mainnet") return "api.hyperliquid.xyz";
  if (network === "testnet") return "api.hyperliquid-testnet.xyz";
  return new URL(network.apiUrl).host;
}

/**
 * The start line of `--sim` saying which quotes it uses and how to get the others.
 *
 * @example
 * ```ts
 * simQuotesLine(config); // "sim quotes: starter (--base-spread-bps 2 --vol-multiplier 0) …"
 * ```
 */
export function simQuotesLine(config: LiveConfig): string {
  const applied = Object.keys(config.simStarterApplied).length;
  if (config.sim.quotes === "starter" && applied > 0) {
    const partly =
      applied < Object.keys(LIVE_DEFAULTS.simStarterStrategy).length ? ", with your own spread settings" : "";
    return (
      `sim quotes: starter (${starterText(config.simStarterApplied)}${partly}): they trade within minutes and lose to ` +
      "fees and adverse selection; --sim-quotes defaults quotes the strategy's live defaults (a few fills an hour)"
    );
  }
  if (config.sim.quotes === "starter") {
    return "sim quotes: your strategy settings (they replace the starter quotes of --sim-quotes starter)";
  }
  return (
    `sim quotes: the strategy's live defaults (half spread ${config.strategy.baseSpreadBps} bps + ` +
    `${config.strategy.volMultiplier} × σ of a bar): a few fills an hour, like the real market; --sim-quotes starter trades within minutes`
  );
}

/**
 * In an accelerated `--sim`, clock-time tolerances meant for network jitter (stale data, request timeouts, the
 * dead-man's switch horizon) would fire on ordinary event-loop delays: they are stretched by `speed / 10` (stale
 * data unless the config set it).
 *
 * @example
 * ```ts
 * scaleForSimSpeed(config).orderTimeoutMs; // 90000 at speed 60 (15 s × 6)
 * ```
 */
export function scaleForSimSpeed(config: LiveConfig): LiveConfig {
  const scale = Math.max(1, config.sim.speed / 10);
  if (scale === 1) return config;
  const staleSet =
    (config.riskInput.staleData as { timeoutMs?: number } | undefined)?.timeoutMs !== undefined;
  const staleMs = staleSet ? config.risk.staleData.timeoutMs : config.risk.staleData.timeoutMs * scale;
  const riskInput = { ...config.riskInput, staleData: { ...config.riskInput.staleData, timeoutMs: staleMs } };
  return {
    ...config,
    orderTimeoutMs: config.orderTimeoutMs * scale,
    // A re-arm delayed past the horizon − 5 s is refused (and a longer stall fires the switch): at speed 60
    // the default 60 s would be one real second.
    deadManSwitchMs: config.deadManSwitchMs * scale,
    riskInput,
    risk: { ...config.risk, staleData: { ...config.risk.staleData, timeoutMs: staleMs } },
  };
}

/** How far in the past simulated time starts on Binance / Bybit `--sim` (a year). */
const SIM_CLOCK_LAG_MS = 365 * 86_400_000;

/** Paper trading on `market`'s data: the configured fees, capital and queue model, own fills simulated locally. */
function paperVenue(config: LiveConfig, market: PaperVenueOptions["market"], clock: Clock): PaperVenue {
  return new PaperVenue({
    market,
    clock,
    makerFee: config.strategy.makerFee,
    takerFee: config.strategy.takerFee,
    capitalUsd: config.paper.capitalUsd,
    queueModel:
      config.paper.queueModel === "probabilistic"
        ? { type: "probabilistic", power: config.paper.queuePower }
        : { type: "risk-averse" },
  });
}

/**
 * Builds the venue, journal, logger, metrics and bot for a config and starts the bot.
 *
 * @example
 * ```ts
 * const session = await startSession(config, { env: process.env, stdout: process.stdout, stderr: process.stderr });
 * const summary = await session.bot.finished;
 * ```
 */
export async function startSession(
  inputConfig: LiveConfig,
  io: LiveIo,
  overrides: SessionOverrides = {},
): Promise<LiveSession> {
  let config = inputConfig;
  const logger =
    overrides.logger ??
    createLogger({
      format: config.logFormat ?? (io.stdout.isTTY ? "pretty" : "json"),
      level: config.logLevel,
      stream: io.stdout,
    });
  const onLog = (entry: {
    level: "debug" | "info" | "warn" | "error";
    message: string;
    [key: string]: unknown;
  }) => {
    const { level, message, ...fields } = entry;
    logger[level](
      { ...fields, source: `exchange-${config.venue === "hyperliquid" ? "hl" : config.venue}` },
      message,
    );
  };
  let emulator: Emulator | null = null;
  let ownEmulator = false;
  let venue: LiveVenue;
  let clock: Clock = overrides.clock ?? systemClock();
  let fallbackEquityUsd: number | undefined;
  let history: { candles?: HyperliquidVenue["candles"]; host: string };
  let venueSim: CcxtVenueSim | null = null;
  if (config.mode === "sim") config = scaleForSimSpeed(config);
  const deadManSwitchMs = config.deadManSwitchMs > 0 ? Math.max(5_000, config.deadManSwitchMs) : null;

  if (config.venue !== "hyperliquid") {
    const name = config.venue;
    const spec = CCXT_VENUES[name];
    const symbols = venueSymbols(name, config.coins);
    config = { ...config, coins: symbols };
    const speed = config.mode === "sim" ? config.sim.speed : 1;
    let keys: VenueKeys;
    let network: CcxtNetwork;
    if (config.mode === "sim") {
      if (overrides.clock === undefined) {
        // Simulated time starts a year back: ccxt stamps requests (and Bybit's stream logins, checked to
        // expire in the future) with real time, which must stay ahead of the accelerated clock.
        const wall = systemClock();
        const start = wall.now();
        const simStart = start - SIM_CLOCK_LAG_MS;
        clock = { now: () => simStart + (wall.now() - start) * speed };
      }
      venueSim = await startCcxtVenueSim(name, { symbols, clock, seed: config.sim.seed, speed });
      keys = venueSim.keys;
      network = { baseUrl: venueSim.url, wsUrl: venueSim.wsUrl };
      logger.info(
        { url: venueSim.url, venue: name, speed },
        `sim: in-process ${spec.label} emulator (TEST account with public throwaway keys) and a seeded market`,
      );
      logger.info(simQuotesLine(config));
      fallbackEquityUsd = config.sim.usdc;
    } else if (config.mode === "paper") {
      // Market data only: these never sign anything.
      keys = { apiKey: "botmmPaperPublic", secret: "botmm-paper-public" };
      network =
        config.apiUrl === undefined
          ? config.paper.source
          : { baseUrl: config.apiUrl, ...(config.wsUrl === undefined ? {} : { wsUrl: config.wsUrl }) };
    } else {
      keys = loadVenueKeys(name, io.env, config.keyFile);
      network =
        config.mode === "mainnet"
          ? "mainnet"
          : config.apiUrl === undefined
            ? "testnet"
            : { baseUrl: config.apiUrl, ...(config.wsUrl === undefined ? {} : { wsUrl: config.wsUrl }) };
      if (config.mode === "mainnet") logger.warn(`MAINNET: this bot trades real money on ${spec.label}`);
    }
    const adapter = await connectCcxtVenue(name, {
      network,
      keys,
      clock,
      botName: config.botName,
      symbols,
      requestTimeoutMs: config.requestTimeoutMs,
      deadManSwitchMs: config.mode === "paper" ? null : deadManSwitchMs,
      speed,
      onLog,
    });
    if (config.mode === "paper") {
      const paper = paperVenue(config, adapter, clock);
      (paper as PaperVenue & { close?: () => Promise<void> }).close = () =>
        adapter.close?.() ?? Promise.resolve();
      venue = paper;
      fallbackEquityUsd = config.paper.capitalUsd;
    } else venue = adapter;
    const where = typeof network === "string" ? spec.apiUrl(network) : network.baseUrl;
    const simCandles = venueSim;
    history =
      simCandles === null
        ? { host: new URL(where).host }
        : { candles: simCandles.candles.bind(simCandles), host: new URL(where).host };
    logger.info(
      {
        venue: name,
        makerFee: config.strategy.makerFee,
        takerFee: config.strategy.takerFee,
        presets: config.venuePresetsApplied,
      },
      venueSim === null
        ? `${spec.label}: no candles from this adapter, so the strategy warms up on live bars; the adapter paces its own requests`
        : `${spec.label} sim: primed from the emulated market's seeded history; the adapter paces its own requests`,
    );
  } else if (config.mode === "sim") {
    const account = testAccount(config.sim.seed);
    emulator = overrides.emulator ?? null;
    if (emulator === null) {
      ownEmulator = true;
      emulator = await startEmulator({
        coins: config.coins,
        seed: config.sim.seed,
        speed: config.sim.speed,
        accounts: [{ privateKey: account.privateKey, usdc: config.sim.usdc }],
        scheduleCancelMinVolumeUsd: 0,
        ...(config.sim.speed === 1 ? {} : { nonceWindowMs: Number.POSITIVE_INFINITY }),
      });
    }
    const sim = emulator;
    clock = overrides.clock ?? { now: () => sim.now() };
    const wallet = privateKeyToAccount(account.privateKey);
    logger.info(
      { url: sim.url, account: account.address, speed: config.sim.speed },
      "sim: in-process emulator (TEST account)",
    );
    logger.info(simQuotesLine(config));
    const simVenue = await HyperliquidVenue.connect({
      network: { apiUrl: sim.url, wsUrl: sim.wsUrl },
      wallet,
      clock,
      clientIdPrefix: clientIdPrefix(account.address, config.botName),
      requestTimeoutMs: config.requestTimeoutMs,
      deadManSwitchMs,
      housekeepingIntervalMs: Math.max(
        20,
        Math.min(1_000, (deadManSwitchMs ?? 6_000) / 6 / config.sim.speed),
      ),
      onLog,
    });
    venue = simVenue;
    history = { candles: simVenue.candles.bind(simVenue), host: new URL(sim.url).host };
  } else if (config.mode === "paper") {
    // Market data only: a throwaway key that never signs anything.
    const wallet = privateKeyToAccount(generatePrivateKey());
    const market = await HyperliquidVenue.connect({
      network: networkFor(config),
      wallet,
      clock,
      clientIdPrefix: clientIdPrefix(wallet.address, config.botName),
      requestTimeoutMs: config.requestTimeoutMs,
      deadManSwitchMs: null,
      syncRequestBudget: false,
      onLog,
    });
    venue = paperVenue(config, market, clock);
    history = { candles: market.candles.bind(market), host: hostOf(networkFor(config)) };
    const close = market.close.bind(market);
    (venue as PaperVenue & { close?: () => Promise<void> }).close = close;
    fallbackEquityUsd = config.paper.capitalUsd;
  } else {
    const wallet = loadWallet({
      env: io.env as NodeJS.ProcessEnv,
      ...(config.keyFile === undefined ? {} : { keyFile: config.keyFile }),
      onWarning: (message) => logger.warn(message),
    });
    const user = (config.account ?? wallet.address).toLowerCase() as `0x${string}`;
    if (config.account && config.account.toLowerCase() !== wallet.address.toLowerCase()) {
      logger.info(
        { signer: wallet.address, account: user },
        "trading for the master account with an agent wallet",
      );
    }
    if (config.mode === "mainnet") logger.warn("MAINNET: this bot trades real money");
    const hyperliquid = await HyperliquidVenue.connect({
      network: networkFor(config),
      wallet,
      user,
      clock,
      clientIdPrefix: clientIdPrefix(user, config.botName),
      requestTimeoutMs: config.requestTimeoutMs,
      deadManSwitchMs,
      onLog,
    });
    venue = hyperliquid;
    history = { candles: hyperliquid.candles.bind(hyperliquid), host: hostOf(networkFor(config)) };
  }

  const journalPath = config.journal ?? ":memory:";
  if (config.journal === undefined && (config.mode === "testnet" || config.mode === "mainnet")) {
    logger.warn("no --journal: PnL and order history will not survive a restart");
  }
  const journal = Journal.open(journalPath);
  const metrics = config.metricsPort !== undefined ? new Metrics() : undefined;
  const metricsServer = metrics ? await metrics.serve(config.metricsPort!) : null;
  if (metricsServer)
    logger.info({ url: `http://127.0.0.1:${serverPort(metricsServer)}/metrics` }, "metrics endpoint");

  const bot = new Bot({
    venue,
    clock,
    config,
    journal,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(fallbackEquityUsd === undefined ? {} : { fallbackEquityUsd }),
    ...(overrides.loopIntervalMs === undefined ? {} : { loopIntervalMs: overrides.loopIntervalMs }),
    ...(history.candles === undefined ? {} : { candles: history.candles }),
    candlesHost: history.host,
  });
  const timers: ReturnType<typeof setInterval>[] = [];
  let closed: Promise<RunSummary> | null = null;
  const close = (reason = "closed"): Promise<RunSummary> => {
    closed ??= (async () => {
      const summary = await bot.stop(reason).catch((error: unknown) => {
        logger.error({ err: String(error) }, "shutdown failed");
        return bot.summary(-1);
      });
      for (const timer of timers) clearInterval(timer);
      await venue.close?.();
      journal.close();
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      if (ownEmulator && emulator) await emulator.stop();
      if (venueSim) await venueSim.stop();
      return summary;
    })();
    return closed;
  };
  try {
    await bot.start();
  } catch (error) {
    await close("start-up failed").catch(() => {});
    throw error;
  }
  if (config.statusIntervalMs > 0) {
    // In --sim a simulated minute passes every 60 000 / speed real ms: one line per simulated minute (never
    // more than four a second), so a short accelerated run still shows its progress.
    const everyMs =
      config.mode === "sim"
        ? Math.min(config.statusIntervalMs, Math.max(250, 60_000 / config.sim.speed))
        : config.statusIntervalMs;
    timers.push(setInterval(() => logger.info(bot.statusLine()), everyMs));
  }
  if (metrics) timers.push(setInterval(() => bot.updateMetrics(), 1_000));
  if (config.killFile !== undefined) {
    const path = config.killFile;
    timers.push(
      setInterval(() => {
        if (existsSync(path)) bot.kill(`kill file ${path}`);
      }, 250),
    );
  }
  return { bot, venue, journal, emulator, venueSim, metricsServer, close };
}

/**
 * The CLI: parses flags, env and config file, runs the bot until the duration ends or a signal arrives,
 * prints the summary and writes `--json`. Returns the exit code (0 ok, 1 runtime failure, 2 usage/config).
 *
 * @example
 * ```ts
 * process.exitCode = await runLiveCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
 * ```
 */
export async function runLiveCli(argv: readonly string[], io: LiveIo): Promise<number> {
  let request: Awaited<ReturnType<typeof parseCli>>;
  try {
    request = await parseCli(argv, io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`botmm live: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (request.kind === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (request.kind === "print-config") {
    io.stdout.write(`${JSON.stringify(redactedConfig(request.config, io.env), null, 2)}\n`);
    return 0;
  }
  const config = request.config;
  let session: LiveSession;
  try {
    session = await startSession(config, io);
  } catch (error) {
    const reason =
      config.mode === "sim" || error instanceof ConfigError
        ? (error as Error).message
        : describeVenueError(
            error,
            config.venue === "hyperliquid"
              ? venueApiUrl(networkFor(config))
              : (config.apiUrl ??
                  CCXT_VENUES[config.venue].apiUrl(config.mode === "mainnet" ? "mainnet" : "testnet")),
          );
    io.stderr.write(`botmm live: could not start: ${reason}\n`);
    return 1;
  }
  const onSignal =
    io.onSignal ??
    ((signal: NodeJS.Signals, handler: () => void) => {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
  const forceExit = io.forceExit ?? ((code: number) => process.exit(code));
  let stopSignals = 0;
  const stop = (signal: string) => () => {
    stopSignals++;
    if (stopSignals > 1) {
      io.stderr.write(`botmm live: second ${signal}: forcing exit without cleanup\n`);
      forceExit(130);
      return;
    }
    io.stderr.write(`botmm live: ${signal}: stopping (cancelling orders); send it again to force exit\n`);
    void session.bot.stop(signal);
  };
  // The handlers go in before the line that invites the signals: a Ctrl-C sent on reading it must find them.
  const removers = [
    onSignal("SIGINT", stop("SIGINT")),
    onSignal("SIGTERM", stop("SIGTERM")),
    onSignal("SIGUSR2", () => session.bot.kill("SIGUSR2")),
  ];
  // Under `pnpm … start` the bot runs below pnpm and node's launcher script, which do not pass SIGUSR2 on:
  // name the process that must receive it.
  io.stderr.write(
    `botmm live: running as pid ${process.pid}; kill switch: kill -USR2 ${process.pid}` +
      `${config.killFile === undefined ? "" : ` or create ${config.killFile}`}; SIGINT/SIGTERM stop\n`,
  );
  let summary: RunSummary;
  try {
    summary = await session.bot.finished;
  } catch (error) {
    io.stderr.write(`botmm live: failed: ${(error as Error).message}\n`);
    summary = session.bot.summary(-1);
  }
  await session.close();
  if (config.json !== undefined) {
    mkdirSync(dirname(config.json), { recursive: true });
    await writeFile(config.json, `${JSON.stringify(summary, null, 2)}\n`);
  }
  io.stderr.write(`${formatSummary(summary)}\n`);
  // Last: late copies of the stop signal find the process entry's no-op (`stopSignalsStayHandled`) from here.
  for (const remove of removers) remove();
  return summary.openOrdersAtExit === 0 ? 0 : 1;
}

/**
 * A few lines for the terminal at exit.
 *
 * @example
 * ```ts
 * console.log(formatSummary(summary));
 * ```
 */
export function formatSummary(summary: RunSummary): string {
  const { orders, fills, pnl } = summary;
  return [
    `── botmm live summary (${summary.mode}, ${summary.coins.join(",")}, ${(summary.durationMs / 1000).toFixed(1)} s, stop: ${summary.stopReason}) ──`,
    `orders   placed ${orders.placed}  modified ${orders.modified}  cancelled ${orders.cancelled}  rejected ${orders.rejected}`,
    `fills    buy ${fills.buy}  sell ${fills.sell}   (all runs: ${summary.fillsAllRuns.buy}/${summary.fillsAllRuns.sell})`,
    `pnl USD  total ${pnl.total.toFixed(4)} = spread ${pnl.spread.toFixed(4)} + inventory ${pnl.inventory.toFixed(4)} − fees ${pnl.fees.toFixed(4)} + funding ${pnl.funding.toFixed(4)}`,
    `risk     max |position| $${summary.maxAbsPositionUsd.toFixed(2)}  open orders at exit ${summary.openOrdersAtExit}  requests ${summary.requests}  errors ${summary.errors}  restarts ${summary.restarts}`,
  ].join("\n");
}
