import { createHash } from "node:crypto";

/**
 * The 16-hex-digit client-order-id prefix of a bot: the first 64 bits of SHA-256 over the lowercased account
 * address and the bot name. Deterministic, so a restarted bot recognises its own orders on the venue (and
 * two bots with different names on one account never touch each other's).
 *
 * @example
 * ```ts
 * clientIdPrefix("0xAbC…", "botmm"); // e.g. "3f9c0a1b2c3d4e5f", the same on every run
 * ```
 */
export function clientIdPrefix(account: string, botName: string): string {
  return createHash("sha256").update(`${account.toLowerCase()}:${botName}`).digest("hex").slice(0, 16);
}

/** Client ids of different coins live in disjoint blocks of this size (ids are safe integers). */
export const CLIENT_ID_BLOCK = 10 ** 13;

/**
 * The first client id of coin block `block` (0, 1, …): ids of block b are in `[b·10¹³ + 1, (b+1)·10¹³)`.
 *
 * @example
 * ```ts
 * firstClientIdOfBlock(1); // 10000000000001
 * ```
 */
export function firstClientIdOfBlock(block: number): number {
  if (!Number.isInteger(block) || block < 0 || block > 800) {
    throw new RangeError(`coin block must be an integer in [0, 800], got ${block}`);
  }
  return block * CLIENT_ID_BLOCK + 1;
}
