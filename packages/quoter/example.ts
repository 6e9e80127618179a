import {
  asFiniteHorizonQuote,
  basicQuote,
  canPayRoundTrip,
  EwmaVolatility,
  glftQuote,
  minHalfSpreadBps,
  scaleVolatility,
  toPriceVolatility,
  widenToFeeFloor,
} from "@botmm/quoter";

// 1. σ from mids sampled once a second (a deterministic toy series around 100 000).
const ewma = new EwmaVolatility({ halfLifeSamples: 60 });
for (let i = 0; i <= 120; i++) ewma.update(100_000 + 20 * Math.sin(i));
const sigmaPerSecondBps = ewma.volatilityBps!; // stdev of 1 s log returns, in bps
const sigmaPerMinuteBps = scaleVolatility(sigmaPerSecondBps, 1_000, 60_000); // per 1 min bar, √time
console.log({ sigmaPerSecondBps, sigmaPerMinuteBps });

// 2. The basic model on 1-minute bars, long $250.
const mid = 100_000;
const basic = basicQuote({ midPrice: mid, volatilityBps: sigmaPerMinuteBps, inventoryUsd: 250 });
console.log(basic);

// 3. Fees: Hyperliquid tier-0 maker fee is a COST of +0.015% (a rebate would be negative).
const makerFeeFraction = 0.00015;
console.log(minHalfSpreadBps({ makerFeeFraction, marginBps: 0.5 })); // per-fill floor, bps of mid
console.log(canPayRoundTrip({ bidPrice: 99_999.5, askPrice: 100_000.5, makerFeeFraction })); // 0.1 bps market

// 4. Model quotes need σ in price units per √(time unit): here USD per √s, with A per s and k per USD.
const priceVolatility = toPriceVolatility(sigmaPerSecondBps / 10_000, mid);
console.log(
  asFiniteHorizonQuote({
    midPrice: mid,
    inventory: 0.5,
    riskAversion: 0.001,
    priceVolatility,
    timeToHorizon: 60,
    intensityDecay: 0.3,
  }),
);
const glft = glftQuote({
  midPrice: mid,
  inventory: 0.01, // BTC
  riskAversion: 0.1, // per USD per BTC
  priceVolatility,
  intensityScale: 2, // fills per second at the mid
  intensityDecay: 0.3, // per USD of depth
  orderSize: 0.001, // BTC
  skewDamping: 0.05,
});
console.log(glft);
// 5. Never quote inside the fee: push the model's quotes out to the floor.
console.log(
  widenToFeeFloor({
    midPrice: mid,
    bidPrice: glft.bidPrice,
    askPrice: glft.askPrice,
    makerFeeFraction,
    marginBps: 0.5,
  }),
);
