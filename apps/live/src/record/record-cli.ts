import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Clock, systemClock } from "@botmm/core";
import { parseDuration } from "../config.ts";
import type { LiveIo } from "../run.ts";
import { RECORD_OPTIONS, RECORD_USAGE } from "./record-options.ts";
import {
  RECORD_VENUE_NAMES,
  RECORD_VENUES,
  type RecordCoin,
  type RecordNetwork,
  type RecordSource,
  type RecordVenue,
} from "./record-venues.ts";
import { Recorder } from "./recorder.ts";
import { RecordingWriter } from "./writer.ts";

export { RECORD_USAGE };

/**
 * `live record …`: parses flags, connects a market-data-only venue (`--venue`; no key is read, nothing signs)
 * and records until `--duration` ends or a signal arrives. Returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runRecordCli(["--venue", "binance", "--coins", "BTC", "--out", "rec", "--duration", "1h"], io);
 * ```
 */
export async function runRecordCli(argv: readonly string[], io: LiveIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: Object.fromEntries(
        RECORD_OPTIONS.map((row) => [
          row.flag,
          { type: row.type, ...(row.short ? { short: row.short } : {}) },
        ]),
      ),
    }).values;
  } catch (error) {
    io.stderr.write(`botmm record: ${(error as Error).message}\n\n${RECORD_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${RECORD_USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr.write(`botmm record: ${message}\n`);
    return 2;
  };
  if (typeof values.out !== "string" || values.out === "") return usage("--out DIR is required");
  // Relative to where the user ran pnpm (INIT_CWD), printed absolute, like every other path of the apps.
  const outDir = resolve(io.env.INIT_CWD || process.cwd(), values.out);
  const venueName = typeof values.venue === "string" ? values.venue : "hyperliquid";
  if (!Object.hasOwn(RECORD_VENUES, venueName))
    return usage(`--venue: expected one of ${RECORD_VENUE_NAMES.join(", ")}, got "${venueName}"`);
  const source: RecordVenue = RECORD_VENUES[venueName as keyof typeof RECORD_VENUES];
  const written = (typeof values.coins === "string" ? values.coins : "BTC").split(",").map((c) => c.trim());
  if (written.some((coin) => !/^[A-Za-z0-9]+$/.test(coin)))
    return usage(`--coins: expected names like BTC,ETH, got "${values.coins}"`);
  const coins: RecordCoin[] = [];
  for (const name of written) {
    const coin = source.coinOf(name);
    if (typeof coin === "string") return usage(`--coins: ${coin}`);
    if (!coins.some((c) => c.symbol === coin.symbol)) coins.push(coin);
  }
  const durationMs = typeof values.duration === "string" ? parseDuration(values.duration) : undefined;
  if (durationMs === null)
    return usage(`--duration: expected a duration such as 90s, 10m, 2h or 1d, got "${values.duration}"`);
  const statusMs =
    typeof values["status-interval"] === "string" ? parseDuration(values["status-interval"]) : 10_000;
  if (statusMs === null)
    return usage(`--status-interval: expected a duration such as 10s, got "${values["status-interval"]}"`);
  const chosen = ["mainnet", "testnet", "api-url", "sim"].filter((flag) => values[flag] !== undefined);
  if (chosen.length > 1)
    return usage(`--${chosen.join(" and --")} each say where to record from: pass one of them`);
  if (values["ws-url"] !== undefined && values["api-url"] === undefined)
    return usage("--ws-url goes with --api-url (the other networks have their own)");
  let network: RecordNetwork = values.testnet ? "testnet" : "mainnet";
  for (const flag of ["api-url", "ws-url"] as const) {
    const value = values[flag];
    if (typeof value !== "string") continue;
    const protocols = flag === "api-url" ? ["http:", "https:"] : ["ws:", "wss:"];
    if (!URL.canParse(value) || !protocols.includes(new URL(value).protocol))
      return usage(
        `--${flag}: expected a ${protocols.map((p) => p.slice(0, -1)).join(" or ")} URL, got "${value}"`,
      );
  }
  if (typeof values["api-url"] === "string") {
    network = {
      apiUrl: values["api-url"].replace(/\/+$/, ""),
      ...(typeof values["ws-url"] === "string" ? { wsUrl: values["ws-url"] } : {}),
    };
  }
  if (values.sim && source.sim === null)
    return usage(
      `--sim: ${source.label} has no in-process market; start its emulator (@botmm/${venueName}-emulator) and pass --api-url`,
    );

  const clock: Clock = systemClock();
  let sim: { network: RecordNetwork; stop: () => Promise<void> } | null = null;
  if (values.sim && source.sim !== null) {
    sim = await source.sim(coins, clock);
    network = sim.network;
  }
  const warn = (message: string) => io.stderr.write(`botmm record: ${message}\n`);
  let connected: RecordSource;
  try {
    connected = await source.connect(network, clock, warn, coins);
  } catch (error) {
    await sim?.stop();
    const where = typeof network === "string" ? `${source.label} ${network}` : network.apiUrl;
    io.stderr.write(`botmm record: cannot connect to ${where}: ${(error as Error).message}\n`);
    return 1;
  }
  const { venue, where } = connected;
  const recorder = new Recorder({
    venue,
    coins: coins.map((c) => c.symbol),
    recordAs: Object.fromEntries(coins.map((c) => [c.symbol, c.coin])),
    // The header names the venue as its adapter does (hyperliquid, binance-usdm): the replay's fees follow it.
    writer: new RecordingWriter({ rootDir: outDir, venue: venue.name }),
    clock,
    statusIntervalMs: statusMs,
    onStatus: (line) => io.stderr.write(`${line}\n`),
  });
  try {
    await recorder.start();
  } catch (error) {
    await connected.close();
    await sim?.stop();
    io.stderr.write(`botmm record: cannot subscribe at ${where}: ${(error as Error).message}\n`);
    return 1;
  }
  const named = coins.map((c) => (c.coin === c.symbol ? c.coin : `${c.coin} (${c.symbol})`)).join(",");
  io.stderr.write(
    `botmm record: recording ${named} from ${source.label} ${where} into ${outDir}${durationMs ? ` for ${values.duration}` : ""}; Ctrl-C stops\n`,
  );

  const onSignal =
    io.onSignal ??
    ((signal: NodeJS.Signals, handler: () => void) => {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
  // The handlers stay until the files are closed: pnpm forwards its own copy of a Ctrl-C, and a copy arriving
  // while the recorder flushes must not kill the process by the signal's default action.
  const removers: (() => void)[] = [];
  await new Promise<void>((resolve) => {
    const done = () => {
      if (timer !== null) clearTimeout(timer);
      resolve();
    };
    const timer = durationMs === undefined ? null : setTimeout(done, durationMs);
    removers.push(onSignal("SIGINT", done), onSignal("SIGTERM", done));
  });
  let code = 0;
  try {
    const summary = await recorder.stop();
    io.stderr.write(
      `botmm record: ${summary.books} books, ${summary.trades} trades, ${summary.gaps} gaps in ${summary.files.length} files under ${outDir}\n`,
    );
  } catch (error) {
    io.stderr.write(`botmm record: writing failed: ${(error as Error).message}\n`);
    code = 1;
  }
  await connected.close();
  await sim?.stop();
  // Last, with no await after it: the process entry takes over late copies of the stop signal from here.
  for (const remove of removers) remove();
  return code;
}
