// Where a candle step's time goes: the same decision loop built up from its parts, from a minimal inline
// market-making loop (the floor of any candle backtest in JS on this machine) to the full engine.
// Each rung runs in its own process so the JIT's type feedback of one rung cannot slow another.
// Run: pnpm --filter @botmm/backtest bench:floor
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PriceGrid } from "@botmm/core";
import { basicQuote, EwmaVolatility } from "@botmm/quoter";
import {
  createQuoteSet,
  MarketMaker,
  type OrderActionSink,
  OrderManager,
  parseStrategyConfig,
  type QuoteInput,
  type WorkingOrder,
} from "@botmm/strategy";
import { type CandleColumns, DEFAULT_SIMULATION, runCandleBacktest, toCandleColumns } from "../src/index.ts";
import { ETH, randomWalkCandles } from "../src/test-support.ts";

const RUNGS = [
  "minimal inline loop (EWMA of log returns, basic quote, tick snap, touch-through fills, 9 series)",
  "+ the quoter's EwmaVolatility",
  "+ the quoter's basicQuote",
  "+ core's PriceGrid.snap",
  "MarketMaker.onBar + computeQuotes instead of the three",
  "+ OrderManager.reconcile, acks and fills by client id",
  "the engine: runCandleBacktest (latency split, bar path, volume cap, funding, ledger, toxicity)",
] as const;
const RUNS = 30;
const config = parseStrategyConfig();

/** One rung of the ladder over the candles; returns the number of fills (so the work cannot be skipped). */
function runRung(rung: number, candles: CandleColumns): number {
  if (rung === RUNGS.length - 1) {
    return runCandleBacktest(candles, {
      instrument: ETH,
      strategy: config,
      intervalMs: 60_000,
      fillModel: DEFAULT_SIMULATION.fillModel,
      barPath: DEFAULT_SIMULATION.barPath,
      maxVolumeShare: DEFAULT_SIMULATION.maxVolumeShare,
      latencyMs: DEFAULT_SIMULATION.latencyMs,
      funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
      takerSlippageBps: DEFAULT_SIMULATION.takerSlippageBps,
      seed: 1,
    }).fills.length;
  }
  const n = candles.length;
  const series = Array.from({ length: 9 }, () => new Float64Array(n));
  const [
    equity,
    position,
    spreadSeries,
    feeSeries,
    fundingSeries,
    restingBid,
    restingAsk,
    wantedBid,
    wantedAsk,
  ] = series as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const tick = 0.01;
  const orderSize = Math.floor(config.orderSizeUsd / 3000 / 1e-4) * 1e-4;
  const alpha = 1 - 0.5 ** (1 / config.volatilityHalfLifeBars);
  let weightedSum = 0;
  let weight = 0;
  let returns = 0;
  let lastClose = Number.NaN;
  let size = 0;
  let inventoryUsd = 0;
  let spreadUsd = 0;
  let feesUsd = 0;
  let previousClose = candles.open[0]!;
  let bid = 0;
  let ask = 0;
  let bidResting = false;
  let askResting = false;
  let pendingBid = 0;
  let pendingAsk = 0;
  let pending = false;
  let pendingBidId = 0;
  let pendingAskId = 0;
  let fills = 0;
  const ewma = new EwmaVolatility({
    halfLifeSamples: config.volatilityHalfLifeBars,
    warmUpSamples: config.volatilityWarmupBars,
  });
  const grid = new PriceGrid(ETH.priceRule);
  const basicInput = { midPrice: 0, volatilityBps: 0, inventoryUsd: 0 };
  const basicOut = { reservationPrice: 0, halfSpreadBps: 0, bidPrice: 0, askPrice: 0 };
  const basicParams = {
    baseSpreadBps: config.baseSpreadBps,
    volMultiplier: config.volMultiplier,
    inventorySkewFactor: config.inventorySkewFactor,
    maxPositionUsd: config.maxPositionUsd,
  };
  const maker = new MarketMaker(config, ETH);
  const quotes = createQuoteSet(1);
  const input: QuoteInput = {
    midPrice: 0,
    positionSize: 0,
    riskMode: "allow",
    marketBid: Number.NaN,
    marketAsk: Number.NaN,
  };
  const manager = new OrderManager({
    levels: 1,
    refreshToleranceBps: config.refreshToleranceBps,
    sizeTolerance: config.sizeTolerance,
  });
  const send = (order: WorkingOrder) => {
    if (order.side === "buy") {
      pendingBid = order.price;
      pendingBidId = order.clientId;
    } else {
      pendingAsk = order.price;
      pendingAskId = order.clientId;
    }
    pending = true;
  };
  const sink: OrderActionSink = { place: send, modify: send, cancel: () => {} };
  const fee = config.makerFee;

  for (let i = 0; i < n; i++) {
    const open = candles.open[i]!;
    const high = candles.high[i]!;
    const low = candles.low[i]!;
    const close = candles.close[i]!;
    inventoryUsd += size * (close - previousClose);
    if (pending) {
      pending = false;
      if (pendingBid < open) {
        bid = pendingBid;
        bidResting = true;
        if (rung >= 5) manager.onAccepted(pendingBidId);
      }
      if (pendingAsk > open) {
        ask = pendingAsk;
        askResting = true;
        if (rung >= 5) manager.onAccepted(pendingAskId);
      }
    }
    if (bidResting && bid - tick >= low) {
      size += orderSize;
      spreadUsd += (previousClose - bid) * orderSize;
      feesUsd += fee * bid * orderSize;
      bidResting = false;
      fills++;
      if (rung >= 5) manager.onFill(pendingBidId, orderSize);
    }
    if (askResting && ask + tick <= high) {
      size -= orderSize;
      spreadUsd += (ask - previousClose) * orderSize;
      feesUsd += fee * ask * orderSize;
      askResting = false;
      fills++;
      if (rung >= 5) manager.onFill(pendingAskId, orderSize);
    }
    if (bidResting) restingBid[i] = bid;
    if (askResting) restingAsk[i] = ask;
    equity[i] = inventoryUsd + spreadUsd - feesUsd;
    position[i] = size * close;
    spreadSeries[i] = spreadUsd;
    feeSeries[i] = feesUsd;
    fundingSeries[i] = 0;
    previousClose = close;

    let newBid: number;
    let newAsk: number;
    if (rung >= 4) {
      maker.onBar(close);
      input.midPrice = close;
      input.positionSize = size;
      if (maker.computeQuotes(input, quotes).status !== "quoting") continue;
      newBid = quotes.bidPrices[0]!;
      newAsk = quotes.askPrices[0]!;
    } else {
      let volatilityBps: number;
      if (rung >= 1) {
        ewma.update(close);
        if (!ewma.isReady) continue;
        volatilityBps = ewma.volatilityBps ?? 0;
      } else {
        if (!Number.isNaN(lastClose)) {
          const r = Math.log(close / lastClose);
          weightedSum = (1 - alpha) * weightedSum + alpha * r * r;
          weight = (1 - alpha) * weight + alpha;
          returns++;
        }
        lastClose = close;
        if (returns < config.volatilityWarmupBars) continue;
        volatilityBps = Math.sqrt(weightedSum / weight) * 10_000;
      }
      let reservation: number;
      let halfSpread: number;
      if (rung >= 2) {
        basicInput.midPrice = close;
        basicInput.volatilityBps = volatilityBps;
        basicInput.inventoryUsd = size * close;
        basicQuote(basicInput, basicParams, basicOut);
        reservation = basicOut.reservationPrice;
        halfSpread = (close * basicOut.halfSpreadBps) / 10_000;
      } else {
        halfSpread = (close * (config.baseSpreadBps + config.volMultiplier * volatilityBps)) / 10_000;
        const skew =
          config.inventorySkewFactor * Math.min(1, Math.max(-1, (size * close) / config.maxPositionUsd));
        reservation = close - skew * halfSpread;
      }
      if (rung >= 3) {
        newBid = grid.snap(reservation - halfSpread, "buy");
        newAsk = grid.snap(reservation + halfSpread, "sell");
      } else {
        newBid = Math.floor((reservation - halfSpread) / tick + 1e-9) * tick;
        newAsk = Math.ceil((reservation + halfSpread) / tick - 1e-9) * tick;
      }
    }
    wantedBid[i] = newBid;
    wantedAsk[i] = newAsk;
    if (rung >= 5) {
      quotes.bidPrices[0] = newBid;
      quotes.askPrices[0] = newAsk;
      quotes.bidSizes[0] = size * close < config.maxPositionUsd ? orderSize : 0;
      quotes.askSizes[0] = size * close > -config.maxPositionUsd ? orderSize : 0;
      manager.reconcile(quotes, 0, sink);
    } else {
      const tolerance = config.refreshToleranceBps / 10_000;
      if (
        !bidResting ||
        !askResting ||
        Math.abs(newBid - bid) > tolerance * bid ||
        Math.abs(newAsk - ask) > tolerance * ask
      ) {
        pendingBid = newBid;
        pendingAsk = newAsk;
        pending = true;
      }
    }
  }
  return fills;
}

const candles = toCandleColumns(randomWalkCandles(90 * 1440, 1));
const rungArgument = process.argv[2];
if (rungArgument !== undefined) {
  const rung = Number(rungArgument);
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    runRung(rung, candles);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`${times[0]} ${times[times.length >> 1]}\n`);
} else {
  console.log(
    `${candles.length.toLocaleString("en-US")} bars (90 days of 1m, seeded random walk), best of ${RUNS} runs`,
  );
  console.log(" ns/bar  candle-steps/s  rung");
  const script = fileURLToPath(import.meta.url);
  for (let rung = 0; rung < RUNGS.length; rung++) {
    const child = spawnSync(process.execPath, [...process.execArgv, script, String(rung)], {
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`rung ${rung} failed:\n${child.stderr}`);
    const [best] = child.stdout.trim().split(" ").map(Number) as [number, number];
    const nsPerBar = (best * 1e6) / candles.length;
    console.log(
      `${nsPerBar.toFixed(0).padStart(7)}  ${`${(1000 / nsPerBar).toFixed(1)}M`.padStart(14)}  ${RUNGS[rung]}`,
    );
  }
}
