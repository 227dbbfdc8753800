// Fetched batches to ConsumerRecords, shared by both consumers. Complete batches only
// (a cut-off trailing batch is left for the next fetch); control batches (transaction
// markers) are skipped; with read_committed, batches of aborted transactions are
// dropped as Kafka's consumer does: the aborted transactions the broker listed become
// "aborted producers" once the fetch reaches their first offset, and each one's abort
// marker ends it.
//
// Records are decoded as they are taken, not when the fetch arrives: a fetch holds thousands
// of records and a poll takes max.poll.records of them, so only what a poll returns becomes
// objects (short-lived ones, which young-generation garbage collection handles cheaply).
import {
  ATTRIBUTES,
  CONTROL_MASK,
  TRANSACTIONAL_MASK,
  lastOffset,
  producerId,
  timestampType as batchTimestampType,
} from '../../protocol/records/batch-header.js'
import type { TimestampType } from '../../protocol/records/batch-header.js'
import { BatchRecordReader, decodeRecordsWith, forEachBatch } from '../../protocol/records/record-batch.js'
import type { ConsumerRecord, RecordHeader, RecordView } from '../types.js'

export interface AbortedTransaction {
  producerId: number
  firstOffset: number
}

/** Control record key: version int16, type int16 (0 abort, 1 commit). */
const ABORT_MARKER = 0

const NO_BYTES = Buffer.alloc(0)

/** The view FetchedRecords decodes each record into: positions, refilled per record. */
class FetchedRecordView implements RecordView {
  offset = 0
  timestamp = 0
  timestampType: TimestampType = 0
  bytes: Buffer = NO_BYTES
  keyStart = -1
  keyEnd = -1
  valueStart = -1
  valueEnd = -1
  headers: RecordHeader[] = []

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  toRecord(): ConsumerRecord {
    const b = this.bytes
    return {
      topic: this.topic,
      partition: this.partition,
      offset: this.offset,
      timestamp: this.timestamp,
      timestampType: this.timestampType,
      key: this.keyStart < 0 ? null : b.subarray(this.keyStart, this.keyEnd),
      value: this.valueStart < 0 ? null : b.subarray(this.valueStart, this.valueEnd),
      headers: this.headers,
    }
  }
}

/**
 * The records of one fetched records field at or after `from`, decoded as they are taken.
 * `next` is the offset after the last complete batch. `aborted` (read_committed only) lists the
 * aborted transactions overlapping the fetched range. Which batches hold records for the
 * caller is decided at once from their headers; records are decoded by take().
 */
export class FetchedRecords {
  readonly next: number
  /** Start positions of the batches whose records are returned. */
  private readonly batches: number[] = []
  private batchIndex = 0
  private reader: BatchRecordReader | null = null
  /** The next record to return, decoded ahead so `hasMore` is exact. */
  private readonly view: FetchedRecordView
  private ahead = false
  /** A record that cannot be decoded: take() throws it once the records before it are taken. */
  private failure: Error | null = null

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly records: Buffer,
    private readonly from: number,
    aborted: readonly AbortedTransaction[] | null = null,
  ) {
    let next = from
    let pending = aborted !== null && aborted.length > 0 ? [...aborted].sort((a, b) => a.firstOffset - b.firstOffset) : null
    let abortedProducers: Set<number> | null = null
    forEachBatch(records, (at) => {
      const end = lastOffset(records, at) + 1
      if (end > next) next = end
      const attrs = records.readInt16BE(at + ATTRIBUTES)
      if (pending !== null) {
        while (pending.length > 0 && pending[0]!.firstOffset <= end - 1) {
          ;(abortedProducers ??= new Set()).add(pending.shift()!.producerId)
        }
        if (pending.length === 0) pending = null
      }
      if ((attrs & CONTROL_MASK) !== 0) {
        // An abort marker ends the producer's aborted transaction.
        if (abortedProducers !== null && controlType(records, at) === ABORT_MARKER) abortedProducers.delete(producerId(records, at))
        return
      }
      if (end <= from) return
      if (abortedProducers !== null && (attrs & TRANSACTIONAL_MASK) !== 0 && abortedProducers.has(producerId(records, at))) return
      this.batches.push(at)
    })
    this.next = next
    this.view = new FetchedRecordView(topic, partition)
    this.advance()
  }

  /** True while take() has records to give (or a corrupt record to report). */
  get hasMore(): boolean {
    return this.ahead || this.failure !== null
  }

  /**
   * Appends up to `max` records to `out`; returns how many. At a corrupt record it stops, and the
   * next call (and every one after it) throws its CorruptRecordError.
   */
  take(max: number, out: ConsumerRecord[]): number {
    let n = 0
    while (n < max) {
      if (!this.ahead) {
        if (this.failure !== null && n === 0) throw this.failure
        break
      }
      out.push(this.view.toRecord())
      n++
      this.advance()
    }
    return n
  }

  /**
   * Hands up to `max` records to `visit` as the one view, refilled per record; returns how many.
   * `visited` runs after each visit with the record's offset (the caller's position moves there).
   * Corrupt records as take().
   */
  visit(max: number, visit: (record: RecordView) => void, visited: (offset: number) => void): number {
    let n = 0
    const view = this.view
    while (n < max) {
      if (!this.ahead) {
        if (this.failure !== null && n === 0) throw this.failure
        break
      }
      visit(view)
      visited(view.offset)
      n++
      this.advance()
    }
    return n
  }

  /** Decodes the next record at or after `from` into the view (`ahead` false when none is left or it is corrupt). */
  private advance(): void {
    try {
      this.decodeAhead()
    } catch (err) {
      this.ahead = false
      this.failure = err as Error
    }
  }

  private decodeAhead(): void {
    const view = this.view
    for (;;) {
      const reader = this.reader
      if (reader !== null && reader.remaining > 0) {
        reader.nextInto(view)
        // Only a batch that begins before the fetch position has records to drop.
        if (view.offset < this.from) continue
        this.ahead = true
        return
      }
      if (this.batchIndex >= this.batches.length) {
        this.reader = null
        this.ahead = false
        return
      }
      const at = this.batches[this.batchIndex++]!
      view.timestampType = batchTimestampType(this.records, at)
      this.reader = new BatchRecordReader(this.records, at)
    }
  }
}

/**
 * Decodes the complete batches of a fetched records field at once, keeping records at or after
 * `from` (see FetchedRecords, which decodes them as they are taken).
 */
export function decodeFetched(
  topic: string,
  partition: number,
  records: Buffer,
  from: number,
  aborted: readonly AbortedTransaction[] | null = null,
): { out: ConsumerRecord[]; next: number } {
  const fetched = new FetchedRecords(topic, partition, records, from, aborted)
  const out: ConsumerRecord[] = []
  fetched.take(Infinity, out)
  return { out, next: fetched.next }
}

/** The type of the control record of an uncompressed control batch (-1 when it cannot be read). */
function controlType(records: Buffer, at: number): number {
  let type = -1
  decodeRecordsWith(records, at, (_o, _t, key) => {
    if (key !== null && key.length >= 4 && type < 0) type = key.readInt16BE(2)
    return null
  }, [] as null[])
  return type
}
