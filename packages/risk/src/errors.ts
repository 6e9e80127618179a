import { BotmmError } from "@botmm/core";

/** One problem found in a config or snapshot: the dotted path of the field and what was expected. */
export interface RiskIssue {
  /** Dotted path of the field at fault, e.g. `maxPosition.limitUsd`; `(root)` for the whole value. */
  readonly field: string;
  /** What was expected and what was received. */
  readonly message: string;
}

/**
 * A risk config that cannot be used: a negative or non-finite limit, a wrong type, an unknown key. `field`
 * names the first field at fault; `issues` lists every one.
 *
 * @example
 * ```ts
 * try {
 *   resolveRiskConfig({ maxPosition: { limitUsd: -1 } });
 * } catch (error) {
 *   if (error instanceof RiskConfigError) console.log(error.code, error.field); // "INVALID_RISK_CONFIG" "maxPosition.limitUsd"
 * }
 * ```
 */
export class RiskConfigError extends BotmmError {
  /** Dotted path of the first field at fault. */
  readonly field: string;
  /** Every problem found, in schema order. */
  readonly issues: readonly RiskIssue[];

  constructor(issues: readonly RiskIssue[]) {
    const first = issues[0] ?? { field: "(root)", message: "invalid risk config" };
    super("INVALID_RISK_CONFIG", `risk config: ${describeIssues(issues, first)}`);
    this.field = first.field;
    this.issues = issues;
  }
}

/**
 * A snapshot passed to `RiskEngine.restore` that is not one `RiskEngine.snapshot()` wrote (wrong version,
 * missing or mistyped field). `field` names the first field at fault.
 *
 * @example
 * ```ts
 * try {
 *   engine.restore({ version: 99 });
 * } catch (error) {
 *   if (error instanceof RiskSnapshotError) console.log(error.field); // "version"
 * }
 * ```
 */
export class RiskSnapshotError extends BotmmError {
  /** Dotted path of the first field at fault. */
  readonly field: string;
  /** Every problem found. */
  readonly issues: readonly RiskIssue[];

  constructor(issues: readonly RiskIssue[]) {
    const first = issues[0] ?? { field: "(root)", message: "invalid risk snapshot" };
    super(
      "INVALID_RISK_SNAPSHOT",
      `risk snapshot: ${describeIssues(issues, first)}; pass a value written by RiskEngine.snapshot()`,
    );
    this.field = first.field;
    this.issues = issues;
  }
}

/**
 * A non-finite or out-of-range number handed to the engine at run time (an equity of NaN, a negative order
 * notional). The engine refuses it loudly instead of letting NaN silently disable a rule.
 *
 * @example
 * ```ts
 * try {
 *   engine.updateEquity(Number.NaN);
 * } catch (error) {
 *   if (error instanceof RiskInputError) console.log(error.code, error.field); // "INVALID_RISK_INPUT" "equityUsd"
 * }
 * ```
 */
export class RiskInputError extends BotmmError {
  /** The argument at fault. */
  readonly field: string;

  constructor(field: string, expected: string, received: unknown) {
    super("INVALID_RISK_INPUT", `${field} must be ${expected}, got ${String(received)}`);
    this.field = field;
  }
}

function describeIssues(issues: readonly RiskIssue[], first: RiskIssue): string {
  const head = `${first.field}: ${first.message}`;
  return issues.length > 1 ? `${head} (and ${issues.length - 1} more)` : head;
}
