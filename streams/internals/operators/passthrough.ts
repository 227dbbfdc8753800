import { inline } from './base.js'

/** Merge nodes and repartition-free hops. */
export const passthrough = () => inline((emit) => emit)

/** Drops null keys before a repartition topic: they cannot be partitioned. */
export const dropNullKeys = () =>
  inline((emit) => (k, v, ts, h) => {
    if (k !== null && k !== undefined) emit(k, v, ts, h)
  })
