/**
 * The allowed values of a numeric setting, and the one-line error that names the setting,
 * the value given and the values allowed ("unsupervised.steps = -5: must be an integer from
 * 1 to 10,000,000").
 */

/** A setting outside its allowed values (commands exit with code 2 on it, before any work). */
export class SettingError extends RangeError {
  override name = "SettingError";
}

/** An interval of allowed values, whole numbers only when `integer`. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** The interval is open at `min` (a learning rate or temperature of 0 means nothing). */
  aboveMin?: boolean;
}

/** Whole numbers from `min` to `max`. */
export function integers(min: number, max: number): NumberRange {
  return { min, max, integer: true };
}

/** Real numbers above `min` and up to `max`. */
export function positiveUpTo(max: number, min = 0): NumberRange {
  return { min, max, aboveMin: true };
}

/** "an integer from 1 to 100", "a number above 0 and at most 1". */
export function describeRange(range: NumberRange): string {
  const [min, max] = [format(range.min), format(range.max)];
  if (range.integer) return `an integer from ${min} to ${max}`;
  return range.aboveMin
    ? `a number above ${min} and at most ${max}`
    : `a number from ${min} to ${max}`;
}

/** Whether `value` is a number in `range`. */
export function inRange(value: unknown, range: NumberRange): value is number {
  return typeof value === "number" && Number.isFinite(value) &&
    (!range.integer || Number.isInteger(value)) &&
    (range.aboveMin ? value > range.min : value >= range.min) && value <= range.max;
}

/** `value` when it lies in `range`; otherwise throws naming `name`, the value and the range. */
export function checkNumber(name: string, value: unknown, range: NumberRange): number {
  if (!inRange(value, range)) {
    throw new SettingError(`${name} = ${String(value)}: must be ${describeRange(range)}`);
  }
  return value;
}

/** The number written in `text` (a command-line value) when it lies in `range`; else throws. */
export function parseNumber(name: string, text: string, range: NumberRange): number {
  const value = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text) ? Number(text) : text;
  return checkNumber(name, value, range);
}

function format(value: number): string {
  return Math.abs(value) >= 10_000 ? value.toLocaleString("en-US") : String(value);
}
