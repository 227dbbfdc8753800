// Stream-table and stream-globaltable joins: each stream record looks up the
// table's current value; table updates do not trigger output.
import type { AnyProcessor } from '../topology-builder.js'
import type { ValueGetterSupplier } from '../value-getter.js'
import type { Ctx } from './base.js'

export const kstreamKTableJoin =
  (
    getter: ValueGetterSupplier<unknown, unknown>,
    keySelector: (key: unknown, value: unknown) => unknown,
    joiner: (value: unknown, tableValue: unknown) => unknown,
    left: boolean,
  ) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let get: (key: unknown) => unknown
    return {
      init(c: Ctx) {
        ctx = c
        get = getter.init(ctx)
      },
      process(r) {
        if (r.value === null || r.value === undefined) return
        const k = keySelector(r.key, r.value)
        if (k === null || k === undefined) {
          if (left) ctx.forward(r.withValue(joiner(r.value, null)))
          return
        }
        const tv = get(k)
        if (tv === null && !left) return
        ctx.forward(r.withValue(joiner(r.value, tv)))
      },
    }
  }
