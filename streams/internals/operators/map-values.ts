import { inline } from './base.js'

export const kstreamMapValues = (mapper: (key: unknown, value: unknown) => unknown) => inline((emit) => (k, v, ts, h) => emit(k, mapper(k, v), ts, h))
