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
