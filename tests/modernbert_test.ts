import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { ENCODER_PREFIX } from "../lib/models/encoder_inputs.ts";
import {
  initModernBert,
  type ModernBertConfig,
  modernBertForward,
  modernBertParameterShapes,
  parseModernBertConfig,
} from "../lib/models/modernbert.ts";
import { addParam, disposeParams, ParamInit, type Params } from "../lib/models/params.ts";
import { decodeSafetensors } from "../lib/checkpoints/safetensors.ts";
import { testOnEveryBackend } from "./late_interaction_reference.ts";

const FIXTURES = new URL("./fixtures/reference/", import.meta.url);

/** A fixture folder's config and its transformers state dict as parameters. */
function loadFixture(folder: string): { config: ModernBertConfig; params: Params } {
  const url = new URL(`${folder}/`, FIXTURES);
  const config = parseModernBertConfig(
    JSON.parse(Deno.readTextFileSync(new URL("config.json", url))),
    `${folder}/config.json`,
  );
  const { tensors } = decodeSafetensors(
    Deno.readFileSync(new URL("model.safetensors", url)),
    folder,
  );
  const params: Params = new Map();
  for (const [name, { shape, data }] of tensors) {
    addParam(params, ENCODER_PREFIX + name, tf.tensor(data, shape));
  }
  return { config, params };
}

/** A tiny config: 3 layers (global, local, global), every bias on, a window of 1 each side. */
function tinyConfig(overrides: Record<string, unknown> = {}): ModernBertConfig {
  return parseModernBertConfig({
    model_type: "modernbert",
    vocab_size: 20,
    hidden_size: 8,
    intermediate_size: 6,
    num_hidden_layers: 3,
    num_attention_heads: 2,
    max_position_embeddings: 8,
    global_attn_every_n_layers: 2,
    local_attention: 2,
    norm_bias: true,
    attention_bias: true,
    mlp_bias: true,
    ...overrides,
  }, "tiny");
}

/** Fresh parameters, drawn wider than the init so every weight visibly moves the output. */
function tinyParams(config: ModernBertConfig, seed: number): Params {
  const params: Params = new Map();
  initModernBert(new ParamInit(params, seed), config);
  let k = 0;
  for (const [name, variable] of params) {
    tf.tidy(() => {
      const noise = tf.randomNormal(variable.shape, 0, 1, "float32", seed * 100 + ++k);
      if (name.endsWith(".bias")) variable.assign(noise.mul(0.1));
      else if (name.endsWith("norm.weight")) variable.assign(noise.mul(0.2).add(1));
      else variable.assign(noise.mul(0.5));
    });
  }
  return params;
}

function batch(ids: number[][], mask: number[][]) {
  return { inputIds: tf.tensor2d(ids, undefined, "int32"), attentionMask: tf.tensor2d(mask) };
}

for (const folder of ["modernbert_tiny", "modernbert_tiny_bias"]) {
  testOnEveryBackend(`${folder}: last hidden state matches transformers`, async () => {
    const record = JSON.parse(
      Deno.readTextFileSync(new URL("hidden_states.json", FIXTURES)),
    )[folder];
    const { config, params } = loadFixture(folder);
    const mask: number[][] = record.attention_mask;
    const got = await modernBertForward(params, config, batch(record.input_ids, mask)).array();
    // Attended positions only: the fixture ran eager attention, which gives a padding query
    // that sees no key uniform weights where sdpa (transformers' default, followed here)
    // gives zeros; everywhere else the two agree to 1e-6.
    let worst = 0;
    mask.forEach((row, b) =>
      row.forEach((attended, t) => {
        if (!attended) return;
        got[b][t].forEach((v, d) => {
          worst = Math.max(worst, Math.abs(v - record.last_hidden_state[b][t][d]));
        });
      })
    );
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
    disposeParams(params);
  });
}

Deno.test("parameters are exactly the fixture state dicts, names and shapes", () => {
  for (const folder of ["modernbert_tiny", "modernbert_tiny_bias"]) {
    const { config, params } = loadFixture(folder);
    // Maps compare as sets: safetensors sorts its names.
    const expected = new Map([...params].map(([name, v]) => [name, v.shape]));
    const shapes = new Map(
      [...modernBertParameterShapes(config)].map(([name, shape]) => [ENCODER_PREFIX + name, shape]),
    );
    assert.deepEqual(shapes, expected, folder);
    disposeParams(params);
  }
});

Deno.test("a saved transformers config.json is read back unchanged", () => {
  for (const folder of ["modernbert_tiny", "modernbert_tiny_bias"]) {
    const json = JSON.parse(Deno.readTextFileSync(new URL(`${folder}/config.json`, FIXTURES)));
    assert.deepEqual(parseModernBertConfig(json, folder).json, json);
  }
});

Deno.test("config: transformers 4 keys map as transformers 5 maps them; gaps take defaults", () => {
  // transformers 5.3 turns these legacy keys into layer_types [full, sliding, full, sliding]
  // and rope_parameters {full_attention: 50000, sliding_attention: 20000}.
  const legacy = tinyConfig({
    num_hidden_layers: 4,
    global_rope_theta: 50000,
    local_rope_theta: 20000,
  });
  assert.deepEqual(legacy.layerTypes, [
    "full_attention",
    "sliding_attention",
    "full_attention",
    "sliding_attention",
  ]);
  assert.deepEqual([legacy.globalRopeTheta, legacy.localRopeTheta], [50000, 20000]);
  const partial = parseModernBertConfig({ model_type: "modernbert", num_hidden_layers: 2 }, "p");
  assert.equal(partial.hiddenSize, 768);
  assert.deepEqual(partial.json.layer_types, ["full_attention", "sliding_attention"]);
  assert.deepEqual(partial.json.rope_parameters, {
    full_attention: { rope_type: "default", rope_theta: 160000 },
    sliding_attention: { rope_type: "default", rope_theta: 10000 },
  });
  const modern = tinyConfig({
    layer_types: ["sliding_attention", "sliding_attention", "full_attention"],
    rope_parameters: { full_attention: { rope_type: "default", rope_theta: 7 } },
  });
  assert.deepEqual(modern.layerTypes[0], "sliding_attention");
  assert.deepEqual([modern.globalRopeTheta, modern.localRopeTheta], [7, 10000]);
});

Deno.test("config errors name the file and the field", () => {
  assert.throws(
    () => tinyConfig({ hidden_size: 10, num_attention_heads: 4 }),
    /tiny: "hidden_size"/,
  );
  assert.throws(() => tinyConfig({ hidden_activation: "silu" }), /tiny: "hidden_activation"/);
  assert.throws(() => tinyConfig({ layer_types: ["full_attention"] }), /tiny: "layer_types"/);
  assert.throws(
    () => tinyConfig({ rope_parameters: { full_attention: { rope_type: "yarn" } } }),
    /tiny: "rope_parameters.full_attention.rope_type"/,
  );
  assert.throws(() => tinyConfig({ model_type: "bert" }), /tiny: "model_type"/);
});

Deno.test("padding keys are invisible; a local layer sees only its window", async () => {
  await initBackend("cpu");
  const config = tinyConfig();
  const params = tinyParams(config, 1);
  const run = (ids: number[][], mask: number[][]) =>
    modernBertForward(params, config, batch(ids, mask)).array();
  const mask = [[1, 1, 1, 1, 0, 0]];
  const a = await run([[1, 5, 9, 3, 4, 4]], mask);
  const b = await run([[1, 5, 9, 3, 17, 2]], mask);
  for (let t = 0; t < 4; t++) assertNear(a[0][t], b[0][t], `attended position ${t}`);

  const local = tinyConfig({ num_hidden_layers: 1, layer_types: ["sliding_attention"] });
  const localParams = tinyParams(local, 2);
  const runLocal = (ids: number[][], mask: number[][]) =>
    modernBertForward(localParams, local, batch(ids, mask)).array();
  // One local layer, a window of 1 each side: changing token 5 moves positions 4 and 5 only.
  const full = [[1, 1, 1, 1, 1, 1]];
  const before = await runLocal([[1, 5, 9, 3, 4, 4]], full);
  const after = await runLocal([[1, 5, 9, 3, 4, 11]], full);
  for (let t = 0; t < 4; t++) assertNear(before[0][t], after[0][t], `position ${t}`);
  assert.ok(Math.abs(before[0][4][0] - after[0][4][0]) > 1e-3, "position 4 sees token 5");
  // Position 4 of [1, 1, 0, 0, 0, 0] sees no key at all: like torch's sdpa (not eager), it
  // gets a zero attention output, so no padding token moves it.
  const short = [[1, 1, 0, 0, 0, 0]];
  const padded = await runLocal([[1, 5, 9, 3, 4, 4]], short);
  const repadded = await runLocal([[1, 5, 2, 7, 4, 11]], short);
  assertNear(padded[0][4], repadded[0][4], "position 4 without visible keys");
  assert.throws(
    () => modernBertForward(localParams, local, batch([Array(9).fill(1)], [Array(9).fill(1)])),
    /max_position_embeddings 8/,
  );
  disposeParams(params);
  disposeParams(localParams);
});

testOnEveryBackend(
  "the gradient of every parameter matches central finite differences",
  async () => {
    const config = tinyConfig();
    const params = tinyParams(config, 3);
    const ids = [[1, 5, 9, 3, 7, 2], [2, 7, 4, 8, 0, 0]];
    const inputs = batch(ids, [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]);
    const target = tf.randomNormal([2, 6, config.hiddenSize], 0, 1, "float32", 5);
    const loss = () =>
      tf.sum(tf.mul(modernBertForward(params, config, inputs), target)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss);
    const eps = 1e-2;
    let probe = 0;
    for (const [name, variable] of params) {
      // A row the batch uses, for the embedding table; any entry elsewhere.
      const index = name.endsWith("tok_embeddings.weight")
        ? 9 * config.hiddenSize + 3
        : (7 * probe++) % variable.size;
      const values = await variable.data() as Float32Array;
      const shifted = async (delta: number) => {
        const copy = values.slice();
        copy[index] += delta;
        variable.assign(tf.tensor(copy, variable.shape));
        return (await loss().data())[0];
      };
      const numeric = (await shifted(eps) - await shifted(-eps)) / (2 * eps);
      variable.assign(tf.tensor(values, variable.shape));
      const analytic = (await grads[variable.name].data())[index];
      assert.ok(
        Math.abs(numeric - analytic) < 5e-4 + 5e-3 * Math.abs(numeric),
        `${name}[${index}]: analytic ${analytic} vs numeric ${numeric}`,
      );
    }
    disposeParams(params);
  },
);

function assertNear(actual: number[], expected: number[], what: string) {
  actual.forEach((v, d) => assert.ok(Math.abs(v - expected[d]) < 1e-5, `${what}[${d}]`));
}
