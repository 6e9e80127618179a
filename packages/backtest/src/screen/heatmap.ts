// The coin × hour-of-day heatmap of a screen, as inline SVG (the style of svg-chart.ts: no scripts, no fetches).

/** One row of the heatmap: a coin and its 24 hourly values (null: no data). */
export interface HeatmapRow {
  label: string;
  values: readonly (number | null)[];
}

/** What {@link renderHourHeatmap} draws. */
export interface HourHeatmapSpec {
  title: string;
  rows: readonly HeatmapRow[];
  /** The value at which the colour turns from red (below) to green (above): the round-trip fee. */
  pivot: number;
  /** Unit shown in each cell's tooltip. */
  unit: string;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const CELL_W = 30;
const CELL_H = 16;
const LEFT = 86;
const TOP = 46;

/** Red below the pivot, green above, saturating at ±`scale`. */
function cellColor(value: number | null, pivot: number, scale: number): string {
  if (value === null || !Number.isFinite(value)) return "#e5e7eb";
  const t = Math.max(-1, Math.min(1, (value - pivot) / scale));
  const mix = (from: number, to: number) => Math.round(from + (to - from) * Math.abs(t));
  // White at the pivot; #16a34a (green) or #dc2626 (red) at full strength.
  const [r, g, b] = t >= 0 ? [0x16, 0xa3, 0x4a] : [0xdc, 0x26, 0x26];
  return `rgb(${mix(255, r)},${mix(255, g)},${mix(255, b)})`;
}

/**
 * A heatmap of rows (coins) × 24 hours of day (UTC), coloured by how far each value is above (green) or below
 * (red) `pivot`, each cell's value in its tooltip.
 *
 * @example
 * ```ts
 * const svg = renderHourHeatmap({
 *   title: "estimated spread − fee", pivot: 3, unit: "bps",
 *   rows: [{ label: "BTC", values: Array.from({ length: 24 }, () => 1.2) }],
 * });
 * ```
 */
export function renderHourHeatmap(spec: HourHeatmapSpec): string {
  const finite = spec.rows.flatMap((row) =>
    row.values.filter((value): value is number => value !== null && Number.isFinite(value)),
  );
  const deviations = finite.map((value) => Math.abs(value - spec.pivot)).sort((a, b) => a - b);
  // The 90th percentile of |value − pivot|: one extreme coin does not wash out the rest.
  const scale = Math.max(1e-9, deviations[Math.floor(deviations.length * 0.9)] ?? 1);
  const width = LEFT + 24 * CELL_W + 10;
  const height = TOP + spec.rows.length * CELL_H + 34;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<text class="title" x="${LEFT}" y="18">${escapeXml(spec.title)}</text>`,
  ];
  for (let hour = 0; hour < 24; hour++)
    parts.push(
      `<text class="axis" x="${LEFT + hour * CELL_W + CELL_W / 2}" y="${TOP - 6}" text-anchor="middle">${String(hour).padStart(2, "0")}</text>`,
    );
  spec.rows.forEach((row, r) => {
    const y = TOP + r * CELL_H;
    parts.push(
      `<text class="axis" x="${LEFT - 6}" y="${y + CELL_H - 4}" text-anchor="end">${escapeXml(row.label)}</text>`,
    );
    for (let hour = 0; hour < 24; hour++) {
      const value = row.values[hour] ?? null;
      const text = value === null || !Number.isFinite(value) ? "no data" : `${value.toFixed(2)} ${spec.unit}`;
      parts.push(
        `<rect x="${LEFT + hour * CELL_W}" y="${y}" width="${CELL_W - 1}" height="${CELL_H - 1}" fill="${cellColor(value, spec.pivot, scale)}"><title>${escapeXml(`${row.label} ${String(hour).padStart(2, "0")}:00 UTC: ${text}`)}</title></rect>`,
      );
    }
  });
  const legendY = TOP + spec.rows.length * CELL_H + 20;
  parts.push(
    `<text class="legend" x="${LEFT}" y="${legendY}">hour of day (UTC) · red: below ${spec.pivot.toFixed(2)} ${escapeXml(spec.unit)}, white: at it, green: above (full colour at ±${scale.toFixed(2)}) · grey: no data</text>`,
    "</svg>",
  );
  return parts.join("\n");
}
