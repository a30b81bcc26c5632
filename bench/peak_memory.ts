/** Peak resident memory of a benchmark, read where the operating system keeps it. */

/**
 * This process's peak resident set in bytes: Linux's high-water mark (VmHWM), which sees
 * short spikes that sampling would miss; the current resident set elsewhere.
 */
export function peakResidentBytes(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kilobytes = status.match(/^VmHWM:\s+(\d+) kB$/m)?.[1];
    if (kilobytes) return Number(kilobytes) * 1024;
  } catch {
    // Not Linux, or no read permission: fall through to the current value.
  }
  return Deno.memoryUsage().rss;
}
