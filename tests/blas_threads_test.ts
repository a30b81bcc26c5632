import assert from "node:assert/strict";
import { join } from "node:path";
import { openBlas, OPENBLAS_PATHS } from "../lib/compute/openblas_ffi.ts";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { ProcessLock } from "../lib/util/process_lock.ts";
import type { Job } from "./blas_threads_worker.ts";

const blas = openBlas();
const needsBlas = { ignore: blas === null };

function worker(job: Job): Promise<Record<string, number>> {
  const thread = new Worker(new URL("./blas_threads_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise((resolve, reject) => {
    thread.onmessage = ({ data }) => {
      thread.terminate();
      resolve(data);
    };
    thread.onerror = (event) => {
      event.preventDefault();
      thread.terminate();
      reject(new Error(event.message));
    };
    thread.postMessage(job);
  });
}

async function* sources(dir: string): AsyncIterable<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("OpenBLAS's thread count is set in one file only", async () => {
  const setters: string[] = [];
  for (const dir of ["lib", "bench", "cli"]) {
    for await (const path of sources(join(REPO_ROOT, dir))) {
      if (/openblas_set_num_threads\(/.test(await Deno.readTextFile(path))) {
        setters.push(path.slice(REPO_ROOT.length + 1));
      }
    }
  }
  assert.deepEqual(setters, ["lib/compute/blas_threads.ts"]);
});

Deno.test("OpenBLAS's count rests at 1 and a threaded product puts it back", needsBlas, () => {
  const library = Deno.dlopen(blas!.path, {
    openblas_get_num_threads: { parameters: [], result: "i32" },
  });
  try {
    assert.equal(library.symbols.openblas_get_num_threads(), 1);
    assert.ok(blas!.limit >= 1 && blas!.limit <= navigator.hardwareConcurrency * 4);
    const size = 256;
    const a = new Float32Array(size * size).fill(1);
    const c = new Float32Array(size * size);
    let inside = 0;
    blas!.withThreads(blas!.limit, () => {
      blas!.sgemm({ a, b: a, c, m: size, n: size, k: size });
      inside = library.symbols.openblas_get_num_threads();
    });
    assert.equal(inside, blas!.limit);
    assert.equal(c[0], size);
    assert.equal(library.symbols.openblas_get_num_threads(), 1);
    assert.throws(() => blas!.setThreads(0), /threads must be an integer from 1 to/);
  } finally {
    library.close();
  }
  assert.ok(OPENBLAS_PATHS.length > 0);
});

Deno.test(
  "OpenBLAS stays loaded after the thread that loaded it ends, its count at rest",
  needsBlas,
  async () => {
    // A fresh process: a Worker loads OpenBLAS and ends (closing its handle), then the main
    // thread looks at the process's mappings and loads the library itself.
    const worker = new URL("./blas_threads_worker.ts", import.meta.url).href;
    const ffi = new URL("../lib/compute/openblas_ffi.ts", import.meta.url).href;
    const program = `
      import { openBlas } from "${ffi}";
      const thread = new Worker("${worker}", { type: "module" });
      await new Promise((done) => { thread.onmessage = done; thread.postMessage({ products: 2, size: 8 }); });
      thread.terminate();
      await new Promise((done) => setTimeout(done, 200));
      const mapped = Deno.readTextFileSync("/proc/self/maps").includes("libopenblas");
      const blas = openBlas();
      const count = Deno.dlopen(blas.path, {
        openblas_get_num_threads: { parameters: [], result: "i32" },
      }).symbols.openblas_get_num_threads();
      console.log(JSON.stringify({ mapped, count }));
    `;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", program],
      cwd: REPO_ROOT,
      stderr: "inherit",
    }).output();
    const seen = JSON.parse(new TextDecoder().decode(output.stdout));
    const hasProc = await Deno.stat("/proc/self/maps").then(() => true, () => false);
    assert.deepEqual(seen, { mapped: hasProc, count: 1 });
  },
);

Deno.test(
  "threaded and one-thread products from four threads at once: all right, none stuck",
  needsBlas,
  async () => {
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => worker({ products: 120, size: 192 })),
    );
    assert.deepEqual(results, [{ wrong: 0 }, { wrong: 0 }, { wrong: 0 }, { wrong: 0 }]);
  },
);

Deno.test("a process lock held exclusively by one thread holds off the others", async () => {
  const lock = new ProcessLock("blas-threads-test");
  const asking = new SharedArrayBuffer(4);
  let released = 0;
  const acquired = lock.exclusive(() => {
    const waiting = worker({ lock: "blas-threads-test", asking });
    const giveUp = Date.now() + 30_000;
    while (Atomics.load(new Int32Array(asking), 0) === 0 && Date.now() < giveUp) {
      // The worker is starting; it asks for the lock next.
    }
    const until = Date.now() + 200;
    while (Date.now() < until) {
      // Hold the lock while the worker waits for it.
    }
    released = Date.now();
    return waiting;
  });
  assert.ok((await acquired).acquired >= released, "the worker got the lock after its release");
  assert.equal(lock.exclusive((text) => text.read()), "");
});
