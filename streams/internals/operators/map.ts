import type { KeyValue } from '../../state/types.js'
import { stateless } from './base.js'

export const kstreamMap = (mapper: (key: unknown, value: unknown) => KeyValue<unknown, unknown>) =>
  stateless((ctx, r) => {
    const kv = mapper(r.key, r.value)
    ctx.forward(r.withKey(kv.key).withValue(kv.value))
  })
