/**
 * perlfaq1-9 (Debian `perl-doc`, `usr/share/perl/<version>/pod/perlfaqN.pod`): each
 * `=head2` is a question, the POD paragraphs up to the next heading its answer.
 *
 *   =head2 Why is int() broken?
 *
 *   Your C<int()> is most probably working just fine. ...
 *
 * POD formatting codes are reduced to their text: `C<int()>` -> `int()`,
 * `L<perlop/"Floating-point Arithmetic">` -> `perlop/"Floating-point Arithmetic"`,
 * `L<text|target>` -> `text`, `X<index entry>` -> nothing; `=over`/`=item`/`=back` and
 * the other commands are dropped, keeping `=item` text.
 */
import type { QaPair } from "./qa_collection.ts";

/** Replace POD formatting codes (nested, and the `C<< ... >>` form) by their text. */
export function stripPod(text: string): string {
  let current = text.replace(/[A-Z]<<+\s(.*?)\s>>+/gs, "$1");
  let previous = "";
  while (current !== previous) {
    previous = current;
    current = current
      .replace(/X<[^<>]*>/g, "")
      .replace(/L<([^<>|]*)\|[^<>]*>/g, "$1")
      .replace(
        /E<(gt|lt|verbar|sol)>/g,
        (_, name) => ({ gt: ">", lt: "<", verbar: "|", sol: "/" })[name as "gt"],
      )
      .replace(/[A-Z]<([^<>]*)>/g, "$1");
  }
  return current;
}

/** The question-answer pairs of one perlfaq POD file; `name` prefixes the ids. */
export function perlfaqPairs(pod: string, name: string): QaPair[] {
  const pairs: QaPair[] = [];
  let current: { question: string; lines: string[] } | null = null;
  const finish = () => {
    if (current === null) return;
    pairs.push({
      id: `${name}:${pairs.length + 1}`,
      question: stripPod(current.question),
      answer: stripPod(current.lines.join("\n")),
    });
    current = null;
  };
  for (const line of pod.split("\n")) {
    if (line.startsWith("=head2 ")) {
      finish();
      current = { question: line.slice(7), lines: [] };
    } else if (/^=(head1|cut)\b/.test(line)) {
      finish();
    } else if (current !== null) {
      const item = line.match(/^=item\s+(.*)/);
      if (item) current.lines.push(item[1]);
      else if (!line.startsWith("=")) current.lines.push(line);
    }
  }
  finish();
  return pairs;
}
