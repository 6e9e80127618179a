import { BotmmError } from "@botmm/core";

/**
 * An error the emulator throws at its own API (bad options, a control call that cannot run). Venue errors that
 * a client must see are never thrown: they go back on the wire with Hyperliquid's own strings.
 *
 * @example
 * ```ts
 * try {
 *   emulator.advance(1_000);
 * } catch (error) {
 *   if (error instanceof EmulatorError) console.log(error.code); // "NOT_MANUAL_CLOCK"
 * }
 * ```
 */
export class EmulatorError extends BotmmError {}
