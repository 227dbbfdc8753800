// Sliding-window aggregation. Windows [t - d, t] end at each record and
// windows [t + 1, t + 1 + d] start right after it; the records of each key are
// kept in a second window store so affected windows are recomputed exactly.
import type { WindowStore } from '../../state/types.js'
import type { SlidingWindows } from '../../dsl/windows.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { windowed } from '../../dsl/windowed.js'
import { change } from '../change.js'
import { forwardOnCacheFlush } from '../forwarding.js'
import type { MeteredWindowStore } from '../../state/metered.js'

export const kstreamSlidingWindowAggregate =
  (
    storeName: string,
    recordsStoreName: string,
    windows: SlidingWindows,
    initializer: () => unknown,
    aggregator: (key: unknown, value: unknown, agg: unknown) => unknown,
    log: (m: string) => void,
  ) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let store: WindowStore<unknown, unknown>
    let records: WindowStore<unknown, unknown>
    let cached = false
    const d = windows.timeDifferenceMs
    return {
      init(c: Ctx) {
        ctx = c
        store = ctx.getStateStore(storeName)
        records = ctx.getStateStore(recordsStoreName)
        cached = forwardOnCacheFlush(ctx, store)
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
        const t = r.timestamp
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs
        if (t + d < closeTime) {
          log(`Dropping late record at ${t} in ${storeName}`)
          return
        }
        records.put(r.key, r.value, t)
        const near = records.fetch(r.key, t - 2 * d - 1, t + 2 * d + 1)
        const starts = new Set<number>([t - d])
        for (const e of near) {
          if (e.key >= t && e.key <= t + d) starts.add(e.key - d)
          if (e.key >= t - d - 1 && e.key <= t - 1) starts.add(e.key + 1)
        }
        if (near.some((e) => e.key > t && e.key <= t + 1 + d)) starts.add(t + 1)
        for (const start of [...starts].sort((a, b) => a - b)) {
          const end = start + d
          if (end < closeTime || start < 0) continue
          const inside = near.filter((e) => e.key >= start && e.key <= end)
          if (inside.length === 0) continue
          let agg = initializer()
          for (const e of inside) agg = aggregator(r.key, e.value, agg)
          const old = store.fetch(r.key, start)
          // a window's result carries the time of its latest record, also when the cache forwards it
          const ts = Math.max(...inside.map((e) => e.key))
          if (cached) (store as MeteredWindowStore<unknown, unknown>).put(r.key, agg, start, ts)
          else {
            store.put(r.key, agg, start)
            ctx.forward(r.withKey(windowed(r.key, start, end)).withValue(change(agg, old)).withTimestamp(ts))
          }
        }
      },
    }
  }
