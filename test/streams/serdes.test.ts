import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Serdes, WindowedSerdes } from '../../streams/index.js'

describe('Serdes', () => {
  it('Long is 8-byte big-endian two’s complement like Java LongSerde', () => {
    const L = Serdes.Long()
    expect(L.serialize('t', 1)).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]))
    expect(L.serialize('t', -1)).toEqual(Buffer.alloc(8, 0xff))
    expect(L.serialize('t', 2 ** 40 + 5)).toEqual(Buffer.from([0, 0, 1, 0, 0, 0, 0, 5]))
    expect(L.serialize('t', null)).toBeNull()
    expect(L.deserialize('t', null)).toBeNull()
    expect(() => L.deserialize('t', Buffer.alloc(3))).toThrow(/Long serde cannot read 3 bytes from topic 't'/)
  })

  it('Integer and Double match Java layouts', () => {
    expect(Serdes.Integer().serialize('t', -2)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xfe]))
    expect(Serdes.Double().serialize('t', 1.5)).toEqual(Buffer.from([0x3f, 0xf8, 0, 0, 0, 0, 0, 0]))
  })

  it('round-trips safe integers, doubles, strings and JSON', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.double({ noNaN: true }), fc.string(), fc.jsonValue(), (n, d, s, j) => {
        expect(Serdes.Long().deserialize('t', Serdes.Long().serialize('t', n))).toBe(n)
        expect(Serdes.Double().deserialize('t', Serdes.Double().serialize('t', d))).toBe(d)
        expect(Serdes.String().deserialize('t', Serdes.String().serialize('t', s))).toBe(s)
        expect(Serdes.JSON<unknown>().deserialize('t', Serdes.JSON<unknown>().serialize('t', j))).toEqual(JSON.parse(JSON.stringify(j)))
      }),
    )
  })

  it('String reads each call from the bytes it is given, also when a buffer is rewritten or strings repeat', () => {
    const S = Serdes.String()
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('a', 'ab', 'é', ''), fc.string({ maxLength: 80 })), { maxLength: 30 }), (texts) => {
        const scratch = Buffer.alloc(400)
        for (const t of texts) {
          // the same scratch memory carries every text, as a reused fetch buffer would
          const n = scratch.write(t, 'utf8')
          expect(S.deserialize('t', scratch.subarray(0, n))).toBe(t)
          expect(S.deserialize('t', Buffer.from(t))).toBe(t)
          expect(S.serialize('t', t)!.toString('utf8')).toBe(t)
        }
      }),
    )
  })

  it('Avro round trip through avsc', () => {
    interface User {
      name: string
      age: number
      email: string | null
    }
    const serde = Serdes.Avro<User>({
      type: 'record',
      name: 'User',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: 'int' },
        { name: 'email', type: ['null', 'string'], default: null },
      ],
    })
    const bytes = serde.serialize('users', { name: 'Ann', age: 31, email: null })!
    expect(bytes).toEqual(Buffer.from([6, 0x41, 0x6e, 0x6e, 62, 0]))
    expect({ ...serde.deserialize('users', bytes)! }).toEqual({ name: 'Ann', age: 31, email: null })
    expect(() => serde.deserialize('users', Buffer.from([0xff]))).toThrow(/Avro serde/)
  })

  it('windowed key serdes use Kafka layouts', () => {
    const tw = WindowedSerdes.timeWindowedSerdeFrom(Serdes.String(), 10)
    const b = tw.serialize('t', { key: 'a', window: { start: 20, end: 30 } })!
    expect(b).toEqual(Buffer.from([0x61, 0, 0, 0, 0, 0, 0, 0, 20]))
    expect(tw.deserialize('t', b)).toEqual({ key: 'a', window: { start: 20, end: 30 } })
    const sw = WindowedSerdes.sessionWindowedSerdeFrom(Serdes.String())
    const sb = sw.serialize('t', { key: 'a', window: { start: 5, end: 9 } })!
    expect(sb).toEqual(Buffer.from([0x61, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 5]))
    expect(sw.deserialize('t', sb)).toEqual({ key: 'a', window: { start: 5, end: 9 } })
  })
})

describe('deserializeFrom: bytes read in place', () => {
  it('String gives what deserialize gives for any bytes at any position, remembered text included', () => {
    const s = Serdes.String()
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 80 }), fc.nat(4)), { minLength: 1, maxLength: 6 }), (parts) => {
        // Consecutive reads of the same or different bytes exercise the one-string memo.
        for (const [bytes, pad] of parts) {
          const buf = Buffer.concat([Buffer.alloc(pad, 0x7a), Buffer.from(bytes), Buffer.alloc(pad, 0xc3)])
          expect(s.deserializeFrom!('t', buf, pad, pad + bytes.length)).toBe(Buffer.from(bytes).toString('utf8'))
          expect(s.deserialize('t', Buffer.from(bytes))).toBe(Buffer.from(bytes).toString('utf8'))
        }
      }),
    )
  })

  it('Long reads 8 bytes where they are and refuses any other length with the topic', () => {
    const l = Serdes.Long()
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), fc.nat(5), (n, pad) => {
        const buf = Buffer.concat([Buffer.alloc(pad, 0xff), l.serialize('t', n)!, Buffer.alloc(3, 0xff)])
        expect(l.deserializeFrom!('t', buf, pad, pad + 8)).toBe(n)
      }),
    )
    expect(() => l.deserializeFrom!('counts', Buffer.alloc(12), 2, 9)).toThrow(/Long serde cannot read 7 bytes from topic 'counts'/)
  })
})
