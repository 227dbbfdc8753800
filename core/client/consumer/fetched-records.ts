// Fetched batches to ConsumerRecords, shared by both consumers. Complete batches only
// (a cut-off trailing batch is left for the next fetch); control batches (transaction
// markers) are skipped; with read_committed, batches of aborted transactions are
// dropped as Kafka's consumer does: the aborted transactions the broker listed become
// "aborted producers" once the fetch reaches their first offset, and each one's abort
// marker ends it.
import {
  ATTRIBUTES,
  CONTROL_MASK,
  TRANSACTIONAL_MASK,
  baseOffset,
  lastOffset,
  producerId,
  timestampType as batchTimestampType,
} from '../../protocol/records/batch-header.js'
import { decodeRecordsWith, forEachBatch } from '../../protocol/records/record-batch.js'
import type { ConsumerRecord } from '../types.js'

export interface AbortedTransaction {
  producerId: number
  firstOffset: number
}

/** Control record key: version int16, type int16 (0 abort, 1 commit). */
const ABORT_MARKER = 0

/**
 * Decodes the complete batches of a fetched records field, keeping records at or after
 * `from`. `next` is the offset after the last complete batch. `aborted` (read_committed
 * only) lists the aborted transactions overlapping the fetched range.
 */
export function decodeFetched(
  topic: string,
  partition: number,
  records: Buffer,
  from: number,
  aborted: readonly AbortedTransaction[] | null = null,
): { out: ConsumerRecord[]; next: number } {
  const out: ConsumerRecord[] = []
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
    const timestampType = batchTimestampType(records, at)
    const start = out.length
    decodeRecordsWith(records, at, (offset, timestamp, key, value, headers) => ({ topic, partition, offset, timestamp, timestampType, key, value, headers }), out)
    // Only a batch that begins before the fetch position has records to drop.
    if (baseOffset(records, at) < from) {
      let skip = start
      while (skip < out.length && out[skip]!.offset < from) skip++
      out.splice(start, skip - start)
    }
  })
  return { out, next }
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
