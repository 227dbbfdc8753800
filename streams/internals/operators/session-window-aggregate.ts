// Session-window aggregation: a record joins (and merges) every session of
// its key within the inactivity gap; merged-away sessions are deleted downstream.
import type { SessionStore } from '../../state/types.js'
import type { SessionWindows } from '../../dsl/windows.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { windowed } from '../../dsl/windowed.js'
import { change } from '../change.js'
import { forwardOnCacheFlush } from '../forwarding.js'

export const kstreamSessionWindowAggregate =
  (
    storeName: string,
    windows: SessionWindows,
    initializer: () => unknown,
    aggregator: (key: unknown, value: unknown, agg: unknown) => unknown,
    merger: (key: unknown, a: unknown, b: unknown) => unknown,
    log: (m: string) => void,
  ) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let store: SessionStore<unknown, unknown>
    let cached = false
    return {
      init(c: Ctx) {
        ctx = c
        store = ctx.getStateStore(storeName)
        cached = forwardOnCacheFlush(ctx, store)
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
        const t = r.timestamp
        const gap = windows.inactivityGapMs
        // A session can still grow for one gap after its end, so it closes at end + gap + grace (Kafka Streams 3.x).
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs - gap
        const overlapping = store.findSessions(r.key, t - gap, t + gap)
        let start = t
        let end = t
        let agg = initializer()
        for (const s of overlapping) {
          start = Math.min(start, s.key.window.start)
          end = Math.max(end, s.key.window.end)
          agg = merger(r.key, agg, s.value)
        }
        if (end < closeTime) {
          log(`Dropping late record at ${t} in ${storeName}`)
          return
        }
        agg = aggregator(r.key, r.value, agg)
        for (const s of overlapping) {
          if (s.key.window.start === start && s.key.window.end === end) continue
          store.remove(s.key)
          if (!cached) ctx.forward(r.withKey(s.key).withValue(change(null, s.value)))
        }
        const same = overlapping.find((s) => s.key.window.start === start && s.key.window.end === end)
        store.put(windowed(r.key, start, end), agg)
        if (!cached) ctx.forward(r.withKey(windowed(r.key, start, end)).withValue(change(agg, same?.value ?? null)))
      },
    }
  }
