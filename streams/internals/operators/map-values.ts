import { stateless } from './base.js'

export const kstreamMapValues = (mapper: (key: unknown, value: unknown) => unknown) =>
  stateless((ctx, r) => ctx.forward(r.withValue(mapper(r.key, r.value))))
