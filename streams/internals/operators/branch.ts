import { stateless } from './base.js'

/** Sends each record to the first branch whose predicate matches, else to the default branch if any. */
export const kstreamBranch = (predicates: Array<(key: unknown, value: unknown) => boolean>, children: string[], defaultChild: string | null) =>
  stateless((ctx, r) => {
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(r.key, r.value)) {
        ctx.forward(r, children[i]!)
        return
      }
    }
    if (defaultChild !== null) ctx.forward(r, defaultChild)
  })
