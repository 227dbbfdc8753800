// A record cache in front of a key-value bytes store. Repeated writes to one
// key between commits collapse into one write below and one record
// downstream (via the flush listener), which is how Kafka Streams thins the
// update stream of aggregations.
import type { BytesEntry, KeyValueBytesStore, RestoreRecord } from './bytes.js'
import { cacheBudget, type CacheBudget } from './cache-budget.js'

export type CacheFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void

/** The typed layer's serde, given to the cache so values of primitive type can stay typed in it (see setValueCodec). */
export interface CacheValueCodec {
  serialize(value: unknown): Buffer | null
  deserialize(bytes: Buffer | null): unknown
  /**
   * Whether deserialize(serialize(value)) is the value itself (exactValues): only then is a put
   * value kept typed, and a number then serialized only when it goes below (a number serde cannot
   * fail on one it gives back exactly). null: put values are serialized at once and kept as bytes.
   */
  exact: ((value: unknown) => boolean) | null
}

/** Told about each entry written below, with the values typed (the codec's). */
export type TypedCacheFlushListener = (key: Buffer, newValue: unknown, oldValue: unknown, timestamp: number) => void

interface CacheEntry {
  /** The map key (the key bytes as latin1). */
  k: string
  key: Buffer
  /** undefined: not serialized yet, `typed` holds it (a number put through putTypedByMapKey). */
  value: Buffer | null | undefined
  /** The value as the codec reads it, when known and immutable (a primitive); undefined when not known. */
  typed: unknown
  /** What the store below holds for the key, when known (read in on a miss or written at a flush): the old value a flush forwards without reading it back. */
  below: Buffer | null | undefined
  /** `below` typed, when known. */
  belowTyped: unknown
  timestamp: number
  dirty: boolean
  /** Neighbours in write order (a list through the entries: moving one to the end touches no map). */
  prev: CacheEntry | null
  next: CacheEntry | null
}

const ENTRY_OVERHEAD = 64
/** What a number not serialized yet counts for: Long's and Double's size (a constant, so an entry counts the same in and out). */
const NUMBER_SIZE = 8

export class CachingKeyValueStore implements KeyValueBytesStore {
  private readonly cache = new Map<string, CacheEntry>()
  /** Entries in the order they were last written (or read in on a miss), oldest first: dirty ones go below in that order, the oldest leave first. */
  private head: CacheEntry | null = null
  private tail: CacheEntry | null = null
  private dirtyCount = 0
  private bytes = 0
  private listener: CacheFlushListener | null = null
  /** The entry getTypedByMapKey read last, while it is cached: an aggregation puts the key it just got, with no second lookup. */
  private lastRead: CacheEntry | null = null
  private typedListener: TypedCacheFlushListener | null = null
  private codec: CacheValueCodec | null = null

  private readonly budget: CacheBudget

  /** `budget`: the instance's shared CacheBudget, or a size for a budget of this store's own. */
  constructor(
    private readonly inner: KeyValueBytesStore,
    budget: CacheBudget | number,
    private readonly currentTimestamp: () => number,
  ) {
    this.budget = cacheBudget(budget)
  }

  /** Bytes held change by `delta`: this store's count and the shared budget's. */
  private account(delta: number): void {
    this.bytes += delta
    this.budget.used += delta
  }

  get name(): string {
    return this.inner.name
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  isOpen(): boolean {
    return this.inner.isOpen()
  }

  setFlushListener(listener: CacheFlushListener): void {
    this.listener = listener
    this.typedListener = null
  }

  /**
   * Lets the typed layer above keep values typed in the cache: an aggregation's get then put of a
   * key reads and writes no bytes while the key stays cached (a count serializes once per flush,
   * not once per record). Only primitives the serde gives back exactly stay typed as put (they
   * cannot change after the put); numbers of those are serialized when they go below, anything
   * else at the put, as before.
   */
  setValueCodec(codec: CacheValueCodec, listener: TypedCacheFlushListener | null): void {
    this.codec = codec
    if (listener !== null) {
      this.typedListener = listener
      this.listener = null
    }
  }

  // The last key buffer and its map key: a get and put of the same bytes convert them once.
  private lastKeyBytes: Buffer | null = null
  private lastKeyString = ''
  private mapKey(key: Buffer): string {
    if (key !== this.lastKeyBytes) {
      this.lastKeyString = key.toString('latin1')
      this.lastKeyBytes = key
    }
    return this.lastKeyString
  }

  get(key: Buffer): Buffer | null {
    return this.getEntry(this.mapKey(key), key)
  }

  put(key: Buffer, value: Buffer | null): void {
    this.putEntry(this.mapKey(key), key, value)
  }

  /**
   * get() by map key: the key bytes as latin1 (for ASCII text, the text itself). The bytes are made
   * from it only when the key is not cached, so a hit touches no Buffer at all.
   */
  getByMapKey(k: string): Buffer | null {
    return this.getEntry(k, null)
  }

  /** put() by map key (see getByMapKey): the bytes are made only for a key not cached yet. */
  putByMapKey(k: string, value: Buffer | null): void {
    this.putEntry(k, null, value)
  }

  /** `key` is the bytes of map key `k`, or null to make them from it when needed. */
  private getEntry(k: string, key: Buffer | null): Buffer | null {
    const hit = this.cache.get(k)
    if (hit !== undefined) return hit.value === undefined ? this.serialized(hit) : hit.value
    return this.readIn(k, key).value as Buffer | null
  }

  /** A miss: the store below's value becomes a clean entry. */
  private readIn(k: string, key: Buffer | null): CacheEntry {
    const bytes = key ?? Buffer.from(k, 'latin1')
    const value = this.inner.get(bytes)
    const e: CacheEntry = { k, key: bytes, value, typed: value === null ? null : undefined, below: value, belowTyped: undefined, timestamp: 0, dirty: false, prev: null, next: null }
    this.cache.set(k, e)
    this.append(e)
    this.account(this.size(e))
    return e
  }

  /** get() by map key, typed by the codec (setValueCodec): a cached primitive is handed out as it is. */
  getTypedByMapKey(k: string): unknown {
    const e = this.cache.get(k) ?? this.readIn(k, null)
    this.lastRead = e
    if (e.typed !== undefined) return e.typed
    const typed = this.codec!.deserialize(e.value as Buffer | null)
    if (isPrimitive(typed)) {
      e.typed = typed
      // a clean entry's value is what the store below holds
      if (!e.dirty) e.belowTyped = typed
    }
    return typed
  }

  /**
   * put() by map key of a typed value (setValueCodec). A value the serde gives back exactly
   * (codec.exact) is kept as it is, and a number of those stays unserialized until it goes below;
   * anything else is serialized now and read back through the serde.
   */
  putTypedByMapKey(k: string, value: unknown): void {
    const codec = this.codec!
    const exact = value !== null && value !== undefined && codec.exact !== null && codec.exact(value)
    if (exact && typeof value === 'number') this.putEntry(k, null, undefined, value)
    else this.putEntry(k, null, codec.serialize(value), exact ? value : value === null || value === undefined ? null : undefined)
  }

  /** Serializes an entry's typed value (its size is counted again with the real bytes). */
  private serialized(e: CacheEntry): Buffer | null {
    this.account(-this.size(e))
    const bytes = this.codec!.serialize(e.typed)
    e.value = bytes
    this.account(this.size(e))
    return bytes
  }

  /** `value` undefined: `typed` (a number) is serialized later. */
  private putEntry(k: string, key: Buffer | null, value: Buffer | null | undefined, typed: unknown = value === null ? null : undefined): void {
    const timestamp = this.currentTimestamp()
    const last = this.lastRead
    let e = last !== null && last.k === k ? last : this.cache.get(k)
    if (e === undefined) {
      e = { k, key: key ?? Buffer.from(k, 'latin1'), value, typed, below: undefined, belowTyped: undefined, timestamp, dirty: true, prev: null, next: null }
      this.dirtyCount++
      this.cache.set(k, e)
    } else {
      // The entry moves to the end (last written), updated in place.
      this.account(-this.size(e))
      this.unlink(e)
      e.value = value
      e.typed = typed
      e.timestamp = timestamp
      if (!e.dirty) {
        e.dirty = true
        this.dirtyCount++
      }
    }
    this.append(e)
    this.account(this.size(e))
    this.evict()
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | null {
    const old = this.get(key)
    if (old === null) this.put(key, value)
    return old
  }

  putAll(entries: Array<{ key: Buffer; value: Buffer | null }>): void {
    for (const e of entries) this.put(e.key, e.value)
  }

  delete(key: Buffer): Buffer | null {
    const old = this.get(key)
    this.put(key, null)
    return old
  }

  range(from: Buffer | null, to: Buffer | null): BytesEntry[] {
    const merged = new Map<string, BytesEntry>()
    for (const e of this.inner.range(from, to)) merged.set(e.key.toString('latin1'), e)
    for (const [k, e] of this.cache) {
      if (!e.dirty) continue
      if (from !== null && Buffer.compare(e.key, from) < 0) continue
      if (to !== null && Buffer.compare(e.key, to) > 0) continue
      const value = e.value === undefined ? this.serialized(e) : e.value
      if (value === null) merged.delete(k)
      else merged.set(k, { key: e.key, value })
    }
    return [...merged.values()].sort((a, b) => Buffer.compare(a.key, b.key))
  }

  all(): BytesEntry[] {
    return this.range(null, null)
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries() + this.dirtyCount
  }

  /** Writes dirty entries below in the order they were last written, telling the listener about each. */
  flush(): void {
    if (this.dirtyCount > 0) {
      const keys: string[] = []
      for (let e = this.head; e !== null; e = e.next) if (e.dirty) keys.push(e.k)
      for (const k of keys) this.flushEntry(k)
    }
    this.inner.flush()
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.clear()
    this.dirtyCount = 0
    this.inner.restoreBatch(records)
  }

  close(): void {
    this.flush()
    this.clear()
    this.inner.close()
  }

  /** Empties the cache and gives its bytes back to the budget. */
  private clear(): void {
    this.account(-this.bytes)
    this.lastRead = null
    this.cache.clear()
    this.head = null
    this.tail = null
  }

  private append(e: CacheEntry): void {
    e.prev = this.tail
    e.next = null
    if (this.tail === null) this.head = e
    else this.tail.next = e
    this.tail = e
  }

  /** Bytes an entry counts for: key, value (a number not serialized yet as NUMBER_SIZE), the old value when it differs. */
  private size(e: CacheEntry): number {
    const value = e.value === undefined ? NUMBER_SIZE : (e.value?.length ?? 0)
    return e.key.length + value + (e.below !== e.value ? (e.below?.length ?? 0) : 0) + ENTRY_OVERHEAD
  }

  private unlink(e: CacheEntry): void {
    if (e.prev === null) this.head = e.next
    else e.prev.next = e.next
    if (e.next === null) this.tail = e.prev
    else e.next.prev = e.prev
    e.prev = null
    e.next = null
  }

  private flushEntry(k: string): void {
    const e = this.cache.get(k)
    if (e === undefined || !e.dirty) return
    this.dirtyCount--
    const value = e.value === undefined ? this.serialized(e) : e.value
    const forwards = this.listener !== null || this.typedListener !== null
    const old = !forwards && value !== null ? null : e.below !== undefined ? e.below : this.inner.get(e.key)
    const oldTyped = e.below !== undefined ? e.belowTyped : undefined
    e.dirty = false
    this.account(-this.size(e))
    e.below = value
    e.belowTyped = e.typed
    this.account(this.size(e))
    // deleting what never reached the store below: nothing to write or log
    if (value === null && old === null) return
    this.inner.put(e.key, value)
    if (!forwards || (value === null && old === null)) return
    if (this.listener !== null) this.listener(e.key, value, old, e.timestamp)
    else {
      const codec = this.codec!
      const nv = e.typed !== undefined ? e.typed : codec.deserialize(value)
      const ov = oldTyped !== undefined ? oldTyped : codec.deserialize(old)
      this.typedListener!(e.key, nv, ov, e.timestamp)
    }
  }

  /** Least recently written entries go first; a dirty one is written below (and forwarded) before it leaves. */
  private evict(): void {
    while (this.budget.used > this.budget.maxBytes && this.cache.size > 1) {
      const e = this.head
      if (e === null) return
      if (e.dirty) this.flushEntry(e.k)
      // the listener may have written this key again (the entry moved to the end): it goes all the same
      if (this.cache.get(e.k) !== e) continue
      this.unlink(e)
      this.cache.delete(e.k)
      if (e === this.lastRead) this.lastRead = null
      this.account(-this.size(e))
    }
  }
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v
  return v === null || t === 'number' || t === 'string' || t === 'boolean' || t === 'bigint'
}
