// The coordinator's durable store: the broker backs it with the compacted
// __consumer_offsets topic; tests and embedded use can keep it in memory.

export interface OffsetsLogRecord {
  key: Buffer
  /** null is a tombstone. */
  value: Buffer | null
}

export interface OffsetsLog {
  /** Appends key/value records (value null = tombstone) durably; resolves when durable. */
  append(records: OffsetsLogRecord[]): Promise<void>
  /** Every record currently in the log, oldest first (the coordinator replays them on start to rebuild state). */
  readAll(): Iterable<OffsetsLogRecord>
}

/** Keeps every appended record in order, like an uncompacted topic; `compact()` mimics the cleaner. */
export class InMemoryOffsetsLog implements OffsetsLog {
  readonly records: OffsetsLogRecord[] = []

  constructor(initial: Iterable<OffsetsLogRecord> = []) {
    for (const r of initial) this.records.push(r)
  }

  async append(records: OffsetsLogRecord[]): Promise<void> {
    for (const r of records) this.records.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value) })
  }

  readAll(): Iterable<OffsetsLogRecord> {
    return this.records.slice()
  }

  /** Keeps only the latest record per key, dropping tombstones, as log compaction eventually does. */
  compact(): void {
    const latest = new Map<string, OffsetsLogRecord>()
    for (const r of this.records) {
      const k = r.key.toString('hex')
      latest.delete(k)
      latest.set(k, r)
    }
    this.records.length = 0
    for (const r of latest.values()) if (r.value !== null) this.records.push(r)
  }
}
