// __transaction_state as the transaction coordinator's durable store: compacted, one
// record per transactional id (the latest state), each id on the partition Kafka picks
// (abs(hash) % partitions). In memory for tests.
//
// Writes are not fsynced one by one: as in Kafka, whose coordinator relies on replication
// rather than fsync, they reach disk with the log's flush policy (a killed process loses
// nothing, the page cache keeps it; a power cut can lose the last unflushed states, as on a
// single Kafka broker with default settings).
import { javaStringHash } from '../broker/offsets-topic.js'
import type { Partition } from '../broker/partition.js'
import { encodeRecordBatch, forEachBatch, forEachRecord } from '../protocol/records/record-batch.js'

export const TRANSACTION_STATE_TOPIC = '__transaction_state'

export interface TransactionLogRecord {
  key: Buffer
  value: Buffer | null
}

export interface TransactionLog {
  /** Appends; durable as the topic's flush policy makes it (Kafka relies on replication, not fsync, here too). */
  append(transactionalId: string, record: TransactionLogRecord): Promise<void>
  /** Every record, oldest first per partition. */
  readAll(): Iterable<TransactionLogRecord>
}

export function transactionPartitionFor(transactionalId: string, partitions: number): number {
  const h = javaStringHash(transactionalId)
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions
}

export class TopicTransactionLog implements TransactionLog {
  constructor(private readonly partitions: () => Partition[]) {}

  async append(transactionalId: string, record: TransactionLogRecord): Promise<void> {
    const parts = this.partitions()
    const partition = parts[transactionPartitionFor(transactionalId, parts.length)]!
    await partition.append(encodeRecordBatch([{ key: record.key, value: record.value, timestamp: Date.now() }]), -1)
  }

  *readAll(): Iterable<TransactionLogRecord> {
    for (const partition of this.partitions()) {
      let offset = partition.logStartOffset
      const end = partition.highWatermark
      while (offset < end) {
        const chunk = partition.read(offset, 1 << 20)
        if (chunk.length === 0) break
        const out: TransactionLogRecord[] = []
        forEachBatch(chunk, (at) =>
          forEachRecord(chunk, at, (r) => {
            if (r.offset >= offset && r.key !== null) out.push({ key: r.key, value: r.value })
            offset = r.offset + 1
          }),
        )
        yield* out
      }
    }
  }
}

export class InMemoryTransactionLog implements TransactionLog {
  readonly records: TransactionLogRecord[] = []
  async append(_id: string, record: TransactionLogRecord): Promise<void> {
    this.records.push({ key: Buffer.from(record.key), value: record.value === null ? null : Buffer.from(record.value) })
  }
  readAll(): Iterable<TransactionLogRecord> {
    return this.records.slice()
  }
}
