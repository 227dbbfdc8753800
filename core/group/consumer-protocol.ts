// The "consumer" embedded protocol: the subscription a member sends in JoinGroup
// and the assignment the leader hands out through SyncGroup. The broker treats
// both as opaque bytes; clients (Brook's and Kafka's) agree on this layout.
// Newer versions than we know are read with the newest layout we know, as Kafka
// does, since versions only append fields.
import type { TopicPartition } from '../common/types.js'
import { CorruptRecordError } from '../errors.js'
import { ByteReader, ByteWriter } from './bytes.js'

export const CONSUMER_PROTOCOL_TYPE = 'consumer'
export const CONSUMER_PROTOCOL_LATEST_VERSION = 3

export interface ConsumerProtocolSubscription {
  topics: string[]
  userData: Buffer | null
  /** Version 1+. */
  ownedPartitions: TopicPartition[]
  /** Version 2+; -1 when unknown. */
  generationId: number
  /** Version 3+. */
  rackId: string | null
}

export interface ConsumerProtocolAssignment {
  assignedPartitions: TopicPartition[]
  userData: Buffer | null
}

/** Groups partitions by topic in first-seen topic order, as the wire format wants. */
function groupByTopic(partitions: readonly TopicPartition[]): Array<[string, number[]]> {
  const byTopic = new Map<string, number[]>()
  for (const tp of partitions) {
    let list = byTopic.get(tp.topic)
    if (!list) byTopic.set(tp.topic, (list = []))
    list.push(tp.partition)
  }
  return [...byTopic]
}

function writeTopicPartitions(w: ByteWriter, partitions: readonly TopicPartition[]): void {
  w.array(groupByTopic(partitions), (w, [topic, ps]) => {
    w.string(topic).array(ps, (w, p) => w.int32(p))
  })
}

function readTopicPartitions(r: ByteReader): TopicPartition[] {
  const out: TopicPartition[] = []
  r.array((r) => {
    const topic = r.string()
    for (const partition of r.array((r) => r.int32())) out.push({ topic, partition })
  })
  return out
}

function checkVersion(version: number, what: string): void {
  if (!Number.isInteger(version) || version < 0 || version > CONSUMER_PROTOCOL_LATEST_VERSION) {
    throw new CorruptRecordError(`Cannot encode ${what} version ${version}; supported 0-${CONSUMER_PROTOCOL_LATEST_VERSION}`)
  }
}

export function encodeSubscription(
  sub: Partial<ConsumerProtocolSubscription> & { topics: string[] },
  version = CONSUMER_PROTOCOL_LATEST_VERSION,
): Buffer {
  checkVersion(version, 'ConsumerProtocolSubscription')
  const w = new ByteWriter(64)
  w.int16(version)
    .array(sub.topics, (w, t) => w.string(t))
    .bytes(sub.userData ?? null)
  if (version >= 1) writeTopicPartitions(w, sub.ownedPartitions ?? [])
  if (version >= 2) w.int32(sub.generationId ?? -1)
  if (version >= 3) w.string(sub.rackId ?? null)
  return w.finish()
}

export function decodeSubscription(buf: Buffer): ConsumerProtocolSubscription & { version: number } {
  const r = new ByteReader(buf, 'ConsumerProtocolSubscription')
  const version = r.int16()
  if (version < 0) throw new CorruptRecordError(`Invalid ConsumerProtocolSubscription version ${version}`)
  const topics = r.array((r) => r.string())
  const userData = r.nullableBytes()
  const ownedPartitions = version >= 1 ? readTopicPartitions(r) : []
  const generationId = version >= 2 ? r.int32() : -1
  const rackId = version >= 3 ? r.nullableString() : null
  return { version, topics, userData, ownedPartitions, generationId, rackId }
}

export function encodeAssignment(
  assignment: Partial<ConsumerProtocolAssignment> & { assignedPartitions: TopicPartition[] },
  version = CONSUMER_PROTOCOL_LATEST_VERSION,
): Buffer {
  checkVersion(version, 'ConsumerProtocolAssignment')
  const w = new ByteWriter(64)
  w.int16(version)
  writeTopicPartitions(w, assignment.assignedPartitions)
  w.bytes(assignment.userData ?? null)
  return w.finish()
}

/** An empty buffer (what the coordinator hands a member the leader left out) is an empty assignment. */
export function decodeAssignment(buf: Buffer): ConsumerProtocolAssignment & { version: number } {
  if (buf.length === 0) return { version: 0, assignedPartitions: [], userData: null }
  const r = new ByteReader(buf, 'ConsumerProtocolAssignment')
  const version = r.int16()
  if (version < 0) throw new CorruptRecordError(`Invalid ConsumerProtocolAssignment version ${version}`)
  const assignedPartitions = readTopicPartitions(r)
  const userData = r.nullableBytes()
  return { version, assignedPartitions, userData }
}
