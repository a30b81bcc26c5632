import assert from "node:assert/strict";
import { join } from "node:path";
import {
  mailPair,
  parseMail,
  plainBody,
  spamAssassinPairs,
  threadSubject,
} from "../lib/data/sources/spam_assassin.ts";

const PLAIN = `From someone  Thu Aug 22 12:36:23 2002
Subject: Re: [zzzzteana] Nothing like
 mama used to make
Content-Type: text/plain; charset=US-ASCII

> quoted text that is not the author's
Isn't it just basically a mixture of beaten egg and bacon?
--
-- 
Martin's signature
`;

const MULTIPART = `Subject: Fwd: hello there
Content-Type: multipart/alternative; boundary="XYZ"

preamble
--XYZ
Content-Type: text/html

<p>html part</p>
--XYZ
Content-Type: text/plain

the plain part of this mail is here
--XYZ--
`;

Deno.test("mail headers unfold, thread subjects lose Re:/Fwd:/[list] tags", () => {
  const mail = parseMail(PLAIN);
  assert.equal(mail.headers.get("subject"), "Re: [zzzzteana] Nothing like mama used to make");
  assert.equal(threadSubject("Re: Fwd: [list] RE[2]: Hello  world"), "Hello world");
});

Deno.test("the plain body drops quotes and signatures; multipart takes text/plain", () => {
  assert.equal(
    plainBody(parseMail(PLAIN)),
    "Isn't it just basically a mixture of beaten egg and bacon? --",
  );
  assert.equal(plainBody(parseMail(MULTIPART)), "the plain part of this mail is here");
  assert.equal(plainBody(parseMail("Subject: x\nContent-Type: text/html\n\n<p>hi</p>")), null);
  assert.deepEqual(mailPair(MULTIPART), {
    query: "hello there",
    document: "the plain part of this mail is here",
    group: "thread:hello there",
  });
});

Deno.test("spamAssassinPairs reads the ham folders in name order; bad JSON names the file", async () => {
  const dir = await Deno.makeTempDir();
  for (const group of ["easy-ham-1", "easy-ham-2", "hard-ham-1"]) {
    await Deno.mkdir(join(dir, group));
  }
  await Deno.writeTextFile(join(dir, "easy-ham-1", "00002.json"), JSON.stringify({ text: PLAIN }));
  await Deno.writeTextFile(
    join(dir, "easy-ham-1", "00001.json"),
    JSON.stringify({ text: MULTIPART }),
  );
  const pairs = await spamAssassinPairs(dir);
  assert.deepEqual(pairs.map((p) => p.query), ["hello there", "Nothing like mama used to make"]);
  await Deno.writeTextFile(join(dir, "hard-ham-1", "00003.json"), '{"text": "trunc');
  await assert.rejects(spamAssassinPairs(dir), /hard-ham-1\/00003\.json: bad JSON/);
});
