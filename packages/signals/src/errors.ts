/** What was wrong with an input, as a stable machine-readable code. */
export type SignalsInputErrorCode =
  /** NaN, ±Infinity or not a number at all. */
  | "NOT_FINITE"
  /** Zero or negative where a strictly positive number is required. */
  | "NOT_POSITIVE"
  /** Negative where zero or more is required. */
  | "NEGATIVE"
  /** Not an integer (periods). */
  | "NOT_INTEGER"
  /** Outside a documented range. */
  | "OUT_OF_RANGE"
  /** A covariance matrix that is not positive semi-definite. */
  | "NOT_POSITIVE_SEMIDEFINITE";

/**
 * Thrown by every `@botmm/signals` constructor, update and helper on invalid input. The message names the
 * field, what was expected and what was received; `code` and `field` are there for programs.
 *
 * @example
 * ```ts
 * import { KalmanLevelFilter, SignalsInputError } from "@botmm/signals";
 *
 * try {
 *   new KalmanLevelFilter({ processNoise: 1, measurementNoise: -2 });
 * } catch (error) {
 *   if (error instanceof SignalsInputError) {
 *     console.log(error.code, error.field); // "NOT_POSITIVE" "measurementNoise"
 *     console.log(error.message); // "measurementNoise: expected a finite number > 0, got -2"
 *   }
 * }
 * ```
 */
export class SignalsInputError extends Error {
  override readonly name = "SignalsInputError";
  /** What was wrong, as a stable code. */
  readonly code: SignalsInputErrorCode;
  /** The option or argument at fault, e.g. `"price"` or `"qqe.rsiPeriod"`. */
  readonly field: string;
  /** What was expected, in words ("a finite number > 0"). */
  readonly expected: string;
  /** The value that was rejected. */
  readonly received: unknown;

  /**
   * @param code - What was wrong.
   * @param field - The option or argument at fault.
   * @param expected - What was expected, in words ("a finite number > 0").
   * @param received - The rejected value.
   * @example
   * ```ts
   * throw new SignalsInputError("NOT_FINITE", "price", "a finite number > 0", Number.NaN);
   * ```
   */
  constructor(code: SignalsInputErrorCode, field: string, expected: string, received: unknown) {
    super(`${field}: expected ${expected}, got ${describe(received)}`);
    this.code = code;
    this.field = field;
    this.expected = expected;
    this.received = received;
  }
}

function describe(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value)}`;
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  return `a value of type ${typeof value}`;
}

// ---- validation helpers (internal) ----
// Hot paths test inline (`if (!Number.isFinite(x)) rejectNumber(...)`) and only reach into this module on
// failure; constructors use the assert* wrappers.

/** What a number must satisfy, for {@link rejectNumber}. */
type NumberRequirement = "finite" | "positive" | "nonNegative";

const EXPECTED: Record<NumberRequirement, string> = {
  finite: "a finite number",
  positive: "a finite number > 0",
  nonNegative: "a finite number >= 0",
};

/** @internal Throws the {@link SignalsInputError} for a number that failed `requirement`. */
export function rejectNumber(value: number, field: string, requirement: NumberRequirement): never {
  const expected = EXPECTED[requirement];
  if (!Number.isFinite(value)) throw new SignalsInputError("NOT_FINITE", field, expected, value);
  throw new SignalsInputError(
    requirement === "positive" ? "NOT_POSITIVE" : "NEGATIVE",
    field,
    expected,
    value,
  );
}

/** @internal Throws unless `value` is a finite number. */
export function assertFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) rejectNumber(value, field, "finite");
}

/** @internal Throws unless `value` is a finite number > 0. */
export function assertPositive(value: number, field: string): void {
  if (!(Number.isFinite(value) && value > 0)) rejectNumber(value, field, "positive");
}

/** @internal Throws unless `value` is a finite number ≥ 0. */
export function assertNonNegative(value: number, field: string): void {
  if (!(Number.isFinite(value) && value >= 0)) rejectNumber(value, field, "nonNegative");
}

/** @internal Throws unless `value` is an integer ≥ 1. */
export function assertPeriod(value: number, field: string): void {
  const expected = "an integer >= 1";
  if (!Number.isFinite(value)) throw new SignalsInputError("NOT_FINITE", field, expected, value);
  if (!Number.isInteger(value)) throw new SignalsInputError("NOT_INTEGER", field, expected, value);
  if (value < 1) throw new SignalsInputError("NOT_POSITIVE", field, expected, value);
}

/** @internal Throws the {@link SignalsInputError} for a number outside [min, max]. */
export function rejectRange(value: number, field: string, min: number, max: number): never {
  const expected = `a finite number in [${min}, ${max}]`;
  if (!Number.isFinite(value)) throw new SignalsInputError("NOT_FINITE", field, expected, value);
  throw new SignalsInputError("OUT_OF_RANGE", field, expected, value);
}
