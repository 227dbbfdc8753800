// KGroupedStream aggregation (count, reduce, aggregate): one row per key.
import type { Aggregator, Initializer } from '../../dsl/callbacks.js'
import type { KeyValueStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { TimestampedForwarder } from '../forwarding.js'

/** aggregate()'s step: the aggregator applied to the old aggregate, or to the initializer's value for a key's first record. */
export const aggregateStep =
  (init: Initializer<unknown>, agg: Aggregator<unknown, unknown, unknown>) =>
  (old: unknown, key: unknown, value: unknown): unknown =>
    agg(key, value, old === null ? init() : old)

/** `step(old, key, value)` returns the new aggregate; old is null for the first value of a key. */
export const kstreamAggregate =
  (storeName: string, step: (old: unknown, key: unknown, value: unknown) => unknown) => (): AnyProcessor => {
    let store: KeyValueStore<unknown, unknown>
    let fwd: TimestampedForwarder<unknown, unknown>
    return {
      init(ctx: Ctx) {
        store = ctx.getStateStore(storeName)
        fwd = new TimestampedForwarder(ctx, store)
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
        const old = store.get(r.key)
        const agg = step(old, r.key, r.value)
        store.put(r.key, agg)
        fwd.maybeForward(r, agg, old)
      },
    }
  }
