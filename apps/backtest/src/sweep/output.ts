// What a sweep prints and writes: the ranked table, the CSV and JSON rows, the HTML page with its heatmap.
import {
  downsampleMinMax,
  objectiveValue,
  renderChart,
  renderReportPage,
  type SweepConfig,
  type SweepObjective,
  type SweepValue,
} from "@botmm/backtest";
import type { SweepReport } from "./job.ts";

/** One configuration's result: its settings by flag name and its run's report. */
export interface SweepRow {
  index: number;
  config: SweepConfig;
  report: SweepReport;
}

/** The `objectiveValue` fields of a row. */
export const objectiveFields = (row: SweepRow) => ({
  index: row.index,
  pnl: row.report.pnl,
  sharpe: row.report.sharpe,
  returnOverDrawdown: row.report.returnOverDrawdown,
});

const num = (value: number | null, digits = 2): string => (value === null ? "n/a" : value.toFixed(digits));

/** The ranked table: the top `top` rows, best first. */
export function rankedTable(
  rows: readonly SweepRow[],
  keys: readonly string[],
  objective: SweepObjective,
  top: number,
): string {
  const header = ["rank", ...keys, "total $", "sharpe", "ret/dd", "max dd $", "fills", "volume $"];
  const body = rows
    .slice(0, top)
    .map((row, rank) => [
      String(rank + 1),
      ...keys.map((key) => String(row.config[key])),
      num(row.report.pnl.total),
      num(row.report.sharpe),
      num(row.report.returnOverDrawdown),
      num(row.report.maxDrawdownUsd),
      String(row.report.fills.buy + row.report.fills.sell),
      num(row.report.volumeUsd, 0),
    ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((line) => line[column]!.length)),
  );
  const format = (line: readonly string[]) =>
    line
      .map((cell, column) =>
        column <= keys.length ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!),
      )
      .join("  ");
  const lines = [format(header), ...body.map(format)];
  if (rows.length > top)
    lines.push(`… ${rows.length - top} more (ranked by ${objective}; --top N prints more)`);
  return lines.join("\n");
}

const clean = (value: number | null): string => (value === null ? "" : String(Number(value.toPrecision(12))));
const csvCell = (value: SweepValue): string => {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One CSV row per configuration, in the order given (best first). */
export function sweepCsv(rows: readonly SweepRow[], keys: readonly string[]): string {
  const header = [
    "rank",
    "config_index",
    ...keys,
    "total_usd",
    "spread_usd",
    "inventory_usd",
    "fees_usd",
    "funding_usd",
    "sharpe",
    "sortino",
    "return_over_drawdown",
    "max_drawdown_usd",
    "fills",
    "volume_usd",
    "fill_rate",
    "max_abs_inventory_usd",
    "halted_share",
    "daily_mean_pnl_usd",
  ];
  const lines = [header.join(",")];
  rows.forEach((row, rank) => {
    const r = row.report;
    lines.push(
      [
        String(rank + 1),
        String(row.index),
        ...keys.map((key) => csvCell(row.config[key] ?? "")),
        clean(r.pnl.total),
        clean(r.pnl.spread),
        clean(r.pnl.inventory),
        clean(r.pnl.fees),
        clean(r.pnl.funding),
        clean(r.sharpe),
        clean(r.sortino),
        clean(r.returnOverDrawdown),
        clean(r.maxDrawdownUsd),
        String(r.fills.buy + r.fills.sell),
        clean(r.volumeUsd),
        clean(r.fillRate),
        clean(r.maxAbsInventoryUsd),
        clean(r.halted.share),
        clean(r.dailyMeanPnl),
      ].join(","),
    );
  });
  return `${lines.join("\n")}\n`;
}

/** The JSON array: `{ config, ...the single run's report }` per configuration, best first. */
export function sweepJson(rows: readonly SweepRow[]): string {
  return `${JSON.stringify(
    rows.map((row) => ({ config: row.config, ...row.report })),
    null,
    2,
  )}\n`;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const compareValues = (a: SweepValue, b: SweepValue): number =>
  typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));

/** A setting's values as heatmap cells; more than 12 distinct numbers (random draws) are binned into 10. */
function cellsOf(
  rows: readonly SweepRow[],
  key: string,
): { labels: string[]; cellOf: (value: SweepValue) => number } {
  const distinct = [...new Set(rows.map((row) => row.config[key]!))].sort(compareValues);
  if (distinct.length <= 12 || !distinct.every((value) => typeof value === "number")) {
    const position = new Map(distinct.map((value, i) => [value, i]));
    return { labels: distinct.map(String), cellOf: (value) => position.get(value)! };
  }
  const min = distinct[0] as number;
  const max = distinct[distinct.length - 1] as number;
  const width = (max - min) / 10;
  const label = (i: number) =>
    `${Number((min + i * width).toPrecision(3))}–${Number((min + (i + 1) * width).toPrecision(3))}`;
  return {
    labels: Array.from({ length: 10 }, (_, i) => label(i)),
    cellOf: (value) => Math.min(9, Math.floor(((value as number) - min) / width)),
  };
}

/**
 * An SVG heatmap of the best objective value over every configuration with each pair of values of `a` and
 * `b` (other swept settings at their best): green above 0, red below, grey where no run has a value.
 */
export function heatmapSvg(
  rows: readonly SweepRow[],
  a: string,
  b: string | null,
  objective: SweepObjective,
): string {
  const xs = cellsOf(rows, a);
  const ys = b === null ? { labels: [""], cellOf: () => 0 } : cellsOf(rows, b);
  const best: (number | null)[][] = ys.labels.map(() => xs.labels.map(() => null));
  for (const row of rows) {
    const value = objectiveValue(objectiveFields(row), objective);
    if (value === null) continue;
    const x = xs.cellOf(row.config[a]!);
    const y = ys.cellOf(b === null ? 0 : row.config[b]!);
    const current = best[y]![x]!;
    if (current === null || value > current) best[y]![x] = value;
  }
  const scale = Math.max(1e-12, ...best.flat().map((value) => Math.abs(value ?? 0)));
  const cellWidth = Math.max(44, Math.min(90, Math.floor(880 / xs.labels.length)));
  const cellHeight = 28;
  const left = 110;
  const top = 40;
  const width = left + cellWidth * xs.labels.length + 20;
  const height = top + cellHeight * ys.labels.length + 50;
  const color = (value: number | null): string => {
    if (value === null) return "#e5e7eb";
    const t = Math.min(1, Math.abs(value) / scale);
    const [r, g, bl] = value >= 0 ? [22, 163, 74] : [220, 38, 38];
    const mix = (channel: number) => Math.round(255 + (channel - 255) * t);
    return `rgb(${mix(r)},${mix(g)},${mix(bl)})`;
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<text class="title" x="${left}" y="20">Best ${escapeXml(objective)} by ${escapeXml(a)}${b === null ? "" : ` × ${escapeXml(b)}`}</text>`,
  ];
  ys.labels.forEach((yLabel, y) => {
    parts.push(
      `<text class="axis" x="${left - 6}" y="${top + y * cellHeight + 18}" text-anchor="end">${escapeXml(yLabel)}</text>`,
    );
    xs.labels.forEach((_, x) => {
      const value = best[y]![x]!;
      const cx = left + x * cellWidth;
      const cy = top + y * cellHeight;
      parts.push(
        `<rect x="${cx}" y="${cy}" width="${cellWidth - 1}" height="${cellHeight - 1}" fill="${color(value)}"><title>${escapeXml(`${a}=${xs.labels[x]}${b === null ? "" : `, ${b}=${yLabel}`}: ${value === null ? "n/a" : value}`)}</title></rect>`,
        `<text class="axis" x="${cx + cellWidth / 2}" y="${cy + 18}" text-anchor="middle">${value === null ? "n/a" : escapeXml(Number(value.toPrecision(3)).toString())}</text>`,
      );
    });
  });
  for (const [x, label] of xs.labels.entries()) {
    parts.push(
      `<text class="axis" x="${left + x * cellWidth + cellWidth / 2}" y="${top + ys.labels.length * cellHeight + 16}" text-anchor="middle">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<text class="axis" x="${left}" y="${top + ys.labels.length * cellHeight + 38}">${escapeXml(a)} →${b === null ? "" : `   (rows: ${escapeXml(b)})`}</text>`,
    "</svg>",
  );
  return parts.join("\n");
}

const CURVE_COLORS = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#4b5563", "#ca8a04"];

/** The HTML page of a sweep: the ranked table, the heatmap and the top configurations' equity curves. */
export function sweepHtml(
  title: string,
  banner: string | null,
  summary: string,
  heatmap: string | null,
  curves: readonly { label: string; openTime: ArrayLike<number>; equity: ArrayLike<number> }[],
): string {
  const charts: string[] = [];
  if (heatmap !== null) charts.push(heatmap);
  if (curves.length > 0) {
    charts.push(
      renderChart({
        title: `Equity of the top ${curves.length} configuration${curves.length === 1 ? "" : "s"}`,
        yLabel: "USD",
        series: curves.map((curve, i) => {
          const { x, y } = downsampleMinMax(curve.openTime, curve.equity, 1_500);
          return { name: curve.label, color: CURVE_COLORS[i % CURVE_COLORS.length]!, x, y };
        }),
      }),
    );
  }
  return renderReportPage(title, banner, summary, charts);
}
