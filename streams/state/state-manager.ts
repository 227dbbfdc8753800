// Per-task state: builds the store layers, feeds changelog records to stores
// during restore, and keeps the checkpoint file of changelog offsets so a
// restart restores only what came after it.
import fs from 'node:fs'
import path from 'node:path'
import type { Serde } from '../serdes.js'
import { CacheBudget } from './cache-budget.js'
import type { BytesStore, KeyValueBytesStore, RestoreRecord, SessionBytesStore, WindowBytesStore } from './bytes.js'
import type { StateStore } from './types.js'
import type { StoreBuilder } from './store-builder.js'
import { StreamsException } from '../errors.js'
import { CachingKeyValueStore } from './caching.js'
import { CachingSessionStore, CachingWindowStore } from './caching-window.js'
import { ChangeLoggingKeyValueStore, ChangeLoggingSessionStore, ChangeLoggingWindowStore, type ChangeLogger } from './change-logging.js'
import { InMemoryKeyValueStore } from './memory-stores.js'
import { MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore } from './metered.js'
import { SqliteDatabase } from './sqlite-db.js'
import { SqliteKeyValueStore, SqliteSessionStore, SqliteWindowStore } from './sqlite-stores.js'

/** Where change-logging stores send their changes; the runtime produces them to the changelog topic. */
export interface ChangelogWriter {
  /** Returns the offset when it is known at once (the test driver); the runtime reports it later with setChangelogOffset. */
  log(storeName: string, changelogTopic: string, partition: number, key: Buffer, value: Buffer | null, timestamp: number): number | void
}

export interface StateManagerOptions {
  applicationId: string
  taskId: string
  partition: number
  /** null keeps everything in memory and writes no checkpoint. */
  stateDir: string | null
  changelogWriter: ChangelogWriter | null
  /** Timestamp of the record being processed, stamped on changelog records and cache entries. */
  currentTimestamp: () => number
  /** The record caches' budget when cacheBudget is not given: this task's stores share this many bytes. Default 10 MiB. */
  cacheMaxBytes?: number
  /** The budget shared with the other tasks of the instance; default: one of this manager's own of cacheMaxBytes. */
  cacheBudget?: CacheBudget
  /** Write the checkpoint on every flush (at_least_once, default) or only through checkpointNow() (exactly_once_v2). */
  checkpointOnFlush?: boolean
}

export interface ChangelogInfo {
  storeName: string
  topic: string
  partition: number
  /** The next changelog offset to restore from, per the checkpoint; null = from the beginning. */
  checkpointOffset: number | null
}

interface Registered {
  builder: StoreBuilder
  store: StateStore
  bytes: BytesStore
  changelogTopic: string | null
}

export const CHECKPOINT_FILE = '.checkpoint'

export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`
}

export class StateManager {
  readonly taskDir: string | null
  private readonly stores = new Map<string, Registered>()
  private fileDb: SqliteDatabase | null = null
  private memoryDb: SqliteDatabase | null = null
  /** What every caching store of this task draws on. */
  private readonly cacheBudget: CacheBudget
  /** topic:partition -> next offset. */
  private readonly offsets = new Map<string, number>()
  private readonly checkpointed: Map<string, number>
  private lastCheckpoint: string | null = null

  constructor(private readonly options: StateManagerOptions) {
    this.taskDir = options.stateDir === null ? null : path.join(options.stateDir, options.applicationId, options.taskId)
    this.checkpointed = this.readCheckpoint()
    this.cacheBudget = options.cacheBudget ?? new CacheBudget(options.cacheMaxBytes)
  }

  register<K, V>(builder: StoreBuilder<K, V>, keySerde: Serde<K>, valueSerde: Serde<V>): StateStore {
    const name = builder.name
    if (this.stores.has(name)) throw new StreamsException(`Store '${name}' is already registered in task ${this.options.taskId}`)
    const s = builder.supplier
    const changelogTopic = builder.loggingEnabled ? changelogTopicName(this.options.applicationId, name) : null
    const partition = this.options.partition
    const log: ChangeLogger = (key, value) => {
      const off = this.options.changelogWriter?.log(name, changelogTopic!, partition, key, value, this.options.currentTimestamp())
      if (typeof off === 'number') this.offsets.set(`${changelogTopic}:${partition}`, off + 1)
    }
    const topic = changelogTopic ?? `${this.options.applicationId}-${name}`
    let store: StateStore
    let bytes: BytesStore
    const ts = this.options.currentTimestamp
    if (s.kind === 'keyValue') {
      const base: KeyValueBytesStore = s.inMemory ? new InMemoryKeyValueStore(name) : new SqliteKeyValueStore(name, this.database(false))
      let layer: KeyValueBytesStore = changelogTopic === null ? base : new ChangeLoggingKeyValueStore(base, log)
      const caching = builder.cachingEnabled ? new CachingKeyValueStore(layer, this.cacheBudget, ts) : null
      if (caching !== null) layer = caching
      bytes = base
      store = new MeteredKeyValueStore(layer, keySerde, valueSerde, topic, caching)
    } else if (s.kind === 'window') {
      const base: WindowBytesStore = new SqliteWindowStore(name, this.database(s.inMemory), s.retentionMs, s.windowSizeMs, s.retainDuplicates, !s.inMemory)
      let layer: WindowBytesStore = changelogTopic === null ? base : new ChangeLoggingWindowStore(base, log)
      // a store keeping duplicates has no (key, window) identity to collapse updates on
      const caching = builder.cachingEnabled && !s.retainDuplicates ? new CachingWindowStore(layer, this.cacheBudget, ts) : null
      if (caching !== null) layer = caching
      bytes = base
      store = new MeteredWindowStore(layer, keySerde, valueSerde, topic, caching)
    } else {
      const base: SessionBytesStore = new SqliteSessionStore(name, this.database(s.inMemory), s.retentionMs, !s.inMemory)
      let layer: SessionBytesStore = changelogTopic === null ? base : new ChangeLoggingSessionStore(base, log)
      const caching = builder.cachingEnabled ? new CachingSessionStore(layer, this.cacheBudget, ts) : null
      if (caching !== null) layer = caching
      bytes = base
      store = new MeteredSessionStore(layer, keySerde, valueSerde, topic, caching)
    }
    this.stores.set(name, { builder, store, bytes, changelogTopic })
    return store
  }

  getStore(name: string): StateStore | null {
    return this.stores.get(name)?.store ?? null
  }

  storeNames(): string[] {
    return [...this.stores.keys()]
  }

  /** The changelogs the runtime must restore from before processing, with where to start. */
  changelogs(): ChangelogInfo[] {
    const out: ChangelogInfo[] = []
    for (const [storeName, r] of this.stores) {
      if (r.changelogTopic === null) continue
      const key = `${r.changelogTopic}:${this.options.partition}`
      const off = r.builder.supplier.inMemory ? undefined : this.checkpointed.get(key)
      out.push({ storeName, topic: r.changelogTopic, partition: this.options.partition, checkpointOffset: off ?? null })
    }
    return out
  }

  /** Applies a batch of changelog records to a store in one transaction. `nextOffset`: the offset after the last record. */
  restore(storeName: string, records: RestoreRecord[], nextOffset?: number): void {
    const r = this.stores.get(storeName)
    if (r === undefined) throw new StreamsException(`Cannot restore unknown store '${storeName}' in task ${this.options.taskId}`)
    r.bytes.restoreBatch(records)
    if (nextOffset !== undefined && r.changelogTopic !== null) this.offsets.set(`${r.changelogTopic}:${this.options.partition}`, nextOffset)
  }

  /** The next offset of a store's changelog partition this task's state holds (restored, acknowledged or checkpointed); null when not logged or unknown. */
  changelogPosition(storeName: string): number | null {
    const r = this.stores.get(storeName)
    if (r === undefined || r.changelogTopic === null) return null
    const key = `${r.changelogTopic}:${this.options.partition}`
    return this.offsets.get(key) ?? this.checkpointed.get(key) ?? null
  }

  /** Called by the runtime when produced changelog records are acknowledged. */
  setChangelogOffset(topic: string, partition: number, nextOffset: number): void {
    this.offsets.set(`${topic}:${partition}`, nextOffset)
  }

  /** The checkpoint read at start (topic:partition -> next offset). */
  checkpoint(): ReadonlyMap<string, number> {
    return this.checkpointed
  }

  /** Flushes caches (forwarding downstream), commits SQLite, then writes the checkpoint. */
  flush(): void {
    for (const r of this.stores.values()) r.store.flush()
    this.fileDb?.commit()
    this.memoryDb?.commit()
    if (this.options.checkpointOnFlush !== false) this.writeCheckpoint()
  }

  /** Writes the checkpoint now (exactly_once_v2: after the transaction committed). */
  checkpointNow(): void {
    this.writeCheckpoint()
  }

  /** Removes the checkpoint (exactly_once_v2: before SQLite commits state of an open transaction). */
  deleteCheckpoint(): void {
    if (this.taskDir === null || this.lastCheckpoint === '') return
    fs.rmSync(path.join(this.taskDir, CHECKPOINT_FILE), { force: true })
    this.lastCheckpoint = ''
  }

  close(): void {
    this.flush()
    for (const r of this.stores.values()) r.store.close()
    this.fileDb?.close()
    this.memoryDb?.close()
    this.stores.clear()
  }

  private database(inMemory: boolean): SqliteDatabase {
    if (inMemory || this.taskDir === null) return (this.memoryDb ??= new SqliteDatabase(null))
    return (this.fileDb ??= new SqliteDatabase(path.join(this.taskDir, 'state.db')))
  }

  private writeCheckpoint(): void {
    if (this.taskDir === null) return
    const offsets: Array<{ topic: string; partition: number; offset: number }> = []
    for (const r of this.stores.values()) {
      if (r.changelogTopic === null || r.builder.supplier.inMemory) continue
      const off = this.offsets.get(`${r.changelogTopic}:${this.options.partition}`) ?? this.checkpointed.get(`${r.changelogTopic}:${this.options.partition}`)
      if (off !== undefined) offsets.push({ topic: r.changelogTopic, partition: this.options.partition, offset: off })
    }
    const text = JSON.stringify({ version: 1, offsets })
    // Commits come often; the file changes only when an offset moved.
    if (text === this.lastCheckpoint) return
    fs.mkdirSync(this.taskDir, { recursive: true })
    const file = path.join(this.taskDir, CHECKPOINT_FILE)
    fs.writeFileSync(`${file}.tmp`, text)
    fs.renameSync(`${file}.tmp`, file)
    this.lastCheckpoint = text
  }

  private readCheckpoint(): Map<string, number> {
    const m = new Map<string, number>()
    if (this.taskDir === null) return m
    let text: string
    try {
      text = fs.readFileSync(path.join(this.taskDir, CHECKPOINT_FILE), 'utf8')
    } catch {
      return m
    }
    try {
      const parsed = JSON.parse(text) as { offsets?: Array<{ topic: string; partition: number; offset: number }> }
      for (const o of parsed.offsets ?? []) m.set(`${o.topic}:${o.partition}`, o.offset)
    } catch (err) {
      throw new StreamsException(`Corrupt checkpoint file in ${this.taskDir}`, { cause: err })
    }
    return m
  }
}
