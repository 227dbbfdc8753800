import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProtocolError } from '../../../../core/protocol/errors.js'
import { Reader, ZERO_UUID } from '../../../../core/protocol/primitives/reader.js'
import { Writer } from '../../../../core/protocol/primitives/writer.js'

const bytes = (...b: number[]): Buffer => Buffer.from(b)

function malformed(fn: () => unknown): ProtocolError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError)
    expect((err as ProtocolError).kind).toBe('MALFORMED')
    return err as ProtocolError
  }
  throw new Error('expected a ProtocolError')
}

function roundTrip<T>(arb: fc.Arbitrary<T>, write: (w: Writer, v: T) => void, read: (r: Reader) => T): void {
  fc.assert(
    fc.property(arb, (v) => {
      const w = new Writer(8)
      write(w, v)
      const r = new Reader(w.toBuffer())
      expect(read(r)).toEqual(v)
      expect(r.remaining).toBe(0)
    }),
  )
}

describe('Reader/Writer round trips', () => {
  it('fixed-size integers and floats', () => {
    roundTrip(fc.integer({ min: -128, max: 127 }), (w, v) => w.writeInt8(v), (r) => r.readInt8())
    roundTrip(fc.integer({ min: -32768, max: 32767 }), (w, v) => w.writeInt16(v), (r) => r.readInt16())
    roundTrip(fc.integer({ min: 0, max: 0xffff }), (w, v) => w.writeUInt16(v), (r) => r.readUInt16())
    roundTrip(fc.integer(), (w, v) => w.writeInt32(v), (r) => r.readInt32())
    roundTrip(fc.integer({ min: 0, max: 0xffffffff }), (w, v) => w.writeUInt32(v), (r) => r.readUInt32())
    roundTrip(fc.maxSafeInteger(), (w, v) => w.writeInt64(v), (r) => r.readInt64())
    roundTrip(fc.double(), (w, v) => w.writeFloat64(v), (r) => r.readFloat64())
    roundTrip(fc.boolean(), (w, v) => w.writeBool(v), (r) => r.readBool())
  })

  it('varints', () => {
    roundTrip(fc.integer(), (w, v) => w.writeVarInt(v), (r) => r.readVarInt())
    roundTrip(fc.maxSafeInteger(), (w, v) => w.writeVarLong(v), (r) => r.readVarLong())
    const edges = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, -(2 ** 52) - 1, 2 ** 52, -1, 0, 63, -64, 64, -65]
    roundTrip(fc.constantFrom(...edges), (w, v) => w.writeVarLong(v), (r) => r.readVarLong())
    roundTrip(fc.integer({ min: 0, max: 0xffffffff }), (w, v) => w.writeUnsignedVarInt(v), (r) => r.readUnsignedVarInt())
  })

  it('strings, bytes, uuids', () => {
    const str = fc.string({ unit: 'grapheme', maxLength: 40 })
    const optStr = fc.option(str, { nil: null })
    const buf = fc.uint8Array({ maxLength: 600 }).map((a): Buffer => Buffer.from(a))
    roundTrip(str, (w, v) => w.writeString(v), (r) => r.readString())
    roundTrip(optStr, (w, v) => w.writeNullableString(v), (r) => r.readNullableString())
    roundTrip(str, (w, v) => w.writeCompactString(v), (r) => r.readCompactString())
    roundTrip(optStr, (w, v) => w.writeCompactNullableString(v), (r) => r.readCompactNullableString())
    roundTrip(buf, (w, v) => w.writeBytes(v), (r) => r.readBytes())
    roundTrip(buf, (w, v) => w.writeCompactBytes(v), (r) => r.readCompactBytes())
    roundTrip(fc.option(buf, { nil: null }), (w, v) => w.writeNullableBytes(v), (r) => r.readNullableBytes())
    roundTrip(fc.option(buf, { nil: null }), (w, v) => w.writeCompactNullableBytes(v), (r) => r.readCompactNullableBytes())
    roundTrip(
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a).toString('base64url')),
      (w, v) => w.writeUuid(v),
      (r) => r.readUuid(),
    )
  })

  it('mixed sequences across many scratch chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer(), fc.string({ maxLength: 30 })), { maxLength: 200 }), (items) => {
        const w = new Writer(16)
        w.writeCompactArrayLength(items.length)
        for (const [n, s] of items) w.writeVarInt(n).writeCompactString(s)
        const r = new Reader(w.toBuffer())
        const n = r.readCompactArrayLength()
        const back: [number, string][] = []
        for (let i = 0; i < n; i++) back.push([r.readVarInt(), r.readCompactString()])
        expect(back).toEqual(items)
      }),
    )
  })
})

describe('wire forms', () => {
  const enc = (f: (w: Writer) => void): number[] => {
    const w = new Writer()
    f(w)
    return [...w.toBuffer()]
  }
  it('match the protocol guide', () => {
    expect(enc((w) => w.writeVarInt(0))).toEqual([0])
    expect(enc((w) => w.writeVarInt(-1))).toEqual([1])
    expect(enc((w) => w.writeVarInt(1))).toEqual([2])
    expect(enc((w) => w.writeVarInt(-64))).toEqual([0x7f])
    expect(enc((w) => w.writeVarInt(64))).toEqual([0x80, 0x01])
    expect(enc((w) => w.writeUnsignedVarInt(300))).toEqual([0xac, 0x02])
    expect(enc((w) => w.writeUnsignedVarInt(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f])
    expect(enc((w) => w.writeVarLong(-2147483649))).toEqual([0x81, 0x80, 0x80, 0x80, 0x10])
    expect(enc((w) => w.writeInt64(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    expect(enc((w) => w.writeInt64(2 ** 40 + 5))).toEqual([0, 0, 1, 0, 0, 0, 0, 5])
    expect(enc((w) => w.writeNullableString(null))).toEqual([0xff, 0xff])
    expect(enc((w) => w.writeCompactNullableString(null))).toEqual([0])
    expect(enc((w) => w.writeCompactString(''))).toEqual([1])
    expect(enc((w) => w.writeString('é'))).toEqual([0, 2, 0xc3, 0xa9])
    expect(enc((w) => w.writeNullableBytes(null))).toEqual([0xff, 0xff, 0xff, 0xff])
    expect(enc((w) => w.writeCompactArrayLength(null))).toEqual([0])
    expect(enc((w) => w.writeCompactArrayLength(2))).toEqual([3])
    expect(enc((w) => w.writeArrayLength(null))).toEqual([0xff, 0xff, 0xff, 0xff])
    expect(enc((w) => w.writeUuid(ZERO_UUID))).toEqual(new Array(16).fill(0))
  })

  it('keeps Long.MAX/MIN sentinels by saturating', () => {
    const max = bytes(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
    const min = bytes(0x80, 0, 0, 0, 0, 0, 0, 0)
    const vMax = new Reader(max).readInt64()
    const vMin = new Reader(min).readInt64()
    expect(vMax).toBe(2 ** 63)
    expect(vMin).toBe(-(2 ** 63))
    expect(new Writer().writeInt64(vMax).toBuffer()).toEqual(max)
    expect(new Writer().writeInt64(vMin).toBuffer()).toEqual(min)
  })

  it('reads uuids in Kafka base64url form and records as views', () => {
    const raw = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex')
    expect(new Reader(raw).readUuid()).toBe('AAECAwQFBgcICQoLDA0ODw')
    const frame = bytes(0, 0, 0, 3, 9, 8, 7, 0xff)
    const rec = new Reader(frame).readRecords(false)!
    expect([...rec]).toEqual([9, 8, 7])
    expect(rec.buffer).toBe(frame.buffer)
    expect(rec.byteOffset).toBe(frame.byteOffset + 4)
    expect(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).readRecords(false)).toBeNull()
    expect(new Reader(bytes(0)).readRecords(true)).toBeNull()
  })
})

describe('malformed input', () => {
  it('rejects truncation with MALFORMED', () => {
    malformed(() => new Reader(bytes(1, 2, 3)).readInt32())
    malformed(() => new Reader(bytes(1, 2, 3, 4, 5, 6, 7)).readInt64())
    malformed(() => new Reader(bytes(0x80, 0x80)).readUnsignedVarInt())
    malformed(() => new Reader(bytes(0, 5, 0x61)).readString())
    malformed(() => new Reader(bytes(0, 0, 0, 9, 1)).readBytes())
    malformed(() => new Reader(bytes(1, 2)).readUuid())
  })

  it('rejects bad lengths before allocating', () => {
    malformed(() => new Reader(bytes(0x7f, 0xff, 0xff, 0xff)).readArrayLength())
    malformed(() => new Reader(bytes(0xff, 0xff, 0xff, 0xfe)).readArrayLength())
    malformed(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x0f)).readCompactArrayLength())
    malformed(() => new Reader(bytes(0xff, 0xfe)).readNullableString())
    malformed(() => new Reader(bytes(0xff, 0xff)).readString())
    malformed(() => new Reader(bytes(0)).readCompactString())
    malformed(() => new Reader(bytes(0xff, 0xff, 0xff, 0xf0)).readNullableBytes())
  })

  it('rejects over-long varints', () => {
    malformed(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).readUnsignedVarInt())
    malformed(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0x1f)).readUnsignedVarInt())
    malformed(() => new Reader(Buffer.alloc(11, 0xff)).readVarLong())
  })

  it('skips tagged fields and checks known tagged field sizes', () => {
    const r = new Reader(bytes(2, 5, 2, 0xaa, 0xbb, 9, 0, 0x42))
    r.skipTaggedFields()
    expect(r.readInt8()).toBe(0x42)
    malformed(() => new Reader(bytes(1, 5, 10, 0xaa)).skipTaggedFields())
    const known = new Reader(bytes(0, 0, 0, 1))
    known.readInt8()
    malformed(() => known.endTaggedField(0, 4, 3))
  })

  it('never throws anything but ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0, max: 13 }), (data, op) => {
        const r = new Reader(Buffer.from(data))
        try {
          for (let i = 0; i < 8; i++) {
            switch (op) {
              case 0: r.readCompactString(); break
              case 1: r.readNullableString(); break
              case 2: r.readCompactNullableBytes(); break
              case 3: r.readNullableBytes(); break
              case 4: r.readVarLong(); break
              case 5: r.readVarInt(); break
              case 6: r.readArrayLength(); break
              case 7: r.readCompactArrayLength(); break
              case 8: r.skipTaggedFields(); break
              case 9: r.readUuid(); break
              case 10: r.readRecords(true); break
              case 11: r.readInt64(); break
              case 12: r.readFloat64(); break
              default: r.readUInt16()
            }
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ProtocolError)
        }
      }),
    )
  })
})
