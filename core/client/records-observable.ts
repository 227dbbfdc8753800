// A consumer's records as an rxjs Observable. Polling is pulled by the subscriber:
// the next poll starts only once the previous records were delivered, and with a
// `demand` stream (reactive-streams style request(n)) only as many records are
// emitted as were requested, so a slow asynchronous subscriber is never flooded.
import { Observable, type Subscription } from 'rxjs'
import type { ConsumerRecord, RecordsOptions } from './types.js'

export function recordsObservable(
  poll: (timeoutMs: number) => Promise<ConsumerRecord[]>,
  isClosed: () => boolean,
  options: RecordsOptions = {},
): Observable<ConsumerRecord> {
  const pollTimeoutMs = options.pollTimeoutMs ?? 1000
  return new Observable<ConsumerRecord>((subscriber) => {
    let stopped = false
    let credit = options.demand ? 0 : Infinity
    let wake: (() => void) | null = null
    let demandSub: Subscription | undefined
    if (options.demand) {
      demandSub = options.demand.subscribe({
        next: (n) => {
          credit += n
          wake?.()
        },
        error: (err: unknown) => subscriber.error(err),
      })
    }
    const waitForCredit = (): Promise<void> =>
      new Promise((resolve) => {
        wake = () => {
          wake = null
          resolve()
        }
      })
    const loop = async (): Promise<void> => {
      let buffer: ConsumerRecord[] = []
      let at = 0
      while (!stopped && !isClosed()) {
        if (at >= buffer.length) {
          buffer = await poll(pollTimeoutMs)
          at = 0
          // Let work scheduled by the last records run before more arrive.
          await new Promise<void>((resolve) => setImmediate(resolve))
          continue
        }
        if (credit <= 0) {
          await waitForCredit()
          continue
        }
        while (at < buffer.length && credit > 0 && !stopped) {
          credit--
          subscriber.next(buffer[at++]!)
        }
      }
      if (!stopped) subscriber.complete()
    }
    loop().catch((err: unknown) => subscriber.error(err))
    return () => {
      stopped = true
      demandSub?.unsubscribe()
      wake?.()
    }
  })
}
