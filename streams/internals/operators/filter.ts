import { stateless } from './base.js'

export const kstreamFilter = (predicate: (key: unknown, value: unknown) => boolean, not: boolean) =>
  stateless((ctx, r) => {
    if (predicate(r.key, r.value) !== not) ctx.forward(r)
  })
