// A record cache in front of a key-value bytes store. Repeated writes to one
// key between commits collapse into one write below and one record
// downstream (via the flush listener), which is how Kafka Streams thins the
// update stream of aggregations.
import type { BytesEntry, KeyValueBytesStore, RestoreRecord } from './bytes.js'

export type CacheFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void

interface CacheEntry {
  /** The map key (the key bytes as latin1). */
  k: string
  key: Buffer
  value: Buffer | null
  /** What the store below holds for the key, when known (read in on a miss or written at a flush): the old value a flush forwards without reading it back. */
  below: Buffer | null | undefined
  timestamp: number
  dirty: boolean
  /** Neighbours in write order (a list through the entries: moving one to the end touches no map). */
  prev: CacheEntry | null
  next: CacheEntry | null
}

const ENTRY_OVERHEAD = 64

export class CachingKeyValueStore implements KeyValueBytesStore {
  private readonly cache = new Map<string, CacheEntry>()
  /** Entries in the order they were last written (or read in on a miss), oldest first: dirty ones go below in that order, the oldest leave first. */
  private head: CacheEntry | null = null
  private tail: CacheEntry | null = null
  private dirtyCount = 0
  private bytes = 0
  private listener: CacheFlushListener | null = null

  constructor(
    private readonly inner: KeyValueBytesStore,
    private readonly maxBytes: number,
    private readonly currentTimestamp: () => number,
  ) {}

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
    if (hit !== undefined) return hit.value
    const bytes = key ?? Buffer.from(k, 'latin1')
    const value = this.inner.get(bytes)
    const e: CacheEntry = { k, key: bytes, value, below: value, timestamp: 0, dirty: false, prev: null, next: null }
    this.cache.set(k, e)
    this.append(e)
    this.bytes += size(e)
    return value
  }

  private putEntry(k: string, key: Buffer | null, value: Buffer | null): void {
    const timestamp = this.currentTimestamp()
    let e = this.cache.get(k)
    if (e === undefined) {
      e = { k, key: key ?? Buffer.from(k, 'latin1'), value, below: undefined, timestamp, dirty: true, prev: null, next: null }
      this.dirtyCount++
      this.cache.set(k, e)
    } else {
      // The entry moves to the end (last written), updated in place.
      this.bytes -= size(e)
      this.unlink(e)
      e.value = value
      e.timestamp = timestamp
      if (!e.dirty) {
        e.dirty = true
        this.dirtyCount++
      }
    }
    this.append(e)
    this.bytes += size(e)
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
      if (e.value === null) merged.delete(k)
      else merged.set(k, { key: e.key, value: e.value })
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
    this.bytes = 0
    this.inner.restoreBatch(records)
  }

  close(): void {
    this.flush()
    this.clear()
    this.inner.close()
  }

  private clear(): void {
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
    const old = this.listener === null && e.value !== null ? null : e.below !== undefined ? e.below : this.inner.get(e.key)
    e.dirty = false
    this.bytes -= size(e)
    e.below = e.value
    this.bytes += size(e)
    // deleting what never reached the store below: nothing to write or log
    if (e.value === null && old === null) return
    this.inner.put(e.key, e.value)
    if (this.listener !== null && (e.value !== null || old !== null)) this.listener(e.key, e.value, old, e.timestamp)
  }

  /** Least recently written entries go first; a dirty one is written below (and forwarded) before it leaves. */
  private evict(): void {
    while (this.bytes > this.maxBytes && this.cache.size > 1) {
      const e = this.head
      if (e === null) return
      if (e.dirty) this.flushEntry(e.k)
      // the listener may have written this key again (the entry moved to the end): it goes all the same
      if (this.cache.get(e.k) !== e) continue
      this.unlink(e)
      this.cache.delete(e.k)
      this.bytes -= size(e)
    }
  }
}

function size(e: CacheEntry): number {
  return e.key.length + (e.value?.length ?? 0) + (e.below !== e.value ? (e.below?.length ?? 0) : 0) + ENTRY_OVERHEAD
}
