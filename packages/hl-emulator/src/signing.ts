import {
  ApproveAgentRequest,
  ApproveAgentTypes,
  BatchModifyRequest,
  CancelByCloidRequest,
  CancelRequest,
  ModifyRequest,
  OrderRequest,
  ScheduleCancelRequest,
  UpdateLeverageRequest,
} from "@nktkas/hyperliquid/api/exchange";
import { canonicalize, createL1ActionHash } from "@nktkas/hyperliquid/signing";
import { recoverTypedDataAddress, serializeSignature } from "viem";
import type { Hex } from "./wire.ts";

/** An ECDSA signature as Hyperliquid sends it. */
export interface WireSignature {
  r: string;
  s: string;
  v: number;
}

/** L1 (phantom-agent) action types the emulator verifies and executes. */
export const L1_ACTION_TYPES = [
  "order",
  "cancel",
  "cancelByCloid",
  "modify",
  "batchModify",
  "scheduleCancel",
  "updateLeverage",
] as const;
/** One of {@link L1_ACTION_TYPES}. */
export type L1ActionType = (typeof L1_ACTION_TYPES)[number];

// The SDK's valibot request schemas define the venue's canonical key order; the server hashes its own
// re-serialisation of the action, so a client that signs keys in another order fails verification, as on
// the real venue. `canonicalize` only reorders (and rejects unknown keys); it never normalises values.
// biome-ignore lint/suspicious/noExplicitAny: the SDK's schema types are deep generics; only `.entries.action` is used.
const ACTION_SCHEMAS: Record<L1ActionType, any> = {
  order: OrderRequest.entries.action,
  cancel: CancelRequest.entries.action,
  cancelByCloid: CancelByCloidRequest.entries.action,
  modify: ModifyRequest.entries.action,
  batchModify: BatchModifyRequest.entries.action,
  scheduleCancel: ScheduleCancelRequest.entries.action,
  updateLeverage: UpdateLeverageRequest.entries.action,
};

/**
 * Says whether an action type is an L1 action the emulator supports.
 *
 * @example
 * ```ts
 * isL1ActionType("order"); // true
 * isL1ActionType("usdSend"); // false
 * ```
 */
export function isL1ActionType(type: unknown): type is L1ActionType {
  return typeof type === "string" && (L1_ACTION_TYPES as readonly string[]).includes(type);
}

/**
 * Reorders an action's keys into the venue's canonical order (what the server re-serialises before hashing).
 * Throws the SDK's `CanonicalizeError` when the action has keys the venue does not know or lacks required ones.
 *
 * @example
 * ```ts
 * canonicalAction({ cancels: [{ o: 1, a: 0 }], type: "cancel" }); // { type: "cancel", cancels: [{ a: 0, o: 1 }] }
 * ```
 */
export function canonicalAction(action: { type: L1ActionType } & Record<string, unknown>): unknown {
  return canonicalize(ACTION_SCHEMAS[action.type], action);
}

/**
 * Recomputes the L1 action hash exactly as the SDK does (msgpack of the canonical action, nonce, vault marker,
 * optional expiresAfter; keccak-256).
 *
 * @example
 * ```ts
 * l1ActionHash({ action: { type: "scheduleCancel" }, nonce: 1 }); // "0x…" (32 bytes)
 * ```
 */
export function l1ActionHash(input: {
  action: unknown;
  nonce: number;
  vaultAddress?: string | undefined;
  expiresAfter?: number | undefined;
}): Hex {
  return createL1ActionHash({
    // biome-ignore lint/suspicious/noExplicitAny: the SDK types `action` as its own record type.
    action: input.action as any,
    nonce: input.nonce,
    ...(input.vaultAddress !== undefined ? { vaultAddress: input.vaultAddress as Hex } : {}),
    ...(input.expiresAfter !== undefined ? { expiresAfter: input.expiresAfter } : {}),
  }) as Hex;
}

/**
 * Recovers the address that signed an L1 action: EIP-712 domain `Exchange`/`1`/chainId 1337/zero verifying
 * contract, type `Agent{source, connectionId}` with source "a" (mainnet) or "b" (testnet). The result is
 * lowercase. A tampered body or signature recovers to some other address (or throws on a malformed
 * signature), which the caller then finds unknown.
 *
 * @example
 * ```ts
 * const signer = await recoverL1Signer({ action, nonce, signature, isTestnet: false });
 * ```
 */
export async function recoverL1Signer(input: {
  action: unknown;
  nonce: number;
  signature: WireSignature;
  vaultAddress?: string | undefined;
  expiresAfter?: number | undefined;
  isTestnet: boolean;
}): Promise<Hex> {
  const connectionId = l1ActionHash(input);
  const address = await recoverTypedDataAddress({
    domain: {
      name: "Exchange",
      version: "1",
      chainId: 1337,
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: {
      Agent: [
        { name: "source", type: "string" },
        { name: "connectionId", type: "bytes32" },
      ],
    },
    primaryType: "Agent",
    message: { source: input.isTestnet ? "b" : "a", connectionId },
    signature: toViemSignature(input.signature),
  });
  return address.toLowerCase() as Hex;
}

/** The fields of an `approveAgent` action as sent. */
export interface ApproveAgentAction {
  type: "approveAgent";
  signatureChainId: string;
  hyperliquidChain: "Mainnet" | "Testnet";
  agentAddress: string;
  agentName?: string | null | undefined;
  nonce: number;
}

/**
 * Recovers the signer of a user-signed `approveAgent` action (EIP-712 domain `HyperliquidSignTransaction`,
 * chainId from `signatureChainId`, type `HyperliquidTransaction:ApproveAgent`).
 *
 * @example
 * ```ts
 * const master = await recoverApproveAgentSigner(action, signature);
 * ```
 */
export async function recoverApproveAgentSigner(
  action: ApproveAgentAction,
  signature: WireSignature,
): Promise<Hex> {
  const canonical = canonicalize(ApproveAgentRequest.entries.action, {
    ...action,
    agentName: action.agentName ?? "",
  }) as ApproveAgentAction;
  const address = await recoverTypedDataAddress({
    domain: {
      name: "HyperliquidSignTransaction",
      version: "1",
      chainId: Number.parseInt(canonical.signatureChainId, 16),
      verifyingContract: "0x0000000000000000000000000000000000000000",
    },
    types: ApproveAgentTypes,
    primaryType: "HyperliquidTransaction:ApproveAgent",
    message: {
      hyperliquidChain: canonical.hyperliquidChain,
      agentAddress: canonical.agentAddress as Hex,
      agentName: canonical.agentName ?? "",
      nonce: BigInt(canonical.nonce),
    },
    signature: toViemSignature(signature),
  });
  return address.toLowerCase() as Hex;
}

function toViemSignature(signature: WireSignature): Hex {
  return serializeSignature({
    r: signature.r as Hex,
    s: signature.s as Hex,
    v: BigInt(signature.v),
  });
}
