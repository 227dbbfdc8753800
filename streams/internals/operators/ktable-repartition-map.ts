// KTable groupBy: each change becomes a subtraction from the old group and an
// addition to the new one, as two records (they may go to different partitions).
import type { KeyValue } from '../../state/types.js'
import type { Change } from '../change.js'
import { stateless } from './base.js'

export const ktableRepartitionMap = (selector: (key: unknown, value: unknown) => KeyValue<unknown, unknown>) =>
  stateless((ctx, r) => {
    const ch = r.value as Change<unknown>
    if (ch.oldValue !== null && ch.oldValue !== undefined) {
      const kv = selector(r.key, ch.oldValue)
      ctx.forward(r.withKey(kv.key).withValue({ newValue: null, oldValue: kv.value }))
    }
    if (ch.newValue !== null && ch.newValue !== undefined) {
      const kv = selector(r.key, ch.newValue)
      ctx.forward(r.withKey(kv.key).withValue({ newValue: kv.value, oldValue: null }))
    }
  })
