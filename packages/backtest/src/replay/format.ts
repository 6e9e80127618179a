import { BotmmError } from "@botmm/core";
import { z } from "zod";
import type { MarketEvent, RecordingHeader } from "./types.ts";

/** The recording format's name and version (see FORMAT.md). Readers refuse other versions. */
export const RECORDING_FORMAT = "botmm-md";
export const RECORDING_VERSION = 1;
/** Most levels per side a recorded book holds. */
export const MAX_RECORDED_LEVELS = 20;

/**
 * A recording or archive line that cannot be read; the message names the file and line.
 *
 * @example
 * ```ts
 * try { parseRecordingLine("{", "BTC/20250101/00.jsonl.gz", 3); } catch (error) {
 *   if (error instanceof RecordingError) console.log(error.file, error.line); // BTC/20250101/00.jsonl.gz 3
 * }
 * ```
 */
export class RecordingError extends BotmmError {
  readonly file: string;
  readonly line: number;

  constructor(code: string, file: string, line: number, message: string, options?: { cause?: unknown }) {
    super(code, `${file}:${line}: ${message}`, options);
    this.file = file;
    this.line = line;
  }
}

const finite = (field: string) => z.number({ error: `${field} must be a number` }).finite();
const time = (field: string) => finite(field).nonnegative(`${field} must be ms since the epoch`);
const level = z.tuple([
  finite("price").positive("price must be > 0"),
  finite("size").nonnegative("size must be ≥ 0"),
  finite("orders").nonnegative("orders must be ≥ 0"),
]);

/** zod schema of a file's header line. Unknown fields are ignored (v1 writers write none). */
export const recordingHeaderSchema = z.object({
  type: z.literal("header"),
  format: z.literal(RECORDING_FORMAT, { error: `format must be "${RECORDING_FORMAT}"` }),
  version: z.literal(RECORDING_VERSION, {
    error: `version must be ${RECORDING_VERSION} (this reader knows version ${RECORDING_VERSION} only)`,
  }),
  coin: z.string().min(1),
  venue: z.string().min(1),
  startedAt: time("startedAt"),
});

/** zod schema of a `book` line (no `coin`: the file's header says it). */
export const bookLineSchema = z.object({
  type: z.literal("book"),
  t: time("t"),
  lt: time("lt"),
  bids: z.array(level).max(MAX_RECORDED_LEVELS),
  asks: z.array(level).max(MAX_RECORDED_LEVELS),
});

/** zod schema of one recorded trade. */
export const recordedTradeSchema = z.object({
  t: time("t"),
  px: finite("px").positive("px must be > 0"),
  sz: finite("sz").positive("sz must be > 0"),
  side: z.enum(["B", "A"], { error: 'side must be "B" (buyer aggressor) or "A" (seller aggressor)' }),
  tid: z.union([z.number(), z.string()]),
});

/** zod schema of a `trades` line. */
export const tradesLineSchema = z.object({
  type: z.literal("trades"),
  lt: time("lt"),
  trades: z.array(recordedTradeSchema),
  snapshot: z.boolean().optional(),
});

/** zod schema of a `gap` line. */
export const gapLineSchema = z
  .object({ type: z.literal("gap"), from: time("from"), to: time("to"), reason: z.string() })
  .refine((gap) => gap.to >= gap.from, { message: "gap.to must be ≥ gap.from" });

/** zod schema of any event line. */
export const eventLineSchema = z.discriminatedUnion("type", [
  bookLineSchema,
  tradesLineSchema,
  gapLineSchema,
]);

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

function levelsOk(levels: unknown): boolean {
  if (!Array.isArray(levels) || levels.length > MAX_RECORDED_LEVELS) return false;
  for (let i = 0; i < levels.length; i++) {
    const entry = levels[i];
    if (!Array.isArray(entry) || entry.length !== 3) return false;
    const price = entry[0];
    const size = entry[1];
    if (!isNumber(price) || !(price > 0) || !isNumber(size) || size < 0 || !isNumber(entry[2])) return false;
  }
  return true;
}

/** A fast structural check of the hot event kinds; zod explains what is wrong when it fails. */
function quickCheck(value: Record<string, unknown>): boolean {
  if (value.type === "book") {
    return isNumber(value.t) && isNumber(value.lt) && levelsOk(value.bids) && levelsOk(value.asks);
  }
  if (value.type === "trades") {
    if (!isNumber(value.lt) || !Array.isArray(value.trades)) return false;
    if (value.snapshot !== undefined && typeof value.snapshot !== "boolean") return false;
    for (const trade of value.trades as Record<string, unknown>[]) {
      if (trade === null || typeof trade !== "object") return false;
      if (!isNumber(trade.t) || !isNumber(trade.px) || !isNumber(trade.sz) || !(trade.sz > 0)) return false;
      if (trade.side !== "B" && trade.side !== "A") return false;
      if (typeof trade.tid !== "number" && typeof trade.tid !== "string") return false;
    }
    return true;
  }
  return false;
}

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join(".") || "(line)"}: ${issue.message}`).join("; ");

/**
 * Parses one line of a recording file into an event of `coin`, or the header. Throws a {@link RecordingError}
 * naming `file` and `line` for anything else.
 *
 * @example
 * ```ts
 * const event = parseRecordingLine('{"type":"gap","from":1,"to":2,"reason":"disconnect"}', "BTC", "00.jsonl.gz", 7);
 * event.type; // "gap"
 * ```
 */
export function parseRecordingLine(
  text: string,
  coin: string,
  file: string,
  line: number,
): MarketEvent | RecordingHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RecordingError(
      "INVALID_RECORDING",
      file,
      line,
      `not valid JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RecordingError("INVALID_RECORDING", file, line, "expected a JSON object");
  }
  const record = value as Record<string, unknown>;
  if (quickCheck(record)) {
    record.coin = coin;
    return record as unknown as MarketEvent;
  }
  if (record.type === "header") {
    const header = recordingHeaderSchema.safeParse(record);
    if (!header.success) {
      throw new RecordingError(
        "INVALID_RECORDING",
        file,
        line,
        `bad header: ${describeIssues(header.error)}`,
      );
    }
    return header.data as RecordingHeader;
  }
  const parsed = eventLineSchema.safeParse(record);
  if (!parsed.success) {
    throw new RecordingError(
      "INVALID_RECORDING",
      file,
      line,
      `bad ${typeof record.type === "string" ? `"${record.type}" ` : ""}event: ${describeIssues(parsed.error)}`,
    );
  }
  return { ...parsed.data, coin } as MarketEvent;
}

/**
 * Serialises an event as one recording line (without the trailing newline): the `coin` is dropped, since each
 * file holds one coin. Throws a `BotmmError` (`INVALID_EVENT`) for an event that would not read back
 * (NaN prices, more than 20 levels, …).
 *
 * @example
 * ```ts
 * formatRecordingLine({ type: "gap", coin: "BTC", from: 1, to: 2, reason: "disconnect" });
 * // '{"type":"gap","from":1,"to":2,"reason":"disconnect"}'
 * ```
 */
export function formatRecordingLine(event: MarketEvent): string {
  let line: Record<string, unknown>;
  if (event.type === "book") {
    line = { type: "book", t: event.t, lt: event.lt, bids: event.bids, asks: event.asks };
  } else if (event.type === "trades") {
    line = { type: "trades", lt: event.lt, trades: event.trades };
    if (event.snapshot === true) line.snapshot = true;
  } else {
    line = { type: "gap", from: event.from, to: event.to, reason: event.reason };
  }
  if (event.type !== "gap" && quickCheck(line)) return JSON.stringify(line);
  const parsed = eventLineSchema.safeParse(line);
  if (!parsed.success) {
    throw new BotmmError(
      "INVALID_EVENT",
      `cannot record this ${event.type} event of ${event.coin}: ${describeIssues(parsed.error)}`,
    );
  }
  return JSON.stringify(line);
}

/**
 * `YYYYMMDD` and `HH` (UTC) of a time: the directory and file name a recording puts it in.
 *
 * @example
 * ```ts
 * recordingPathParts(Date.UTC(2024, 0, 1, 12, 30)); // { day: "20240101", hour: "12" }
 * ```
 */
export function recordingPathParts(timeMs: number): { day: string; hour: string } {
  const iso = new Date(timeMs).toISOString();
  return { day: `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`, hour: iso.slice(11, 13) };
}
