// Foreign-key table join, executed within one task: a left change looks up
// the right row by its extracted foreign key; a right change rescans the left
// store for rows pointing at it. Correct when both tables live in one task
// (single partition, the test driver); the subscription/response topics Kafka
// uses to spread it over partitions are not built yet.
import type { KeyValueStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { ValueGetterSupplier } from '../value-getter.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'

export const fkJoinLeft =
  (rightGetter: ValueGetterSupplier<unknown, unknown>, fk: (v: unknown) => unknown, joiner: (l: unknown, r: unknown) => unknown, left: boolean) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let get: (k: unknown) => unknown
    const join = (v: unknown): unknown => {
      if (v === null || v === undefined) return null
      const key = fk(v)
      const rv = key === null || key === undefined ? null : get(key)
      return rv === null && !left ? null : joiner(v, rv)
    }
    return {
      init(c: Ctx) {
        ctx = c
        get = rightGetter.init(ctx)
      },
      process(r) {
        const ch = r.value as Change<unknown>
        const nv = join(ch.newValue)
        const ov = join(ch.oldValue)
        if (nv === null && ov === null) return
        ctx.forward(r.withValue({ newValue: nv, oldValue: ov }))
      },
    }
  }

export const fkJoinRight =
  (leftStore: string, fk: (v: unknown) => unknown, joiner: (l: unknown, r: unknown) => unknown, left: boolean) => (): AnyProcessor => {
    let ctx: Ctx
    let store: KeyValueStore<unknown, unknown>
    const keyId = (k: unknown): string => JSON.stringify(k)
    return {
      init(c: Ctx) {
        ctx = c
        store = ctx.getStateStore(leftStore)
      },
      process(r) {
        const ch = r.value as Change<unknown>
        const id = keyId(r.key)
        for (const e of store.all()) {
          if (keyId(fk(e.value)) !== id) continue
          const nv = ch.newValue === null ? (left ? joiner(e.value, null) : null) : joiner(e.value, ch.newValue)
          const ov = ch.oldValue === null ? (left ? joiner(e.value, null) : null) : joiner(e.value, ch.oldValue)
          if (nv === null && ov === null) continue
          ctx.forward(r.withKey(e.key).withValue({ newValue: nv, oldValue: ov }))
        }
      },
    }
  }
