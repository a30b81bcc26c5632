import assert from "node:assert/strict";
import { debianFaqPairs } from "../lib/data/sources/debian_faq.ts";
import { manPagePair } from "../lib/data/sources/manpages.ts";
import { perlfaqPairs, stripPod } from "../lib/data/sources/perlfaq.ts";
import { pythonFaqPairs } from "../lib/data/sources/python_faq.ts";
import { qaDataset } from "../lib/data/sources/qa_collection.ts";
import { rFaqPairs } from "../lib/data/sources/r_faq.ts";

Deno.test("perlfaq: =head2 questions, POD codes reduced to text", () => {
  const pod = `=head1 NAME

perlfaq4 - Data Manipulation

=head1 Data: Numbers

=head2 Why is int() broken?

Your C<int()> is most probably working just fine. See L<perlop/"Arithmetic"> and
L<the docs|perlfunc>. X<int>

=over 4

=item Rounding

Use C<< sprintf() >> instead.

=back

=head2 Short?

See perlfunc.

=head1 AUTHOR

Someone.
`;
  const pairs = perlfaqPairs(pod, "perlfaq4");
  assert.deepEqual(pairs.map((p) => [p.id, p.question]), [["perlfaq4:1", "Why is int() broken?"], [
    "perlfaq4:2",
    "Short?",
  ]]);
  assert.equal(
    pairs[0].answer.replace(/\s+/g, " ").trim(),
    'Your int() is most probably working just fine. See perlop/"Arithmetic" and the docs. Rounding Use sprintf() instead.',
  );
  assert.equal(stripPod("B<I<nested>> E<gt>"), "nested >");
  // qaDataset drops answers under 5 words and pairs each question with its own answer.
  const dataset = qaDataset("perlfaq", pairs);
  assert.deepEqual([...dataset.queries.keys()], ["q:perlfaq4:1"]);
  assert.deepEqual([...dataset.qrels.get("q:perlfaq4:1")!], [["d:perlfaq4:1", 1]]);
});

Deno.test("Debian FAQ: numbered headings at column 0, wrapped questions joined", () => {
  const text = `Table of Contents

1. Definitions and overview
    1.1. What is this FAQ?

1. Definitions and overview

1.1.\u00a0What is this FAQ?

    This document gives frequently asked questions.

1.2.\u00a0What is the difference between Debian and other
distributions?

    Debian is developed by volunteers.
    More text here.

2. Getting Debian
`;
  const pairs = debianFaqPairs(text);
  assert.deepEqual(pairs.map((p) => [p.id, p.question]), [
    ["1.1", "What is this FAQ?"],
    ["1.2", "What is the difference between Debian and other distributions?"],
  ]);
  assert.equal(
    pairs[1].answer.replace(/\s+/g, " ").trim(),
    "Debian is developed by volunteers. More text here.",
  );
});

Deno.test("Python FAQ: '-' underlined headings are questions, reST markup stripped", () => {
  const rst = `General Information
===================

What is Python?
---------------

Python is an :term:\`interpreted\` language; see \`the tutorial <https://x.org>\`_ and \`\`len()\`\`.

.. note::
   A note.

Why is it slow?
---------------

It is not, says *everyone* with **emphasis** here.
`;
  const pairs = pythonFaqPairs(rst, "general");
  assert.deepEqual(pairs.map((p) => p.question), ["What is Python?", "Why is it slow?"]);
  assert.equal(
    pairs[0].answer.replace(/\s+/g, " ").trim(),
    "Python is an interpreted language; see the tutorial and len(). A note.",
  );
  assert.equal(pairs[1].answer.trim(), "It is not, says everyone with emphasis here.");
});

Deno.test("R FAQ: section headings are questions, navigation and tags dropped", () => {
  const html =
    `<div class="section" id="a"><div class="header"><p>Next: <a href="#b">b</a></p></div>
<h3 class="section">7.1 Why &amp; how?</h3>
<p>Because <code>x &lt;- 1</code> works&nbsp;fine.</p>
<div class="header"><p>Next: nav</p></div>
<h4 class="subsection">7.1.1 Sub question</h4><p>Sub answer text.</p>
<h2 class="chapter">8 Other chapter</h2>`;
  const pairs = rFaqPairs(html);
  assert.deepEqual(pairs.map((p) => [p.id, p.question]), [["7.1", "Why & how?"], [
    "7.1.1",
    "Sub question",
  ]]);
  assert.equal(pairs[0].answer.replace(/\s+/g, " ").trim(), "Because x <- 1 works fine.");
  assert.equal(pairs[1].answer.replace(/\s+/g, " ").trim(), "Sub answer text.");
});

Deno.test("man pages: NAME description -> DESCRIPTION text, roff removed", () => {
  const roff = `.\\" comment
.TH read 2 2022-12-04 "Linux man-pages 6.03"
.SH NAME
read \\- read from a file descriptor
.SH SYNOPSIS
.B #include <unistd.h>
.SH DESCRIPTION
.BR read ()
attempts to read up to
.I count
bytes from \\fIfd\\fP \\(em see
.BR write (2).
.PP
Returns \\-1 on error.
.SH SEE ALSO
nothing
`;
  const pair = manPagePair(roff, "read.2");
  assert.deepEqual(pair && { ...pair, answer: pair.answer.replace(/\s+/g, " ").trim() }, {
    id: "read.2",
    title: "read(2)",
    question: "read from a file descriptor",
    answer:
      "read() attempts to read up to count bytes from fd \u2014 see write(2). Returns -1 on error.",
  });
  assert.equal(manPagePair(".so man2/read.2\n", "pread.2"), null);
});
