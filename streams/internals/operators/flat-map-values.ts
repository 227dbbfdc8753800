import { inline } from './base.js'

export const kstreamFlatMapValues = (mapper: (key: unknown, value: unknown) => Iterable<unknown>) =>
  inline((emit) => (k, v, ts, h) => {
    const out = mapper(k, v)
    // Arrays (what mappers mostly return) without an iterator object.
    if (Array.isArray(out)) for (let i = 0; i < out.length; i++) emit(k, out[i], ts, h)
    else for (const x of out) emit(k, x, ts, h)
  })
