/**
 * Result tables as danfojs DataFrames, for notebook analysis (sort, filter, group by)
 * beyond the fixed Markdown rendering. Kept apart from table.ts because importing danfojs
 * loads TensorFlow.js (seconds), which writers and CI checks do not need.
 */
import { DataFrame } from "danfojs";
import { flattenTable, type Table } from "./table.ts";

/**
 * A DataFrame with the CSV's columns: a "group" column when rows are grouped, and a
 * mean ± spread column split into "<header> mean" and "<header> std"; empty cells are null.
 */
export function toDataFrame(table: Table): DataFrame {
  const { headers, rows } = flattenTable(table);
  return new DataFrame(rows, { columns: headers });
}
