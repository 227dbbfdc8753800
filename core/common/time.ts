// Clock and timers, injectable so tests can drive time.

export interface Time {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Looks the globals up on each call, so vitest's fake timers apply. */
export const systemTime: Time = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as Parameters<typeof clearTimeout>[0]),
}

/** Resolves after `ms`, or at once when the signal aborts (a poll loop's wait between fetches). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve()
      return
    }
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done)
  })
}

/**
 * Turns of the event loop for a loop that may run on promise callbacks alone (the embedded log
 * and SQLite answer synchronously): without them no timer fires and no socket is read until the
 * loop is done. take() gives the event loop a turn (setImmediate) when `everyMs` have passed
 * since the last one, and resolves at once otherwise.
 */
export class EventLoopTurns {
  private last = performance.now()

  constructor(private readonly everyMs: number) {}

  async take(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return
    await new Promise<void>((resolve) => setImmediate(resolve))
    this.last = performance.now()
  }
}
