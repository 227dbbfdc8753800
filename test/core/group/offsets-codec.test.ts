import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../core/errors.js'
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from '../../../core/group/offsets-codec.js'

const int16Str = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8')
  const len = Buffer.alloc(2)
  len.writeInt16BE(b.length)
  return Buffer.concat([len, b])
}
const i16 = (v: number): Buffer => {
  const b = Buffer.alloc(2)
  b.writeInt16BE(v)
  return b
}
const i32 = (v: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}
const i64 = (v: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(BigInt(v))
  return b
}
const bytes = (b: Buffer): Buffer => Buffer.concat([i32(b.length), b])

describe('offset commit records', () => {
  it('encodes the key as version 1, group, topic, partition', () => {
    const key = encodeOffsetCommitKey('g1', 'orders', 7)
    expect(key).toEqual(Buffer.concat([i16(1), int16Str('g1'), int16Str('orders'), i32(7)]))
    expect(decodeOffsetsKey(key)).toEqual({ type: 'offset', group: 'g1', topic: 'orders', partition: 7 })
  })

  it('decodes version 0 keys too', () => {
    const key = Buffer.concat([i16(0), int16Str('g'), int16Str('t'), i32(3)])
    expect(decodeOffsetsKey(key)).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 3 })
  })

  it('encodes the value as version 3: offset, leader epoch, metadata, commit timestamp', () => {
    const value = encodeOffsetCommitValue({ offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1_700_000_000_000 })
    expect(value).toEqual(Buffer.concat([i16(3), i64(42), i32(5), int16Str('m'), i64(1_700_000_000_000)]))
  })

  it('decodes values of versions 0 to 3', () => {
    const v0 = Buffer.concat([i16(0), i64(10), int16Str('a'), i64(99)])
    const v1 = Buffer.concat([i16(1), i64(11), int16Str('b'), i64(98), i64(1234)])
    const v2 = Buffer.concat([i16(2), i64(12), int16Str(''), i64(97)])
    expect(decodeOffsetCommitValue(v0)).toEqual({ offset: 10, leaderEpoch: -1, metadata: 'a', commitTimestamp: 99, expireTimestamp: -1 })
    expect(decodeOffsetCommitValue(v1)).toEqual({ offset: 11, leaderEpoch: -1, metadata: 'b', commitTimestamp: 98, expireTimestamp: 1234 })
    expect(decodeOffsetCommitValue(v2)).toEqual({ offset: 12, leaderEpoch: -1, metadata: '', commitTimestamp: 97, expireTimestamp: -1 })
  })

  it('round-trips any offset value', () => {
    fc.assert(
      fc.property(
        fc.record({
          offset: fc.maxSafeNat(),
          leaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
          metadata: fc.string({ maxLength: 50 }),
          commitTimestamp: fc.maxSafeNat(),
        }),
        (v) => {
          expect(decodeOffsetCommitValue(encodeOffsetCommitValue(v))).toEqual({ ...v, expireTimestamp: -1 })
        },
      ),
    )
  })

  it('rejects truncated and unknown-version values with CorruptRecordError', () => {
    const value = encodeOffsetCommitValue({ offset: 1, leaderEpoch: -1, metadata: 'xyz', commitTimestamp: 2 })
    expect(() => decodeOffsetCommitValue(value.subarray(0, value.length - 3))).toThrow(CorruptRecordError)
    expect(() => decodeOffsetCommitValue(Buffer.concat([i16(9), value.subarray(2)]))).toThrow(/version 9/)
    expect(() => decodeOffsetsKey(Buffer.from([0]))).toThrow(CorruptRecordError)
  })
})

describe('group metadata records', () => {
  const sample: GroupMetadataValue = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 1000,
    members: [
      {
        memberId: 'm1',
        groupInstanceId: 'i1',
        clientId: 'c1',
        clientHost: '/127.0.0.1',
        rebalanceTimeout: 300000,
        sessionTimeout: 45000,
        subscription: Buffer.from([1, 2, 3]),
        assignment: Buffer.from([4]),
      },
    ],
  }

  it('encodes the key as version 2 and the group', () => {
    const key = encodeGroupMetadataKey('grp')
    expect(key).toEqual(Buffer.concat([i16(2), int16Str('grp')]))
    expect(decodeOffsetsKey(key)).toEqual({ type: 'group', group: 'grp' })
  })

  it('encodes the value in Kafka version 3 layout', () => {
    const expected = Buffer.concat([
      i16(3),
      int16Str('consumer'),
      i32(4),
      int16Str('range'),
      int16Str('m1'),
      i64(1000),
      i32(1),
      int16Str('m1'),
      int16Str('i1'),
      int16Str('c1'),
      int16Str('/127.0.0.1'),
      i32(300000),
      i32(45000),
      bytes(Buffer.from([1, 2, 3])),
      bytes(Buffer.from([4])),
    ])
    expect(encodeGroupMetadataValue(sample)).toEqual(expected)
    expect(decodeGroupMetadataValue(expected)).toEqual(sample)
  })

  it('writes null protocol, leader and instance id as length -1', () => {
    const v: GroupMetadataValue = { protocolType: '', generation: 1, protocol: null, leader: null, currentStateTimestamp: -1, members: [] }
    const buf = encodeGroupMetadataValue(v)
    expect(buf).toEqual(Buffer.concat([i16(3), int16Str(''), i32(1), i16(-1), i16(-1), i64(-1), i32(0)]))
    expect(decodeGroupMetadataValue(buf)).toEqual(v)
  })

  it('decodes version 0 (no rebalance timeout, timestamp or instance id)', () => {
    const v0 = Buffer.concat([
      i16(0),
      int16Str('consumer'),
      i32(2),
      int16Str('roundrobin'),
      int16Str('a'),
      i32(1),
      int16Str('a'),
      int16Str('cid'),
      int16Str('host'),
      i32(10000),
      bytes(Buffer.from([9])),
      bytes(Buffer.alloc(0)),
    ])
    expect(decodeGroupMetadataValue(v0)).toEqual({
      protocolType: 'consumer',
      generation: 2,
      protocol: 'roundrobin',
      leader: 'a',
      currentStateTimestamp: -1,
      members: [
        {
          memberId: 'a',
          groupInstanceId: null,
          clientId: 'cid',
          clientHost: 'host',
          rebalanceTimeout: 10000,
          sessionTimeout: 10000,
          subscription: Buffer.from([9]),
          assignment: Buffer.alloc(0),
        },
      ],
    })
  })

  it('reports key types it does not write as unknown', () => {
    expect(decodeOffsetsKey(Buffer.concat([i16(3), int16Str('g')]))).toEqual({ type: 'unknown', version: 3 })
  })

  it('rejects an absurd member count instead of allocating', () => {
    const buf = Buffer.concat([i16(3), int16Str(''), i32(1), i16(-1), i16(-1), i64(-1), i32(1_000_000)])
    expect(() => decodeGroupMetadataValue(buf)).toThrow(CorruptRecordError)
  })
})
