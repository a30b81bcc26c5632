/**
 * Where a checkpoint came from and what it is, for the notebooks: its architecture as
 * transformers names it, its sizes, its origin (a random initialisation, MLM steps of the
 * suite, a local folder or the Hub) and the folder any of the field's libraries can load.
 */
import { join, relative } from "node:path";
import { readJsonObject } from "../checkpoints/hf_encoder.ts";

/** What {@link modelOrigin} reads of a phase result. */
export interface OriginSource {
  /** The model folder (a cache entry). */
  dir: string;
  provenance: { steps: number; seed: number; label: string };
}

/** Markdown lines: architecture, sizes, origin and how to load the folder in Python. */
export async function modelOrigin(result: OriginSource): Promise<string> {
  const config = await readJsonObject(join(result.dir, "config.json"));
  const architecture = String((config.architectures as string[] | undefined)?.[0] ?? "?");
  const layers = config.layer_types as string[] | undefined;
  const global = layers?.filter((type) => type === "full_attention").length;
  const { steps, seed } = result.provenance;
  const origin = steps > 0
    ? `${steps} MLM steps of this suite from a random initialisation (seed ${seed})`
    : `a random initialisation (seed ${seed}), not trained`;
  const loader = architecture.endsWith("ForMaskedLM")
    ? "transformers.AutoModelForMaskedLM.from_pretrained"
    : "transformers.AutoModel.from_pretrained";
  return [
    `- architecture: \`${architecture}\` (model_type \`${config.model_type}\`), ` +
    `${plural(Number(config.num_hidden_layers), "layer")} x ${config.hidden_size} wide, ` +
    `${config.num_attention_heads} heads, GeGLU width ${config.intermediate_size}` +
    (global === undefined ? "" : `, ${plural(global, "global-attention layer")}, ` +
      `a ${config.local_attention}-token window elsewhere`),
    `- origin: ${origin}`,
    `- the checkpoint is a Hugging Face folder: \`${loader}("${
      relative(Deno.cwd(), result.dir)
    }")\` loads it`,
  ].join("\n");
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
