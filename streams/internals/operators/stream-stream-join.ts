// One side of a windowed stream-stream join. Each record is stored in this
// side's window store and joined with the other side's records whose time is
// within the join window. For left/outer joins a record that never matched is
// emitted with null once its window has closed (stream time - grace > ts + after),
// found by checking the other store, so nothing besides the two stores is kept.
import type { WindowStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { Record as StreamRecord } from '../../processor/record.js'

export interface JoinSideSpec {
  thisStore: string
  otherStore: string
  /** Other records join when their time is in [ts - before, ts + after]. */
  beforeMs: number
  afterMs: number
  graceMs: number
  joiner: (thisValue: unknown, otherValue: unknown) => unknown
  /** Emit unmatched records of this side with a null other value. */
  emitUnmatched: boolean
}

export const kstreamKStreamJoin = (spec: JoinSideSpec) => (): AnyProcessor => {
  let ctx: Ctx
  let mine: WindowStore<unknown, unknown>
  let other: WindowStore<unknown, unknown>
  let emittedUpTo = -Infinity
  const emitClosed = (): void => {
    const horizon = ctx.currentStreamTimeMs() - spec.graceMs - spec.afterMs - 1
    if (horizon <= emittedUpTo) return
    const from = Number.isFinite(emittedUpTo) ? emittedUpTo + 1 : -Number.MAX_SAFE_INTEGER
    for (const e of mine.fetchAll(from, horizon)) {
      const t = e.key.window.start
      if (other.fetch(e.key.key, t - spec.beforeMs, t + spec.afterMs).length > 0) continue
      ctx.forward(new StreamRecord(e.key.key, spec.joiner(e.value, null), t))
    }
    emittedUpTo = horizon
  }
  return {
    init(c: Ctx) {
      ctx = c
      mine = ctx.getStateStore(spec.thisStore)
      other = ctx.getStateStore(spec.otherStore)
    },
    process(r) {
      if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
      const t = r.timestamp
      if (t < ctx.currentStreamTimeMs() - spec.beforeMs - spec.afterMs - spec.graceMs) return
      mine.put(r.key, r.value, t)
      for (const e of other.fetch(r.key, t - spec.beforeMs, t + spec.afterMs)) {
        ctx.forward(r.withValue(spec.joiner(r.value, e.value)).withTimestamp(Math.max(t, e.key)))
      }
      if (spec.emitUnmatched) emitClosed()
    },
  }
}
