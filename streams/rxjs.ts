// rxjs interop, the other direction from KStream.asObservable: an Observable feeds a topic.
import type { Observable, Subscription } from 'rxjs'
import type { Producer, RecordMetadata } from '../core/client/types.js'
import type { Serde } from './serdes.js'

export interface ObservableToTopicOptions<K, V> {
  topic: string
  keySerde: Serde<K>
  valueSerde: Serde<V>
  /** The key of each item; null keys when absent. */
  key?: (value: V) => K | null
  /** The record timestamp of each item; now when absent. */
  timestamp?: (value: V) => number
}

/**
 * Sends every item of `source` to a topic through `producer` (any client). Resolves with the
 * number of records once the Observable completed and every send was acknowledged; rejects on the
 * Observable's error or the first failed send (and stops listening).
 */
export function observableToTopic<K, V>(source: Observable<V>, producer: Producer, options: ObservableToTopicOptions<K, V>): Promise<number> {
  const { topic, keySerde, valueSerde } = options
  return new Promise((resolve, reject) => {
    const sends: Promise<RecordMetadata>[] = []
    let failed = false
    // Set once subscribe returns; a source may fail synchronously before that.
    const held: { sub?: Subscription } = {}
    const fail = (err: unknown): void => {
      if (failed) return
      failed = true
      held.sub?.unsubscribe()
      reject(err)
    }
    const sub = source.subscribe({
      next: (value) => {
        const key = options.key ? options.key(value) : null
        const send = producer.send({
          topic,
          key: key === null ? null : keySerde.serialize(topic, key),
          value: valueSerde.serialize(topic, value),
          ...(options.timestamp ? { timestamp: options.timestamp(value) } : {}),
        })
        send.catch(fail)
        sends.push(send)
      },
      error: fail,
      complete: () => {
        Promise.all(sends).then(() => resolve(sends.length), fail)
      },
    })
    held.sub = sub
    if (failed) sub.unsubscribe()
  })
}
