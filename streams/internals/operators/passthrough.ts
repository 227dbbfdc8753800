import { stateless } from './base.js'

/** Merge nodes and repartition-free hops. */
export const passthrough = () => stateless((ctx, r) => ctx.forward(r))

/** Drops null keys before a repartition topic: they cannot be partitioned. */
export const dropNullKeys = () =>
  stateless((ctx, r) => {
    if (r.key !== null && r.key !== undefined) ctx.forward(r)
  })
