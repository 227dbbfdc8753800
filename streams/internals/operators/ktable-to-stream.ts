import type { Change } from '../change.js'
import { stateless } from './base.js'

/** A table's changes as a stream of new values (null = deletion); an optional key mapper. */
export const ktableToStream = (keyMapper: ((key: unknown, value: unknown) => unknown) | null) =>
  stateless((ctx, r) => {
    const v = (r.value as Change<unknown>).newValue
    ctx.forward(keyMapper === null ? r.withValue(v) : r.withKey(keyMapper(r.key, v)).withValue(v))
  })
