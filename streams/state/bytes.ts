// The bytes interfaces shared by every store layer below the metered one.
// Keys compare as unsigned bytes (memcmp), which is SQLite's BLOB order.

export interface BytesEntry {
  key: Buffer
  value: Buffer
}

export interface RestoreRecord {
  key: Buffer
  value: Buffer | null
}

export interface BytesStore {
  readonly name: string
  readonly persistent: boolean
  flush(): void
  close(): void
  isOpen(): boolean
  /** Applies changelog records (key/value as logged) directly, bypassing logging and caching. */
  restoreBatch(records: RestoreRecord[]): void
}

export interface KeyValueBytesStore extends BytesStore {
  get(key: Buffer): Buffer | null
  /** null deletes. */
  put(key: Buffer, value: Buffer | null): void
  putIfAbsent(key: Buffer, value: Buffer): Buffer | null
  putAll(entries: Array<{ key: Buffer; value: Buffer | null }>): void
  delete(key: Buffer): Buffer | null
  range(from: Buffer | null, to: Buffer | null): BytesEntry[]
  all(): BytesEntry[]
  approximateNumEntries(): number
}

export interface WindowBytesEntry {
  key: Buffer
  windowStart: number
  value: Buffer
}

export interface WindowBytesStore extends BytesStore {
  readonly retentionMs: number
  readonly windowSizeMs: number
  readonly retainDuplicates: boolean
  /** Returns the sequence number used (0 unless duplicates are kept), or -1 when the window is already expired. */
  put(key: Buffer, value: Buffer | null, windowStart: number): number
  fetch(key: Buffer, timeFrom: number, timeTo: number): WindowBytesEntry[]
  fetchAll(timeFrom: number, timeTo: number): WindowBytesEntry[]
}

export interface SessionBytesEntry {
  key: Buffer
  start: number
  end: number
  value: Buffer
}

export interface SessionBytesStore extends BytesStore {
  readonly retentionMs: number
  /** null removes the session. Returns false when the session is already expired. */
  put(key: Buffer, start: number, end: number, value: Buffer | null): boolean
  findSessions(key: Buffer, earliestSessionEnd: number, latestSessionStart: number): SessionBytesEntry[]
  fetchAll(): SessionBytesEntry[]
}
