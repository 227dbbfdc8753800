// The coordinator's durable store: the broker backs it with the compacted
// __consumer_offsets topic; tests and embedded use can keep it in memory.

export interface OffsetsLogRecord {
  key: Buffer
  /** null is a tombstone. */
  value: Buffer | null
  /** Offsets committed in a transaction (TxnOffsetCommit): the transactional producer, until its marker. */
  producerId?: number
  /** A transaction marker for `producerId` (replay only). */
  marker?: 'commit' | 'abort'
}

export interface OffsetsLog {
  /** Appends key/value records (value null = tombstone) durably; resolves when durable. */
  append(records: OffsetsLogRecord[]): Promise<void>
  /** Appends offsets committed in a transaction, as a transactional batch of the producer. */
  appendTransactional(records: OffsetsLogRecord[], producerId: number, producerEpoch: number): Promise<void>
  /** Writes the producer's commit or abort marker to one partition of the log. */
  appendMarker(partition: number, producerId: number, producerEpoch: number, commit: boolean): Promise<void>
  /** The partition holding a group's records. */
  partitionOf(groupId: string): number
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

  async appendTransactional(records: OffsetsLogRecord[], producerId: number): Promise<void> {
    for (const r of records) this.records.push({ key: Buffer.from(r.key), value: r.value === null ? null : Buffer.from(r.value), producerId })
  }

  async appendMarker(_partition: number, producerId: number, _epoch: number, commit: boolean): Promise<void> {
    this.records.push({ key: Buffer.alloc(0), value: null, producerId, marker: commit ? 'commit' : 'abort' })
  }

  partitionOf(): number {
    return 0
  }

  readAll(): Iterable<OffsetsLogRecord> {
    return this.records.slice()
  }

  /** Keeps only the latest record per key, dropping tombstones, as log compaction eventually does. */
  compact(): void {
    const latest = new Map<string, OffsetsLogRecord>()
    for (const r of this.records) {
      if (r.producerId !== undefined) continue
      const k = r.key.toString('hex')
      latest.delete(k)
      latest.set(k, r)
    }
    this.records.length = 0
    for (const r of latest.values()) if (r.value !== null) this.records.push(r)
  }
}
