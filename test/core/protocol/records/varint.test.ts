import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CorruptRecordError } from '../../../../core/errors.js'
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  sizeOfUnsignedVarint,
  sizeOfVarint,
  sizeOfVarlong,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from '../../../../core/protocol/records/varint.js'

// Reference zigzag varlong over BigInt, straight from the spec, for cross-checking.
function refVarlong(v: bigint): Buffer {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
  const out: number[] = []
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80)
    z >>= 7n
  }
  out.push(Number(z))
  return Buffer.from(out)
}

function encVarint(v: number): Buffer {
  const b = Buffer.alloc(10)
  return b.subarray(0, writeVarint(b, 0, v))
}
function encVarlong(v: number): Buffer {
  const b = Buffer.alloc(10)
  return b.subarray(0, writeVarlong(b, 0, v))
}

describe('varint', () => {
  it('encodes known values', () => {
    expect(encVarint(0).toString('hex')).toBe('00')
    expect(encVarint(-1).toString('hex')).toBe('01')
    expect(encVarint(1).toString('hex')).toBe('02')
    expect(encVarint(63).toString('hex')).toBe('7e')
    expect(encVarint(-64).toString('hex')).toBe('7f')
    expect(encVarint(64).toString('hex')).toBe('8001')
    expect(encVarint(300).toString('hex')).toBe('d804')
    expect(encVarint(2147483647).toString('hex')).toBe('feffffff0f')
    expect(encVarint(-2147483648).toString('hex')).toBe('ffffffff0f')
  })

  it('round-trips every int32 through write/read with matching sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), fc.nat(8), (v, at) => {
        const b = Buffer.alloc(20, 0xaa)
        const end = writeVarint(b, at, v)
        expect(end - at).toBe(sizeOfVarint(v))
        const c = { pos: at }
        expect(readVarint(b, c)).toBe(v)
        expect(c.pos).toBe(end)
        expect(b.subarray(at, end)).toEqual(refVarlong(BigInt(v)))
      }),
      { numRuns: 2000 },
    )
  })

  it('round-trips unsigned varints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const b = Buffer.alloc(8)
        const end = writeUnsignedVarint(b, 0, v)
        expect(end).toBe(sizeOfUnsignedVarint(v))
        const c = { pos: 0 }
        expect(readUnsignedVarint(b, c)).toBe(v)
        expect(c.pos).toBe(end)
      }),
    )
  })

  it('rejects truncated and over-long varints', () => {
    expect(() => readVarint(Buffer.from([0x80, 0x80]), { pos: 0 })).toThrow(CorruptRecordError)
    expect(() => readVarint(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x7f]), { pos: 0 })).toThrow(CorruptRecordError)
    expect(() => readVarint(Buffer.alloc(0), { pos: 0 })).toThrow(CorruptRecordError)
    expect(() => readUnsignedVarint(Buffer.from([0x80]), { pos: 0 })).toThrow(CorruptRecordError)
  })
})

describe('varlong', () => {
  it('encodes known values like the BigInt reference', () => {
    for (const v of [0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 40 + 3, -(2 ** 47), 1_700_000_000_000, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]) {
      expect(encVarlong(v).toString('hex'), String(v)).toBe(refVarlong(BigInt(v)).toString('hex'))
    }
  })

  it('round-trips safe integers with matching sizes', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: -(2 ** 45), max: 2 ** 45 })),
        fc.nat(8),
        (v, at) => {
          const b = Buffer.alloc(24)
          const end = writeVarlong(b, at, v)
          expect(end - at).toBe(sizeOfVarlong(v))
          expect(b.subarray(at, end)).toEqual(refVarlong(BigInt(v)))
          const c = { pos: at }
          expect(readVarlong(b, c)).toBe(v)
          expect(c.pos).toBe(end)
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('reads full 64-bit encodings (approximately beyond 2^53) and the sign exactly', () => {
    const max = refVarlong(2n ** 63n - 1n)
    const min = refVarlong(-(2n ** 63n))
    expect(max.length).toBe(10)
    const c = { pos: 0 }
    expect(readVarlong(max, c)).toBe(2 ** 63)
    expect(c.pos).toBe(10)
    expect(readVarlong(min, { pos: 0 })).toBe(-(2 ** 63))
  })

  it('rejects over-long and truncated varlongs', () => {
    expect(() => readVarlong(Buffer.alloc(11, 0xff), { pos: 0 })).toThrow(CorruptRecordError)
    expect(() => readVarlong(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]), { pos: 0 })).toThrow(
      CorruptRecordError,
    )
    expect(() => readVarlong(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), { pos: 0 })).toThrow(CorruptRecordError)
  })
})
