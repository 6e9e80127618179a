import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLongFundingCsv } from "./input.ts";

const SEED = 20_261_206;

/** ms since the epoch or an ISO time → ms, or NaN (the reference's own copy of the parser's rule). */
function parseTime(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  return Date.parse(text);
}

/** The funding parser as it was before it read the usual layout in place: the oracle for the one in use. */
function referenceParse(
  text: string,
  name: string,
  coins: ReadonlySet<string>,
  fromMs: number,
  toMs: number,
): Map<string, { timeMs: number[]; ratePerHour: number[] }> {
  const lines = text.split("\n");
  const header = (lines[0] ?? "")
    .trim()
    .toLowerCase()
    .split(",")
    .map((cell) => cell.trim());
  const coinAt = header.indexOf("coin");
  const timeAt = [header.indexOf("date"), header.indexOf("time_ms")].find((i) => i >= 0) ?? -1;
  const rateAt = header.indexOf("funding_rate");
  if (coinAt < 0 || timeAt < 0 || rateAt < 0)
    throw new Error(
      `--funding ${name}: expected a header coin,date,funding_rate (rates per hour), got "${lines[0]?.trim() ?? ""}"`,
    );
  const out = new Map<string, { timeMs: number[]; ratePerHour: number[] }>();
  // Rows dated (YYYY-MM-DD…) more than a day outside the window skip the time parse: a 2M-row file spans years.
  const dayOf = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : null);
  const firstDay = dayOf(fromMs - 86_400_000);
  const lastDay = dayOf(toMs + 86_400_000);
  // Scanned line by line without splitting the whole text: most rows belong to coins or days not screened.
  let row = 1;
  let position = text.indexOf("\n") + 1;
  while (position > 0 && position < text.length) {
    row++;
    let next = text.indexOf("\n", position);
    if (next < 0) next = text.length;
    const lineStart = position;
    position = next + 1;
    const comma = text.indexOf(",", lineStart);
    const coin = (
      coinAt === 0 && comma >= 0 && comma < next
        ? text.slice(lineStart, comma)
        : (text.slice(lineStart, next).split(",")[coinAt] ?? "")
    ).trim();
    if (!coins.has(coin)) continue;
    const line = text.slice(lineStart, next);
    const cells = line.split(",");
    const timeText = cells[timeAt]?.trim() ?? "";
    const day = /^\d{4}-\d\d-\d\d/.test(timeText) ? timeText.slice(0, 10) : null;
    const outside =
      day !== null && ((firstDay !== null && day < firstDay) || (lastDay !== null && day > lastDay));
    const time = outside ? fromMs - 1 : parseTime(timeText);
    const rate = Number(cells[rateAt]);
    if (!Number.isFinite(time) || !Number.isFinite(rate) || (cells[rateAt] ?? "").trim() === "")
      throw new Error(
        `--funding ${name} row ${row} (${coin}): expected a time and a funding_rate number, got "${line.trim()}"`,
      );
    if (Math.abs(rate) > 0.04)
      throw new Error(
        `--funding ${name} row ${row} (${coin}): funding_rate ${rate} exceeds Hyperliquid's cap of 4% per hour`,
      );
    if (time < fromMs || time >= toMs) continue;
    let series = out.get(coin);
    if (series === undefined) {
      series = { timeMs: [], ratePerHour: [] };
      out.set(coin, series);
    }
    series.timeMs.push(time);
    series.ratePerHour.push(rate);
  }
  return out;
}

/** What a parse gives, comparable: the series by coin, or the error's message. */
function outcome(
  parse: () => Map<string, { timeMs: ArrayLike<number>; ratePerHour: ArrayLike<number> }>,
): unknown {
  try {
    return [...parse()].map(([coin, series]) => [
      coin,
      Array.from(series.timeMs),
      Array.from(series.ratePerHour),
    ]);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const DAY = 86_400_000;
const FROM = Date.UTC(2025, 6, 21);
const TO = FROM + 5 * DAY;

/** One row's cells, mostly well-formed, sometimes each of the ways a row can be odd. */
const rowArbitrary = fc.record({
  coin: fc.constantFrom("BTC", "ETH", "DOGE", " BTC", "", "btc"),
  // Inside the window, a day around its edges, far outside, or malformed.
  dayOffset: fc.oneof(fc.integer({ min: -3, max: 8 }), fc.constantFrom(-400, 900)),
  hour: fc.integer({ min: 0, max: 23 }),
  time: fc.constantFrom("iso", "iso", "iso", "ms", " iso", "short", "garbage", "datejunk", "empty"),
  rate: fc.oneof(
    fc.double({ min: -0.03, max: 0.03, noNaN: true }).map((rate) => String(rate)),
    fc.constantFrom("-9.3545e-06", "0.0000125", "", " ", "abc", "0.05", "1e-5\r", " 2e-6", "0"),
  ),
  extra: fc.constantFrom("", "", "", ",x"),
});

function rowText(row: typeof rowArbitrary extends fc.Arbitrary<infer R> ? R : never): string {
  const ms = FROM + row.dayOffset * DAY + row.hour * 3_600_000 + 49;
  const iso = new Date(ms).toISOString();
  const time = {
    iso,
    ms: String(ms),
    " iso": ` ${iso}`,
    short: iso.slice(0, 9),
    garbage: "2025-xx-01T00:00:00Z",
    // A day that decides whether the rest is read at all: an error inside the window, skipped outside it.
    datejunk: `${iso.slice(0, 10)}Tjunk`,
    empty: "",
  }[row.time];
  return `${row.coin},${time},${row.rate}${row.extra}`;
}

describe("parseLongFundingCsv", () => {
  it("reads every file as the line-by-line reference does: the same series, or the same error (seeded)", () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 0, maxLength: 40 }),
        fc.constantFrom("\n", "\r\n"),
        fc.constantFrom("coin,date,funding_rate", "coin,time_ms,funding_rate", "date,coin,funding_rate"),
        (rows, newline, header) => {
          const text = [header, ...rows.map(rowText)].join(newline);
          const coins = new Set(["BTC", "ETH"]);
          expect(outcome(() => parseLongFundingCsv(text, "f.csv", coins, FROM, TO))).toEqual(
            outcome(() => referenceParse(text, "f.csv", coins, FROM, TO)),
          );
        },
      ),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it("keeps the window's rows of the screened coins and names a bad row with its coin", () => {
    const text = [
      "coin,date,funding_rate",
      `BTC,${new Date(FROM - 400 * DAY).toISOString()},0.00001`,
      `BTC,${new Date(FROM + 3_600_000).toISOString()},-9.3545e-06`,
      `DOGE,${new Date(FROM).toISOString()},abc`,
      `ETH,${new Date(TO + 3 * DAY).toISOString()},0.00002`,
      `ETH,${new Date(FROM + 7_200_000).toISOString()},0.0000125`,
    ].join("\n");
    const parsed = parseLongFundingCsv(text, "f.csv", new Set(["BTC", "ETH"]), FROM, TO);
    expect([...parsed]).toEqual([
      ["BTC", { timeMs: [FROM + 3_600_000], ratePerHour: [-9.3545e-6] }],
      ["ETH", { timeMs: [FROM + 7_200_000], ratePerHour: [0.0000125] }],
    ]);
    expect(() =>
      parseLongFundingCsv(
        `${text}\nETH,${new Date(FROM - 900 * DAY).toISOString()}, `,
        "f.csv",
        new Set(["ETH"]),
        FROM,
        TO,
      ),
    ).toThrow(/f\.csv row 7 \(ETH\): expected a time and a funding_rate number/);
  });
});
