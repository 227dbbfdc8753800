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
import { BatchRecordReader, decodeRecordsWith, forEachBatch, type RecordFactory } from '../../protocol/records/record-batch.js'
import type { ConsumerRecord } from '../types.js'

export interface AbortedTransaction {
  producerId: number
  firstOffset: number
}

/** Control record key: version int16, type int16 (0 abort, 1 commit). */
const ABORT_MARKER = 0

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
  private timestampType: TimestampType = 0
  /** The next record to return, decoded ahead so `hasMore` is exact. */
  private ahead: ConsumerRecord | null = null
  /** A record that cannot be decoded: take() throws it once the records before it are taken. */
  private failure: Error | null = null
  private readonly make: RecordFactory<ConsumerRecord>

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
    const make = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: ConsumerRecord['headers']): ConsumerRecord => ({
      topic,
      partition,
      offset,
      timestamp,
      timestampType: this.timestampType,
      key,
      value,
      headers,
    })
    this.make = make
    this.advance()
  }

  /** True while take() has records to give (or a corrupt record to report). */
  get hasMore(): boolean {
    return this.ahead !== null || this.failure !== null
  }

  /**
   * Appends up to `max` records to `out`; returns how many. At a corrupt record it stops, and the
   * next call (and every one after it) throws its CorruptRecordError.
   */
  take(max: number, out: ConsumerRecord[]): number {
    let n = 0
    while (n < max) {
      const r = this.ahead
      if (r === null) {
        if (this.failure !== null && n === 0) throw this.failure
        break
      }
      out.push(r)
      n++
      this.advance()
    }
    return n
  }

  /** Decodes the next record at or after `from` into `ahead` (null when none is left or it is corrupt). */
  private advance(): void {
    try {
      this.decodeAhead()
    } catch (err) {
      this.ahead = null
      this.failure = err as Error
    }
  }

  private decodeAhead(): void {
    for (;;) {
      const reader = this.reader
      if (reader !== null && reader.remaining > 0) {
        const r = reader.next(this.make)
        // Only a batch that begins before the fetch position has records to drop.
        if (r.offset < this.from) continue
        this.ahead = r
        return
      }
      if (this.batchIndex >= this.batches.length) {
        this.reader = null
        this.ahead = null
        return
      }
      const at = this.batches[this.batchIndex++]!
      this.timestampType = batchTimestampType(this.records, at)
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
