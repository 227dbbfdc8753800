// Interactive queries: read-only views of stores by name and type. The test
// driver serves them now; the runtime will serve them as streams.store(...).
import type {
  KeyValueStore,
  ReadOnlyKeyValueStore,
  ReadOnlySessionStore,
  ReadOnlyWindowStore,
  SessionStore,
  StateStore,
  WindowStore,
} from './types.js'
import { MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore } from './metered.js'
import { StreamsException } from '../errors.js'

export interface QueryableStoreType<T> {
  readonly kind: 'keyValue' | 'window' | 'session'
  /** @internal type marker */
  readonly __view?: T
}

export const QueryableStoreTypes = {
  keyValueStore: <K, V>(): QueryableStoreType<ReadOnlyKeyValueStore<K, V>> => ({ kind: 'keyValue' }),
  windowStore: <K, V>(): QueryableStoreType<ReadOnlyWindowStore<K, V>> => ({ kind: 'window' }),
  sessionStore: <K, V>(): QueryableStoreType<ReadOnlySessionStore<K, V>> => ({ kind: 'session' }),
}

/** Implemented by every executor that can answer interactive queries. */
export interface QueryableStoreProvider {
  store<T>(storeName: string, type: QueryableStoreType<T>): T
}

/** A view exposing only the reading methods of `store`, checked against the requested type. */
export function readOnlyView<T>(storeName: string, store: StateStore | null, type: QueryableStoreType<T>): T {
  if (store === null) throw new StreamsException(`No store named '${storeName}' in this topology`)
  if (type.kind === 'keyValue' && store instanceof MeteredKeyValueStore) {
    const s = store as KeyValueStore<unknown, unknown>
    const view: ReadOnlyKeyValueStore<unknown, unknown> = {
      get: (k) => s.get(k),
      range: (f, t) => s.range(f, t),
      all: () => s.all(),
      approximateNumEntries: () => s.approximateNumEntries(),
    }
    return view as T
  }
  if (type.kind === 'window' && store instanceof MeteredWindowStore) {
    const s = store as WindowStore<unknown, unknown>
    const view = {
      fetch: (k: unknown, from: number, to?: number) => (to === undefined ? s.fetch(k, from) : s.fetch(k, from, to)),
      fetchAll: (from: number, to: number) => s.fetchAll(from, to),
      all: () => s.all(),
    }
    return view as unknown as T
  }
  if (type.kind === 'session' && store instanceof MeteredSessionStore) {
    const s = store as SessionStore<unknown, unknown>
    const view: ReadOnlySessionStore<unknown, unknown> = {
      fetch: (k) => s.fetch(k),
      fetchSession: (k, start, end) => s.fetchSession(k, start, end),
    }
    return view as T
  }
  throw new StreamsException(`Store '${storeName}' is not a ${type.kind} store`)
}
