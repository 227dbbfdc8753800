// The typed top layer of every store: serdes between user types and the bytes
// layers below. Serdes see the changelog topic name, as in Kafka Streams.
import type { Windowed } from '../dsl/windowed.js'
import type { Serde } from '../serdes.js'
import type { KeyValueBytesStore, SessionBytesStore, WindowBytesStore } from './bytes.js'
import type { CachingKeyValueStore } from './caching.js'
import type { CachingSessionStore, CachingWindowStore } from './caching-window.js'
import type { KeyValue, KeyValueStore, SessionStore, WindowStore } from './types.js'
import { StreamsException } from '../errors.js'
import { exactValues, isStringSerde } from '../serdes.js'

/** Text this short whose units are all below 0x80: its UTF-8 bytes are its characters. */
function isShortAscii(text: string): boolean {
  const n = text.length
  if (n > 64) return false
  for (let i = 0; i < n; i++) if (text.charCodeAt(i) >= 0x80) return false
  return true
}

/** Told about each entry the cache writes below: the new and previous values, typed. */
export type TypedFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number) => void

abstract class Metered<K, V, S extends KeyValueBytesStore | WindowBytesStore | SessionBytesStore> {
  constructor(
    protected readonly inner: S,
    protected readonly keySerde: Serde<K>,
    protected readonly valueSerde: Serde<V>,
    protected readonly topic: string,
  ) {}
  get name(): string {
    return this.inner.name
  }
  get persistent(): boolean {
    return this.inner.persistent
  }
  flush(): void {
    this.inner.flush()
  }
  close(): void {
    this.inner.close()
  }
  isOpen(): boolean {
    return this.inner.isOpen()
  }
  // The last primitive key and its bytes: an aggregation's get and put of one key serialize it once.
  private lastKey: unknown = undefined
  private lastKeyBytes: Buffer | null = null
  protected k(key: K): Buffer {
    if (key === null || key === undefined) throw new StreamsException(`Store '${this.name}' does not accept null keys`)
    this.checkOpen()
    if (key === this.lastKey && this.lastKeyBytes !== null) return this.lastKeyBytes
    const bytes = this.keySerde.serialize(this.topic, key)!
    const t = typeof key
    if (t === 'string' || t === 'number') {
      this.lastKey = key
      this.lastKeyBytes = bytes
    }
    return bytes
  }
  protected v(value: V | null): Buffer | null {
    return value === null || value === undefined ? null : this.valueSerde.serialize(this.topic, value)
  }
  protected dk(bytes: Buffer): K {
    return this.keySerde.deserialize(this.topic, bytes) as K
  }
  protected dv(bytes: Buffer | null): V | null {
    return bytes === null ? null : this.valueSerde.deserialize(this.topic, bytes)
  }
  protected checkOpen(): void {
    if (!this.inner.isOpen()) throw new StreamsException(`Store '${this.name}' is closed`)
  }
}

export class MeteredKeyValueStore<K, V> extends Metered<K, V, KeyValueBytesStore> implements KeyValueStore<K, V> {
  constructor(
    inner: KeyValueBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    topic: string,
    private readonly caching: CachingKeyValueStore | null,
  ) {
    super(inner, keySerde, valueSerde, topic)
    this.textKeys = caching !== null && caching === (inner as unknown) && isStringSerde(keySerde as Serde<unknown>) ? caching : null
    this.textKeys?.setValueCodec(this.codec, null)
  }

  /** The value serde as the cache calls it: the cache keeps primitive values typed (setValueCodec). */
  private readonly codec = {
    serialize: (value: unknown): Buffer | null => this.v(value as V | null),
    deserialize: (bytes: Buffer | null): unknown => this.dv(bytes),
    exact: exactValues(this.valueSerde as Serde<unknown>),
  }

  /**
   * The cache, when it is the layer below and keys are Serdes.String(): an ASCII key is then its own
   * map key in the cache (its UTF-8 bytes read as latin1 are the same text), so get and put of a
   * cached key make no Buffer and no string.
   */
  private readonly textKeys: CachingKeyValueStore | null

  /** Returns false when the store has no cache, so the caller must forward by itself. */
  setFlushListener(listener: TypedFlushListener<K, V>): boolean {
    if (this.caching === null) return false
    this.caching.setValueCodec(this.codec, (k, nv, ov, ts) => listener(this.dk(k), nv as V | null, ov as V | null, ts))
    return true
  }

  get(key: K): V | null {
    const c = this.textKeys
    if (c !== null && typeof key === 'string' && isShortAscii(key)) {
      this.checkOpen()
      return c.getTypedByMapKey(key) as V | null
    }
    return this.dv(this.inner.get(this.k(key)))
  }
  put(key: K, value: V | null): void {
    const c = this.textKeys
    if (c !== null && typeof key === 'string' && isShortAscii(key)) {
      this.checkOpen()
      c.putTypedByMapKey(key, value)
      return
    }
    this.inner.put(this.k(key), this.v(value))
  }
  putIfAbsent(key: K, value: V): V | null {
    return this.dv(this.inner.putIfAbsent(this.k(key), this.v(value)!))
  }
  putAll(entries: KeyValue<K, V | null>[]): void {
    for (const e of entries) this.put(e.key, e.value)
  }
  delete(key: K): V | null {
    return this.dv(this.inner.delete(this.k(key)))
  }
  range(from: K | null, to: K | null): KeyValue<K, V>[] {
    this.checkOpen()
    const f = from === null ? null : this.k(from)
    const t = to === null ? null : this.k(to)
    return this.inner.range(f, t).map((e) => ({ key: this.dk(e.key), value: this.dv(e.value) as V }))
  }
  all(): KeyValue<K, V>[] {
    return this.range(null, null)
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries()
  }
}

export class MeteredWindowStore<K, V> extends Metered<K, V, WindowBytesStore> implements WindowStore<K, V> {
  constructor(
    inner: WindowBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    topic: string,
    private readonly caching: CachingWindowStore | null = null,
  ) {
    super(inner, keySerde, valueSerde, topic)
  }

  /** Returns false when the store has no cache, so the caller must forward by itself. */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, V>): boolean {
    if (this.caching === null) return false
    const size = this.inner.windowSizeMs
    this.caching.setFlushListener((k, start, nv, ov, ts) =>
      listener({ key: this.dk(k), window: { start, end: start + size } }, this.dv(nv), this.dv(ov), ts),
    )
    return true
  }

  /** Writes below (and forwards) cached updates of windows ending at or before `time`; no-op without a cache. */
  flushWindowsEndingBy(time: number): void {
    this.caching?.flushWindowsEndingBy(time)
  }

  get windowSizeMs(): number {
    return this.inner.windowSizeMs
  }
  get retentionMs(): number {
    return this.inner.retentionMs
  }
  /** `timestamp`: what the update carries downstream when a cache forwards it (default: the current record's). */
  put(key: K, value: V | null, windowStart: number, timestamp?: number): void {
    if (this.caching !== null && timestamp !== undefined) this.caching.put(this.k(key), this.v(value), windowStart, timestamp)
    else this.inner.put(this.k(key), this.v(value), windowStart)
  }
  fetch(key: K, windowStart: number): V | null
  fetch(key: K, timeFrom: number, timeTo: number): KeyValue<number, V>[]
  fetch(key: K, timeFrom: number, timeTo?: number): V | null | KeyValue<number, V>[] {
    const kb = this.k(key)
    if (timeTo === undefined) {
      const hit = this.inner.fetch(kb, timeFrom, timeFrom)
      return hit.length === 0 ? null : this.dv(hit[hit.length - 1]!.value)
    }
    return this.inner.fetch(kb, timeFrom, timeTo).map((e) => ({ key: e.windowStart, value: this.dv(e.value) as V }))
  }
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    const size = this.inner.windowSizeMs
    return this.inner.fetchAll(timeFrom, timeTo).map((e) => ({
      key: { key: this.dk(e.key), window: { start: e.windowStart, end: e.windowStart + size } },
      value: this.dv(e.value) as V,
    }))
  }
  all(): KeyValue<Windowed<K>, V>[] {
    return this.fetchAll(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  }
}

export class MeteredSessionStore<K, V> extends Metered<K, V, SessionBytesStore> implements SessionStore<K, V> {
  constructor(
    inner: SessionBytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    topic: string,
    private readonly caching: CachingSessionStore | null = null,
  ) {
    super(inner, keySerde, valueSerde, topic)
  }

  /** Returns false when the store has no cache, so the caller must forward by itself. */
  setFlushListener(listener: TypedFlushListener<Windowed<K>, V>): boolean {
    if (this.caching === null) return false
    this.caching.setFlushListener((k, start, end, nv, ov, ts) => listener({ key: this.dk(k), window: { start, end } }, this.dv(nv), this.dv(ov), ts))
    return true
  }

  /** Writes below (and forwards) cached updates of sessions ending at or before `time`; no-op without a cache. */
  flushWindowsEndingBy(time: number): void {
    this.caching?.flushWindowsEndingBy(time)
  }

  get retentionMs(): number {
    return this.inner.retentionMs
  }
  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): KeyValue<Windowed<K>, V>[] {
    return this.inner
      .findSessions(this.k(key), earliestSessionEndTime, latestSessionStartTime)
      .map((e) => ({ key: { key, window: { start: e.start, end: e.end } }, value: this.dv(e.value) as V }))
  }
  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.findSessions(key, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  }
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | null {
    const hit = this.inner.findSessions(this.k(key), sessionEnd, sessionStart).find((e) => e.start === sessionStart && e.end === sessionEnd)
    return hit === undefined ? null : this.dv(hit.value)
  }
  put(sessionKey: Windowed<K>, aggregate: V | null): void {
    this.inner.put(this.k(sessionKey.key), sessionKey.window.start, sessionKey.window.end, this.v(aggregate))
  }
  remove(sessionKey: Windowed<K>): void {
    this.put(sessionKey, null)
  }
  /** Every session in the store, by end time (for interactive queries and tests). */
  all(): KeyValue<Windowed<K>, V>[] {
    this.checkOpen()
    return this.inner.fetchAll().map((e) => ({
      key: { key: this.dk(e.key), window: { start: e.start, end: e.end } },
      value: this.dv(e.value) as V,
    }))
  }
}
