import type { Fill, Venue } from "@botmm/core";

/** Request statistics a venue adapter may expose (`@botmm/exchange-hl`'s `requestStats()`). */
export interface VenueRequestStats {
  /** The adapter sees its budget running low: requote less often. */
  slowDown?: boolean;
}

/**
 * The `Venue` the live bot drives, plus the optional extras of a real exchange adapter
 * (`HyperliquidVenue` of `@botmm/exchange-hl` has them all; the paper venue has some). Each extra is
 * optional so the bot degrades gracefully: no dead-man's switch → a loud warning, no `cancelAllOwnOrders`
 * → cancels by client id.
 */
export interface LiveVenue extends Venue {
  setLeverage?(coin: string, leverage: number): Promise<unknown>;
  cancelAllOwnOrders?(coin?: string): Promise<unknown>;
  armDeadManSwitch?(): Promise<unknown>;
  disarmDeadManSwitch?(): Promise<unknown>;
  accountValue?(): Promise<number>;
  requestStats?(): VenueRequestStats;
  /** Own fills since `timeMs` (Hyperliquid `userFillsByTime`): fills missed while the bot was down. */
  fillsSince?(timeMs: number): Promise<Fill[]>;
  close?(): Promise<void>;
}
