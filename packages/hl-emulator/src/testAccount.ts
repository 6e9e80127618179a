import { keccak256, stringToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Hex } from "./wire.ts";

/** A throwaway key pair for the emulator. Never fund it anywhere real. */
export interface TestAccount {
  /** 0x-prefixed 32-byte private key (TEST ONLY). */
  privateKey: Hex;
  /** Lowercase address of the key. */
  address: Hex;
}

/**
 * Derives the emulator's funded TEST account from a seed: the private key is keccak-256 of a fixed label and
 * the seed, so it is public knowledge and worthless anywhere but on the emulator.
 *
 * @example
 * ```ts
 * const account = testAccount(1);
 * account.address; // the same address for seed 1 on every machine
 * ```
 */
export function testAccount(seed: number, index = 0): TestAccount {
  const privateKey = keccak256(
    stringToBytes(`botmm hl-emulator PUBLIC TEST KEY seed=${seed} index=${index}`),
  );
  return { privateKey, address: privateKeyToAccount(privateKey).address.toLowerCase() as Hex };
}
