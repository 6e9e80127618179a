// The calibration's cases: each recording × coin × quote distance replayed once, with the candles built from it.
import { computeMetrics, DEFAULT_SIMULATION, type MarketEvent, runReplayBacktest } from "@botmm/backtest";
import { BotmmError } from "@botmm/core";
import { RequestBudget } from "@botmm/risk";
import { parseStrategyConfig } from "@botmm/strategy";
import { mapSymbol } from "../data/index.ts";
import { backtestInstrument } from "../instrument.ts";
import { BookCheck } from "../recordings/book-check.ts";
import { openReplayInput } from "../recordings/source.ts";
import type { CalibrationCase } from "./fit.ts";
import type { CalibrateOptions } from "./options.ts";

/** Reads every event of one coin of a recording (the replay is run once per quote distance on them). */
async function readEvents(path: string, coin: string): Promise<MarketEvent[]> {
  const input = await openReplayInput(path, {
    coin,
    coinOf: (symbol) => mapSymbol(symbol).hyperliquid,
    check: new BookCheck("error"),
  });
  const events: MarketEvent[] = [];
  for await (const event of input.events) if (event.coin === coin) events.push(event);
  if (!events.some((event) => event.type === "book")) {
    throw new BotmmError(
      "NO_DATA",
      `calibrate --replay ${path}: no ${coin} book in the data (read as ${input.format})`,
    );
  }
  return events;
}

/** Replays each recording × coin × quote distance and keeps the figures and candles the fit compares with. */
export async function buildCases(
  options: CalibrateOptions,
  log: (line: string) => void,
): Promise<CalibrationCase[]> {
  const cases: CalibrationCase[] = [];
  for (const recording of options.replay) {
    for (const coin of options.symbol) {
      const instrument = backtestInstrument(coin, options.szDecimals[coin], undefined);
      const events = await readEvents(recording, coin);
      for (const quoteBps of options.quoteBps) {
        const strategy = parseStrategyConfig({
          baseSpreadBps: quoteBps,
          volMultiplier: 0,
          feeAware: false,
          volatilityWarmupBars: options.volatilityWarmupBars,
        });
        const run = await runReplayBacktest(events, {
          instrument,
          strategy,
          queueModel: { type: "risk-averse" },
          requestBudget: (clock) => new RequestBudget({ clock, config: { initialRequests: 10_000 } }),
          latencyMs: options.latencyMs,
          requoteIntervalMs: options.requoteIntervalMs,
          funding: { type: "constant", ratePerHour: DEFAULT_SIMULATION.fundingRatePerHour },
          seed: DEFAULT_SIMULATION.seed,
        });
        const metrics = computeMetrics(run, run.candles);
        const markouts = run.markouts.allBps;
        cases.push({
          recording,
          coin,
          quoteBps,
          instrument,
          strategy,
          candles: run.candles,
          replay: {
            volumeUsd: metrics.volumeUsd,
            pnlUsd: run.pnl.totalUsd,
            markoutBps: markouts[markouts.length - 1] ?? null,
            ordersFilled: run.ordersFilled,
          },
        });
        log(
          `replay ${coin} ${quoteBps} bp: ${run.ordersFilled} orders filled, volume $${metrics.volumeUsd.toFixed(0)}, PnL $${run.pnl.totalUsd.toFixed(2)}, ${run.candles.length} bars`,
        );
      }
    }
  }
  return cases;
}
