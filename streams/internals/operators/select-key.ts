import { stateless } from './base.js'

export const kstreamSelectKey = (mapper: (key: unknown, value: unknown) => unknown) =>
  stateless((ctx, r) => ctx.forward(r.withKey(mapper(r.key, r.value))))
