// __consumer_offsets as the coordinator's durable store: records keyed in Kafka's
// format, each group's records on the partition Kafka would choose for it.
import { CorruptRecordError } from '../errors.js'
import type { OffsetsLog, OffsetsLogRecord } from '../group/offsets-log.js'
import { CONTROL_MASK, TRANSACTIONAL_MASK, attributes, producerId as batchProducerId } from '../protocol/records/batch-header.js'
import { encodeRecordBatch, forEachBatch, forEachRecord } from '../protocol/records/record-batch.js'
import { ControlRecordType, controlRecordType, encodeControlRecord } from '../log/transaction-tracker.js'
import type { Partition } from './partition.js'

export const OFFSETS_TOPIC = '__consumer_offsets'

/** Java's String.hashCode, which Kafka uses to place a group: abs(hash) % partitions. */
export function javaStringHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

export function offsetsPartitionFor(groupId: string, partitions: number): number {
  const h = javaStringHash(groupId)
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions
}

/** Both key formats (offset commit, group metadata) start with a version and the group id. */
function groupOfKey(key: Buffer): string {
  const len = key.readInt16BE(2)
  return key.toString('utf8', 4, 4 + len)
}

export class TopicOffsetsLog implements OffsetsLog {
  constructor(
    private readonly partitions: () => Partition[],
    /** Told about damaged data skipped while reading (offsets from..to-1); default: rethrown. */
    private readonly onDamage?: (partition: Partition, from: number, to: number, err: CorruptRecordError) => void,
  ) {}

  partitionOf(groupId: string): number {
    return offsetsPartitionFor(groupId, this.partitions().length)
  }

  append(records: { key: Buffer; value: Buffer | null }[]): Promise<void> {
    return this.write(records, null)
  }

  appendTransactional(records: { key: Buffer; value: Buffer | null }[], producerId: number, producerEpoch: number): Promise<void> {
    return this.write(records, { producerId, producerEpoch, transactional: true, baseSequence: -1 })
  }

  async appendMarker(partition: number, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    // The marker follows the flush policy, as the offsets themselves and data markers do.
    await this.partitions()[partition]!.append(encodeControlRecord(producerId, producerEpoch, commit, 0, Date.now()), -1)
  }

  private async write(
    records: { key: Buffer; value: Buffer | null }[],
    txn: { producerId: number; producerEpoch: number; transactional: true; baseSequence: number } | null,
  ): Promise<void> {
    const parts = this.partitions()
    const byPartition = new Map<number, { key: Buffer; value: Buffer | null; timestamp: number }[]>()
    const now = Date.now()
    for (const r of records) {
      const p = offsetsPartitionFor(groupOfKey(r.key), parts.length)
      let list = byPartition.get(p)
      if (!list) byPartition.set(p, (list = []))
      list.push({ key: r.key, value: r.value, timestamp: now })
    }
    await Promise.all(
      [...byPartition].map(async ([p, list]) => {
        // Written as acks=all: an fsync first only when __consumer_offsets asks for one (flush.messages=1), as data
        // topics do. Kafka relies on replication, not fsync, here too; an fsync per commit would make every commit
        // wait for the file system to write out all the dirty data before it (~100 ms under load).
        await parts[p]!.append(encodeRecordBatch(list, txn ?? {}), -1)
      }),
    )
  }

  *readAll(): Iterable<OffsetsLogRecord> {
    for (const partition of this.partitions()) {
      let offset = partition.logStartOffset
      const end = partition.highWatermark
      while (offset < end) {
        let chunk: Buffer
        try {
          chunk = partition.read(offset, 1 << 20)
        } catch (err) {
          if (!(err instanceof CorruptRecordError) || this.onDamage === undefined) throw err
          const next = partition.log.offsetAfterDamage(offset)
          this.onDamage(partition, offset, next, err)
          offset = next
          continue
        }
        if (chunk.length === 0) break
        const out: OffsetsLogRecord[] = []
        forEachBatch(chunk, (at) => {
          const attrs = attributes(chunk, at)
          const pid = (attrs & TRANSACTIONAL_MASK) !== 0 ? batchProducerId(chunk, at) : undefined
          if ((attrs & CONTROL_MASK) !== 0) {
            const type = controlRecordType(chunk, at)
            if (pid !== undefined && type >= 0) out.push({ key: EMPTY, value: null, producerId: pid, marker: type === ControlRecordType.COMMIT ? 'commit' : 'abort' })
            forEachRecord(chunk, at, (r) => {
              offset = r.offset + 1
            })
            return
          }
          forEachRecord(chunk, at, (r) => {
            if (r.offset >= offset && r.key !== null) out.push(pid === undefined ? { key: r.key, value: r.value } : { key: r.key, value: r.value, producerId: pid })
            offset = r.offset + 1
          })
        })
        yield* out
      }
    }
  }
}

const EMPTY = Buffer.alloc(0)
