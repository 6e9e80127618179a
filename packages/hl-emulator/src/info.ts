import type {
  AllMidsResponse,
  CandleSnapshotResponse,
  ClearinghouseStateResponse,
  L2BookResponse,
  MetaAndAssetCtxsResponse,
  MetaResponse,
  OrderStatusResponse,
  SpotMetaResponse,
} from "@nktkas/hyperliquid/api/info";
import { z } from "zod";
import type {
  AccountState,
  CoinState,
  FrontendOpenOrderWire,
  MatchingEngine,
  OpenOrderWire,
  UserFillWire,
} from "./engine.ts";
import { decimalString, type Hex } from "./wire.ts";

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "a 0x-prefixed 20-byte hex address");
const cloid = z.string().regex(/^0x[0-9a-fA-F]{32}$/, "a 0x-prefixed 16-byte hex cloid");
const dex = z.string().optional();

/** zod schemas of the `/info` request types the emulator serves. */
export const infoRequestSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("meta"), dex }),
  z.object({ type: z.literal("spotMeta") }),
  z.object({ type: z.literal("metaAndAssetCtxs"), dex }),
  z.object({
    type: z.literal("l2Book"),
    coin: z.string(),
    nSigFigs: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5)]).nullish(),
    mantissa: z.union([z.literal(2), z.literal(5)]).nullish(),
  }),
  z.object({ type: z.literal("allMids"), dex }),
  z.object({
    type: z.literal("candleSnapshot"),
    req: z.object({
      coin: z.string(),
      interval: z.enum([
        "1m",
        "3m",
        "5m",
        "15m",
        "30m",
        "1h",
        "2h",
        "4h",
        "8h",
        "12h",
        "1d",
        "3d",
        "1w",
        "1M",
      ]),
      startTime: z.number().int().nonnegative(),
      endTime: z.number().int().nonnegative().nullish(),
    }),
  }),
  z.object({ type: z.literal("clearinghouseState"), user: address, dex }),
  z.object({ type: z.literal("openOrders"), user: address, dex }),
  z.object({ type: z.literal("frontendOpenOrders"), user: address, dex }),
  z.object({ type: z.literal("userFills"), user: address, aggregateByTime: z.boolean().optional() }),
  z.object({
    type: z.literal("userFillsByTime"),
    user: address,
    startTime: z.number().int().nonnegative(),
    endTime: z.number().int().nonnegative().nullish(),
    aggregateByTime: z.boolean().optional(),
  }),
  z.object({
    type: z.literal("orderStatus"),
    user: address,
    oid: z.union([z.number().int().nonnegative(), cloid]),
  }),
  z.object({ type: z.literal("userRateLimit"), user: address }),
]);
/** A parsed `/info` request. */
export type InfoRequest = z.infer<typeof infoRequestSchema>;

const INTERVAL_MS: Record<string, number> = {
  "1m": 60_000,
  "3m": 180_000,
  "5m": 300_000,
  "15m": 900_000,
  "30m": 1_800_000,
  "1h": 3_600_000,
  "2h": 7_200_000,
  "4h": 14_400_000,
  "8h": 28_800_000,
  "12h": 43_200_000,
  "1d": 86_400_000,
  "3d": 259_200_000,
  "1w": 604_800_000,
  "1M": 2_592_000_000,
};

/**
 * Answers one parsed `/info` request from the engine's state, in the venue's exact response shape (typed
 * against the SDK's own response types). Returns the data and how many items it holds (for the IP weight).
 *
 * @example
 * ```ts
 * answerInfo(engine, { type: "allMids" }, Date.now()).data; // { BTC: "100000.5", … }
 * ```
 */
export function answerInfo(
  engine: MatchingEngine,
  request: InfoRequest,
  nowMs: number,
): { data: unknown; items: number } {
  switch (request.type) {
    case "meta":
      return { data: meta(engine), items: 0 };
    case "spotMeta":
      return { data: spotMeta(), items: 0 };
    case "metaAndAssetCtxs":
      return { data: metaAndAssetCtxs(engine), items: 0 };
    case "l2Book": {
      const coin = engine.coin(request.coin);
      return {
        data: coin ? l2Book(engine, coin, nowMs, request.nSigFigs ?? null, request.mantissa ?? null) : null,
        items: 0,
      };
    }
    case "allMids":
      return { data: allMids(engine), items: 0 };
    case "candleSnapshot": {
      const data = candleSnapshot(engine, request.req);
      return { data, items: data.length };
    }
    case "clearinghouseState":
      return { data: clearinghouseState(engine, request.user.toLowerCase() as Hex, nowMs), items: 0 };
    case "openOrders": {
      const data: OpenOrderWire[] = openOrdersOf(engine, request.user).map((order) =>
        engine.openOrderWire(order),
      );
      return { data, items: data.length };
    }
    case "frontendOpenOrders": {
      const data: FrontendOpenOrderWire[] = openOrdersOf(engine, request.user).map((order) =>
        engine.frontendOrderWire(order),
      );
      return { data, items: data.length };
    }
    case "userFills": {
      const account = engine.accounts.get(request.user.toLowerCase() as Hex);
      const data: UserFillWire[] = account ? [...account.fills].reverse() : [];
      return { data, items: data.length };
    }
    case "userFillsByTime": {
      // Like the venue: fills in [startTime, endTime], newest first, at most 2000.
      const account = engine.accounts.get(request.user.toLowerCase() as Hex);
      const end = request.endTime ?? Number.POSITIVE_INFINITY;
      const data: UserFillWire[] = account
        ? [...account.fills]
            .filter((fill) => fill.time >= request.startTime && fill.time <= end)
            .reverse()
            .slice(0, 2_000)
        : [];
      return { data, items: data.length };
    }
    case "orderStatus":
      return { data: orderStatus(engine, request.user.toLowerCase() as Hex, request.oid), items: 0 };
    case "userRateLimit": {
      const account = engine.accounts.get(request.user.toLowerCase() as Hex);
      const volume = account?.volumeUsd ?? 0;
      return {
        data: {
          cumVlm: decimalString(volume, 2),
          nRequestsUsed: account?.requestsUsed ?? 0,
          nRequestsCap: 10_000 + Math.floor(volume),
          nRequestsSurplus: 0,
        },
        items: 0,
      };
    }
  }
}

function meta(engine: MatchingEngine): MetaResponse {
  const tables = new Map<number, number>();
  for (const coin of engine.coins) tables.set(coin.spec.maxLeverage, coin.spec.maxLeverage);
  return {
    universe: engine.coins.map((coin) => ({
      szDecimals: coin.spec.szDecimals,
      name: coin.spec.name,
      maxLeverage: coin.spec.maxLeverage,
      marginTableId: coin.spec.maxLeverage,
    })),
    marginTables: [...tables.keys()].map((id) => [
      id,
      { description: "", marginTiers: [{ lowerBound: "0.0", maxLeverage: id }] },
    ]),
    collateralToken: 0,
  };
}

function spotMeta(): SpotMetaResponse {
  return {
    universe: [],
    tokens: [
      {
        name: "USDC",
        szDecimals: 8,
        weiDecimals: 8,
        index: 0,
        tokenId: "0x6d1e7cde53ba9467b783cb7c530ce054",
        isCanonical: true,
        evmContract: null,
        fullName: null,
        deployerTradingFeeShare: "0.0",
      },
    ],
  };
}

function metaAndAssetCtxs(engine: MatchingEngine): MetaAndAssetCtxsResponse {
  const ctxs = engine.coins.map((coin) => {
    const { bid, ask } = engine.bbo(coin);
    const decimals = coin.pxDecimals + 1;
    let openInterest = 0;
    for (const account of engine.accounts.values()) {
      const position = account.positions.get(coin.spec.name);
      if (position && position.sziInt > 0) openInterest += engine.sz(coin, position.sziInt);
    }
    return {
      prevDayPx: decimalString(coin.prevDayPx, decimals),
      dayNtlVlm: decimalString(coin.dayNtlVlm, 2),
      markPx: decimalString(engine.markPx(coin), decimals),
      midPx: bid && ask ? decimalString(engine.midPx(coin), decimals) : null,
      funding: decimalString(coin.spec.fundingRatePerHour, 10),
      openInterest: decimalString(openInterest, coin.spec.szDecimals),
      premium: "0.0",
      oraclePx: decimalString(coin.fairPx, decimals),
      impactPxs:
        bid && ask
          ? ([engine.pxWire(coin, bid.pxInt), engine.pxWire(coin, ask.pxInt)] as [string, string])
          : null,
      dayBaseVlm: decimalString(coin.dayBaseVlm, coin.spec.szDecimals),
    };
  });
  return [meta(engine), ctxs];
}

/** An L2 snapshot (≤ 20 levels per side), optionally aggregated to `nSigFigs` significant figures. */
export function l2Book(
  engine: MatchingEngine,
  coin: CoinState,
  nowMs: number,
  nSigFigs: number | null,
  mantissa: number | null,
): NonNullable<L2BookResponse> {
  const side = (name: "bids" | "asks") => {
    const raw = engine.levels(coin, name, nSigFigs === null ? 20 : Number.POSITIVE_INFINITY);
    if (nSigFigs === null) {
      return raw.map((level) => ({
        px: engine.pxWire(coin, level.pxInt),
        sz: engine.szWire(coin, level.szInt),
        n: level.n,
      }));
    }
    const buckets = new Map<number, { sz: number; n: number }>();
    for (const level of raw) {
      const px = engine.px(coin, level.pxInt);
      let bucket = 10 ** (Math.floor(Math.log10(px)) - nSigFigs + 1);
      if (nSigFigs === 5 && mantissa !== null) bucket *= mantissa;
      const rounded =
        (name === "bids" ? Math.floor(px / bucket + 1e-9) : Math.ceil(px / bucket - 1e-9)) * bucket;
      const entry = buckets.get(rounded) ?? { sz: 0, n: 0 };
      entry.sz += level.szInt;
      entry.n += level.n;
      buckets.set(rounded, entry);
    }
    return [...buckets.entries()]
      .sort((x, y) => (name === "bids" ? y[0] - x[0] : x[0] - y[0]))
      .slice(0, 20)
      .map(([px, entry]) => ({
        px: decimalString(px, coin.pxDecimals),
        sz: engine.szWire(coin, entry.sz),
        n: entry.n,
      }));
  };
  return { coin: coin.spec.name, time: nowMs, levels: [side("bids"), side("asks")] };
}

/**
 * Mid prices of every coin with both sides quoted.
 *
 * @example
 * ```ts
 * allMids(engine); // { BTC: "100000.5", ETH: "3500.05" }
 * ```
 */
export function allMids(engine: MatchingEngine): AllMidsResponse {
  const mids: AllMidsResponse = {};
  for (const coin of engine.coins) {
    const { bid, ask } = engine.bbo(coin);
    if (bid && ask) mids[coin.spec.name] = decimalString(engine.midPx(coin), coin.pxDecimals + 1);
  }
  return mids;
}

function candleSnapshot(
  engine: MatchingEngine,
  req: { coin: string; interval: string; startTime: number; endTime?: number | null | undefined },
): CandleSnapshotResponse {
  const coin = engine.coin(req.coin);
  if (!coin) return [];
  const intervalMs = INTERVAL_MS[req.interval] ?? 60_000;
  const end = req.endTime ?? Number.MAX_SAFE_INTEGER;
  const out: CandleSnapshotResponse = [];
  const decimals = coin.pxDecimals + 1;
  for (const candle of coin.candles) {
    const t = Math.floor(candle.t / intervalMs) * intervalMs;
    if (t < Math.floor(req.startTime / intervalMs) * intervalMs || t > end) continue;
    const last = out[out.length - 1];
    if (last && last.t === t) {
      last.h = decimalString(Math.max(Number(last.h), candle.h), decimals);
      last.l = decimalString(Math.min(Number(last.l), candle.l), decimals);
      last.c = decimalString(candle.c, decimals);
      last.v = decimalString(Number(last.v) + candle.v, coin.spec.szDecimals);
      last.n += candle.n;
    } else {
      out.push({
        t,
        T: t + intervalMs - 1,
        s: coin.spec.name,
        i: req.interval as CandleSnapshotResponse[number]["i"],
        o: decimalString(candle.o, decimals),
        c: decimalString(candle.c, decimals),
        h: decimalString(candle.h, decimals),
        l: decimalString(candle.l, decimals),
        v: decimalString(candle.v, coin.spec.szDecimals),
        n: candle.n,
      });
    }
  }
  return out.slice(-5000);
}

function openOrdersOf(engine: MatchingEngine, user: string) {
  const account = engine.accounts.get(user.toLowerCase() as Hex);
  return account ? [...account.openOrders].sort((x, y) => y.oid - x.oid) : [];
}

/**
 * The `clearinghouseState` of a user (zeros for an unknown one).
 *
 * @example
 * ```ts
 * clearinghouseState(engine, "0xabc…", Date.now()).withdrawable;
 * ```
 */
export function clearinghouseState(
  engine: MatchingEngine,
  user: Hex,
  nowMs: number,
): ClearinghouseStateResponse {
  const account: AccountState | undefined = engine.accounts.get(user);
  const accountValue = account ? engine.accountValue(account) : 0;
  const marginUsed = account ? engine.positionMargin(account) : 0;
  let totalNtlPos = 0;
  const assetPositions: ClearinghouseStateResponse["assetPositions"] = [];
  for (const [name, position] of account?.positions ?? []) {
    const coin = engine.coin(name);
    if (!coin || !account || position.sziInt === 0) continue;
    const mark = engine.markPx(coin);
    const size = engine.sz(coin, position.sziInt);
    const value = Math.abs(size) * mark;
    totalNtlPos += value;
    const leverage = engine.leverageOf(account, coin);
    const margin = value / leverage.value;
    const pnl = (mark - position.entryPx) * size;
    assetPositions.push({
      type: "oneWay",
      position: {
        coin: name,
        szi: engine.szWire(coin, position.sziInt),
        leverage:
          leverage.type === "cross"
            ? { type: "cross", value: leverage.value }
            : {
                type: "isolated",
                value: leverage.value,
                rawUsd: decimalString(-size * position.entryPx + margin, 6),
              },
        entryPx: decimalString(position.entryPx, coin.pxDecimals + 1),
        positionValue: decimalString(value, 6),
        unrealizedPnl: decimalString(pnl, 6),
        returnOnEquity: decimalString(margin > 0 ? pnl / margin : 0, 6),
        liquidationPx: null,
        marginUsed: decimalString(margin, 6),
        maxLeverage: coin.spec.maxLeverage,
        cumFunding: {
          allTime: decimalString(position.cumFundingAllTime, 6),
          sinceOpen: decimalString(position.cumFundingSinceOpen, 6),
          sinceChange: decimalString(position.cumFundingSinceChange, 6),
        },
      },
    });
  }
  const summary = {
    accountValue: decimalString(Math.max(0, accountValue), 6),
    totalNtlPos: decimalString(totalNtlPos, 6),
    totalRawUsd: decimalString(account?.usdc ?? 0, 6),
    totalMarginUsed: decimalString(marginUsed, 6),
  };
  return {
    marginSummary: summary,
    crossMarginSummary: summary,
    crossMaintenanceMarginUsed: decimalString(marginUsed / 2, 6),
    withdrawable: decimalString(
      Math.max(0, accountValue - (account ? engine.requiredMargin(account) : 0)),
      6,
    ),
    assetPositions,
    time: nowMs,
  };
}

function orderStatus(engine: MatchingEngine, user: Hex, id: number | string): OrderStatusResponse {
  let found = typeof id === "number" ? engine.orders.get(id) : undefined;
  if (typeof id === "string") {
    const wanted = id.toLowerCase();
    for (const order of engine.orders.values()) {
      if (order.user === user && order.cloid === wanted && (!found || order.oid > found.oid)) found = order;
    }
  }
  if (!found || found.user !== user) return { status: "unknownOid" };
  return {
    status: "order",
    order: {
      order: engine.frontendOrderWire(found),
      status: found.status,
      statusTimestamp: found.statusTimestamp,
    },
  };
}
