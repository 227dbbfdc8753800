import { inline } from './base.js'

export const kstreamFilter = (predicate: (key: unknown, value: unknown) => boolean, not: boolean) =>
  inline((emit) => (k, v, ts, h) => {
    if (predicate(k, v) !== not) emit(k, v, ts, h)
  })
