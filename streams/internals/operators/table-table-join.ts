// One side of a KTable-KTable join: a change on this side is joined with the
// other side's current value; inner/left/outer decide when null sides count.
import type { AnyProcessor } from '../topology-builder.js'
import type { ValueGetterSupplier } from '../value-getter.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'
import type { KeyValueStore } from '../../state/types.js'
import { TimestampedForwarder } from '../forwarding.js'

export type TableJoinKind = 'inner' | 'left' | 'outer'

/** `thisIsLeft`: whether this processor sits on the left table; the joiner always gets (left, right). */
export function tableJoinValue(kind: TableJoinKind, left: unknown, right: unknown, joiner: (l: unknown, r: unknown) => unknown): unknown {
  const l = left ?? null
  const r = right ?? null
  if (kind === 'inner') return l !== null && r !== null ? joiner(l, r) : null
  if (kind === 'left') return l !== null ? joiner(l, r) : null
  return l !== null || r !== null ? joiner(l, r) : null
}

export const ktableKTableJoin =
  (
    kind: TableJoinKind,
    thisIsLeft: boolean,
    otherGetter: ValueGetterSupplier<unknown, unknown>,
    joiner: (l: unknown, r: unknown) => unknown,
    storeName: string | null,
  ) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let get: (key: unknown) => unknown
    let store: KeyValueStore<unknown, unknown> | null = null
    let fwd: TimestampedForwarder<unknown, unknown> | null = null
    const join = (mine: unknown, theirs: unknown): unknown =>
      thisIsLeft ? tableJoinValue(kind, mine, theirs, joiner) : tableJoinValue(kind, theirs, mine, joiner)
    return {
      init(c: Ctx) {
        ctx = c
        get = otherGetter.init(ctx)
        if (storeName !== null) {
          store = ctx.getStateStore<KeyValueStore<unknown, unknown>>(storeName)
          fwd = new TimestampedForwarder(ctx, store!)
        }
      },
      process(r) {
        if (r.key === null || r.key === undefined) return
        const ch = r.value as Change<unknown>
        const theirs = get(r.key)
        const nv = join(ch.newValue, theirs)
        const ov = join(ch.oldValue, theirs)
        if (nv === null && ov === null) return
        if (store !== null) {
          const old = store.get(r.key)
          store.put(r.key, nv)
          fwd!.maybeForward(r, nv, old)
        } else ctx.forward(r.withValue({ newValue: nv, oldValue: ov }))
      },
    }
  }
