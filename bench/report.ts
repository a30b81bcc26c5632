/** Plain-text tables and number formats for the benchmark's printout. */

/** Columns padded to their widest cell, first column left-aligned, the others right. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

/** `12,345` (no decimals) or `12.3` (below 100). */
export function number(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  return value >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(1);
}

/** A ratio as `0.61x`. */
export function ratio(value: number | undefined, base: number | undefined): string {
  if (!value || !base) return "-";
  return `${(value / base).toFixed(value / base >= 10 ? 0 : 2)}x`;
}

/** Bytes as MiB. */
export function mebibytes(bytes: number | undefined): string {
  return bytes ? `${Math.round(bytes / 2 ** 20).toLocaleString("en-US")} MiB` : "-";
}
