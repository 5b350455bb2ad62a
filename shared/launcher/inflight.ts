/**
 * The instance's in-flight body budget (issue 30): the bytes of every request body being read or held until
 * its answer, bounded per process, not per request. A request is admitted only if its declared
 * Content-Length (or, without one, the function's whole body limit) still fits; otherwise 503 server.busy
 * before a byte is read, so a burst of large bodies meets a refusal with Retry-After, not the memory limit.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Reserves `bytes`; the release to call once the answer is done, or undefined when it does not fit. */
  reserve(bytes: number): (() => void) | undefined {
    if (this.used + bytes > this.limit) return undefined;
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }

  /** Bytes reserved now. */
  inUse(): number {
    return this.used;
  }
}
