/**
 * The first cell of every study notebook: open the study context and show its header.
 *
 * Profile and backend come from COLBERT_PROFILE / COLBERT_BACKEND (`deno task reproduce`
 * sets them). Progress lines go to the cell's output and, when COLBERT_PROGRESS_LOG names a
 * file (reproduce sets it), to that file too, which reproduce follows on the terminal.
 *
 * @example
 * const context = await openStudy(); // shows "Profile **small** on the **wasm+openblas** backend; ..."
 */
import { createStudyContext } from "../phases/context.ts";
import type { StudyContext } from "../phases/phase.ts";
import { PROGRESS_LOG_ENV, progressLogPrinter } from "../train/progress_log.ts";

/** The header line of a study notebook: profile, backend and seeds, as Markdown. */
export function studyHeader(context: StudyContext): string {
  return `Profile **${context.profile.name}** on the **${context.backend}** backend; seeds ${
    context.profile.seeds.join(", ")
  }.`;
}

/** A study context whose progress printer is always there (notebooks call it directly). */
export type OpenStudy = StudyContext & { print: (line: string) => void };

/** Open the study context (console and progress-log printing) and display its header. */
export async function openStudy(): Promise<OpenStudy> {
  const log = Deno.env.get(PROGRESS_LOG_ENV);
  const toLog = log ? progressLogPrinter(log) : undefined;
  const print = (line: string) => {
    console.log(line);
    toLog?.(line);
  };
  const context = await createStudyContext({ print });
  await showMarkdown(studyHeader(context));
  return { ...context, print };
}

/** Display Markdown in a Jupyter kernel; print it elsewhere (Deno.jupyter throws outside one). */
async function showMarkdown(text: string): Promise<void> {
  let jupyter: typeof Deno.jupyter | undefined;
  try {
    jupyter = Deno.jupyter;
  } catch {
    jupyter = undefined;
  }
  if (jupyter) await jupyter.display({ "text/markdown": text }, { raw: true });
  else console.log(text);
}
