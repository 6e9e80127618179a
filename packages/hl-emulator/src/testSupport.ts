import { ManualClock } from "@botmm/core";
import { ExchangeClient, HttpTransport, InfoClient } from "@nktkas/hyperliquid";
import { privateKeyToAccount } from "viem/accounts";
import { type Emulator, type EmulatorOptions, start } from "./emulator.ts";
import { testAccount } from "./testAccount.ts";

/**
 * Test helper (not exported from the package): an emulator on a manual clock plus SDK clients for two funded
 * TEST accounts. `scheduleCancel`'s volume gate is off unless the options turn it on.
 *
 * @example
 * ```ts
 * const t = await setup();
 * await t.info.allMids();
 * await t.emulator.stop();
 * ```
 */
export async function setup(options: EmulatorOptions = {}) {
  const clock = new ManualClock(Date.now());
  const seed = options.seed ?? 1;
  const key = testAccount(seed).privateKey;
  const otherKey = testAccount(seed, 1).privateKey;
  const emulator: Emulator = await start({
    clock,
    seed,
    scheduleCancelMinVolumeUsd: 0,
    accounts: [{ privateKey: key }, { privateKey: otherKey }],
    ...options,
  });
  const wallet = privateKeyToAccount(key);
  const otherWallet = privateKeyToAccount(otherKey);
  const transport = new HttpTransport({ apiUrl: emulator.url, timeout: 2_000 });
  const info = new InfoClient({ transport });
  const exchange = new ExchangeClient({ transport, wallet });
  /** A second funded account, e.g. to take liquidity from the first. */
  const other = new ExchangeClient({ transport, wallet: otherWallet });
  const user = wallet.address.toLowerCase() as `0x${string}`;
  const otherUser = otherWallet.address.toLowerCase() as `0x${string}`;
  return { emulator, clock, wallet, transport, info, exchange, other, user, otherUser, key };
}

/**
 * Best bid and ask of a coin's book as numbers.
 *
 * @example
 * ```ts
 * const { bid, ask } = top(emulator, "BTC");
 * ```
 */
export function top(emulator: Emulator, coin: string): { bid: number; ask: number } {
  const book = emulator.book(coin);
  if (!book) throw new Error(`no book for ${coin}`);
  return { bid: Number(book.levels[0][0]?.px), ask: Number(book.levels[1][0]?.px) };
}

/**
 * How long {@link until} waits by default. Only a bound for a failing test: waits end as soon as the condition
 * holds, so this can be far above the slowest machine's worst case without slowing a passing run.
 */
export const UNTIL_DEADLINE_MS = 30_000;

/**
 * Waits until `predicate` holds (polling every 5 ms) or fails after `timeoutMs` of real time.
 *
 * @example
 * ```ts
 * await until(() => messages.length > 0);
 * ```
 */
export async function until(predicate: () => boolean, timeoutMs = UNTIL_DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for condition`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
