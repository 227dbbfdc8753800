// Change-logging layers: write to the inner store, then log the change (null
// value = tombstone) so the store can be rebuilt from its changelog topic.
import type {
  BytesEntry,
  KeyValueBytesStore,
  RestoreRecord,
  SessionBytesEntry,
  SessionBytesStore,
  WindowBytesEntry,
  WindowBytesStore,
} from './bytes.js'
import { sessionKeyBytes, windowKeyBytes } from './key-schema.js'

/** Logs one change of a store; the state manager adds topic, partition and timestamp. */
export type ChangeLogger = (key: Buffer, value: Buffer | null) => void

abstract class Wrapped<S extends KeyValueBytesStore | WindowBytesStore | SessionBytesStore> {
  constructor(
    protected readonly inner: S,
    protected readonly log: ChangeLogger,
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
  restoreBatch(records: RestoreRecord[]): void {
    this.inner.restoreBatch(records)
  }
}

export class ChangeLoggingKeyValueStore extends Wrapped<KeyValueBytesStore> implements KeyValueBytesStore {
  get(key: Buffer): Buffer | null {
    return this.inner.get(key)
  }
  put(key: Buffer, value: Buffer | null): void {
    this.inner.put(key, value)
    this.log(key, value)
  }
  putIfAbsent(key: Buffer, value: Buffer): Buffer | null {
    const old = this.inner.putIfAbsent(key, value)
    if (old === null) this.log(key, value)
    return old
  }
  putAll(entries: Array<{ key: Buffer; value: Buffer | null }>): void {
    for (const e of entries) this.put(e.key, e.value)
  }
  delete(key: Buffer): Buffer | null {
    const old = this.inner.delete(key)
    this.log(key, null)
    return old
  }
  range(from: Buffer | null, to: Buffer | null): BytesEntry[] {
    return this.inner.range(from, to)
  }
  all(): BytesEntry[] {
    return this.inner.all()
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries()
  }
}

export class ChangeLoggingWindowStore extends Wrapped<WindowBytesStore> implements WindowBytesStore {
  get retentionMs(): number {
    return this.inner.retentionMs
  }
  get windowSizeMs(): number {
    return this.inner.windowSizeMs
  }
  get retainDuplicates(): boolean {
    return this.inner.retainDuplicates
  }
  put(key: Buffer, value: Buffer | null, windowStart: number): number {
    const seq = this.inner.put(key, value, windowStart)
    if (seq >= 0) this.log(windowKeyBytes(key, windowStart, seq), value)
    return seq
  }
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowBytesEntry[] {
    return this.inner.fetch(key, timeFrom, timeTo)
  }
  fetchAll(timeFrom: number, timeTo: number): WindowBytesEntry[] {
    return this.inner.fetchAll(timeFrom, timeTo)
  }
}

export class ChangeLoggingSessionStore extends Wrapped<SessionBytesStore> implements SessionBytesStore {
  get retentionMs(): number {
    return this.inner.retentionMs
  }
  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean {
    const ok = this.inner.put(key, start, end, value)
    if (ok) this.log(sessionKeyBytes(key, start, end), value)
    return ok
  }
  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): SessionBytesEntry[] {
    return this.inner.findSessions(key, earliestSessionEnd, latestSessionStart)
  }
  fetchAll(): SessionBytesEntry[] {
    return this.inner.fetchAll()
  }
}
