// KGroupedTable aggregation: subtract the old value, add the new one.
import type { KeyValueStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'
import { TimestampedForwarder } from '../forwarding.js'

export const ktableAggregate =
  (
    storeName: string,
    initializer: (() => unknown) | null,
    adder: (key: unknown, value: unknown, agg: unknown) => unknown,
    subtractor: (key: unknown, value: unknown, agg: unknown) => unknown,
  ) =>
  (): AnyProcessor => {
    let store: KeyValueStore<unknown, unknown>
    let fwd: TimestampedForwarder<unknown, unknown>
    return {
      init(ctx: Ctx) {
        store = ctx.getStateStore(storeName)
        fwd = new TimestampedForwarder(ctx, store)
      },
      process(r) {
        if (r.key === null || r.key === undefined) return
        const ch = r.value as Change<unknown>
        const old = store.get(r.key)
        let agg: unknown = old
        if (ch.oldValue !== null && ch.oldValue !== undefined && agg !== null) agg = subtractor(r.key, ch.oldValue, agg)
        if (ch.newValue !== null && ch.newValue !== undefined) {
          if (agg === null) agg = initializer === null ? ch.newValue : adder(r.key, ch.newValue, initializer())
          else agg = adder(r.key, ch.newValue, agg)
        }
        // reduce without initializer: a group emptied by subtraction keeps its last value in Kafka too
        store.put(r.key, agg)
        fwd.maybeForward(r, agg, old)
      },
    }
  }
