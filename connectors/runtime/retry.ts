// Retries with exponential backoff for operations that fail with a RetriableException
// (a database that is unreachable). The delay doubles from 100 ms up to maxDelayMs; the
// wait ends early when the signal aborts.
import { sleepUnlessAborted } from '../../core/common/time.js'
import { RetriableException } from '../errors.js'

export interface RetryOptions {
  /** Total time to keep retrying; -1 forever. */
  timeoutMs: number
  maxDelayMs: number
  signal: AbortSignal
  onRetry(err: RetriableException, delayMs: number, attempt: number): void | Promise<void>
  /** Injected clock for tests. */
  now?: () => number
}

export async function withRetry<T>(op: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const now = opts.now ?? Date.now
  const start = now()
  let delay = 100
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (err) {
      if (!(err instanceof RetriableException) || opts.signal.aborted) throw err
      if (opts.timeoutMs >= 0 && now() - start + delay > opts.timeoutMs) throw err
      await opts.onRetry(err, delay, attempt)
      await sleepUnlessAborted(delay, opts.signal)
      delay = Math.min(delay * 2, opts.maxDelayMs)
    }
  }
}
