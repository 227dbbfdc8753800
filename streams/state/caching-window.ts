// Record caches in front of window and session bytes stores, the windowed
// counterparts of CachingKeyValueStore: repeated writes of one (key, window)
// between commits collapse into one write below (one changelog record) and one
// record downstream via the flush listener. Reads merge dirty cached entries
// over the store below; retention applies to cached entries as it does below.
import type { RestoreRecord, SessionBytesEntry, SessionBytesStore, WindowBytesEntry, WindowBytesStore } from './bytes.js'
import { cacheBudget, type CacheBudget } from './cache-budget.js'

export type WindowCacheFlushListener = (key: Buffer, windowStart: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void
export type SessionCacheFlushListener = (key: Buffer, start: number, end: number, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void

interface Entry {
  /** Unique id of (key, window) in the cache. */
  id: string
  /** The key as a map key, grouping the windows of one key. */
  group: string
  key: Buffer
  /** Window start, or session start. */
  start: number
  /** Session end (window stores: start + size). */
  end: number
  value: Buffer | null
  timestamp: number
  dirty: boolean
}

const ENTRY_OVERHEAD = 96

/** LRU-by-write bookkeeping shared by both caches; subclasses write one entry below. */
abstract class WindowedRecordCache {
  protected readonly entries = new Map<string, Entry>()
  protected readonly byKey = new Map<string, Map<string, Entry>>()
  protected readonly dirty = new Set<string>()
  private bytes = 0
  /** No dirty entry ends before this (a lower bound), so suppression's checks are cheap. */
  private dirtyEndFloor = Infinity
  /** Largest window start (window stores) or session end (session stores) written through this cache. */
  protected observed = -Infinity

  private readonly budget: CacheBudget

  /** `budget`: the instance's shared CacheBudget, or a size for a budget of this store's own. */
  constructor(
    budget: CacheBudget | number,
    protected readonly currentTimestamp: () => number,
    private readonly retention: number,
  ) {
    this.budget = cacheBudget(budget)
  }

  /** Bytes held change by `delta`: this store's count and the shared budget's. */
  private account(delta: number): void {
    this.bytes += delta
    this.budget.used += delta
  }

  protected get horizon(): number {
    return this.observed - this.retention
  }

  protected insert(e: Entry): void {
    const old = this.entries.get(e.id)
    if (old !== undefined) this.drop(old)
    this.entries.set(e.id, e)
    let g = this.byKey.get(e.group)
    if (g === undefined) this.byKey.set(e.group, (g = new Map()))
    g.set(e.id, e)
    this.account(size(e))
    if (e.dirty) {
      this.dirty.delete(e.id)
      this.dirty.add(e.id)
      if (e.end < this.dirtyEndFloor) this.dirtyEndFloor = e.end
    }
    this.evict()
  }

  private drop(e: Entry): void {
    this.entries.delete(e.id)
    const g = this.byKey.get(e.group)
    if (g !== undefined) {
      g.delete(e.id)
      if (g.size === 0) this.byKey.delete(e.group)
    }
    this.account(-size(e))
  }

  /** Dirty entries of one key. */
  protected dirtyOf(group: string): Entry[] {
    const g = this.byKey.get(group)
    if (g === undefined) return []
    const out: Entry[] = []
    for (const e of g.values()) if (e.dirty) out.push(e)
    return out
  }

  protected dirtyEntries(): Entry[] {
    const out: Entry[] = []
    for (const id of this.dirty) {
      const e = this.entries.get(id)
      if (e !== undefined) out.push(e)
    }
    return out
  }

  protected abstract writeBelow(e: Entry): void

  private flushEntry(id: string): void {
    const e = this.entries.get(id)
    this.dirty.delete(id)
    if (e === undefined || !e.dirty) return
    e.dirty = false
    this.writeBelow(e)
  }

  /** Writes the dirty entries below in the order they were last written. */
  protected flushDirty(): void {
    for (const id of [...this.dirty]) this.flushEntry(id)
  }

  /** Writes below (and forwards) the dirty entries of windows ending at or before `time`. */
  flushWindowsEndingBy(time: number): void {
    if (time < this.dirtyEndFloor) return
    for (const id of [...this.dirty]) {
      const e = this.entries.get(id)
      if (e !== undefined && e.end <= time) this.flushEntry(id)
    }
    let floor = Infinity
    for (const id of this.dirty) {
      const e = this.entries.get(id)
      if (e !== undefined && e.end < floor) floor = e.end
    }
    this.dirtyEndFloor = floor
  }

  protected clearCache(): void {
    this.entries.clear()
    this.byKey.clear()
    this.dirty.clear()
    this.account(-this.bytes)
    this.dirtyEndFloor = Infinity
  }

  /** Least recently written entries leave first; a dirty one is written below (and forwarded) before. */
  private evict(): void {
    while (this.budget.used > this.budget.maxBytes && this.entries.size > 1) {
      const first = this.entries.values().next()
      if (first.done === true) return
      const e = first.value
      if (this.dirty.has(e.id)) this.flushEntry(e.id)
      this.drop(e)
    }
  }
}

function size(e: Entry): number {
  return e.key.length + (e.value?.length ?? 0) + ENTRY_OVERHEAD
}

export class CachingWindowStore extends WindowedRecordCache implements WindowBytesStore {
  private listener: WindowCacheFlushListener | null = null

  constructor(
    private readonly inner: WindowBytesStore,
    budget: CacheBudget | number,
    currentTimestamp: () => number,
  ) {
    super(budget, currentTimestamp, inner.retentionMs)
  }

  get name(): string {
    return this.inner.name
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  get retentionMs(): number {
    return this.inner.retentionMs
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates
  }
  isOpen(): boolean {
    return this.inner.isOpen()
  }

  setFlushListener(listener: WindowCacheFlushListener): void {
    this.listener = listener
  }

  /** `timestamp` is what the flushed record carries downstream (default: the current record's). */
  put(key: Buffer, value: Buffer | null, windowStart: number, timestamp = this.currentTimestamp()): number {
    if (windowStart > this.observed) this.observed = windowStart
    if (windowStart <= this.horizon) return -1
    const group = key.toString('latin1')
    this.insert({ id: `${windowStart}:${group}`, group, key, start: windowStart, end: windowStart + this.inner.windowSizeMs, value, timestamp, dirty: true })
    return 0
  }

  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowBytesEntry[] {
    const horizon = this.horizon
    const group = key.toString('latin1')
    if (timeFrom === timeTo) {
      // point lookup (the aggregations' read before write): served from the cache, misses cached clean
      if (timeFrom <= horizon) return []
      const id = `${timeFrom}:${group}`
      const hit = this.entries.get(id)
      if (hit !== undefined) return hit.value === null ? [] : [{ key, windowStart: timeFrom, value: hit.value }]
      const below = this.inner.fetch(key, timeFrom, timeTo)
      const last = below[below.length - 1]
      this.insert({ id, group, key, start: timeFrom, end: timeFrom + this.inner.windowSizeMs, value: last?.value ?? null, timestamp: 0, dirty: false })
      return below
    }
    const merged = new Map<number, WindowBytesEntry>()
    for (const e of this.inner.fetch(key, timeFrom, timeTo)) if (e.windowStart > horizon) merged.set(e.windowStart, e)
    for (const e of this.dirtyOf(group)) {
      if (e.start < timeFrom || e.start > timeTo || e.start <= horizon) continue
      if (e.value === null) merged.delete(e.start)
      else merged.set(e.start, { key, windowStart: e.start, value: e.value })
    }
    return [...merged.values()].sort((a, b) => a.windowStart - b.windowStart)
  }

  fetchAll(timeFrom: number, timeTo: number): WindowBytesEntry[] {
    const horizon = this.horizon
    const merged = new Map<string, WindowBytesEntry>()
    for (const e of this.inner.fetchAll(timeFrom, timeTo)) if (e.windowStart > horizon) merged.set(`${e.windowStart}:${e.key.toString('latin1')}`, e)
    for (const e of this.dirtyEntries()) {
      if (e.start < timeFrom || e.start > timeTo || e.start <= horizon) continue
      if (e.value === null) merged.delete(e.id)
      else merged.set(e.id, { key: e.key, windowStart: e.start, value: e.value })
    }
    return [...merged.values()].sort((a, b) => a.windowStart - b.windowStart || Buffer.compare(a.key, b.key))
  }

  flush(): void {
    this.flushDirty()
    this.inner.flush()
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.clearCache()
    this.inner.restoreBatch(records)
  }

  close(): void {
    this.flush()
    this.clearCache()
    this.inner.close()
  }

  protected writeBelow(e: Entry): void {
    const needOld = this.listener !== null || e.value === null
    const below = needOld ? this.inner.fetch(e.key, e.start, e.start) : []
    const old = below[below.length - 1]?.value ?? null
    // deleting what never reached the store below: nothing to write, log or forward
    if (e.value === null && old === null) return
    this.inner.put(e.key, e.value, e.start)
    this.listener?.(e.key, e.start, e.value, old, e.timestamp)
  }
}

export class CachingSessionStore extends WindowedRecordCache implements SessionBytesStore {
  private listener: SessionCacheFlushListener | null = null

  constructor(
    private readonly inner: SessionBytesStore,
    budget: CacheBudget | number,
    currentTimestamp: () => number,
  ) {
    super(budget, currentTimestamp, inner.retentionMs)
  }

  get name(): string {
    return this.inner.name
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  get retentionMs(): number {
    return this.inner.retentionMs
  }
  isOpen(): boolean {
    return this.inner.isOpen()
  }

  setFlushListener(listener: SessionCacheFlushListener): void {
    this.listener = listener
  }

  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    if (end > this.observed) this.observed = end
    if (end <= this.horizon) return false
    const group = key.toString('latin1')
    this.insert({ id: `${end}:${start}:${group}`, group, key, start, end, value, timestamp: this.currentTimestamp(), dirty: true })
    return true
  }

  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): SessionBytesEntry[] {
    const horizon = this.horizon
    const merged = new Map<string, SessionBytesEntry>()
    for (const e of this.inner.findSessions(key, earliestSessionEnd, latestSessionStart)) if (e.end > horizon) merged.set(`${e.end}:${e.start}`, e)
    for (const e of this.dirtyOf(key.toString('latin1'))) {
      if (e.end < earliestSessionEnd || e.start > latestSessionStart || e.end <= horizon) continue
      const id = `${e.end}:${e.start}`
      if (e.value === null) merged.delete(id)
      else merged.set(id, { key, start: e.start, end: e.end, value: e.value })
    }
    return [...merged.values()].sort((a, b) => a.end - b.end || a.start - b.start)
  }

  fetchAll(): SessionBytesEntry[] {
    const merged = new Map<string, SessionBytesEntry>()
    for (const e of this.inner.fetchAll()) merged.set(`${e.end}:${e.start}:${e.key.toString('latin1')}`, e)
    for (const e of this.dirtyEntries()) {
      if (e.value === null) merged.delete(e.id)
      else merged.set(e.id, { key: e.key, start: e.start, end: e.end, value: e.value })
    }
    return [...merged.values()].sort((a, b) => a.end - b.end || Buffer.compare(a.key, b.key) || a.start - b.start)
  }

  flush(): void {
    this.flushDirty()
    this.inner.flush()
  }

  restoreBatch(records: RestoreRecord[]): void {
    this.clearCache()
    this.inner.restoreBatch(records)
  }

  close(): void {
    this.flush()
    this.clearCache()
    this.inner.close()
  }

  protected writeBelow(e: Entry): void {
    const needOld = this.listener !== null || e.value === null
    const old = needOld ? (this.inner.findSessions(e.key, e.end, e.start).find((s) => s.start === e.start && s.end === e.end)?.value ?? null) : null
    if (e.value === null && old === null) return
    this.inner.put(e.key, e.start, e.end, e.value)
    this.listener?.(e.key, e.start, e.end, e.value, old, e.timestamp)
  }
}
