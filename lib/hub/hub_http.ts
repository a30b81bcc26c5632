/**
 * HTTP to the Hugging Face Hub: the token, failures as a few words each, and a timeout
 * on silence (a stalled download otherwise waits forever; a slow one is fine).
 */

/** No answer came from the Hub at all (network down, refused, timed out). */
export class HubUnreachableError extends Error {}

/** What a GET sends besides the URL. */
export interface HubRequest {
  /** Named in the error when the request gets no answer. */
  endpoint: string;
  token?: string;
  /** Ask for the bytes from this offset on (`Range: bytes=N-`). */
  from?: number;
  signal?: AbortSignal;
}

/** GET `url`; a request that gets no answer throws {@link HubUnreachableError}. */
export async function hubGet(url: string, request: HubRequest): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.from) headers.Range = `bytes=${request.from}-`;
  try {
    return await fetch(url, { headers, signal: request.signal });
  } catch (error) {
    throw new HubUnreachableError(
      `cannot reach ${request.endpoint} (${failureReason(error)})`,
    );
  }
}

/** Why a request or a body read failed, in a few words ("connection refused"). */
export function failureReason(error: unknown): string {
  const cause = (error as Error)?.cause;
  const message = String(cause instanceof Error ? cause.message : (error as Error)?.message);
  if (/error reading a body/.test(message)) return "the connection was cut";
  return message.split(": ").pop()!.replace(/\s*\(os error \d+\)$/, "").toLowerCase();
}

/** An error answer in one line: status, and the Hub's own message when it sends one. */
export function httpProblem(response: Response): string {
  const detail = response.headers.get("x-error-message");
  const status = `${response.status} ${response.statusText}`.trim();
  return detail ? `${status}: ${detail}` : status;
}

/** A signal that aborts after `ms` milliseconds without a call to `touch`. */
export function silenceTimeout(ms: number): { signal: AbortSignal; touch(): void; stop(): void } {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`nothing received for ${ms / 1000} s`)),
      ms,
    );
  };
  touch();
  return { signal: controller.signal, touch, stop: () => clearTimeout(timer) };
}
