import { inline } from './base.js'

export const kstreamSelectKey = (mapper: (key: unknown, value: unknown) => unknown) => inline((emit) => (k, v, ts, h) => emit(mapper(k, v), v, ts, h))
