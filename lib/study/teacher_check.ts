/**
 * Is the teacher worth distilling? Measured on the dev sets (the NanoBEIR-style subsets the
 * phases validate on), never on the evaluation suite: the teacher against BM25 and against
 * the encoder the students start from. A teacher below either would teach the students less
 * than they already know, and KD from it would measure nothing about the paper's question.
 */
import { loadCheckpoint } from "../checkpoints/checkpoint.ts";
import { disposeParams } from "../models/params.ts";
import { asEncoderStart } from "../phases/pretrained.ts";
import type { PhaseResult, StudyContext } from "../phases/phase.ts";
import { nanoSubset } from "../phases/validation.ts";
import { bm25Retriever } from "../retrieval/bm25.ts";
import { evaluateRetriever, type Retriever } from "../retrieval/evaluate.ts";
import { neuralRetriever } from "../retrieval/neural_retriever.ts";
import type { Table } from "../results/table.ts";
import type { BeirDataset } from "../datasets/beir.ts";
import { mean } from "../util/summary.ts";
import { teacherRetriever } from "./evaluation.ts";

/** Dev nDCG@10 of BM25, the students' starting encoder and the teacher, per dev set and mean. */
export interface TeacherCheck {
  datasets: string[];
  /** nDCG@10 per dev set, in `datasets` order, then their mean, by system. */
  scores: Record<"bm25" | "start" | "teacher", number[]>;
  /** The teacher's mean is above both others'. */
  worthDistilling: boolean;
}

/** Score BM25, `start` (the backbone) and `teacher` on the profile's dev subsets. */
export async function checkTeacher(
  context: StudyContext,
  { teacher, start }: { teacher: PhaseResult; start: PhaseResult },
): Promise<TeacherCheck> {
  const dev = context.data.dev.map((dataset) =>
    nanoSubset(dataset, { queries: context.profile.teacherCheckQueries })
  );
  const teacherModel = (await loadCheckpoint(teacher.dir)).model;
  // The from-scratch profiles' backbone is an MLM model: scored as a dense one.
  const startModel = asEncoderStart((await loadCheckpoint(start.dir)).model);
  const ndcg = async (retrieverOf: (dataset: BeirDataset) => Retriever) => {
    const values: number[] = [];
    for (const dataset of dev) {
      values.push((await evaluateRetriever(dataset, retrieverOf(dataset), { k: 10 }))["ndcg@10"]);
    }
    return [...values, mean(values)];
  };
  const scores = {
    bm25: await ndcg((dataset) => bm25Retriever(dataset.corpus)),
    start: await ndcg((dataset) =>
      neuralRetriever(startModel, context.tokenizer, { corpus: dataset.corpus })
    ),
    teacher: await ndcg((dataset) => teacherRetriever(context, teacherModel, dataset)),
  };
  disposeParams(teacherModel.params);
  if (startModel !== teacherModel) disposeParams(startModel.params);
  const means = {
    bm25: scores.bm25.at(-1)!,
    start: scores.start.at(-1)!,
    teacher: scores.teacher.at(-1)!,
  };
  return {
    datasets: dev.map((dataset) => dataset.name),
    scores,
    worthDistilling: means.teacher > means.bm25 && means.teacher > means.start,
  };
}

/** The check as a table: one row per system, a column per dev set and the mean (x100). */
export function teacherCheckTable(check: TeacherCheck): Table {
  const keys = [...check.datasets, "mean"];
  const names = { bm25: "BM25", start: "the students' starting encoder", teacher: "the teacher" };
  return {
    name: "teacher_check",
    title: "Is the teacher worth distilling? nDCG@10 x 100 on the dev sets",
    columns: [
      { key: "system", header: "system", kind: "text" },
      ...keys.map((key) => ({ key, header: key, kind: "number" as const, digits: 2 })),
    ],
    rows: (["bm25", "start", "teacher"] as const).map((system) => ({
      cells: {
        system: names[system],
        ...Object.fromEntries(keys.map((key, i) => [key, 100 * check.scores[system][i]])),
      },
    })),
    notes: [
      check.worthDistilling
        ? "The teacher is above BM25 and above the students' starting encoder on the dev mean."
        : "The teacher is NOT above both BM25 and the students' starting encoder on the dev mean: " +
          "distilling it teaches the students less than they already know.",
    ],
  };
}
