// Interactive queries over several tasks: one view over the store of every local task.
import type { QueryableStoreType } from '../state/queryable.js'
import type { KeyValue } from '../state/types.js'

type AnyView = Record<string, (...args: unknown[]) => unknown>

export function compositeView<T>(type: QueryableStoreType<T>, views: T[]): T {
  const vs = views as unknown as AnyView[]
  const first = <R>(method: string, args: unknown[]): R | null => {
    for (const v of vs) {
      const r = v[method]!(...args) as R | null
      if (r !== null && r !== undefined && !(Array.isArray(r) && r.length === 0)) return r
    }
    return null
  }
  const concat = (method: string, args: unknown[]): KeyValue<unknown, unknown>[] => vs.flatMap((v) => v[method]!(...args) as KeyValue<unknown, unknown>[])
  if (type.kind === 'keyValue') {
    return {
      get: (k: unknown) => first('get', [k]),
      range: (from: unknown, to: unknown) => concat('range', [from, to]),
      all: () => concat('all', []),
      approximateNumEntries: () => vs.reduce((n, v) => n + (v.approximateNumEntries!() as number), 0),
    } as unknown as T
  }
  if (type.kind === 'window') {
    return {
      fetch: (k: unknown, from: number, to?: number) => (to === undefined ? first('fetch', [k, from]) : concat('fetch', [k, from, to])),
      fetchAll: (from: number, to: number) => concat('fetchAll', [from, to]),
      all: () => concat('all', []),
    } as unknown as T
  }
  return {
    fetch: (k: unknown) => concat('fetch', [k]),
    fetchSession: (k: unknown, start: number, end: number) => first('fetchSession', [k, start, end]),
  } as unknown as T
}
