/** One command-line option as `--help` shows it and `node:util` `parseArgs` reads it. */
export interface OptionRow {
  /** Long name without the dashes, e.g. `sim-speed`. */
  flag: string;
  short?: string;
  type: "boolean" | "string";
  /** Placeholder of the value, e.g. `PATH` (string options only). */
  value?: string;
  description: string;
  /** Default shown in the help, already formatted. */
  defaultText?: string;
  /** Environment variable that sets the same thing. */
  env?: string;
}

const HELP_WIDTH = 110;
const LEFT_WIDTH = 34;

/**
 * Renders option rows as two columns (flag, then description with default and environment variable), wrapped;
 * `fixedColumn` aligns several tables on one column.
 *
 * @example
 * ```ts
 * renderOptionRows([{ flag: "out", type: "string", value: "DIR", description: "recording directory" }]);
 * // "  --out DIR    recording directory"
 * ```
 */
export function renderOptionRows(rows: readonly OptionRow[], fixedColumn?: number): string {
  const lefts = rows.map((row) => {
    const name = `${row.short ? `-${row.short}, ` : ""}--${row.flag}`;
    return row.type === "string" ? `${name} ${row.value ?? "VALUE"}` : name;
  });
  const column = fixedColumn ?? Math.min(LEFT_WIDTH, Math.max(...lefts.map((left) => left.length)) + 2);
  return rows
    .map((row, index) => {
      const extras = [
        row.defaultText === undefined ? "" : `default ${row.defaultText}`,
        row.env === undefined ? "" : `env ${row.env}`,
      ].filter(Boolean);
      const text = extras.length > 0 ? `${row.description} [${extras.join("; ")}]` : row.description;
      const left = `  ${lefts[index]}`;
      const lines = wrapWords(text, HELP_WIDTH - column - 2);
      const first =
        left.length < column + 2
          ? `${left.padEnd(column + 2)}${lines[0]}`
          : `${left}\n${" ".repeat(column + 2)}${lines[0]}`;
      return [first, ...lines.slice(1).map((line) => `${" ".repeat(column + 2)}${line}`)].join("\n");
    })
    .join("\n");
}

/**
 * The known flag nearest to a mistyped one (edit distance ≤ 2, or a prefix), for "did you mean" hints.
 *
 * @example
 * ```ts
 * nearestFlag("sim-sped", ["sim-speed", "sim-seed"]); // "sim-speed"
 * ```
 */
export function nearestFlag(unknown: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance =
      candidate.startsWith(unknown) && unknown.length >= 3 ? 1 : editDistance(unknown, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}
