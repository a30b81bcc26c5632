import assert from "node:assert/strict";
import {
  debianDescriptionPairs,
  parseStanzas,
  sourcePackages,
} from "../lib/data/sources/debian_descriptions.ts";

const TRANSLATION = `Package: foo
Description-md5: 1
Description-en: frobnicate files quickly
 Foo frobnicates files in place, quickly and safely.
 .
 It supports many formats.

Package: foo-doc
Description-md5: 2
Description-en: frobnicate files quickly (documentation)
 Foo frobnicates files in place, quickly and safely.
 .
 This package contains the manual.

Package: bar
Description-md5: 3
Description-en: tiny tool
 Too short.

Package: baz
Description-md5: 4
Description-en: a baz utility for testing groups
 Baz does something entirely different from the others here.
`;

const PACKAGES = `Package: foo
Version: 1.0

Package: foo-doc
Source: foo-docs (1.0-1)
Version: 1.0

Package: baz
Source: baz
`;

Deno.test("short -> long pairs with paragraphs, short texts dropped", () => {
  const pairs = debianDescriptionPairs(TRANSLATION, "T", { sources: sourcePackages(PACKAGES) });
  assert.deepEqual(pairs.map((p) => p.query), [
    "frobnicate files quickly",
    "frobnicate files quickly (documentation)",
    "a baz utility for testing groups",
  ]);
  assert.equal(
    pairs[0].document,
    "Foo frobnicates files in place, quickly and safely.\nIt supports many formats.",
  );
});

Deno.test("siblings share a group: same source package or same first paragraph", () => {
  const pairs = debianDescriptionPairs(TRANSLATION, "T", { sources: sourcePackages(PACKAGES) });
  // foo and foo-doc come from different source packages here but share their first paragraph.
  assert.equal(pairs[0].group, pairs[1].group);
  assert.notEqual(pairs[0].group, pairs[2].group);
  assert.equal(pairs[2].group, "baz");
  const capped = debianDescriptionPairs(TRANSLATION, "T", {
    sources: sourcePackages(PACKAGES),
    maxPerGroup: 1,
  });
  assert.deepEqual(capped.map((p) => p.query), [
    "frobnicate files quickly",
    "a baz utility for testing groups",
  ]);
});

Deno.test("sourcePackages maps binaries to source names without versions", () => {
  assert.deepEqual([...sourcePackages(PACKAGES)], [["foo", "foo"], ["foo-doc", "foo-docs"], [
    "baz",
    "baz",
  ]]);
});

Deno.test("malformed deb822 input names the file and line", () => {
  assert.throws(
    () => parseStanzas("Package: a\nno colon here\n", "Translation-en"),
    /Translation-en:2: expected "Field: value"/,
  );
  assert.throws(
    () => parseStanzas(" continuation\n", "T"),
    /T:1: continuation line outside a stanza/,
  );
  assert.throws(
    () => debianDescriptionPairs("Package: a\nDescription-md5: 1\n", "T"),
    /T:1: stanza without/,
  );
});
