import { z } from "zod";
import type { MatchingEngine, OrderStatusWire, OrderWire } from "./engine.ts";
import { consumeAddressBudget, type NonceTracker } from "./limits.ts";
import {
  type ApproveAgentAction,
  canonicalAction,
  isL1ActionType,
  type L1ActionType,
  recoverApproveAgentSigner,
  recoverL1Signer,
} from "./signing.ts";
import type { Hex } from "./wire.ts";

const hex = z.string().regex(/^0x[0-9a-fA-F]+$/);
const decimal = z.string().regex(/^\d+(\.\d+)?$/, "a decimal string");
const uint = z.number().int().nonnegative();
const cloid = z.string().regex(/^0x[0-9a-fA-F]{32}$/, "a 0x-prefixed 16-byte hex cloid");

const orderSchema = z.object({
  a: uint,
  b: z.boolean(),
  p: decimal,
  s: decimal,
  r: z.boolean(),
  t: z.union([
    z.object({ limit: z.object({ tif: z.enum(["Gtc", "Ioc", "Alo", "FrontendMarket"]) }) }),
    z.object({
      trigger: z.object({ isMarket: z.boolean(), triggerPx: decimal, tpsl: z.enum(["tp", "sl"]) }),
    }),
  ]),
  c: cloid.optional(),
});

/** zod schemas of the L1 actions the emulator executes. */
export const actionSchemas = {
  order: z.object({
    type: z.literal("order"),
    orders: z.array(orderSchema),
    grouping: z.union([z.enum(["na", "normalTpsl", "positionTpsl"]), z.object({ p: uint })]),
    builder: z.object({ b: hex, f: uint }).optional(),
  }),
  cancel: z.object({
    type: z.literal("cancel"),
    cancels: z.array(z.object({ a: uint, o: uint })),
    f: z.literal(true).optional(),
  }),
  cancelByCloid: z.object({
    type: z.literal("cancelByCloid"),
    cancels: z.array(z.object({ asset: uint, cloid })),
    f: z.literal(true).optional(),
  }),
  modify: z.object({ type: z.literal("modify"), oid: z.union([uint, cloid]), order: orderSchema }),
  batchModify: z.object({
    type: z.literal("batchModify"),
    modifies: z.array(z.object({ oid: z.union([uint, cloid]), order: orderSchema })),
    a: z.literal(true).optional(),
  }),
  scheduleCancel: z.object({ type: z.literal("scheduleCancel"), time: uint.optional() }),
  updateLeverage: z.object({
    type: z.literal("updateLeverage"),
    asset: uint,
    isCross: z.boolean(),
    leverage: uint,
  }),
} satisfies Record<L1ActionType, z.ZodType>;

const approveAgentSchema = z.object({
  type: z.literal("approveAgent"),
  signatureChainId: hex,
  hyperliquidChain: z.enum(["Mainnet", "Testnet"]),
  agentAddress: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  agentName: z.string().nullish(),
  nonce: uint,
});

/** zod schema of an `/exchange` request body. */
export const exchangeRequestSchema = z.object({
  action: z.looseObject({ type: z.string() }),
  nonce: uint,
  signature: z.object({
    r: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    s: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    v: z.union([z.literal(27), z.literal(28)]),
  }),
  vaultAddress: z.string().nullish(),
  expiresAfter: uint.nullish(),
});

/** What an `/exchange` request produced: a JSON body (HTTP 200), or a deserialisation failure (HTTP 422). */
export type ExchangeOutcome = { kind: "json"; body: unknown } | { kind: "unprocessable"; text: string };

/** State the exchange handler shares with the server. */
export interface ExchangeContext {
  engine: MatchingEngine;
  nonces: NonceTracker;
  /** agent address → master address (both lowercase). */
  agents: Map<Hex, Hex>;
  isTestnet: boolean;
  addressBudget: boolean;
  now(): number;
  /** Fault injection: the next n orders are rejected with this error. */
  rejectNext: { remaining: number; error: string };
}

const ERR = (response: string) => ({ kind: "json" as const, body: { status: "err", response } });
const DEFAULT_OK = { status: "ok", response: { type: "default" } };

/**
 * Handles one `/exchange` body the way the venue does: validates it, recomputes the action hash and recovers
 * the signer (agent wallets trade for their master), checks the nonce and the address budget, then executes.
 *
 * @example
 * ```ts
 * const outcome = await handleExchange(context, JSON.parse(body));
 * if (outcome.kind === "json") response.end(JSON.stringify(outcome.body));
 * ```
 */
export async function handleExchange(context: ExchangeContext, raw: unknown): Promise<ExchangeOutcome> {
  const envelope = exchangeRequestSchema.safeParse(raw);
  if (!envelope.success) {
    return {
      kind: "unprocessable",
      text: `Failed to deserialize the JSON body into the target type: ${envelope.error.issues[0]?.path.join(".") ?? ""} ${envelope.error.issues[0]?.message ?? ""}`,
    };
  }
  const body = envelope.data;
  const type = body.action.type;
  if (type === "approveAgent") return approveAgent(context, body.action, body.signature, body.nonce);
  if (!isL1ActionType(type)) {
    return {
      kind: "unprocessable",
      text: `Failed to deserialize the JSON body into the target type: action: unknown or unsupported variant \`${type}\``,
    };
  }
  const parsed = actionSchemas[type].safeParse(body.action);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: "unprocessable",
      text: `Failed to deserialize the JSON body into the target type: action.${issue?.path.join(".") ?? ""}: ${issue?.message ?? ""}`,
    };
  }
  let canonical: unknown;
  try {
    canonical = canonicalAction(body.action as { type: L1ActionType } & Record<string, unknown>);
  } catch (error) {
    return {
      kind: "unprocessable",
      text: `Failed to deserialize the JSON body into the target type: ${(error as Error).message}`,
    };
  }
  let signer: Hex;
  try {
    signer = await recoverL1Signer({
      action: canonical,
      nonce: body.nonce,
      signature: body.signature,
      vaultAddress: body.vaultAddress ?? undefined,
      expiresAfter: body.expiresAfter ?? undefined,
      isTestnet: context.isTestnet,
    });
  } catch {
    return ERR("Failed to recover signer from signature");
  }
  const engine = context.engine;
  const user = engine.accounts.has(signer) ? signer : context.agents.get(signer);
  if (user === undefined || !engine.accounts.has(user))
    return ERR(`User or API Wallet ${signer} does not exist.`);
  const account = engine.accounts.get(user);
  if (!account) return ERR(`User or API Wallet ${signer} does not exist.`);
  if (body.vaultAddress)
    return ERR("Vault and sub-account trading (vaultAddress) is not supported by the emulator");
  const now = context.now();
  if (body.expiresAfter !== undefined && body.expiresAfter !== null && body.expiresAfter < now) {
    return ERR(`Action expired: expiresAfter ${body.expiresAfter} is before the current time ${now}`);
  }
  const nonceError = context.nonces.check(signer, body.nonce, now);
  if (nonceError !== null) return ERR(nonceError);
  const action = parsed.data;
  if (context.addressBudget) {
    const weight =
      action.type === "order"
        ? action.orders.length
        : action.type === "cancel" || action.type === "cancelByCloid"
          ? action.cancels.length
          : action.type === "batchModify"
            ? action.modifies.length
            : 1;
    const limited = consumeAddressBudget(
      account,
      Math.max(1, weight),
      action.type === "cancel" || action.type === "cancelByCloid",
      now,
    );
    if (limited !== null) return ERR(limited);
  }
  return { kind: "json", body: execute(context, user, action, now) };
}

type ParsedAction = { [K in L1ActionType]: z.infer<(typeof actionSchemas)[K]> }[L1ActionType];

function execute(context: ExchangeContext, user: Hex, action: ParsedAction, now: number): unknown {
  const engine = context.engine;
  const injected = (): OrderStatusWire | null => {
    if (context.rejectNext.remaining <= 0) return null;
    context.rejectNext.remaining--;
    return { error: context.rejectNext.error };
  };
  switch (action.type) {
    case "order": {
      if (action.grouping !== "na" && typeof action.grouping === "string") {
        return {
          status: "err",
          response: `Order grouping ${action.grouping} is not supported by the emulator`,
        };
      }
      if (action.orders.length === 0) return { status: "err", response: "Empty batch of orders" };
      const statuses = action.orders.map(
        (order) => injected() ?? engine.placeOrder(user, order as OrderWire, now),
      );
      return { status: "ok", response: { type: "order", data: { statuses } } };
    }
    case "cancel": {
      const statuses = action.cancels.map((cancel) => engine.cancel(user, cancel.a, cancel.o, now));
      return { status: "ok", response: { type: "cancel", data: { statuses } } };
    }
    case "cancelByCloid": {
      const statuses = action.cancels.map((cancel) => engine.cancel(user, cancel.asset, cancel.cloid, now));
      return { status: "ok", response: { type: "cancel", data: { statuses } } };
    }
    case "modify": {
      const status = injected() ?? engine.modify(user, action.oid, action.order as OrderWire, now);
      if ("error" in status) return { status: "err", response: status.error };
      return DEFAULT_OK;
    }
    case "batchModify": {
      const statuses = action.modifies.map(
        (modify) => injected() ?? engine.modify(user, modify.oid, modify.order as OrderWire, now),
      );
      return { status: "ok", response: { type: "order", data: { statuses } } };
    }
    case "scheduleCancel": {
      const error = engine.scheduleCancel(user, action.time, now);
      return error === null ? DEFAULT_OK : { status: "err", response: error };
    }
    case "updateLeverage": {
      const error = engine.updateLeverage(user, action.asset, action.isCross, action.leverage);
      return error === null ? DEFAULT_OK : { status: "err", response: error };
    }
  }
}

async function approveAgent(
  context: ExchangeContext,
  rawAction: unknown,
  signature: { r: string; s: string; v: number },
  nonce: number,
): Promise<ExchangeOutcome> {
  const parsed = approveAgentSchema.safeParse(rawAction);
  if (!parsed.success) {
    return {
      kind: "unprocessable",
      text: "Failed to deserialize the JSON body into the target type: approveAgent",
    };
  }
  const action = parsed.data as ApproveAgentAction;
  if ((action.hyperliquidChain === "Testnet") !== context.isTestnet) {
    return ERR(
      `approveAgent for ${action.hyperliquidChain} sent to a ${context.isTestnet ? "testnet" : "mainnet"} emulator`,
    );
  }
  let signer: Hex;
  try {
    signer = await recoverApproveAgentSigner(action, signature);
  } catch {
    return ERR("Failed to recover signer from signature");
  }
  if (!context.engine.accounts.has(signer)) return ERR(`User or API Wallet ${signer} does not exist.`);
  const nonceError = context.nonces.check(signer, nonce, context.now());
  if (nonceError !== null) return ERR(nonceError);
  const agent = action.agentAddress.toLowerCase() as Hex;
  if (context.engine.accounts.has(agent))
    return ERR("Agent address is already a user; use a fresh key as an API wallet");
  context.agents.set(agent, signer);
  return { kind: "json", body: DEFAULT_OK };
}
