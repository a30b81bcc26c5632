/**
 * Reading typed fields out of a transformers `config.json` object, with the defaults of the
 * architecture's Python config class filling what the file leaves out, and errors that name
 * the file and the field.
 */

/** The sizes every transformers encoder config has, and the whole config.json object. */
export interface EncoderConfigBase {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  maxPositionEmbeddings: number;
  /** The whole config.json object, defaults filled in, written back unchanged on save. */
  json: Record<string, unknown>;
}

/** The config.json object with every default filled in, and typed readers over it. */
export interface ConfigFields {
  /** The completed object (what a saved folder writes back). */
  json: Record<string, unknown>;
  /** A positive integer field. */
  int(key: string): number;
  /** A positive number field. */
  number(key: string): number;
  /** A boolean field. */
  bool(key: string): boolean;
  /** A string field, one of `allowed` when given. */
  string(key: string, allowed?: readonly string[]): string;
}

/** Complete `json` with `defaults` and return readers that name `source` in every error. */
export function configFields(
  json: Record<string, unknown>,
  options: { source: string; defaults: Record<string, unknown> },
): ConfigFields {
  const full = { ...options.defaults, ...json };
  const fail = (key: string, what: string): never => {
    throw new Error(`${options.source}: "${key}" ${what}, got ${JSON.stringify(full[key])}`);
  };
  return {
    json: full,
    int(key) {
      const value = full[key];
      return Number.isInteger(value) && (value as number) > 0
        ? value as number
        : fail(key, "must be a positive integer");
    },
    number(key) {
      const value = full[key];
      return typeof value === "number" && value > 0
        ? value
        : fail(key, "must be a positive number");
    },
    bool(key) {
      const value = full[key];
      return typeof value === "boolean" ? value : fail(key, "must be true or false");
    },
    string(key, allowed) {
      const value = full[key];
      if (typeof value !== "string") return fail(key, "must be a string");
      if (allowed && !allowed.includes(value)) {
        return fail(key, `must be one of ${allowed.join(", ")}`);
      }
      return value;
    },
  };
}
