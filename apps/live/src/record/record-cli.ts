import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Clock, systemClock } from "@botmm/core";
import { HYPERLIQUID_MAINNET, HYPERLIQUID_TESTNET, HyperliquidVenue } from "@botmm/exchange-hl";
import { type Emulator, start as startEmulator } from "@botmm/hl-emulator";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseDuration } from "../config.ts";
import type { LiveIo } from "../run.ts";
import { RECORD_OPTIONS, RECORD_USAGE } from "./record-options.ts";
import { Recorder } from "./recorder.ts";
import { RecordingWriter } from "./writer.ts";

export { RECORD_USAGE };

/**
 * `live record …`: parses flags, connects a market-data-only venue (a throwaway key that never signs) and
 * records until `--duration` ends or a signal arrives. Returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runRecordCli(["--coins", "BTC", "--out", "rec", "--duration", "1h"], io);
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
  const coins = (typeof values.coins === "string" ? values.coins : "BTC")
    .split(",")
    .map((coin) => coin.trim());
  if (coins.some((coin) => !/^[A-Za-z0-9]+$/.test(coin)))
    return usage(`--coins: expected names like BTC,ETH, got "${values.coins}"`);
  const durationMs = typeof values.duration === "string" ? parseDuration(values.duration) : undefined;
  if (durationMs === null)
    return usage(`--duration: expected a duration such as 90s, 10m, 2h or 1d, got "${values.duration}"`);
  const statusMs =
    typeof values["status-interval"] === "string" ? parseDuration(values["status-interval"]) : 10_000;
  if (statusMs === null)
    return usage(`--status-interval: expected a duration such as 10s, got "${values["status-interval"]}"`);

  let emulator: Emulator | null = null;
  let network: "mainnet" | "testnet" | { apiUrl: string; wsUrl: string } = values.testnet
    ? "testnet"
    : "mainnet";
  const clock: Clock = systemClock();
  if (values.sim) {
    emulator = await startEmulator({ coins, seed: 1 });
    network = { apiUrl: emulator.url, wsUrl: emulator.wsUrl };
  } else if (typeof values["api-url"] === "string") {
    const url = new URL(values["api-url"]);
    network = {
      apiUrl: values["api-url"].replace(/\/$/, ""),
      wsUrl: `${url.protocol === "https:" ? "wss" : "ws"}://${url.host}/ws`,
    };
  }
  const where =
    typeof network === "string"
      ? (network === "mainnet" ? HYPERLIQUID_MAINNET : HYPERLIQUID_TESTNET).apiUrl
      : network.apiUrl;
  let venue: HyperliquidVenue;
  try {
    venue = await HyperliquidVenue.connect({
      network,
      wallet: privateKeyToAccount(generatePrivateKey()), // market data only: never signs
      clock,
      clientIdPrefix: "5ec0de0000000000",
      deadManSwitchMs: null,
      onLog: (entry) => {
        if (entry.level === "warn" || entry.level === "error")
          io.stderr.write(`botmm record: ${entry.level}: ${entry.message}\n`);
      },
    });
  } catch (error) {
    await emulator?.stop();
    io.stderr.write(`botmm record: cannot connect to ${where}: ${(error as Error).message}\n`);
    return 1;
  }
  const recorder = new Recorder({
    venue,
    coins,
    writer: new RecordingWriter({ rootDir: outDir }),
    clock,
    statusIntervalMs: statusMs,
    onStatus: (line) => io.stderr.write(`${line}\n`),
  });
  await recorder.start();
  io.stderr.write(
    `botmm record: recording ${coins.join(",")} from ${where} into ${outDir}${durationMs ? ` for ${values.duration}` : ""}; Ctrl-C stops\n`,
  );

  const onSignal =
    io.onSignal ??
    ((signal: NodeJS.Signals, handler: () => void) => {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
  await new Promise<void>((resolve) => {
    const removers: (() => void)[] = [];
    const done = () => {
      if (timer !== null) clearTimeout(timer);
      for (const remove of removers) remove();
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
  await venue.close();
  await emulator?.stop();
  return code;
}
