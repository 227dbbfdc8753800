import { stateless } from './base.js'

export const kstreamFlatMapValues = (mapper: (key: unknown, value: unknown) => Iterable<unknown>) =>
  stateless((ctx, r) => {
    for (const v of mapper(r.key, r.value)) ctx.forward(r.withValue(v))
  })
