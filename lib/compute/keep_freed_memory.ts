/**
 * Keeping freed memory in the process, for TensorFlow's CPU tensors.
 *
 * TensorFlow allocates every tensor with the C library's malloc. glibc serves a block over 32
 * MiB (a 30,522 x 384 embedding gradient or optimizer temporary is 45 MiB) with a fresh `mmap`
 * and gives it back to the system when freed, so the next one faults in every page again:
 * on this machine about 11,500 page faults an AdamW update, and updates that took 140 or 400
 * ms by chance. Asking glibc to serve every block from one heap (a thread's own heap goes back
 * to the system when it empties) and to keep what is freed makes those pages reused instead.
 * Arithmetic is unchanged: only where memory comes from.
 */

// mallopt's parameter numbers (glibc's malloc.h).
const M_TRIM_THRESHOLD = -1;
const M_MMAP_MAX = -4;
const M_ARENA_MAX = -8;
const INT_MAX = 2 ** 31 - 1;

/**
 * On glibc, stop malloc from mapping large blocks, from trimming its heap and from giving
 * threads heaps of their own; elsewhere (no libc.so.6) do nothing. Returns whether all took.
 */
export function keepFreedMemory(): boolean {
  let libc;
  try {
    libc = Deno.dlopen("libc.so.6", { mallopt: { parameters: ["i32", "i32"], result: "i32" } });
  } catch {
    return false; // not glibc: its allocator has its own policy
  }
  try {
    const mapped = libc.symbols.mallopt(M_MMAP_MAX, 0);
    const trimmed = libc.symbols.mallopt(M_TRIM_THRESHOLD, INT_MAX);
    const oneArena = libc.symbols.mallopt(M_ARENA_MAX, 1);
    return mapped === 1 && trimmed === 1 && oneArena === 1;
  } finally {
    libc.close(); // the C library itself is never unloaded; the settings stay
  }
}
