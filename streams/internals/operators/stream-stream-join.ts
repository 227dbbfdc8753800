// The two sides of a windowed stream-stream join. A record is stored in its
// side's window store and joined with the other side's records within the
// join window. For left/outer joins a record that never matched is emitted
// with null once its window has closed (stream time - grace > ts + window
// after it): found by checking the other store, so beyond the two stores only
// the "emitted up to" time of each side is kept, in a small logged store
// shared by both sides. The check runs before a record is stored (so retention
// cannot drop what it needs) and on stream-time punctuation (so idle-advanced
// time also closes windows).
import type { KeyValueStore, WindowStore } from '../../state/types.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { Record as StreamRecord } from '../../processor/record.js'
import { PunctuationType } from '../../processor/api.js'

export interface StreamJoinSpec {
  leftStore: string
  rightStore: string
  /** Right records join a left record at t when their time is in [t - beforeMs, t + afterMs]. */
  beforeMs: number
  afterMs: number
  graceMs: number
  joiner: (left: unknown, right: unknown) => unknown
  emitLeftUnmatched: boolean
  emitRightUnmatched: boolean
  /** Key-value store (string -> number) of the emitted-up-to times, for left/outer joins. */
  marksStore: string | null
}

export const kstreamKStreamJoin = (spec: StreamJoinSpec, isLeft: boolean) => (): AnyProcessor => {
  let ctx: Ctx
  let left: WindowStore<unknown, unknown>
  let right: WindowStore<unknown, unknown>
  let marks: KeyValueStore<string, number> | null = null

  const emitSide = (side: 'left' | 'right'): void => {
    const mine = side === 'left' ? left : right
    const other = side === 'left' ? right : left
    const ahead = side === 'left' ? spec.afterMs : spec.beforeMs
    const behind = side === 'left' ? spec.beforeMs : spec.afterMs
    const horizon = ctx.currentStreamTimeMs() - spec.graceMs - ahead - 1
    const done = marks!.get(side)
    if (done !== null && horizon <= done) return
    const from = done === null ? -Number.MAX_SAFE_INTEGER : done + 1
    marks!.put(side, horizon)
    for (const e of mine.fetchAll(from, horizon)) {
      const t = e.key.window.start
      if (other.fetch(e.key.key, t - behind, t + ahead).length > 0) continue
      const value = side === 'left' ? spec.joiner(e.value, null) : spec.joiner(null, e.value)
      ctx.forward(new StreamRecord(e.key.key, value, t))
    }
  }
  const emitClosed = (): void => {
    if (spec.emitLeftUnmatched) emitSide('left')
    if (spec.emitRightUnmatched) emitSide('right')
  }

  return {
    init(c: Ctx) {
      ctx = c
      left = ctx.getStateStore(spec.leftStore)
      right = ctx.getStateStore(spec.rightStore)
      if (spec.marksStore !== null) {
        marks = ctx.getStateStore<KeyValueStore<string, number>>(spec.marksStore)
        ctx.schedule(1, PunctuationType.STREAM_TIME, emitClosed)
      }
    },
    process(r) {
      if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
      const t = r.timestamp
      if (t < ctx.currentStreamTimeMs() - spec.beforeMs - spec.afterMs - spec.graceMs) return
      emitClosed()
      if (isLeft) {
        left.put(r.key, r.value, t)
        for (const e of right.fetch(r.key, t - spec.beforeMs, t + spec.afterMs))
          ctx.forward(r.withValue(spec.joiner(r.value, e.value)).withTimestamp(Math.max(t, e.key)))
      } else {
        right.put(r.key, r.value, t)
        for (const e of left.fetch(r.key, t - spec.afterMs, t + spec.beforeMs))
          ctx.forward(r.withValue(spec.joiner(e.value, r.value)).withTimestamp(Math.max(t, e.key)))
      }
    },
  }
}
