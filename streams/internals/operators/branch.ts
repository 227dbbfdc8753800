import { stateless } from './base.js'

/**
 * Sends each record to the first branch whose predicate matches, else to the default branch if
 * any. The split fills `spec` branch by branch while the topology is built.
 */
export const kstreamBranch = (spec: { readonly predicates: ReadonlyArray<(key: unknown, value: unknown) => boolean>; readonly children: readonly string[]; readonly defaultChild: string | null }) =>
  stateless((ctx, r) => {
    const { predicates, children } = spec
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(r.key, r.value)) {
        ctx.forward(r, children[i]!)
        return
      }
    }
    if (spec.defaultChild !== null) ctx.forward(r, spec.defaultChild)
  })
