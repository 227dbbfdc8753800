import type { KeyValue } from '../../state/types.js'
import { inline } from './base.js'

export const kstreamFlatMap = (mapper: (key: unknown, value: unknown) => Iterable<KeyValue<unknown, unknown>>) =>
  inline((emit) => (k, v, ts, h) => {
    for (const kv of mapper(k, v)) emit(kv.key, kv.value, ts, h)
  })
