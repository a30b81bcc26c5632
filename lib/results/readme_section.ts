/**
 * Generated sections of the README: text between `<!-- name:begin -->` and `<!-- name:end -->`
 * that a command writes (the results from `results/`, the speed table from a bench run), so
 * that no number in the README is typed by hand. Sections are formatted as `deno fmt` formats
 * Markdown, so the README stays fmt-clean whatever wrote it.
 */
import { writeFileAtomic } from "../util/atomic_write.ts";

/** The marker lines around the section `name`. */
export function sectionMarkers(name: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` };
}

function splitAtMarkers(readme: string, name: string, path: string) {
  const { begin, end } = sectionMarkers(name);
  const at = readme.indexOf(begin);
  const until = readme.indexOf(end);
  if (at < 0 || until < at) {
    throw new Error(`${path}: no '${begin}' ... '${end}' section for the ${name}`);
  }
  return {
    before: readme.slice(0, at + begin.length),
    inside: readme.slice(at + begin.length, until),
    after: readme.slice(until),
  };
}

/** `readme` with the section `name` replaced by `section`; throws if a marker is missing. */
export function withReadmeSection(
  readme: string,
  name: string,
  options: { section: string; path?: string },
): string {
  const { before, after } = splitAtMarkers(readme, name, options.path ?? "README.md");
  return `${before}\n\n${options.section.trim()}\n\n${after}`;
}

/** The section `name` of `readme` as it stands (trimmed). */
export function readmeSection(readme: string, name: string, path = "README.md"): string {
  return splitAtMarkers(readme, name, path).inside.trim();
}

/** Rewrite the section `name` of the README at `readmePath` with `markdown`, atomically. */
export async function writeReadmeSection(
  readmePath: string,
  name: string,
  markdown: string,
): Promise<void> {
  const readme = await Deno.readTextFile(readmePath);
  const section = await formatMarkdown(markdown);
  await writeFileAtomic(readmePath, withReadmeSection(readme, name, { section, path: readmePath }));
}

/** Markdown through `deno fmt`, the formatter the repository checks with. */
export async function formatMarkdown(text: string): Promise<string> {
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--line-width", "100", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await fmt.output();
  if (code !== 0) throw new Error(`deno fmt: ${new TextDecoder().decode(stderr).trim()}`);
  return new TextDecoder().decode(stdout).trim();
}
