import { signL1Action } from "@nktkas/hyperliquid/signing";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalAction, l1ActionHash, recoverL1Signer } from "./signing.ts";
import { setup, top } from "./testSupport.ts";

// The SDK's published signing test vector (nktkas/hyperliquid, tests/signing): a fixed key, a GTC order,
// nonce 1234567890, mainnet, no vault address and no expiresAfter.
const VECTOR = {
  privateKey: "0x822e9959e022b78423eb653a62ea0020cd283e71a2a8133a6ff2aeffaf373cff",
  action: {
    type: "order",
    orders: [{ a: 0, b: true, p: "30000", s: "0.1", r: false, t: { limit: { tif: "Gtc" } } }],
    grouping: "na",
  },
  nonce: 1234567890,
  actionHash: "0x25367e0dba84351148288c2233cd6130ed6cec5967ded0c0b7334f36f957cc90",
  signature: {
    r: "0x61078d8ffa3cb591de045438a1ae2ed299b271891d1943a33901e7cfb3a31ed8",
    s: "0x0e91df4f9841641d3322dad8d932874b74d7e082cdb5b533f804964a6963aef9",
    v: 28,
  },
  testnetSignature: {
    r: "0x6b0283a894d87b996ad0182b86251cc80d27d61ef307449a2ed249a508ded1f7",
    s: "0x6f884e79f4a0a10af62db831af6f8e03b3f11d899eb49b352f836746ee9226da",
    v: 27,
  },
} as const;

describe("signature recovery", () => {
  it("reproduces the SDK's published action hash and recovers its signer", async () => {
    expect(l1ActionHash({ action: VECTOR.action, nonce: VECTOR.nonce })).toBe(VECTOR.actionHash);
    const expected = privateKeyToAccount(VECTOR.privateKey).address.toLowerCase();
    const signer = await recoverL1Signer({
      action: VECTOR.action,
      nonce: VECTOR.nonce,
      signature: VECTOR.signature,
      isTestnet: false,
    });
    expect(signer).toBe(expected);
    const testnet = await recoverL1Signer({
      action: VECTOR.action,
      nonce: VECTOR.nonce,
      signature: VECTOR.testnetSignature,
      isTestnet: true,
    });
    expect(testnet).toBe(expected);
    // The mainnet signature does not verify as testnet (source "b").
    const wrongSource = await recoverL1Signer({
      action: VECTOR.action,
      nonce: VECTOR.nonce,
      signature: VECTOR.signature,
      isTestnet: true,
    });
    expect(wrongSource).not.toBe(expected);
  });

  it("hashes the canonical key order, whatever order the JSON had", () => {
    const shuffled = {
      grouping: "na",
      orders: [{ t: { limit: { tif: "Gtc" } }, r: false, s: "0.1", p: "30000", b: true, a: 0 }],
      type: "order" as const,
    };
    expect(l1ActionHash({ action: canonicalAction(shuffled), nonce: VECTOR.nonce })).toBe(VECTOR.actionHash);
    expect(() => canonicalAction({ type: "order", orders: [], grouping: "na", extra: 1 })).toThrow();
  });
});

describe("golden: the emulator checks every /exchange signature", () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });
  afterEach(async () => {
    await t.emulator.stop();
  });

  async function post(body: string) {
    const response = await fetch(`${t.emulator.url}/exchange`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(response.headers.get("content-type")).toContain("application/json");
    return (await response.json()) as { status: string; response: unknown };
  }

  it("accepts a request signed by the SDK and rejects the same body with one byte changed", async () => {
    const { bid } = top(t.emulator, "BTC");
    const action = {
      type: "order",
      orders: [{ a: 0, b: true, p: String(bid - 10), s: "0.001", r: false, t: { limit: { tif: "Alo" } } }],
      grouping: "na",
    } as const;
    const nonce = Date.now() + 1;
    const signature = await signL1Action({ wallet: t.wallet, action, nonce });
    const body = JSON.stringify({ action, nonce, signature });
    const tampered = body.replace('"s":"0.001"', '"s":"0.002"');
    expect(tampered).not.toBe(body);
    expect(tampered.length).toBe(body.length);
    const rejected = await post(tampered);
    expect(rejected.status).toBe("err");
    expect(rejected.response).toMatch(/^User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    expect(rejected.response).not.toContain(t.user);
    const accepted = await post(body);
    expect(accepted).toMatchObject({ status: "ok", response: { type: "order" } });
    // A flipped byte in the signature fails too.
    const nonce2 = nonce + 1;
    const signature2 = await signL1Action({ wallet: t.wallet, action, nonce: nonce2 });
    const badSig = {
      ...signature2,
      s: `${signature2.s.slice(0, -1)}${signature2.s.endsWith("0") ? "1" : "0"}`,
    };
    const result = await post(JSON.stringify({ action, nonce: nonce2, signature: badSig }));
    expect(result.status).toBe("err");
  });

  it("rejects testnet-signed requests on a mainnet emulator and unknown signers", async () => {
    const action = { type: "scheduleCancel" } as const;
    const nonce = Date.now() + 5;
    const testnetSig = await signL1Action({ wallet: t.wallet, action, nonce, isTestnet: true });
    expect((await post(JSON.stringify({ action, nonce, signature: testnetSig }))).status).toBe("err");
    const stranger = privateKeyToAccount(generatePrivateKey());
    const signature = await signL1Action({ wallet: stranger, action, nonce });
    expect(await post(JSON.stringify({ action, nonce, signature }))).toEqual({
      status: "err",
      response: `User or API Wallet ${stranger.address.toLowerCase()} does not exist.`,
    });
  });

  it("answers malformed bodies with 422 like the venue", async () => {
    const response = await fetch(`${t.emulator.url}/exchange`, {
      method: "POST",
      body: '{"action":{"type":"order"}}',
    });
    expect(response.status).toBe(422);
    expect(await response.text()).toMatch(/^Failed to deserialize the JSON body into the target type/);
  });
});

describe("agent (API) wallets", () => {
  it("lets a pre-registered agent trade for its master", async () => {
    const agent = privateKeyToAccount(generatePrivateKey());
    const t = await setup();
    try {
      t.emulator.addAgent(agent.address, t.user);
      const { ExchangeClient } = await import("@nktkas/hyperliquid");
      const agentClient = new ExchangeClient({ transport: t.transport, wallet: agent });
      const { bid } = top(t.emulator, "BTC");
      await agentClient.order({
        orders: [{ a: 0, b: true, p: String(bid - 10), s: "0.001", r: false, t: { limit: { tif: "Alo" } } }],
        grouping: "na",
      });
      expect(await t.info.openOrders({ user: t.user })).toHaveLength(1);
    } finally {
      await t.emulator.stop();
    }
  });

  it("registers an agent through approveAgent signed by the master", async () => {
    const agent = privateKeyToAccount(generatePrivateKey());
    const t = await setup();
    try {
      const { ExchangeClient } = await import("@nktkas/hyperliquid");
      const agentClient = new ExchangeClient({ transport: t.transport, wallet: agent });
      await expect(agentClient.scheduleCancel()).rejects.toThrow(
        `User or API Wallet ${agent.address.toLowerCase()} does not exist.`,
      );
      await t.exchange.approveAgent({ agentAddress: agent.address, agentName: "bot" });
      await expect(agentClient.scheduleCancel()).resolves.toEqual({
        status: "ok",
        response: { type: "default" },
      });
    } finally {
      await t.emulator.stop();
    }
  });
});
