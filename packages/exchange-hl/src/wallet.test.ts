import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { testAccount } from "@botmm/hl-emulator";
import { afterAll, describe, expect, it, vi } from "vitest";
import { WalletError } from "./errors.ts";
import { loadWallet } from "./wallet.ts";

const { privateKey, address } = testAccount(3);
const hex = privateKey.slice(2);
const dir = mkdtempSync(join(tmpdir(), "botmm-wallet-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(run: () => unknown): WalletError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WalletError);
    return error as WalletError;
  }
  throw new Error("expected a WalletError");
}

/** Everything an error could leak through: message, stack, cause, inspection, JSON. */
function leakSurface(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, String(e.cause), inspect(e, { depth: 5 }), JSON.stringify(e)]
    .join("\n")
    .toLowerCase();
}

describe("loadWallet", () => {
  it("reads BOTMM_PRIVATE_KEY from the given env, with or without 0x", () => {
    expect(loadWallet({ env: { BOTMM_PRIVATE_KEY: privateKey } }).address.toLowerCase()).toBe(address);
    expect(loadWallet({ env: { BOTMM_PRIVATE_KEY: `  ${hex}\n` } }).address.toLowerCase()).toBe(address);
    expect(loadWallet({ env: { HL_AGENT: privateKey }, envName: "HL_AGENT" }).address.toLowerCase()).toBe(
      address,
    );
  });

  it("never reads process.env itself: without env or keyFile it asks for a source", () => {
    vi.stubEnv("BOTMM_PRIVATE_KEY", privateKey);
    try {
      expect(failure(() => loadWallet({})).code).toBe("NO_SOURCE");
      expect(loadWallet({ env: process.env }).address.toLowerCase()).toBe(address);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("reads a key file and warns when group or others can read it", () => {
    const path = join(dir, "key");
    writeFileSync(path, `${privateKey}\n`);
    chmodSync(path, 0o600);
    const warnings: string[] = [];
    expect(loadWallet({ keyFile: path, onWarning: (m) => warnings.push(m) }).address.toLowerCase()).toBe(
      address,
    );
    expect(warnings).toEqual([]);
    chmodSync(path, 0o644);
    loadWallet({ keyFile: path, onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/readable by group or others \(mode 644\); run chmod 600/);
    expect(warnings[0]!.toLowerCase()).not.toContain(hex);
  });

  it("fails with typed errors that never contain the key", () => {
    expect(failure(() => loadWallet({ env: {}, envName: "BOTMM_TEST_SURELY_UNSET_KEY" })).code).toBe(
      "KEY_MISSING",
    );
    expect(failure(() => loadWallet({ env: {} })).code).toBe("KEY_MISSING");
    expect(failure(() => loadWallet({ keyFile: join(dir, "absent") })).code).toBe("KEY_FILE_UNREADABLE");
    const cases = [
      `${privateKey}zz`, // not hex
      privateKey.slice(0, 40), // too short
      `0x${"0".repeat(64)}`, // zero: not a valid secp256k1 key
      `0x${"f".repeat(64)}`, // above the curve order
      `${privateKey} ${privateKey}`,
    ];
    for (const value of cases) {
      const error = failure(() => loadWallet({ env: { BOTMM_PRIVATE_KEY: value } }));
      expect(error.code).toBe("KEY_INVALID");
      expect(error.message).toContain("BOTMM_PRIVATE_KEY");
      const surface = leakSurface(error);
      expect(surface).not.toContain(hex.slice(0, 12));
      expect(surface).not.toContain("f".repeat(16));
    }
    const path = join(dir, "bad");
    writeFileSync(path, `${privateKey}00`, { mode: 0o600 });
    const error = failure(() => loadWallet({ keyFile: path }));
    expect(error.message).toContain(path);
    expect(leakSurface(error)).not.toContain(hex.slice(0, 12));
  });

  it("returns an account that does not expose the key when logged or serialised", () => {
    const account = loadWallet({ env: { BOTMM_PRIVATE_KEY: privateKey } });
    const surface = [inspect(account, { depth: 5, showHidden: true }), JSON.stringify(account)].join("\n");
    expect(surface.toLowerCase()).not.toContain(hex);
  });
});
