import type { Change } from '../change.js'
import { inline } from './base.js'

/** A table's changes as a stream of new values (null = deletion); an optional key mapper. */
export const ktableToStream = (keyMapper: ((key: unknown, value: unknown) => unknown) | null) =>
  inline((emit) => (k, change, ts, h) => {
    const v = (change as Change<unknown>).newValue
    emit(keyMapper === null ? k : keyMapper(k, v), v, ts, h)
  })
