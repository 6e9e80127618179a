// The backtest's `--help`, generated from the option table: every flag with its value, description, default
// and the modes it applies in.
import { DEFAULT_STRATEGY_CONFIG } from "@botmm/strategy";
import { ALL_MODES, OPTION_ROWS, type OptionContext, type OptionRow, SECTIONS } from "./option-table.ts";

/** The default of a row as printed by `--help`, or null when it has none. */
export function defaultText(row: OptionRow): string | null {
  if (row.defaultText !== undefined) return row.defaultText;
  let value: unknown;
  if (row.group === "strategy")
    value = (DEFAULT_STRATEGY_CONFIG as Readonly<Record<string, unknown>>)[row.key!];
  else if (row.schema !== undefined) {
    const parsed = row.schema.safeParse(undefined);
    value = parsed.success ? parsed.data : undefined;
  }
  if (value === undefined) return null;
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}

const CONTEXT_TEXT: Record<OptionContext, string> = {
  candles: "candles",
  csv: "--csv",
  replay: "--replay",
  "compare-candles": "--replay --compare-candles",
  "prime-download": "--replay --prime-download",
};

/** Where a row applies, in words: `candles, --csv`; empty when it applies in every mode. */
export function appliesText(row: OptionRow): string {
  if (ALL_MODES.every((mode) => row.appliesTo.includes(mode))) return "";
  return row.appliesTo.map((context) => CONTEXT_TEXT[context]).join(", ");
}

/** The flag as written, with its value placeholder or its `--no-` form. */
export function flagSyntax(row: OptionRow): string {
  const short = row.short ? `-${row.short}, ` : "";
  if (row.kind === "boolean") {
    const defaultOn =
      row.group === "strategy" ? defaultText(row) === "on" : row.schema?.safeParse(undefined).data === true;
    return defaultOn ? `--[no-]${row.flag}` : `${short}--${row.flag}`;
  }
  return `${short}--${row.flag} ${row.value ?? "VALUE"}${row.negatable ? ` | --no-${row.flag}` : ""}`;
}

const WIDTH = 110;
const FLAG_COLUMN = 34;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line.length > 0 && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * The `--help` text, generated from {@link OPTION_ROWS}: every flag with its value, description, default and
 * the modes it applies in.
 */
export function renderHelp(): string {
  const out = [
    "Usage: pnpm --filter backtest start -- [options]",
    "",
    "Modes: candles (downloaded, cached or --source synthetic; the default), --csv PATH (a candles file) and",
    "--replay PATH (recorded order books). An option given where it has no effect is an error; [..] says where",
    "it applies when that is not every mode. Paths are relative to the directory you ran pnpm from.",
  ];
  for (const section of SECTIONS) {
    out.push("", section);
    for (const row of OPTION_ROWS) {
      if (row.section !== section) continue;
      const syntax = `  ${flagSyntax(row)}`;
      const shown = defaultText(row);
      const where = appliesText(row);
      const text = `${row.description}${shown === null ? "" : ` (default ${shown})`}${where === "" ? "" : ` [${where}]`}`;
      const body = wrap(text, WIDTH - FLAG_COLUMN);
      if (syntax.length < FLAG_COLUMN - 1) out.push(`${syntax.padEnd(FLAG_COLUMN)}${body[0]}`);
      else out.push(syntax, `${"".padEnd(FLAG_COLUMN)}${body[0]}`);
      for (const line of body.slice(1)) out.push(`${"".padEnd(FLAG_COLUMN)}${line}`);
    }
  }
  return out.join("\n");
}
