/**
 * The base of every error BotMM throws on purpose. `code` is stable and machine-readable; the message names
 * the field or row at fault, what was expected and, where it helps, what to do.
 *
 * @example
 * ```ts
 * try {
 *   roundPrice(instrument, Number.NaN, "buy");
 * } catch (error) {
 *   if (error instanceof BotmmError) console.log(error.code); // "INVALID_PRICE"
 * }
 * ```
 */
export class BotmmError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A price or size that cannot be expressed under the venue's tick and lot rules (non-finite, not positive,
 * or rounding to zero).
 *
 * @example
 * ```ts
 * throw new RoundingError("INVALID_PRICE", "price must be a finite number > 0, got NaN");
 * ```
 */
export class RoundingError extends BotmmError {}
