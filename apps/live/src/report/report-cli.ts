import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { JournalReadError, readJournal } from "./journal-reader.ts";
import { buildLiveReport, formatLiveSummary, renderLiveHtmlReport } from "./live-report.ts";

/** Usage of `pnpm --filter live report`. */
export const REPORT_USAGE = `Usage: pnpm --filter live report -- --journal PATH [--report PATH.html] [--json PATH]
  --journal PATH     the bot's SQLite journal (opened read-only; a running bot may keep writing it)
  --report PATH      also write the HTML report page (self-contained)
  --json PATH        also write the report as JSON (the backtest's field names)
  --capital USD      capital daily returns are measured against (default 10000)
  --on-halt MODE     what the bot did with the position on a halt, for the report: flatten (default) | hold
  -h, --help         this text`;

/** Where the report CLI writes. */
export interface ReportIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Relative paths resolve against this directory (pnpm runs the script in apps/live; the CLI passes `INIT_CWD`). */
  cwd: string;
}

/**
 * `live report …`: reads a journal, prints the summary and writes the HTML / JSON reports. Returns the exit
 * code (2: bad flags, 1: a journal the report cannot read).
 *
 * @example
 * ```ts
 * process.exitCode = runReportCli(["--journal", "state/journal.sqlite", "--report", "live.html"],
 *   { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
 * ```
 */
export function runReportCli(argv: readonly string[], io: ReportIo): number {
  // pnpm passes a literal "--" through when the user separates script arguments with it.
  const args = argv[0] === "--" ? argv.slice(1) : argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...args],
      allowPositionals: false,
      options: {
        journal: { type: "string" },
        report: { type: "string" },
        json: { type: "string" },
        capital: { type: "string" },
        "on-halt": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    io.stderr.write(`botmm report: ${(error as Error).message}\n\n${REPORT_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  const usage = (message: string) => {
    io.stderr.write(`botmm report: ${message}\n\n${REPORT_USAGE}\n`);
    return 2;
  };
  const journal = values.journal;
  if (typeof journal !== "string" || journal === "") return usage("--journal PATH is required");
  const capitalUsd = values.capital === undefined ? 10_000 : Number(values.capital);
  if (!(capitalUsd > 0 && Number.isFinite(capitalUsd)))
    return usage(`--capital: expected a positive number of USD, got "${String(values.capital)}"`);
  const onHalt = values["on-halt"] ?? "flatten";
  if (onHalt !== "flatten" && onHalt !== "hold")
    return usage(`--on-halt: expected flatten or hold, got "${String(onHalt)}"`);

  let result: ReturnType<typeof buildLiveReport>;
  try {
    result = buildLiveReport(readJournal(resolve(io.cwd, journal)), { capitalUsd, onHalt });
  } catch (error) {
    if (error instanceof JournalReadError) {
      io.stderr.write(`botmm report: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  io.stdout.write(`${formatLiveSummary(result.report)}\n`);
  if (typeof values.report === "string") {
    const path = resolve(io.cwd, values.report);
    writeFileSync(path, renderLiveHtmlReport(result));
    io.stdout.write(`report written to ${path}\n`);
  }
  if (typeof values.json === "string") {
    const path = resolve(io.cwd, values.json);
    writeFileSync(path, `${JSON.stringify(result.report, null, 2)}\n`);
    io.stdout.write(`JSON written to ${path}\n`);
  }
  return 0;
}

if (import.meta.main) {
  const initCwd = process.env.INIT_CWD;
  process.exitCode = runReportCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: initCwd !== undefined && initCwd !== "" ? resolve(initCwd) : process.cwd(),
  });
}
