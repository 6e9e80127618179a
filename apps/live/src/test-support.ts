import { type Emulator, start as startEmulator, testAccount } from "@botmm/hl-emulator";
import { type Logger, pino } from "pino";
import { buildConfig, type LiveConfig } from "./config.ts";

/** Settings that make a sim run quote within a second of real time: short bars, tight quotes, small sizes. */
export const FAST_SETTINGS = {
  mode: "sim",
  coins: ["BTC"],
  barIntervalMs: 1_000,
  requoteIntervalMs: 200,
  reconcileIntervalMs: 5_000,
  statusIntervalMs: 0,
  deadManSwitchMs: 20_000,
  sim: { seed: 7, speed: 20 },
  strategy: {
    volatilityWarmupBars: 2,
    volMultiplier: 0,
    baseSpreadBps: 1,
    feeAware: false,
    refreshToleranceBps: 3,
    orderSizeUsd: 60,
    maxPositionUsd: 300,
    toxicityGuard: false,
  },
  risk: {
    maxPosition: { limitUsd: 600 },
    maxDrawdown: { enabled: false },
    dailyLoss: { limitUsd: 5_000 },
    errorBurst: { maxErrors: 100 },
    // 1 s bars of an emulator at 20× speed can look like a 2%/√h crash; the breaker has its own tests in @botmm/risk.
    volatility: { enabled: false },
  },
};

/**
 * A validated config from {@link FAST_SETTINGS} plus overrides (later layers win, key by key).
 *
 * @example
 * ```ts
 * const config = fastConfig({ coins: ["BTC", "ETH"] });
 * ```
 */
export function fastConfig(...layers: Record<string, unknown>[]): LiveConfig {
  return buildConfig([FAST_SETTINGS, ...layers]);
}

/**
 * A logger that keeps every line in memory (JSON) so tests can read them and check none leaks a secret.
 *
 * @example
 * ```ts
 * const { logger, lines } = memoryLogger();
 * ```
 */
export function memoryLogger(level = "debug"): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

/**
 * Starts an emulator for tests on 127.0.0.1 with the seed's TEST account funded, the dead-man's switch
 * ungated and (for speed ≠ 1) the nonce window off.
 *
 * @example
 * ```ts
 * const emulator = await startTestEmulator({ seed: 7, speed: 20 });
 * ```
 */
export async function startTestEmulator(options: {
  seed: number;
  speed: number;
  coins?: string[];
}): Promise<Emulator> {
  return startEmulator({
    coins: options.coins ?? ["BTC"],
    seed: options.seed,
    speed: options.speed,
    accounts: [{ privateKey: testAccount(options.seed).privateKey, usdc: 100_000 }],
    scheduleCancelMinVolumeUsd: 0,
    ...(options.speed === 1 ? {} : { nonceWindowMs: Number.POSITIVE_INFINITY }),
  });
}

/**
 * Polls `check` (real time) until it returns true or `timeoutMs` passes; returns the last outcome.
 *
 * @example
 * ```ts
 * expect(await waitFor(() => bot.summary().fills.buy > 0, 5_000)).toBe(true);
 * ```
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
