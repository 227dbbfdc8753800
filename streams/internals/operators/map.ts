import type { KeyValue } from '../../state/types.js'
import { inline } from './base.js'

export const kstreamMap = (mapper: (key: unknown, value: unknown) => KeyValue<unknown, unknown>) =>
  inline((emit) => (k, v, ts, h) => {
    const kv = mapper(k, v)
    emit(kv.key, kv.value, ts, h)
  })
