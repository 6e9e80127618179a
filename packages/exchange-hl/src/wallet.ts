import { readFileSync, statSync } from "node:fs";
import type { LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { WalletError } from "./errors.ts";

/** Where {@link loadWallet} reads the private key from: `keyFile` when given, otherwise `env` (the app's `process.env`). */
export interface WalletSource {
  /** The environment to read `envName` from: the app passes `process.env`; the library never reads it itself. */
  env?: NodeJS.ProcessEnv;
  /** A file holding the key (0x + 64 hex digits, surrounding whitespace ignored); should be mode 0600. */
  keyFile?: string;
  /** The variable holding the key (default `BOTMM_PRIVATE_KEY`). */
  envName?: string;
  /** Receives non-fatal warnings (a key file readable by group or others). Default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** The env var {@link loadWallet} reads by default. */
export const DEFAULT_KEY_ENV_NAME = "BOTMM_PRIVATE_KEY";

const KEY = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Loads the signing key (the master key or an agent/API wallet) into a viem local account, the only way keys
 * enter BotMM. The key is never logged or echoed: errors name the source but never contain the key, and carry
 * no `cause` (viem's own errors may quote it). A key file readable by group or others triggers a warning.
 *
 * @throws WalletError `NO_SOURCE`, `KEY_MISSING`, `KEY_INVALID` or `KEY_FILE_UNREADABLE`.
 * @example
 * ```ts
 * // in an app (libraries never read env): BOTMM_PRIVATE_KEY=0x… node bot.js
 * const wallet = loadWallet({ env: process.env });
 * const fromFile = loadWallet({ keyFile: "/run/secrets/hl-agent-key" });
 * console.log(wallet.address); // the address only
 * ```
 */
export function loadWallet(source: WalletSource): LocalAccount {
  const envName = source.envName ?? DEFAULT_KEY_ENV_NAME;
  let raw: string | undefined;
  let where: string;
  if (source.keyFile !== undefined) {
    where = `key file ${source.keyFile}`;
    raw = readKeyFile(source.keyFile, source.onWarning ?? defaultWarning);
  } else {
    // Libraries never read the environment themselves: the app passes it (`{ env: process.env }`).
    const env = source.env;
    if (env === undefined) {
      throw new WalletError(
        "NO_SOURCE",
        `loadWallet needs a source: pass { env } (reads ${envName}) or { keyFile: "/path/to/key" }`,
      );
    }
    where = `env var ${envName}`;
    raw = env[envName];
  }
  const key = raw?.trim() ?? "";
  if (key === "") {
    throw new WalletError(
      "KEY_MISSING",
      `no private key in ${where}: set it to the signer's key (0x + 64 hex digits)`,
    );
  }
  if (!KEY.test(key)) {
    throw new WalletError(
      "KEY_INVALID",
      `the value in ${where} is not a private key: expected 0x followed by 64 hex digits (value not shown)`,
    );
  }
  const hex = (key.startsWith("0x") ? key : `0x${key}`) as `0x${string}`;
  try {
    return privateKeyToAccount(hex);
  } catch {
    // Deliberately no `cause`: viem's error could quote the key.
    throw new WalletError(
      "KEY_INVALID",
      `the value in ${where} is not a valid secp256k1 private key (value not shown)`,
    );
  }
}

function readKeyFile(path: string, warn: (message: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new WalletError("KEY_FILE_UNREADABLE", `cannot read key file ${path} (${code})`);
  }
  try {
    const mode = statSync(path).mode;
    if (process.platform !== "win32" && (mode & 0o077) !== 0) {
      warn(
        `key file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
      );
    }
  } catch {
    // The file was readable a moment ago; a failed stat only skips the permission warning.
  }
  return text;
}

function defaultWarning(message: string): void {
  process.emitWarning(message, { code: "BOTMM_KEY_FILE_PERMISSIONS" });
}
