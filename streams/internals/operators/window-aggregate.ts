// Time-windowed aggregation (tumbling and hopping). Records whose windows have
// all closed (end <= stream time - grace) are dropped as late.
import type { WindowStore } from '../../state/types.js'
import type { TimeWindows } from '../../dsl/windows.js'
import type { AnyProcessor } from '../topology-builder.js'
import type { Ctx } from './base.js'
import { windowed } from '../../dsl/windowed.js'
import { change } from '../change.js'
import { forwardOnCacheFlush } from '../forwarding.js'

export const kstreamWindowAggregate =
  (storeName: string, windows: TimeWindows, step: (old: unknown, key: unknown, value: unknown) => unknown, log: (m: string) => void) =>
  (): AnyProcessor => {
    let ctx: Ctx
    let store: WindowStore<unknown, unknown>
    let cached = false
    return {
      init(c: Ctx) {
        ctx = c
        store = ctx.getStateStore(storeName)
        cached = forwardOnCacheFlush(ctx, store)
      },
      process(r) {
        if (r.key === null || r.key === undefined || r.value === null || r.value === undefined) return
        const closeTime = ctx.currentStreamTimeMs() - windows.graceMs
        let late = true
        for (const w of windows.windowsFor(r.timestamp)) {
          if (w.end <= closeTime) continue
          late = false
          const old = store.fetch(r.key, w.start)
          const agg = step(old, r.key, r.value)
          store.put(r.key, agg, w.start)
          if (!cached) ctx.forward(r.withKey(windowed(r.key, w.start, w.end)).withValue(change(agg, old)))
        }
        if (late) log(`Dropping late record at ${r.timestamp} (stream time ${ctx.currentStreamTimeMs()}, grace ${windows.graceMs}) in ${storeName}`)
      },
    }
  }
