// Kafka's __consumer_offsets record formats, so the topic's contents read the same
// as Kafka's. Keys start with an int16 that names the record type (0/1 offset
// commit, 2 group metadata); values start with their own schema version.
// Non-flexible versions only: strings int16-length-prefixed, bytes int32.
import { CorruptRecordError } from '../errors.js'
import { ByteReader, ByteWriter } from './bytes.js'

export const OFFSET_COMMIT_KEY_VERSION = 1
export const GROUP_METADATA_KEY_VERSION = 2
/** Versions Brook writes. */
export const OFFSET_COMMIT_VALUE_VERSION = 3
export const GROUP_METADATA_VALUE_VERSION = 3

export type OffsetsRecordKey =
  | { type: 'offset'; group: string; topic: string; partition: number }
  | { type: 'group'; group: string }
  /** Record types Brook does not write (e.g. Kafka's newer consumer-group records); skipped on replay. */
  | { type: 'unknown'; version: number }

export interface OffsetCommitValue {
  offset: number
  /** -1 when unknown (and in versions before 3). */
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
  /** Only version 1 carries it; -1 otherwise. */
  expireTimestamp: number
}

export interface MemberMetadataValue {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** Versions before 1 have none; the session timeout stands in, as in Kafka. */
  rebalanceTimeout: number
  sessionTimeout: number
  subscription: Buffer
  assignment: Buffer
}

export interface GroupMetadataValue {
  protocolType: string
  generation: number
  protocol: string | null
  leader: string | null
  /** -1 when unknown (and in versions before 2). */
  currentStateTimestamp: number
  members: MemberMetadataValue[]
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return new ByteWriter(8 + group.length + topic.length)
    .int16(OFFSET_COMMIT_KEY_VERSION)
    .string(group)
    .string(topic)
    .int32(partition)
    .finish()
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return new ByteWriter(4 + group.length).int16(GROUP_METADATA_KEY_VERSION).string(group).finish()
}

export function decodeOffsetsKey(key: Buffer): OffsetsRecordKey {
  const r = new ByteReader(key, '__consumer_offsets key')
  const version = r.int16()
  if (version === 0 || version === 1) {
    return { type: 'offset', group: r.string(), topic: r.string(), partition: r.int32() }
  }
  if (version === GROUP_METADATA_KEY_VERSION) return { type: 'group', group: r.string() }
  if (version < 0) throw new CorruptRecordError(`Invalid __consumer_offsets key version ${version}`)
  return { type: 'unknown', version }
}

export function encodeOffsetCommitValue(v: Omit<OffsetCommitValue, 'expireTimestamp'>): Buffer {
  return new ByteWriter(30 + v.metadata.length)
    .int16(OFFSET_COMMIT_VALUE_VERSION)
    .int64(v.offset)
    .int32(v.leaderEpoch)
    .string(v.metadata)
    .int64(v.commitTimestamp)
    .finish()
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const r = new ByteReader(value, 'OffsetCommitValue')
  const version = r.int16()
  if (version < 0 || version > 3) throw new CorruptRecordError(`Unsupported OffsetCommitValue version ${version}`)
  const offset = r.int64()
  const leaderEpoch = version >= 3 ? r.int32() : -1
  const metadata = r.string()
  const commitTimestamp = r.int64()
  const expireTimestamp = version === 1 ? r.int64() : -1
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp }
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new ByteWriter(128)
  w.int16(GROUP_METADATA_VALUE_VERSION)
    .string(v.protocolType)
    .int32(v.generation)
    .string(v.protocol)
    .string(v.leader)
    .int64(v.currentStateTimestamp)
    .array(v.members, (w, m) => {
      w.string(m.memberId)
        .string(m.groupInstanceId)
        .string(m.clientId)
        .string(m.clientHost)
        .int32(m.rebalanceTimeout)
        .int32(m.sessionTimeout)
        .bytes(m.subscription)
        .bytes(m.assignment)
    })
  return w.finish()
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const r = new ByteReader(value, 'GroupMetadataValue')
  const version = r.int16()
  if (version < 0 || version > 3) throw new CorruptRecordError(`Unsupported GroupMetadataValue version ${version}`)
  const protocolType = r.string()
  const generation = r.int32()
  const protocol = r.nullableString()
  const leader = r.nullableString()
  const currentStateTimestamp = version >= 2 ? r.int64() : -1
  const members = r.array((r): MemberMetadataValue => {
    const memberId = r.string()
    const groupInstanceId = version >= 3 ? r.nullableString() : null
    const clientId = r.string()
    const clientHost = r.string()
    const rebalanceTimeout = version >= 1 ? r.int32() : -1
    const sessionTimeout = r.int32()
    return {
      memberId,
      groupInstanceId,
      clientId,
      clientHost,
      rebalanceTimeout: rebalanceTimeout === -1 ? sessionTimeout : rebalanceTimeout,
      sessionTimeout,
      subscription: r.bytes(),
      assignment: r.bytes(),
    }
  })
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members }
}
