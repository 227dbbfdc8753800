import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../core/errors.js'
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../../core/group/consumer-protocol.js'

const str = (s: string): Buffer => {
  const b = Buffer.from(s)
  const h = Buffer.alloc(2)
  h.writeInt16BE(b.length)
  return Buffer.concat([h, b])
}
const i16 = (v: number): Buffer => Buffer.from([(v >> 8) & 0xff, v & 0xff])
const i32 = (v: number): Buffer => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(v)
  return b
}

describe('ConsumerProtocolSubscription', () => {
  it('encodes version 0 as topics and user data only', () => {
    const buf = encodeSubscription({ topics: ['a', 'bb'], userData: Buffer.from([7]) }, 0)
    expect(buf).toEqual(Buffer.concat([i16(0), i32(2), str('a'), str('bb'), i32(1), Buffer.from([7])]))
    expect(decodeSubscription(buf)).toEqual({
      version: 0,
      topics: ['a', 'bb'],
      userData: Buffer.from([7]),
      ownedPartitions: [],
      generationId: -1,
      rackId: null,
    })
  })

  it('encodes version 3 with owned partitions grouped by topic, generation and rack', () => {
    const buf = encodeSubscription({
      topics: ['t'],
      userData: null,
      ownedPartitions: [
        { topic: 't', partition: 0 },
        { topic: 'u', partition: 5 },
        { topic: 't', partition: 2 },
      ],
      generationId: 9,
      rackId: 'r1',
    })
    expect(buf).toEqual(
      Buffer.concat([
        i16(3),
        i32(1),
        str('t'),
        i32(-1),
        i32(2),
        str('t'),
        i32(2),
        i32(0),
        i32(2),
        str('u'),
        i32(1),
        i32(5),
        i32(9),
        str('r1'),
      ]),
    )
    const decoded = decodeSubscription(buf)
    expect(decoded.ownedPartitions).toEqual([
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
      { topic: 'u', partition: 5 },
    ])
    expect(decoded.generationId).toBe(9)
    expect(decoded.rackId).toBe('r1')
  })

  it('reads a newer version with the newest layout it knows, ignoring what follows', () => {
    const v3 = encodeSubscription({ topics: ['x'], generationId: 3 })
    const v5 = Buffer.concat([i16(5), v3.subarray(2), Buffer.from([1, 2, 3])])
    const decoded = decodeSubscription(v5)
    expect(decoded.version).toBe(5)
    expect(decoded.topics).toEqual(['x'])
    expect(decoded.generationId).toBe(3)
  })

  it('round-trips every version', () => {
    const tp = fc.record({ topic: fc.constantFrom('a', 'b', 'c'), partition: fc.nat(100) })
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 10 }), { maxLength: 5 }),
        fc.option(fc.uint8Array({ maxLength: 10 }), { nil: null }),
        fc.uniqueArray(tp, { selector: (x) => `${x.topic}:${x.partition}`, maxLength: 10 }),
        fc.integer({ min: -1, max: 1000 }),
        fc.option(fc.string({ maxLength: 5 }), { nil: null }),
        (version, topics, ud, owned, generationId, rackId) => {
          const userData = ud === null ? null : Buffer.from(ud)
          const sorted = [...owned].sort((x, y) => (x.topic < y.topic ? -1 : x.topic > y.topic ? 1 : 0))
          const d = decodeSubscription(encodeSubscription({ topics, userData, ownedPartitions: sorted, generationId, rackId }, version))
          expect(d.topics).toEqual(topics)
          expect(d.userData).toEqual(userData)
          expect(d.ownedPartitions).toEqual(version >= 1 ? sorted : [])
          expect(d.generationId).toBe(version >= 2 ? generationId : -1)
          expect(d.rackId).toBe(version >= 3 ? rackId : null)
        },
      ),
    )
  })

  it('rejects truncated bytes and versions it cannot write', () => {
    const buf = encodeSubscription({ topics: ['topic'] })
    expect(() => decodeSubscription(buf.subarray(0, 7))).toThrow(CorruptRecordError)
    expect(() => encodeSubscription({ topics: [] }, 4)).toThrow(CorruptRecordError)
  })
})

describe('ConsumerProtocolAssignment', () => {
  it('encodes assigned partitions per topic and user data', () => {
    const buf = encodeAssignment({ assignedPartitions: [{ topic: 't', partition: 1 }], userData: null }, 0)
    expect(buf).toEqual(Buffer.concat([i16(0), i32(1), str('t'), i32(1), i32(1), i32(-1)]))
    expect(decodeAssignment(buf)).toEqual({ version: 0, assignedPartitions: [{ topic: 't', partition: 1 }], userData: null })
  })

  it('treats an empty buffer as an empty assignment', () => {
    expect(decodeAssignment(Buffer.alloc(0)).assignedPartitions).toEqual([])
  })

  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.uniqueArray(fc.nat(50), { maxLength: 20 }),
        fc.option(fc.uint8Array({ maxLength: 8 }), { nil: null }),
        (version, partitions, ud) => {
          const assignedPartitions = partitions.map((p) => ({ topic: p % 2 === 0 ? 'even' : 'odd', partition: p }))
          const grouped = [...assignedPartitions.filter((x) => x.topic === assignedPartitions[0]?.topic), ...assignedPartitions.filter((x) => x.topic !== assignedPartitions[0]?.topic)]
          const userData = ud === null ? null : Buffer.from(ud)
          const d = decodeAssignment(encodeAssignment({ assignedPartitions, userData }, version))
          expect(d.assignedPartitions).toEqual(grouped)
          expect(d.userData).toEqual(userData)
        },
      ),
    )
  })
})
