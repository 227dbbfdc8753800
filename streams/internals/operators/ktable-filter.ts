// KTable filter: values failing the predicate become deletions.
import type { KeyValueStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'
import { TimestampedForwarder } from '../forwarding.js'

export const ktableFilter = (predicate: (key: unknown, value: unknown) => boolean, not: boolean, storeName: string | null) => (): AnyProcessor => {
  let ctx: Ctx
  let store: KeyValueStore<unknown, unknown> | null = null
  let fwd: TimestampedForwarder<unknown, unknown> | null = null
  const apply = (k: unknown, v: unknown): unknown => (v === null || v === undefined ? null : predicate(k, v) !== not ? v : null)
  return {
    init(c: Ctx) {
      ctx = c
      if (storeName !== null) {
        store = ctx.getStateStore<KeyValueStore<unknown, unknown>>(storeName)
        fwd = new TimestampedForwarder(ctx, store!)
      }
    },
    process(r) {
      const ch = r.value as Change<unknown>
      const nv = apply(r.key, ch.newValue)
      const ov = apply(r.key, ch.oldValue)
      if (nv === null && ov === null) return
      if (store !== null) {
        const old = store.get(r.key)
        store.put(r.key, nv)
        fwd!.maybeForward(r, nv, old)
      } else ctx.forward(r.withValue({ newValue: nv, oldValue: ov }))
    },
  }
}
