// Forwarding of KTable updates from a store: straight away when the store has
// no cache, otherwise when the cache flushes (which thins repeated updates).
import type { ProcessorContext } from '../processor/api.js'
import type { KeyValueStore, SessionStore, WindowStore } from '../state/types.js'
import { Record as StreamRecord } from '../processor/record.js'
import { MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore } from '../state/metered.js'
import { change } from './change.js'

export class TimestampedForwarder<K, V> {
  private readonly cached: boolean
  constructor(
    private readonly ctx: ProcessorContext<unknown, unknown>,
    store: KeyValueStore<K, V>,
  ) {
    this.cached =
      store instanceof MeteredKeyValueStore &&
      (store as MeteredKeyValueStore<K, V>).setFlushListener((key, newValue, oldValue, timestamp) =>
        ctx.forward(new StreamRecord(key, change(newValue, oldValue), timestamp)),
      )
  }

  maybeForward(record: StreamRecord<K, unknown>, newValue: V | null, oldValue: V | null): void {
    if (!this.cached) this.ctx.forward(record.withValue(change(newValue, oldValue)))
  }
}

/**
 * Windowed aggregations: when their store caches, forwards each update as the cache writes it
 * below (at commit or eviction) and returns true; false means the caller forwards by itself.
 */
export function forwardOnCacheFlush(ctx: ProcessorContext<unknown, unknown>, store: WindowStore<unknown, unknown> | SessionStore<unknown, unknown>): boolean {
  if (!(store instanceof MeteredWindowStore || store instanceof MeteredSessionStore)) return false
  return (store as MeteredWindowStore<unknown, unknown> | MeteredSessionStore<unknown, unknown>).setFlushListener((key, newValue, oldValue, timestamp) =>
    ctx.forward(new StreamRecord(key, change(newValue, oldValue), timestamp)),
  )
}
