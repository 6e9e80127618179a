/** One line of a chart. */
export interface ChartSeries {
  name: string;
  color: string;
  /** x values (ms timestamps or indices), ascending. */
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** Points drawn as markers (fills). */
export interface ChartMarkers {
  name: string;
  color: string;
  shape: "up" | "down";
  x: number[];
  y: number[];
}

/** A chart to draw. */
export interface ChartSpec {
  title: string;
  yLabel: string;
  series: ChartSeries[];
  markers?: ChartMarkers[];
  /** Draw the series as bars from 0 (daily PnL) instead of lines. */
  bars?: boolean;
  width?: number;
  height?: number;
}

const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * Reduces a series to at most `buckets` × 2 points, keeping each bucket's minimum and maximum so spikes
 * survive (a 130,000-bar run draws as ~3,000 points).
 *
 * @example
 * ```ts
 * const { x, y } = downsampleMinMax(times, equity, 1_000);
 * ```
 */
export function downsampleMinMax(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  buckets: number,
): { x: number[]; y: number[] } {
  const n = y.length;
  if (n <= buckets * 2) return { x: Array.from(x), y: Array.from(y) };
  const outX: number[] = [];
  const outY: number[] = [];
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let minIndex = from;
    let maxIndex = from;
    for (let i = from; i < to; i++) {
      if (!(y[i]! >= y[minIndex]!)) minIndex = i;
      if (!(y[i]! <= y[maxIndex]!)) maxIndex = i;
    }
    const first = Math.min(minIndex, maxIndex);
    const second = Math.max(minIndex, maxIndex);
    outX.push(x[first]!);
    outY.push(y[first]!);
    if (second !== first) {
      outX.push(x[second]!);
      outY.push(y[second]!);
    }
  }
  return { x: outX, y: outY };
}

function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const formatTick = (value: number): string => {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (abs >= 100) return value.toFixed(0);
  return String(Number(value.toPrecision(4)));
};

/**
 * Draws a time-series chart as a standalone SVG string (no scripts, no external resources), with axes,
 * a legend and optional fill markers.
 *
 * @example
 * ```ts
 * const svg = renderChart({ title: "Equity", yLabel: "USD", series: [{ name: "equity", color: "#2563eb", x: times, y: equity }] });
 * ```
 */
export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 1000;
  const height = spec.height ?? 260;
  const left = 70;
  const right = 15;
  const top = 30;
  const bottom = 40;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  let yMin = Number.POSITIVE_INFINITY;
  let yMax = Number.NEGATIVE_INFINITY;
  const extend = (xs: ArrayLike<number>, ys: ArrayLike<number>) => {
    for (let i = 0; i < ys.length; i++) {
      const xv = xs[i]!;
      const yv = ys[i]!;
      if (!Number.isFinite(yv)) continue;
      if (xv < xMin) xMin = xv;
      if (xv > xMax) xMax = xv;
      if (yv < yMin) yMin = yv;
      if (yv > yMax) yMax = yv;
    }
  };
  for (const series of spec.series) extend(series.x, series.y);
  for (const markers of spec.markers ?? []) extend(markers.x, markers.y);
  if (spec.bars) {
    yMin = Math.min(yMin, 0);
    yMax = Math.max(yMax, 0);
  }
  if (!Number.isFinite(xMin)) {
    xMin = 0;
    xMax = 1;
    yMin = 0;
    yMax = 1;
  }
  if (yMax === yMin) {
    yMax += 1;
    yMin -= 1;
  }
  if (xMax === xMin) xMax = xMin + 1;
  const sx = (v: number) => left + ((v - xMin) / (xMax - xMin)) * plotWidth;
  const sy = (v: number) => top + (1 - (v - yMin) / (yMax - yMin)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<text x="${left}" y="18" class="title">${escapeXml(spec.title)}</text>`,
    `<text x="14" y="${top + plotHeight / 2}" class="axis" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  for (const tick of niceTicks(yMin, yMax, 5)) {
    const y = sy(tick).toFixed(1);
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y}" y2="${y}" class="grid"/>`,
      `<text x="${left - 6}" y="${y}" class="axis" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`,
    );
  }
  const isTime = xMin > 1e11;
  const xTicks = niceTicks(xMin, xMax, 6);
  for (const tick of xTicks) {
    const x = sx(tick).toFixed(1);
    const label = isTime ? new Date(tick).toISOString().slice(0, 10) : formatTick(tick);
    parts.push(
      `<text x="${x}" y="${top + plotHeight + 16}" class="axis" text-anchor="middle">${label}</text>`,
    );
  }
  if (yMin < 0 && yMax > 0) {
    const y0 = sy(0).toFixed(1);
    parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y0}" y2="${y0}" class="zero"/>`);
  }
  for (const series of spec.series) {
    if (spec.bars) {
      const barWidth = Math.max(1, (plotWidth / Math.max(1, series.y.length)) * 0.8);
      for (let i = 0; i < series.y.length; i++) {
        const value = series.y[i]!;
        const y = sy(Math.max(0, value));
        const h = Math.abs(sy(value) - sy(0));
        const color = value >= 0 ? "#16a34a" : "#dc2626";
        parts.push(
          `<rect x="${(sx(series.x[i]!) - barWidth / 2).toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${color}"/>`,
        );
      }
      continue;
    }
    let d = "";
    let penDown = false;
    for (let i = 0; i < series.y.length; i++) {
      const value = series.y[i]!;
      if (!Number.isFinite(value)) {
        penDown = false;
        continue;
      }
      d += `${penDown ? "L" : "M"}${sx(series.x[i]!).toFixed(1)} ${sy(value).toFixed(1)}`;
      penDown = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.2"/>`);
  }
  for (const markers of spec.markers ?? []) {
    for (let i = 0; i < markers.x.length; i++) {
      const x = sx(markers.x[i]!);
      const y = sy(markers.y[i]!);
      const points =
        markers.shape === "up"
          ? `${x.toFixed(1)},${(y - 4).toFixed(1)} ${(x - 3.5).toFixed(1)},${(y + 3).toFixed(1)} ${(x + 3.5).toFixed(1)},${(y + 3).toFixed(1)}`
          : `${x.toFixed(1)},${(y + 4).toFixed(1)} ${(x - 3.5).toFixed(1)},${(y - 3).toFixed(1)} ${(x + 3.5).toFixed(1)},${(y - 3).toFixed(1)}`;
      parts.push(`<polygon points="${points}" fill="${markers.color}" fill-opacity="0.75"/>`);
    }
  }
  const legend = [
    ...spec.series.filter(() => !spec.bars).map((s) => ({ name: s.name, color: s.color })),
    ...(spec.markers ?? []).map((m) => ({ name: m.name, color: m.color })),
  ];
  let legendX = left + 10;
  for (const item of legend) {
    parts.push(
      `<rect x="${legendX}" y="${top + 4}" width="10" height="10" fill="${item.color}"/>`,
      `<text x="${legendX + 14}" y="${top + 13}" class="legend">${escapeXml(item.name)}</text>`,
    );
    legendX += 24 + item.name.length * 6.5;
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" class="frame"/>`,
    "</svg>",
  );
  return parts.join("");
}
