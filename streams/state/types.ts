// Public store interfaces, typed. The read-only views are what interactive
// queries hand out; the full interfaces are what processors get.
import type { Windowed } from '../dsl/windowed.js'

export interface KeyValue<K, V> {
  key: K
  value: V
}

export interface StateStore {
  readonly name: string
  readonly persistent: boolean
  flush(): void
  close(): void
  isOpen(): boolean
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null
  /** Entries with from <= key <= to in serialized-key byte order; null bounds are open. */
  range(from: K | null, to: K | null): KeyValue<K, V>[]
  all(): KeyValue<K, V>[]
  approximateNumEntries(): number
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** A null value deletes the key. */
  put(key: K, value: V | null): void
  putIfAbsent(key: K, value: V): V | null
  putAll(entries: KeyValue<K, V | null>[]): void
  delete(key: K): V | null
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of the window of `key` starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | null
  /** Windows of `key` whose start is in [timeFrom, timeTo], by start time; the entry key is the window start. */
  fetch(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[]
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[]
  all(): KeyValue<Windowed<K>, V>[]
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /** A null value deletes the window (unless the store keeps duplicates). */
  put(key: K, value: V | null, windowStart: number): void
  readonly windowSizeMs: number
  readonly retentionMs: number
}

export interface ReadOnlySessionStore<K, AGG> {
  /** All sessions of `key`, by end time. */
  fetch(key: K): KeyValue<Windowed<K>, AGG>[]
  fetchSession(key: K, sessionStart: number, sessionEnd: number): AGG | null
}

export interface SessionStore<K, AGG> extends StateStore, ReadOnlySessionStore<K, AGG> {
  /** Sessions of `key` that end at or after `earliestSessionEndTime` and start at or before `latestSessionStartTime`. */
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValue<Windowed<K>, AGG>[]
  put(sessionKey: Windowed<K>, aggregate: AGG | null): void
  remove(sessionKey: Windowed<K>): void
  readonly retentionMs: number
}
