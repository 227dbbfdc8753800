import type { KeyValue } from '../../state/types.js'
import { stateless } from './base.js'

export const kstreamFlatMap = (mapper: (key: unknown, value: unknown) => Iterable<KeyValue<unknown, unknown>>) =>
  stateless((ctx, r) => {
    for (const kv of mapper(r.key, r.value)) ctx.forward(r.withKey(kv.key).withValue(kv.value))
  })
