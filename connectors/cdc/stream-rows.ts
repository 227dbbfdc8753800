// Takes rows from an object-mode Readable (a driver's streaming query) in bulk: every row already
// buffered is taken synchronously, and the caller waits only when the buffer is empty, not once
// per row as an async iterator does (a promise and a microtask turn per row).
import type { Readable } from 'node:stream'

/**
 * Hands up to `max` rows to onRow; resolves with the number taken, which is below `max` only
 * when the stream ended (a later call then takes 0).
 */
export async function takeRows<T>(stream: Readable, max: number, onRow: (row: T) => void): Promise<number> {
  let taken = 0
  while (taken < max) {
    const row = stream.read() as T | null
    if (row !== null) {
      onRow(row)
      taken++
      continue
    }
    if (stream.errored !== null) throw stream.errored
    if (stream.readableEnded) return taken
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        stream.off('readable', done)
        stream.off('end', done)
        stream.off('close', done)
        stream.off('error', failed)
        resolve()
      }
      const failed = (err: Error): void => {
        done()
        reject(err)
      }
      stream.once('readable', done)
      stream.once('end', done)
      stream.once('close', done)
      stream.once('error', failed)
    })
  }
  return taken
}
