// Materializes a changelog stream into a table: put, then forward the change.
import type { KeyValueStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { TimestampedForwarder } from '../forwarding.js'

export const ktableSource = (storeName: string, forward = true) => (): AnyProcessor => {
  let store: KeyValueStore<unknown, unknown>
  let fwd: TimestampedForwarder<unknown, unknown> | null = null
  return {
    init(ctx: Ctx) {
      store = ctx.getStateStore(storeName)
      if (forward) fwd = new TimestampedForwarder(ctx, store)
    },
    process(r) {
      if (r.key === null || r.key === undefined) return
      const old = fwd === null ? null : store.get(r.key)
      store.put(r.key, r.value ?? null)
      fwd?.maybeForward(r, r.value ?? null, old)
    },
  }
}
