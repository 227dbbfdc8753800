// __transaction_state records in Kafka's formats (TransactionLogKey / TransactionLogValue):
//   key   v0: version int16, transactionalId string (int16 length)
//   value v0: version int16, producerId int64, producerEpoch int16, transactionTimeoutMs int32,
//             transactionStatus int8, transactionPartitions nullable array of
//             { topic string, partitionIds array of int32 }, lastUpdateTimestampMs int64,
//             startTimestampMs int64
// Values of version 1+ (KIP-890, flexible) are read too: compact strings and arrays,
// tagged fields skipped. Brook writes version 0, which every Kafka reads.
import { BrookError } from '../errors.js'
import { readInt64, writeInt64 } from '../protocol/records/batch-header.js'
import type { TopicPartition } from '../common/types.js'

/** TransactionState ids as Kafka writes them. */
export const TxnStatus = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const
export type TxnStatusName = keyof typeof TxnStatus
const NAMES = Object.fromEntries(Object.entries(TxnStatus).map(([k, v]) => [v, k])) as Record<number, TxnStatusName>

export interface TransactionLogValue {
  producerId: number
  producerEpoch: number
  transactionTimeoutMs: number
  status: TxnStatusName
  partitions: TopicPartition[]
  lastUpdateTimestampMs: number
  startTimestampMs: number
}

function bad(what: string): never {
  throw new BrookError('CORRUPT_RECORD', `__transaction_state record: ${what}`)
}

export function encodeTransactionLogKey(transactionalId: string): Buffer {
  const id = Buffer.from(transactionalId, 'utf8')
  const out = Buffer.allocUnsafe(4 + id.length)
  out.writeInt16BE(0, 0)
  out.writeInt16BE(id.length, 2)
  id.copy(out, 4)
  return out
}

export function decodeTransactionLogKey(key: Buffer): string {
  if (key.length < 4) bad('key too short')
  const version = key.readInt16BE(0)
  if (version !== 0) bad(`unknown key version ${version}`)
  const len = key.readInt16BE(2)
  if (len < 0 || 4 + len > key.length) bad('key length out of range')
  return key.toString('utf8', 4, 4 + len)
}

export function encodeTransactionLogValue(v: TransactionLogValue): Buffer {
  const byTopic = new Map<string, number[]>()
  for (const tp of v.partitions) {
    let list = byTopic.get(tp.topic)
    if (!list) byTopic.set(tp.topic, (list = []))
    list.push(tp.partition)
  }
  let size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8
  const topics = [...byTopic].map(([t, ps]) => {
    const name = Buffer.from(t, 'utf8')
    size += 2 + name.length + 4 + 4 * ps.length
    return { name, ps }
  })
  const out = Buffer.allocUnsafe(size)
  let at = 0
  out.writeInt16BE(0, at)
  at += 2
  writeInt64(out, at, v.producerId)
  at += 8
  out.writeInt16BE(v.producerEpoch, at)
  at += 2
  out.writeInt32BE(v.transactionTimeoutMs, at)
  at += 4
  out.writeInt8(TxnStatus[v.status], at)
  at += 1
  out.writeInt32BE(topics.length, at)
  at += 4
  for (const t of topics) {
    out.writeInt16BE(t.name.length, at)
    at += 2
    t.name.copy(out, at)
    at += t.name.length
    out.writeInt32BE(t.ps.length, at)
    at += 4
    for (const p of t.ps) {
      out.writeInt32BE(p, at)
      at += 4
    }
  }
  writeInt64(out, at, v.lastUpdateTimestampMs)
  at += 8
  writeInt64(out, at, v.startTimestampMs)
  return out
}

class Cursor {
  at = 0
  constructor(private readonly b: Buffer) {}
  need(n: number): void {
    if (this.at + n > this.b.length) bad(`value truncated at byte ${this.at}`)
  }
  i8(): number {
    this.need(1)
    return this.b.readInt8(this.at++)
  }
  i16(): number {
    this.need(2)
    const v = this.b.readInt16BE(this.at)
    this.at += 2
    return v
  }
  i32(): number {
    this.need(4)
    const v = this.b.readInt32BE(this.at)
    this.at += 4
    return v
  }
  i64(): number {
    this.need(8)
    const v = readInt64(this.b, this.at)
    this.at += 8
    return v
  }
  uvarint(): number {
    let v = 0
    let shift = 0
    for (;;) {
      this.need(1)
      const byte = this.b[this.at++]!
      v += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return v
      shift += 7
      if (shift > 28) bad('varint too long')
    }
  }
  str(len: number): string {
    if (len < 0) bad('negative string length')
    this.need(len)
    const s = this.b.toString('utf8', this.at, this.at + len)
    this.at += len
    return s
  }
  skipTags(): void {
    const n = this.uvarint()
    for (let i = 0; i < n; i++) {
      this.uvarint()
      const size = this.uvarint()
      this.need(size)
      this.at += size
    }
  }
}

export function decodeTransactionLogValue(value: Buffer): TransactionLogValue {
  const c = new Cursor(value)
  const version = c.i16()
  if (version < 0 || version > 1) bad(`unknown value version ${version}`)
  const flexible = version >= 1
  const producerId = c.i64()
  const producerEpoch = c.i16()
  const transactionTimeoutMs = c.i32()
  const statusId = c.i8()
  const status = NAMES[statusId] ?? bad(`unknown transaction status ${statusId}`)
  const partitions: TopicPartition[] = []
  const topicCount = flexible ? c.uvarint() - 1 : c.i32()
  for (let i = 0; i < topicCount; i++) {
    const topic = flexible ? c.str(c.uvarint() - 1) : c.str(c.i16())
    const n = flexible ? c.uvarint() - 1 : c.i32()
    for (let j = 0; j < n; j++) partitions.push({ topic, partition: c.i32() })
    if (flexible) c.skipTags()
  }
  const lastUpdateTimestampMs = c.i64()
  const startTimestampMs = c.i64()
  if (flexible) c.skipTags()
  return { producerId, producerEpoch, transactionTimeoutMs, status, partitions, lastUpdateTimestampMs, startTimestampMs }
}
