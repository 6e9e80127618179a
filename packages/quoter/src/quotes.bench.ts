import { test } from "vitest";
import { asFiniteHorizonQuote, asInfiniteHorizonQuote } from "./avellaneda-stoikov.ts";
import { basicQuote } from "./basic.ts";
import { canPayRoundTrip, minHalfSpreadBps, widenToFeeFloor } from "./fees.ts";
import { glftCoefficients, glftQuote } from "./glft.ts";

/** Calls per benchmark iteration: the reported time per iteration ÷ 1000 is the cost of one call. */
const N = 1000;
// Inventories vary per call so nothing can be folded away; results go to a sink that is read at the end.
const inventories = Float64Array.from({ length: N }, (_, j) => ((j * 37) % 1000) / 100 - 5); // −5 … 4.99
let sink = 0;
// Local bindings: under vitest's module runner every read of an imported binding goes through a (tracked)
// getter, which would be timed with each call. Reading them once here measures the function alone.
const basic = basicQuote;
const asFinite = asFiniteHorizonQuote;
const asInfinite = asInfiniteHorizonQuote;
const glft = glftQuote;
const coefficients = glftCoefficients;
const minHalf = minHalfSpreadBps;
const canPay = canPayRoundTrip;
const widen = widenToFeeFloor;

test("quote functions", async ({ bench, expect }) => {
  await bench.compare(
    bench(`basicQuote × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += basic({
          midPrice: 100_000,
          volatilityBps: 3,
          inventoryUsd: inventories[j]! * 100,
        }).bidPrice;
      }
    }),
    bench(`asFiniteHorizonQuote × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += asFinite({
          midPrice: 100_000,
          inventory: inventories[j]!,
          riskAversion: 0.01,
          priceVolatility: 20,
          timeToHorizon: 0.01,
          intensityDecay: 0.5,
        }).bidPrice;
      }
    }),
    bench(`asInfiniteHorizonQuote × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += asInfinite({
          midPrice: 100_000,
          inventory: inventories[j]!,
          riskAversion: 0.01,
          priceVolatility: 20,
          intensityDecay: 0.5,
          maxInventory: 10,
        }).askPrice!;
      }
    }),
    bench(`glftQuote × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += glft({
          midPrice: 100_000,
          inventory: inventories[j]!,
          riskAversion: 0.01,
          priceVolatility: 20,
          intensityScale: 5,
          intensityDecay: 0.5,
          orderSize: 0.01,
          skewDamping: 0.05,
        }).bidPrice;
      }
    }),
    bench(`glftCoefficients × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += coefficients({
          riskAversion: 0.01,
          intensityScale: 5,
          intensityDecay: 0.5 + (j & 7),
          orderSize: 0.01,
        }).c2;
      }
    }),
  );
  expect(Number.isFinite(sink)).toBe(true);
});

test("fee helpers", async ({ bench, expect }) => {
  await bench.compare(
    bench(`minHalfSpreadBps × ${N}`, () => {
      for (let j = 0; j < N; j++) sink += minHalf({ makerFeeFraction: 0.00015, marginBps: (j & 7) / 10 });
    }),
    bench(`canPayRoundTrip × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += canPay({ bidPrice: 99_999, askPrice: 100_000 + (j & 63), makerFeeFraction: 0.00015 }) ? 1 : 0;
      }
    }),
    bench(`widenToFeeFloor × ${N}`, () => {
      for (let j = 0; j < N; j++) {
        sink += widen({
          midPrice: 100_000,
          bidPrice: 99_990 - (j & 31),
          askPrice: 100_005,
          makerFeeFraction: 0.00015,
        }).askPrice;
      }
    }),
  );
  expect(Number.isFinite(sink)).toBe(true);
});
