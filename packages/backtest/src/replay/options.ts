import type { Clock, Instrument } from "@botmm/core";
import { BotmmError } from "@botmm/core";
import type { QueueModel } from "@botmm/sim-exchange";
import type { ModifyPacer, StrategyConfig } from "@botmm/strategy";
import { z } from "zod";
import { DEFAULT_SIMULATION } from "../defaults.ts";
import type { RiskGate } from "../engine.ts";
import type { FundingSchedule } from "../funding.ts";

export type { QueueModel };

/** Every replay default, in one place, each on the conservative side. */
export const DEFAULT_REPLAY = {
  /** Only trades at the order's price move it forward. */
  queueModel: { type: "risk-averse" } as QueueModel,
  /** Power of the probabilistic model's f(x) = x^power (hftbacktest's power-law variant uses 2 or 3). */
  queuePower: 2,
  /** From seeing an event to the venue acting on the reaction (order entry + feed delay). */
  latencyMs: DEFAULT_SIMULATION.latencyMs,
  /** Requote on a book update at most this often. */
  requoteIntervalMs: 1_000,
  /** No book update for this long counts as a data gap (orders cancelled, time not counted). */
  maxSilenceMs: 30_000,
  /** Bars the strategy's volatility and bias are fed with: 1 minute, as the candle engine's 1m runs. */
  barIntervalMs: 60_000,
  /**
   * How far through the best opposite price the taker exit's limit is, bps: the live bot's `exitSlippageBps`
   * default (its IOC reduce-only exit is priced the same way).
   */
  exitSlippageBps: 10,
  /** Recorded in the report; the replay itself draws no random numbers (same events → same run). */
  seed: DEFAULT_SIMULATION.seed,
} as const;

/** zod schema of the replay's simulation parameters, with their defaults from {@link DEFAULT_REPLAY}. */
export const replaySimulationSchema = z
  .object({
    queueModel: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("risk-averse") }).strict(),
        z
          .object({
            type: z.literal("probabilistic"),
            power: z
              .number({ error: "queueModel.power must be a number" })
              .positive("queueModel.power must be > 0")
              .default(DEFAULT_REPLAY.queuePower),
          })
          .strict(),
      ])
      .default(DEFAULT_REPLAY.queueModel),
    latencyMs: z.number().nonnegative("latencyMs must be ≥ 0").default(DEFAULT_REPLAY.latencyMs),
    requoteIntervalMs: z
      .number()
      .nonnegative("requoteIntervalMs must be ≥ 0")
      .default(DEFAULT_REPLAY.requoteIntervalMs),
    maxSilenceMs: z.number().positive("maxSilenceMs must be > 0").default(DEFAULT_REPLAY.maxSilenceMs),
    exitSlippageBps: z
      .number()
      .nonnegative("exitSlippageBps must be ≥ 0")
      .default(DEFAULT_REPLAY.exitSlippageBps),
    seed: z.number().int("seed must be an integer").default(DEFAULT_REPLAY.seed),
  })
  .strict();

/** The validated simulation parameters. */
export type ReplaySimulation = z.infer<typeof replaySimulationSchema>;
/** What a caller may pass: any subset of the simulation parameters. */
export type ReplaySimulationInput = z.input<typeof replaySimulationSchema>;

/**
 * The venue's request budget as the replay spends it: `RequestBudget` of `@botmm/risk` fits. The replay asks
 * it before each discretionary modify (as the live bot does), records every order action sent (a place,
 * modify or cancel of n orders counts n) and the volume traded, which earns requests.
 */
export interface ReplayRequestBudget extends ModifyPacer {
  record(requests: number, weight: number): void;
  recordTradedUsd(notionalUsd: number): void;
  addressRemaining(): number;
  readonly deferredRequests: number;
}

/** Everything a replay needs besides the events. */
export interface ReplayOptions extends ReplaySimulationInput {
  /** The instrument traded; events of other coins are skipped (and counted). */
  instrument: Instrument;
  /** The same validated strategy configuration the candle engine and the live bot use. */
  strategy: StrategyConfig;
  /** Funding per hour (default: Hyperliquid's baseline 0.00125%/h, longs pay). */
  funding?: FundingSchedule;
  /** Decides the risk mode at each 1-minute bar's close (default: always allow). */
  risk?: RiskGate;
  /**
   * Builds the request budget the replay paces modifies with, on the replay's own clock (local event time).
   * Without it every modify is sent at once, which a small Hyperliquid account cannot afford live.
   */
  requestBudget?: (clock: Clock) => ReplayRequestBudget;
  /**
   * Closes of 1-minute bars before the recording (e.g. from candles), fed to the strategy first so that it
   * does not spend the recording's first `volatilityWarmupBars` minutes warming up.
   */
  primeCloses?: readonly number[];
  /** Called every 100,000 events with the count so far. */
  onProgress?: (eventsDone: number) => void;
}

/**
 * Validates the simulation parameters and fills in defaults.
 *
 * @throws BotmmError `INVALID_CONFIG` naming each bad field.
 * @example
 * ```ts
 * parseReplaySimulation({ queueModel: { type: "probabilistic" } }).queueModel; // { type: "probabilistic", power: 2 }
 * ```
 */
export function parseReplaySimulation(input: ReplaySimulationInput = {}): ReplaySimulation {
  const { queueModel, latencyMs, requoteIntervalMs, maxSilenceMs, exitSlippageBps, seed } = input;
  const parsed = replaySimulationSchema.safeParse({
    queueModel,
    latencyMs,
    requoteIntervalMs,
    maxSilenceMs,
    exitSlippageBps,
    seed,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new ReplayConfigError(`invalid replay options: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/**
 * A replay option that failed validation; the message names the field.
 *
 * @example
 * ```ts
 * parseReplaySimulation({ latencyMs: -1 }); // throws ReplayConfigError "invalid replay options: latencyMs: latencyMs must be ≥ 0"
 * ```
 */
export class ReplayConfigError extends BotmmError {
  constructor(message: string) {
    super("INVALID_CONFIG", message);
  }
}

/**
 * Describes a queue model in words, for reports.
 *
 * @example
 * ```ts
 * describeQueueModel({ type: "risk-averse" }); // "risk-averse: only trades at the order's price advance it …"
 * ```
 */
export function describeQueueModel(model: QueueModel): string {
  return model.type === "risk-averse"
    ? "risk-averse: joins behind the displayed size at its price; only trades at that price advance it (the quantity ahead is capped at the level's size)"
    : `probabilistic (power law, f(x) = x^${model.power}): joins behind the displayed size; trades at its price advance it, and so does a level shrinking net of trades, by the share p = f(back)/(f(back)+f(front)) estimated to have been ahead`;
}
