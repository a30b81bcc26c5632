/**
 * The `pretrained` study profile (lib/phases/pretrained.ts and where it is used): a published
 * model folder read into the profile's shapes and tokenizer, stored as the backbone phase,
 * standing for the dense phases when it is a sentence-transformers model, and the main
 * table's rows that follow from it.
 *
 * The sentence-transformers folder is made here from the tiny BERT reference fixture
 * (tests/fixtures/reference/bert_tiny) with the module files sentence-transformers writes for
 * all-MiniLM-L6-v2 (Transformer -> mean Pooling -> Normalize).
 *
 * The reference fixtures' 1000-token vocabularies lack the ColBERT markers ([unused0] and
 * [unused1]) that resolvePretrained requires of a student, so the folders resolved here are
 * copies whose last two vocabulary entries are the markers ({@link addMarkers}).
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { parsePhaseRequest } from "../cli/phase_request.ts";
import { CheckpointCache } from "../lib/cache/cache.ts";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { loadCheckpoint, saveModelFolder } from "../lib/checkpoints/checkpoint.ts";
import { SUITE_FILE } from "../lib/checkpoints/model_files.ts";
import { loadModelFolder } from "../lib/checkpoints/model_folder.ts";
import { SAFETENSORS_FILE, SAFETENSORS_INDEX_FILE } from "../lib/checkpoints/hf_weights.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/checkpoints/safetensors.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { hubRepoKey, ModelCache } from "../lib/hub/model_cache.ts";
import { parseBertConfig } from "../lib/models/bert.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { createModel, type Model } from "../lib/models/model.ts";
import type { Params } from "../lib/models/params.ts";
import { loadBertTokenizer, loadTokenizerJson } from "../lib/models/tokenizer.ts";
import { backboneLabel, startingEncoderJob } from "../lib/phases/backbone.ts";
import { NO_PROMPTS } from "../lib/phases/input_variant.ts";
import { phaseIdentity, runPhase, type StudyContext } from "../lib/phases/phase.ts";
import { pretrainedJob, resolvePretrained, studyModelCache } from "../lib/phases/pretrained.ts";
import type { PretrainedStart, Profile } from "../lib/phases/profile_settings.ts";
import { PRETRAINED, SMALL, TINY } from "../lib/phases/profiles.ts";
import type { EncoderShape } from "../lib/models/suite_encoder.ts";
import type { SuiteScores } from "../lib/study/evaluation.ts";
import { teacher } from "../lib/phases/teacher_phase.ts";
import { backbone, supervised, unsupervised } from "../lib/study/recipes.ts";
import type { ScoredCheckpoint, StudyRun } from "../lib/study/study.ts";
import { AS_IS_ROW, mainTable, studyTables } from "../lib/study/tables.ts";
import { toyStudyData } from "./study_fixture.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const REFERENCE = new URL("./fixtures/reference/", import.meta.url).pathname;
/** A bare transformers BERT (BertModel, no modules.json), WordPiece of 1000 tokens. */
const BERT_TINY = join(REFERENCE, "bert_tiny");
/** A bare transformers ModernBERT: another shape, a BPE vocabulary of the same size (1000). */
const MODERNBERT_TINY = join(REFERENCE, "modernbert_tiny");
/** A PyLate folder of the tiny BERT whose tokenizer has 2 more tokens ([Q] and [D]). */
const PYLATE_BERT_TINY = join(REFERENCE, "pylate_bert_tiny");
const WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight";
const { queryMarker: QUERY_MARKER, documentMarker: DOCUMENT_MARKER } = colbertInputConfig();

/** Copy the folder `source` (and its subfolders) to `dest`. */
async function copyFolder(source: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  for await (const entry of Deno.readDir(source)) {
    const [from, to] = [join(source, entry.name), join(dest, entry.name)];
    if (entry.isDirectory) await copyFolder(from, to);
    else await Deno.copyFile(from, to);
  }
}

/**
 * Give the tokenizer of the folder `dir` the ColBERT marker tokens `markers` (by default both)
 * in place of its last vocabulary entries: "academic" and "##ertain" in bert_tiny's WordPiece,
 * "ens" and "Ġexpl" in modernbert_tiny's BPE, tokens no text here uses. A BPE vocabulary also
 * loses the merges that made them (the last ones learnt: no other merge starts from them), so
 * every text still tokenises. The size and every other id stay as they were.
 */
async function addMarkers(
  dir: string,
  markers: readonly string[] = [QUERY_MARKER, DOCUMENT_MARKER],
): Promise<void> {
  const path = join(dir, "tokenizer.json");
  const json = JSON.parse(await Deno.readTextFile(path));
  const model: { type: string; vocab: Record<string, number>; merges?: (string | string[])[] } =
    json.model;
  const tokens = Object.entries(model.vocab).sort((a, b) => a[1] - b[1]).map(([token]) => token);
  tokens.forEach((token, id) => assert.equal(model.vocab[token], id, `${path}: ids 0..n-1`));
  const replaced = new Set<string>();
  markers.forEach((marker, i) => {
    assert.ok(!(marker in model.vocab), `${path} already has ${marker}`);
    const id = tokens.length - markers.length + i;
    replaced.add(tokens[id]);
    tokens[id] = marker;
  });
  model.vocab = Object.fromEntries(tokens.map((token, id) => [token, id]));
  if (model.type === "BPE") {
    model.merges = model.merges!.filter((merge) => {
      const [a, b] = typeof merge === "string" ? merge.split(" ") : merge;
      assert.ok(!replaced.has(a) && !replaced.has(b), `a merge starts from "${a}" "${b}"`);
      return !replaced.has(a + b);
    });
  }
  await Deno.writeTextFile(path, JSON.stringify(json));
  const vocabTxt = join(dir, "vocab.txt");
  if (await Deno.stat(vocabTxt).then(() => true, () => false)) {
    const lines = (await Deno.readTextFile(vocabTxt)).split("\n");
    markers.forEach((marker, i) => lines[tokens.length - markers.length + i] = marker);
    await Deno.writeTextFile(vocabTxt, lines.join("\n"));
  }
}

/** A copy of the fixture folder `source` at `dest` whose vocabulary has the ColBERT markers. */
async function withMarkers(source: string, dest: string): Promise<string> {
  await copyFolder(source, dest);
  await addMarkers(dest);
  return dest;
}

/** The error `promise` rejects with (a failure if it resolves). */
function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => assert.fail("resolved"), (error: Error) => error);
}

/**
 * `dir` as sentence-transformers saves a dense model: bert_tiny (with the ColBERT markers),
 * mean pooling, normalised.
 */
async function sentenceTransformersFolder(dir: string): Promise<string> {
  await withMarkers(BERT_TINY, dir);
  const write = (name: string, value: unknown) =>
    Deno.writeTextFile(join(dir, name), JSON.stringify(value, null, 2));
  await write("modules.json", [
    { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
    { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
    { idx: 2, name: "2", path: "2_Normalize", type: "sentence_transformers.models.Normalize" },
  ]);
  await write("sentence_bert_config.json", { max_seq_length: 48, do_lower_case: false });
  await Deno.mkdir(join(dir, "1_Pooling"));
  await write("1_Pooling/config.json", {
    word_embedding_dimension: 64,
    pooling_mode_cls_token: false,
    pooling_mode_mean_tokens: true,
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
  });
  await Deno.mkdir(join(dir, "2_Normalize"));
  return dir;
}

/** The shape config.json of `dir` states, field by field. */
async function configShape(dir: string): Promise<EncoderShape> {
  const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  return {
    vocabSize: config.vocab_size,
    hidden: config.hidden_size,
    layers: config.num_hidden_layers,
    heads: config.num_attention_heads,
    intermediate: config.intermediate_size,
    maxLength: config.max_position_embeddings,
  };
}

/** Flip the lowest bit of the first byte of a safetensors file's data (one float changes a little). */
async function alterWeights(dir: string, file = SAFETENSORS_FILE): Promise<void> {
  const path = join(dir, file);
  const bytes = await Deno.readFile(path);
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  bytes[8 + headerLength] ^= 1;
  await Deno.writeFile(path, bytes);
}

/** A study context on `profile` resolved from `start`, with a fresh cache under `root`. */
async function pretrainedContext(
  root: string,
  start: PretrainedStart,
  profile: Profile = TINY,
): Promise<StudyContext> {
  await initBackend("cpu");
  const resolved = await resolvePretrained(profile, start);
  return {
    cache: new CheckpointCache(join(root, "checkpoints")),
    tokenizer: resolved.tokenizer,
    data: toyStudyData(),
    profile: resolved.profile,
    backend: "cpu",
    print: () => {},
  };
}

/** Whether every tensor of `a` has the same name, shape and values in `b` (and no more). */
async function sameParams(a: Params, b: Params, prefix = ""): Promise<boolean> {
  const names = (params: Params) => [...params.keys()].filter((n) => n.startsWith(prefix)).sort();
  assert.deepEqual(names(a), names(b));
  for (const name of names(a)) {
    const [x, y] = [a.get(name)!, b.get(name)!];
    assert.deepEqual(x.shape, y.shape, name);
    if (!tf.util.arraysEqual(await x.data(), await y.data())) return false;
  }
  return true;
}

/** Run `body` with COLBERT_MODELS set to `root`, restoring it after. */
async function withModelCache<T>(root: string, body: () => Promise<T>): Promise<T> {
  const before = Deno.env.get("COLBERT_MODELS");
  Deno.env.set("COLBERT_MODELS", root);
  try {
    return await body();
  } finally {
    if (before === undefined) Deno.env.delete("COLBERT_MODELS");
    else Deno.env.set("COLBERT_MODELS", before);
  }
}

// --- resolvePretrained ----------------------------------------------------------------------

Deno.test("studyModelCache: COLBERT_MODELS names the root, else the checkout's .cache/models", async () => {
  await withModelCache("/some/models", () => {
    assert.equal(studyModelCache().root, "/some/models");
    return Promise.resolve();
  });
  const [before, cwd] = [Deno.env.get("COLBERT_MODELS"), Deno.cwd()];
  Deno.env.delete("COLBERT_MODELS");
  try {
    // The notebooks run from notebooks/: the checkout's cache, not the working directory's.
    Deno.chdir(join(REPO_ROOT, "tests"));
    assert.equal(studyModelCache().root, join(REPO_ROOT, ".cache", "models"));
  } finally {
    Deno.chdir(cwd);
    if (before !== undefined) Deno.env.set("COLBERT_MODELS", before);
  }
});

Deno.test("resolvePretrained: a sentence-transformers folder gives its shape, its tokenizer, denseTrained", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st-bert-tiny"));
  const { profile, tokenizer } = await resolvePretrained(TINY, { student: dir, teacher: dir });
  const shape = await configShape(dir);
  assert.deepEqual(shape, {
    vocabSize: 1000,
    hidden: 64,
    layers: 2,
    heads: 4,
    intermediate: 128,
    maxLength: 128,
  });
  assert.deepEqual(profile.student, shape);
  assert.deepEqual(profile.teacher, shape);
  assert.deepEqual(profile.pretrained, {
    student: dir,
    teacher: dir,
    denseTrained: true,
    architecture: "bert",
  });
  // Everything else is the profile's own.
  const { student: _s, teacher: _t, pretrained: _p, ...rest } = profile;
  const { student: _s2, teacher: _t2, ...tiny } = TINY;
  assert.deepEqual(rest, tiny);
  // The folder's WordPiece of 1000 tokens, not bert-base-uncased's 30522.
  const own = await loadTokenizerJson(join(dir, "tokenizer.json"));
  assert.equal(tokenizer.vocabSize, 1000);
  const text = "the river runs past the old mill";
  assert.deepEqual(tokenizer.encode(text), own.encode(text));
  assert.notDeepEqual(tokenizer.encode(text), (await loadBertTokenizer()).encode(text));
  // The markers took the last two ids, tokens the text does not use: it reads as in bert_tiny.
  const fixture = await loadTokenizerJson(join(BERT_TINY, "tokenizer.json"));
  assert.deepEqual(tokenizer.encode(text), fixture.encode(text));
  assert.deepEqual([QUERY_MARKER, DOCUMENT_MARKER].map((m) => tokenizer.tokenToId(m)), [998, 999]);
});

Deno.test("resolvePretrained: a bare transformers folder (or a PyLate one) is not denseTrained", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const modernbert = await withMarkers(MODERNBERT_TINY, join(folder.path, "modernbert_tiny"));
  const bare = await resolvePretrained(TINY, { student: modernbert, teacher: modernbert });
  assert.equal(bare.profile.pretrained?.denseTrained, false);
  assert.deepEqual(bare.profile.student, await configShape(modernbert));
  // The BPE lost the two last merges with their tokens: this text reads as in the fixture.
  const text = "the river runs past the old mill";
  const fixture = await loadTokenizerJson(join(MODERNBERT_TINY, "tokenizer.json"));
  assert.deepEqual(bare.tokenizer.encode(text), fixture.encode(text));
  assert.equal(bare.tokenizer.tokenToId(DOCUMENT_MARKER), 999);
  assert.deepEqual(bare.profile.student, {
    vocabSize: 1000,
    hidden: 64,
    layers: 3,
    heads: 4,
    intermediate: 96,
    maxLength: 256,
  });
  const pylateDir = await withMarkers(PYLATE_BERT_TINY, join(folder.path, "pylate_bert_tiny"));
  const pylate = await resolvePretrained(TINY, { student: pylateDir, teacher: pylateDir });
  assert.equal(pylate.profile.pretrained?.denseTrained, false);
});

Deno.test("resolvePretrained: student and teacher each take their own folder's shape", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const student = await sentenceTransformersFolder(join(folder.path, "student"));
  // A smaller teacher with the same vocabulary (the student's tokenizer), as the suite saves one.
  const teacher = join(folder.path, "teacher");
  const config = parseBertConfig({
    model_type: "bert",
    vocab_size: 1000,
    hidden_size: 32,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 48,
    max_position_embeddings: 96,
  }, "teacher config");
  await saveModelFolder(
    teacher,
    createModel({
      kind: "dense",
      transformer: config,
      colbertDim: 8,
      pooling: "mean",
      inputs: colbertInputConfig({ queryLength: 16, documentLength: 32, prompts: false }),
    }, { seed: 1 }),
    { tokenizer: await loadTokenizerJson(join(student, "tokenizer.json")) },
  );
  const { profile } = await resolvePretrained(SMALL, { student, teacher });
  assert.deepEqual(profile.student, await configShape(student));
  assert.deepEqual(profile.teacher, await configShape(teacher));
  assert.equal(profile.teacher.hidden, 32);
  assert.equal(profile.student.hidden, 64);
});

Deno.test("resolvePretrained: vocabularies of different sizes are an error naming both folders", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const student = await sentenceTransformersFolder(join(folder.path, "student"));
  // Both with the markers: the sizes (1000 and 1002 tokens) are what differs.
  const teacher = await withMarkers(PYLATE_BERT_TINY, join(folder.path, "pylate_bert_tiny"));
  const error = await rejection(resolvePretrained(TINY, { student, teacher }));
  assert.ok(error.message.includes(student), error.message);
  assert.ok(error.message.includes(teacher), error.message);
  assert.match(error.message, /different vocabularies \(1002 and 1000 tokens\)/);
});

Deno.test({
  name: "resolvePretrained: vocabularies of the same size but other tokens are an error too",
  // A WordPiece and a BPE vocabulary of 1000 tokens each: the KD file, tokenised once with the
  // student's tokenizer, would feed the teacher ids meaning other tokens.
  fn: async () => {
    await initBackend("cpu");
    await using folder = await temporaryFolder();
    const student = await sentenceTransformersFolder(join(folder.path, "student"));
    // Both with the markers (at the same ids): the other tokens are what differs.
    const teacher = await withMarkers(MODERNBERT_TINY, join(folder.path, "modernbert_tiny"));
    const [a, b] = await Promise.all([
      loadTokenizerJson(join(student, "tokenizer.json")),
      loadTokenizerJson(join(teacher, "tokenizer.json")),
    ]);
    assert.equal(a.vocabSize, b.vocabSize, "precondition: same size");
    assert.notDeepEqual(a.encode("river garden"), b.encode("river garden"), "other tokens");
    await assert.rejects(
      resolvePretrained(TINY, { student, teacher }),
      /different vocabularies \(id 0 is "\[CLS\]" for the teacher, "\[PAD\]" for the student\)/,
    );
  },
});

Deno.test("resolvePretrained: an hf: name is read from the model cache COLBERT_MODELS names", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "models"));
  const key = hubRepoKey("test-owner/st-bert-tiny");
  const scratch = await cache.scratchFolder(key);
  await sentenceTransformersFolder(scratch);
  await cache.add(key, "rev-one", { folder: scratch, source: "test", ref: "main" });
  const spec = "hf:test-owner/st-bert-tiny";
  const { profile } = await withModelCache(
    cache.root,
    () => resolvePretrained(TINY, { student: spec, teacher: spec }),
  );
  assert.deepEqual(profile.student, await configShape(BERT_TINY));
  assert.deepEqual(profile.pretrained, {
    student: spec,
    teacher: spec,
    denseTrained: true,
    architecture: "bert",
  });
});

Deno.test("resolvePretrained: a student without the ColBERT markers is an error naming the folder and the marker", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  // bert_tiny as it is: 1000 tokens, neither marker.
  const none = await rejection(resolvePretrained(TINY, { student: BERT_TINY, teacher: BERT_TINY }));
  assert.ok(none.message.startsWith(`${BERT_TINY}: `), none.message);
  assert.ok(none.message.includes(`no "${QUERY_MARKER}"`), none.message);
  // With the query marker only, the document marker is the one named.
  const half = join(folder.path, "query-marker-only");
  await copyFolder(BERT_TINY, half);
  await addMarkers(half, [QUERY_MARKER]);
  const error = await rejection(resolvePretrained(TINY, { student: half, teacher: half }));
  assert.ok(error.message.startsWith(`${half}: `), error.message);
  assert.ok(error.message.includes(`no "${DOCUMENT_MARKER}"`), error.message);
  assert.ok(!error.message.includes(`"${QUERY_MARKER}"`), error.message);
});

Deno.test("resolvePretrained: a teacher whose vocabulary differs in one token is an error naming the id", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const student = await sentenceTransformersFolder(join(folder.path, "student"));
  const teacher = await sentenceTransformersFolder(join(folder.path, "teacher"));
  // The teacher's "the" is "brook" (a token in neither vocabulary): same size, one id differs.
  const path = join(teacher, "tokenizer.json");
  const json = JSON.parse(await Deno.readTextFile(path));
  const id: number = json.model.vocab.the;
  assert.ok(!("brook" in json.model.vocab), "precondition: a new token");
  json.model.vocab = Object.fromEntries(
    Object.entries(json.model.vocab).map(([token, i]) => [token === "the" ? "brook" : token, i]),
  );
  await Deno.writeTextFile(path, JSON.stringify(json));
  const [a, b] = await Promise.all(
    [student, teacher].map((dir) => loadTokenizerJson(join(dir, "tokenizer.json"))),
  );
  assert.equal(a.vocabSize, b.vocabSize, "precondition: same size");
  const error = await rejection(resolvePretrained(TINY, { student, teacher }));
  assert.ok(error.message.includes(student), error.message);
  assert.ok(error.message.includes(teacher), error.message);
  assert.ok(
    error.message.includes(`id ${id} is "brook" for the teacher, "the" for the student`),
    error.message,
  );
  // The same vocabulary on both sides resolves.
  await resolvePretrained(TINY, { student, teacher: student });
});

// --- pretrainedJob --------------------------------------------------------------------------

Deno.test("pretrainedJob: the cached backbone is the folder's dense model, weights unchanged, with the profile's colbertDim", async () => {
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st-bert-tiny"));
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir });
  const job = await pretrainedJob({ spec: dir, seed: 0, label: "backbone (st)", colbertDim: 24 });
  assert.equal(job.phase, "backbone");
  const result = await runPhase(context, job);
  assert.equal(result.log.steps.length, 0, "nothing trained");
  assert.equal(result.provenance.label, "backbone (st)");
  const { model } = await loadCheckpoint(result.dir);
  const source = await loadModelFolder(dir);
  assert.equal(model.config.kind, "dense");
  assert.equal(model.config.colbertDim, 24);
  assert.equal(model.config.pooling, "mean");
  assert.equal(model.config.normalize, true);
  assert.ok(
    tf.util.arraysEqual(
      await model.params.get(WORD_EMBEDDINGS)!.data(),
      await source.model.params.get(WORD_EMBEDDINGS)!.data(),
    ),
    "the word embeddings are the folder's",
  );
  assert.ok(await sameParams(model.params, source.model.params), "every tensor is the folder's");
});

/** `fixture` (with the ColBERT markers added) run through pretrainedJob: the stored model, checked to be a mean-pooling dense model. */
async function storedBackbone(fixture: string, root: string): Promise<Model> {
  const dir = await withMarkers(fixture, join(root, basename(fixture)));
  const context = await pretrainedContext(root, { student: dir, teacher: dir });
  const job = await pretrainedJob({ spec: dir, seed: 0, label: "b", colbertDim: 16 });
  const { model } = await loadCheckpoint((await runPhase(context, job)).dir);
  assert.equal(model.config.kind, "dense");
  assert.equal(model.config.pooling, "mean");
  assert.equal(model.config.colbertDim, 16);
  return model;
}

Deno.test("pretrainedJob: a bare transformers folder is stored as a mean-pooling dense model", async () => {
  await using folder = await temporaryFolder();
  const model = await storedBackbone(MODERNBERT_TINY, folder.path);
  const source = await loadModelFolder(MODERNBERT_TINY);
  assert.ok(await sameParams(model.params, source.model.params, "encoder."), "encoder unchanged");
});

Deno.test("pretrainedJob: a PyLate folder is stored as a mean-pooling dense model of its encoder", async () => {
  await using folder = await temporaryFolder();
  const model = await storedBackbone(PYLATE_BERT_TINY, folder.path);
  assert.ok(!model.params.has("colbert.projection.weight"), "the ColBERT projection is dropped");
  const source = await loadModelFolder(PYLATE_BERT_TINY);
  assert.equal(source.model.config.kind, "colbert", "precondition: read as ColBERT");
  assert.ok(await sameParams(model.params, source.model.params, "encoder."), "encoder unchanged");
});

Deno.test("pretrainedJob: same folder, same key (a cache hit); changed weights, another key", async () => {
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st-bert-tiny"));
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir });
  const job = () => pretrainedJob({ spec: dir, seed: 0, label: "backbone", colbertDim: 16 });
  const first = await runPhase(context, await job());
  const entries = await context.cache.list();
  const again = await runPhase(context, await job());
  assert.equal(again.key, first.key);
  assert.deepEqual(await context.cache.list(), entries, "nothing stored again");

  // The same folder (same path, same name), one bit of its weights changed.
  await alterWeights(dir);
  const changed = await runPhase(context, await job());
  assert.notEqual(changed.key, first.key);
  assert.equal((await context.cache.list()).length, 2);
  const [before, after] = await Promise.all(
    [first, changed].map(async (result) => (await loadCheckpoint(result.dir)).model.params),
  );
  assert.equal(await sameParams(before, after), false, "the new entry has the new weights");
});

/**
 * Split the weights of `dir` into two shards and the index that names them, as large
 * checkpoints are published; returns the shards' file names.
 */
async function shardWeights(dir: string): Promise<string[]> {
  const single = join(dir, SAFETENSORS_FILE);
  const { tensors, metadata } = decodeSafetensors(await Deno.readFile(single), single);
  const names = [...tensors.keys()];
  const half = Math.ceil(names.length / 2);
  const parts = [names.slice(0, half), names.slice(half)];
  const shards = parts.map((_, i) => `model-0000${i + 1}-of-00002.safetensors`);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (const [i, part] of parts.entries()) {
    const shard = new Map(part.map((name) => [name, tensors.get(name)!]));
    await Deno.writeFile(join(dir, shards[i]), encodeSafetensors({ tensors: shard, metadata }));
    for (const [name, { data }] of shard) {
      weightMap[name] = shards[i];
      totalSize += data.byteLength;
    }
  }
  await Deno.writeTextFile(
    join(dir, SAFETENSORS_INDEX_FILE),
    JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
  );
  await Deno.remove(single);
  return shards;
}

Deno.test("pretrainedJob: a sharded checkpoint is read whole, and its key follows every shard", async () => {
  await using folder = await temporaryFolder();
  const single = await sentenceTransformersFolder(join(folder.path, "single"));
  const dir = await sentenceTransformersFolder(join(folder.path, "sharded"));
  const shards = await shardWeights(dir);
  assert.equal(await Deno.stat(join(dir, SAFETENSORS_FILE)).then(() => true, () => false), false);
  const whole = (await loadModelFolder(single)).model.params;
  assert.ok(await sameParams((await loadModelFolder(dir)).model.params, whole), "same tensors");

  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir });
  const job = () => pretrainedJob({ spec: dir, seed: 0, label: "backbone", colbertDim: 16 });
  const one = await job();
  const first = await runPhase(context, one);
  assert.ok(await sameParams((await loadCheckpoint(first.dir)).model.params, whole), "stored");
  assert.equal((await phaseIdentity(context, await job())).key, first.key, "stable");
  // A file the index does not name is not part of the weights.
  await Deno.copyFile(join(dir, shards[0]), join(dir, "unused.safetensors"));
  assert.equal((await phaseIdentity(context, await job())).key, first.key, "unnamed file");

  // One bit of either shard changed: another key each time.
  const keys = new Set([first.key]);
  const digests = new Set([one.settings.weights]);
  for (const shard of shards) {
    await alterWeights(dir, shard);
    const altered = await job();
    digests.add(altered.settings.weights);
    keys.add((await phaseIdentity(context, altered)).key);
  }
  assert.equal(digests.size, 3, "a digest per version of the shards");
  assert.equal(keys.size, 3, "a key per version of the shards");
});

Deno.test("pretrainedJob: another snapshot of an hf: name is another backbone", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "models"));
  const key = hubRepoKey("test-owner/st-bert-tiny");
  const spec = "hf:test-owner/st-bert-tiny";
  const addSnapshot = async (name: string, altered: boolean) => {
    const scratch = await cache.scratchFolder(key);
    await sentenceTransformersFolder(scratch);
    if (altered) await alterWeights(scratch);
    await cache.add(key, name, { folder: scratch, source: "test", ref: "main" });
  };
  await addSnapshot("rev-one", false);
  await withModelCache(cache.root, async () => {
    const context = await pretrainedContext(folder.path, { student: spec, teacher: spec });
    const job = () => pretrainedJob({ spec, seed: 0, label: "backbone", colbertDim: 16 });
    const one = await job();
    assert.equal(one.settings.snapshot, "rev-one");
    const oneKey = (await phaseIdentity(context, one)).key;
    assert.equal((await phaseIdentity(context, await job())).key, oneKey, "stable");
    await addSnapshot("rev-two", true);
    const two = await job();
    assert.equal(two.settings.snapshot, "rev-two");
    assert.notEqual(two.settings.weights, one.settings.weights);
    assert.notEqual((await phaseIdentity(context, two)).key, oneKey);
  });
});

Deno.test("startingEncoderJob: the profile's pretrained student or teacher, else the suite's own backbone", async () => {
  await using folder = await temporaryFolder();
  const student = await sentenceTransformersFolder(join(folder.path, "student"));
  await initBackend("cpu");
  // Only the jobs are compared: the profile's shapes need not be resolved for that.
  const base: StudyContext = {
    cache: new CheckpointCache(join(folder.path, "checkpoints")),
    tokenizer: await loadBertTokenizer(),
    data: toyStudyData(),
    profile: { ...TINY, pretrained: { student, teacher: MODERNBERT_TINY } },
    backend: "cpu",
  };
  const studentJob = await startingEncoderJob(base, "student", 3);
  assert.equal(studentJob.settings.pretrained, student);
  assert.equal(studentJob.settings.colbertDim, TINY.colbertDim);
  assert.equal(studentJob.label, `backbone (${student})`);
  assert.equal(studentJob.seed, 3);
  const teacherJob = await startingEncoderJob(base, "teacher", 4);
  assert.equal(teacherJob.settings.pretrained, MODERNBERT_TINY);
  assert.equal(teacherJob.label, `teacher backbone (${MODERNBERT_TINY})`);
  const own = await startingEncoderJob({ ...base, profile: TINY }, "student", 3);
  assert.equal(own.settings.pretrained, undefined);
  assert.equal(own.label, backboneLabel("backbone", TINY.backbone));
  assert.equal(own.train.steps, TINY.backbone.steps);
});

// --- recipes --------------------------------------------------------------------------------

const DENSE = { kind: "dense", variant: NO_PROMPTS } as const;
const COLBERT = { kind: "colbert", variant: NO_PROMPTS } as const;
/** One step per contrastive phase, no validation: a training run of a second or so. */
const ONE_STEP: Profile = {
  ...TINY,
  unsupervised: { ...TINY.unsupervised, steps: 1 },
  validateEvery: 0,
};

Deno.test("recipes: with a denseTrained backbone, the dense phases are the backbone itself", async () => {
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st-bert-tiny"));
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir }, ONE_STEP);
  assert.equal(context.profile.pretrained?.denseTrained, true);
  const start = await backbone(context);
  assert.equal(start.provenance.label, `backbone (${dir})`);
  const first = await unsupervised(context, DENSE, { seed: 1 });
  const second = await supervised(context, DENSE, { seed: 1, base: DENSE });
  assert.equal(first.key, start.key);
  assert.equal(second.key, start.key);
  assert.deepEqual((await context.cache.list()).map((e) => e.key), [start.key], "nothing trained");
});

Deno.test("recipes: a ColBERT student from a denseTrained backbone is still trained", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  // bert-base-uncased's vocabulary: the ColBERT markers ([unused0], [unused1]) are in it, as in
  // all-MiniLM-L6-v2's (bert_tiny's 1000 tokens lack them). A suite-saved dense model folder is
  // a sentence-transformers folder.
  const dir = join(folder.path, "st-bert-base-vocab");
  await saveModelFolder(
    dir,
    createModel({
      kind: "dense",
      transformer: parseBertConfig({
        model_type: "bert",
        hidden_size: 16,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 32,
        max_position_embeddings: 96,
      }, "test config"),
      colbertDim: 8,
      pooling: "mean",
      inputs: colbertInputConfig({ queryLength: 48, documentLength: 48, prompts: false }),
    }, { seed: 1 }),
    { tokenizer: await loadBertTokenizer() },
  );
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir }, ONE_STEP);
  const start = await backbone(context);
  const trained = await unsupervised(context, COLBERT, { seed: 1 });
  assert.notEqual(trained.key, start.key);
  assert.equal(trained.provenance.parentKey, start.key);
  assert.equal(trained.log.steps.length, 1);
});

Deno.test("recipes: a backbone that is not denseTrained has its dense phases trained", async () => {
  await using folder = await temporaryFolder();
  const dir = await withMarkers(BERT_TINY, join(folder.path, "bert_tiny"));
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir }, ONE_STEP);
  assert.equal(context.profile.pretrained?.denseTrained, false);
  const start = await backbone(context);
  const trained = await unsupervised(context, DENSE, { seed: 1 });
  assert.notEqual(trained.key, start.key);
  assert.equal(trained.provenance.parentKey, start.key);
  assert.equal(trained.log.steps.length, 1);
});

Deno.test("teacher: a hybrid teacher's dense model is its backbone fine-tuned as a dense retriever", async () => {
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st-bert-tiny"));
  const context = await pretrainedContext(folder.path, { student: dir, teacher: dir }, {
    ...TINY,
    teacherKind: "hybrid",
    hybridBm25Weight: 0.5,
    teacherTraining: { ...TINY.teacherTraining, steps: 2, batchSize: 4, negatives: 1 },
  });
  const result = await teacher(context);
  assert.equal(result.phase, "teacher");
  assert.equal(result.log.steps.length, 2);
  const start = await runPhase(context, await startingEncoderJob(context, "teacher", 0));
  assert.equal(result.provenance.parentKey, start.key);
  const { model } = await loadCheckpoint(result.dir);
  assert.equal(model.config.kind, "dense");
  const original = (await loadModelFolder(dir)).model.params;
  assert.ok(!(await sameParams(model.params, original)), "the dense model was trained");
  assert.equal((await teacher(context)).key, result.key, "cached");
});

// --- tables ---------------------------------------------------------------------------------

/** Suite scores with one dataset, "toy", at nDCG@10 `value`. */
function scores(value: number): SuiteScores {
  return {
    model: "m",
    datasets: { toy: { "ndcg@10": value, perQuery: {} } },
    average: value,
  } as unknown as SuiteScores;
}

function checkpoint(value: number): ScoredCheckpoint {
  return {
    key: `k${value}`,
    phase: "p",
    label: "l",
    provenance: { steps: 1, tokens: 10, wallSeconds: 1, flops: 30 },
    scores: scores(value),
  } as unknown as ScoredCheckpoint;
}

function unscored({ scores: _, ...rest }: ScoredCheckpoint): Omit<ScoredCheckpoint, "scores"> {
  return rest;
}

/** A study run with pipelines a, b and c (stages at 0.1, 0.2 and 0.3) and the given parts. */
function studyRun(settings: Profile, backboneScores?: SuiteScores): StudyRun {
  return {
    profile: settings.name,
    settings,
    cores: 2,
    backend: "cpu",
    seeds: [1],
    datasets: [{ name: "toy", queries: 1, documents: 1 }],
    bm25: scores(0.25),
    backbone: {
      ...unscored(checkpoint(0)),
      label: "backbone",
      ...(backboneScores ? { scores: backboneScores } : {}),
    },
    teacher: { ...checkpoint(0.5), kdQuality: {} },
    pipelines: ["a", "b", "c"].map((id) => ({
      id,
      name: id,
      seed: 1,
      stages: [checkpoint(0.125), checkpoint(0.25), checkpoint(0.375)],
    })),
    wallSeconds: 1,
  } as unknown as StudyRun;
}

function rowsByModel(run: StudyRun) {
  return Object.fromEntries(mainTable(run).rows.map((row) => [row.cells.model, row]));
}

const DENSE_ROWS = ["dense unsupervised", "dense supervised"];

Deno.test("main table: a denseTrained backbone's row as it is, and no dense phase rows", () => {
  const settings = { ...PRETRAINED, pretrained: { ...PRETRAINED.pretrained!, denseTrained: true } };
  const rows = rowsByModel(studyRun(settings, scores(0.5)));
  assert.ok(AS_IS_ROW in rows, `rows: ${Object.keys(rows)}`);
  assert.equal(rows[AS_IS_ROW].group, "baselines");
  assert.deepEqual(rows[AS_IS_ROW].cells.average, { mean: 50, std: null, n: 1 });
  assert.equal(rows[AS_IS_ROW].cells.toy, 50);
  for (const name of DENSE_ROWS) assert.ok(!(name in rows), `${name} is left out`);
  // The row sits with the baselines, after the teacher, before the KD pipelines.
  const models = mainTable(studyRun(settings, scores(0.5))).rows.map((r) => r.cells.model);
  assert.deepEqual(models.slice(0, 3), ["BM25", models[1], AS_IS_ROW]);
  assert.equal(models[3], "(a) KD only");
});

Deno.test("main table: without a pretrained backbone, the dense phase rows and no as-is row", () => {
  const rows = rowsByModel(studyRun(SMALL));
  assert.ok(!(AS_IS_ROW in rows));
  assert.deepEqual(rows["dense unsupervised"].cells.average, { mean: 12.5, std: null, n: 1 });
  assert.deepEqual(rows["dense supervised"].cells.average, { mean: 25, std: null, n: 1 });
});

Deno.test("main table: a pretrained backbone that is not denseTrained has both", () => {
  const settings = {
    ...PRETRAINED,
    pretrained: { ...PRETRAINED.pretrained!, denseTrained: false },
  };
  const models = mainTable(studyRun(settings, scores(0.5))).rows.map((r) => r.cells.model);
  assert.deepEqual(models.slice(2, 5), [AS_IS_ROW, ...DENSE_ROWS]);
});

Deno.test("study tables: without prompt ablations, only the setup and main tables", () => {
  const names = (settings: Profile) => studyTables(studyRun(settings)).map((t) => t.name);
  assert.deepEqual(names({ ...SMALL, promptAblations: false }), ["setup_cost", "main"]);
});

// --- the command line -----------------------------------------------------------------------

Deno.test("phase request: --backbone is passed on, absent when not given", () => {
  const values = { profile: "tiny", head: "colbert", prompts: "on" };
  assert.equal(
    parsePhaseRequest("backbone", { ...values, backbone: "/models/x" }).backbone,
    "/models/x",
  );
  assert.equal(parsePhaseRequest("backbone", values).backbone, undefined);
});

// The suite's own folder file is left out of a sentence-transformers folder made elsewhere.
Deno.test("fixture: the folder made here reads as sentence-transformers, mean pooling, normalised", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const dir = await sentenceTransformersFolder(join(folder.path, "st"));
  assert.equal(await Deno.stat(join(dir, SUITE_FILE)).then(() => true, () => false), false);
  const { format, model } = await loadModelFolder(dir);
  assert.equal(format, "sentence-transformers");
  assert.equal(model.config.kind, "dense");
  assert.equal(model.config.pooling, "mean");
  assert.equal(model.config.normalize, true);
  assert.equal(model.config.inputs.documentLength, 48);
});
