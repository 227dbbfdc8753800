import { stateless } from './base.js'

/** peek forwards after the action; foreach (forward = false) ends the branch. */
export const kstreamPeek = (action: (key: unknown, value: unknown) => void, forward: boolean) =>
  stateless((ctx, r) => {
    action(r.key, r.value)
    if (forward) ctx.forward(r)
  })
