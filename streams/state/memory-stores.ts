// A key-value bytes store in a JS Map. Window and session stores in memory
// use the SQLite stores on an in-memory database instead.
import type { BytesEntry, KeyValueBytesStore, RestoreRecord } from './bytes.js'

export class InMemoryKeyValueStore implements KeyValueBytesStore {
  readonly persistent = false
  private readonly map = new Map<string, BytesEntry>()
  private open = true
  constructor(readonly name: string) {}

  get(key: Buffer): Buffer | null {
    return this.map.get(key.toString('latin1'))?.value ?? null
  }
  put(key: Buffer, value: Buffer | null): void {
    const k = key.toString('latin1')
    if (value === null) this.map.delete(k)
    else this.map.set(k, { key, value })
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
    const out: BytesEntry[] = []
    for (const e of this.map.values()) {
      if (from !== null && Buffer.compare(e.key, from) < 0) continue
      if (to !== null && Buffer.compare(e.key, to) > 0) continue
      out.push(e)
    }
    return out.sort((a, b) => Buffer.compare(a.key, b.key))
  }
  all(): BytesEntry[] {
    return this.range(null, null)
  }
  approximateNumEntries(): number {
    return this.map.size
  }
  restoreBatch(records: RestoreRecord[]): void {
    for (const r of records) this.put(r.key, r.value)
  }
  flush(): void {}
  close(): void {
    this.open = false
  }
  isOpen(): boolean {
    return this.open
  }
}
