// Suppression: holds the latest change of each key in a buffer (a logged
// store, so it survives restarts) and emits it when its time comes: for
// untilWindowCloses when stream time >= window end + grace, for untilTimeLimit
// when stream time >= first buffered time + limit. Evicts on every record and
// on stream-time punctuation, so idle-advanced stream time also closes windows.
import type { KeyValueStore } from '../../state/types.js'
import type { Suppressed } from '../../dsl/windows.js'
import type { Windowed } from '../../dsl/windowed.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Change } from '../change.js'
import type { Ctx } from './base.js'
import { PunctuationType } from '../../processor/api.js'
import { Record as StreamRecord } from '../../processor/record.js'
import { StreamsException } from '../../errors.js'
import { MeteredSessionStore, MeteredWindowStore } from '../../state/metered.js'
import { change } from '../change.js'

interface Buffered {
  key: unknown
  value: unknown
  timestamp: number
  due: number
}

/**
 * `upstreamStore`: the windowed aggregation's store when suppression follows it directly; before
 * emitting closed windows its cache writes out (and forwards here) their pending updates.
 */
export const ktableSuppress = (storeName: string, suppressed: Suppressed, graceMs: number, upstreamStore: string | null = null) => (): AnyProcessor => {
  let ctx: Ctx
  let store: KeyValueStore<unknown, { value: unknown; timestamp: number }>
  let upstream: MeteredWindowStore<unknown, unknown> | MeteredSessionStore<unknown, unknown> | null = null
  let flushingUpstream = false
  const buffer = new Map<string, Buffered>()
  const id = (key: unknown): string => JSON.stringify(key)
  const dueTime = (key: unknown, timestamp: number): number =>
    suppressed.kind === 'untilWindowCloses' ? (key as Windowed<unknown>).window.end + graceMs : timestamp + suppressed.timeLimitMs
  const emit = (b: Buffered): void => {
    buffer.delete(id(b.key))
    store.delete(b.key)
    ctx.forward(new StreamRecord(b.key, change(b.value, null), b.timestamp))
  }
  const evict = (): void => {
    const now = ctx.currentStreamTimeMs()
    if (upstream !== null && !flushingUpstream) {
      flushingUpstream = true
      try {
        upstream.flushWindowsEndingBy(now - graceMs)
      } finally {
        flushingUpstream = false
      }
    }
    const due = [...buffer.values()].filter((b) => b.due <= now).sort((a, b) => a.due - b.due)
    for (const b of due) emit(b)
  }
  return {
    init(c: Ctx) {
      ctx = c
      store = ctx.getStateStore(storeName)
      if (upstreamStore !== null) {
        const s = ctx.getStateStore(upstreamStore)
        if (s instanceof MeteredWindowStore || s instanceof MeteredSessionStore) upstream = s as MeteredWindowStore<unknown, unknown> | MeteredSessionStore<unknown, unknown>
      }
      for (const e of store.all()) buffer.set(id(e.key), { key: e.key, value: e.value.value, timestamp: e.value.timestamp, due: dueTime(e.key, e.value.timestamp) })
      ctx.schedule(1, PunctuationType.STREAM_TIME, () => evict())
    },
    process(r) {
      const ch = r.value as Change<unknown>
      const k = id(r.key)
      const prev = buffer.get(k)
      if (suppressed.kind === 'untilWindowCloses' && (r.key as Windowed<unknown> | null)?.window === undefined)
        throw new StreamsException(`suppress untilWindowCloses on ${storeName} needs a windowed table`)
      const b: Buffered = { key: r.key, value: ch.newValue, timestamp: r.timestamp, due: prev?.due ?? dueTime(r.key, r.timestamp) }
      buffer.set(k, b)
      store.put(r.key, { value: b.value, timestamp: b.timestamp })
      evict()
      const full = buffer.size > suppressed.buffer.maxRecords
      if (full) {
        if (suppressed.buffer.whenFull === 'shutDown') throw new StreamsException(`Suppression buffer ${storeName} is full (${buffer.size} records)`)
        const oldest = [...buffer.values()].sort((a, b2) => a.due - b2.due)[0]
        if (oldest !== undefined) emit(oldest)
      }
    },
  }
}
