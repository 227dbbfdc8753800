import type { Subject } from 'rxjs'
import { inline, stateless } from './base.js'

/** peek forwards after the action; foreach (forward = false) ends the branch. */
export const kstreamPeek = (action: (key: unknown, value: unknown) => void, forward: boolean) =>
  inline((emit) => (k, v, ts, h) => {
    action(k, v)
    if (forward) emit(k, v, ts, h)
  })

/** asObservable: every record (with its timestamp) goes to the subject; the branch ends here. */
export const kstreamToSubject = (subject: Subject<{ key: unknown; value: unknown; timestamp: number }>) =>
  stateless((_ctx, r) => {
    subject.next({ key: r.key, value: r.value, timestamp: r.timestamp })
  })
