import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readUtf8, utf8Length, writeUtf8 } from '../../../../core/protocol/records/utf8.js'

// Node's own Buffer methods are the reference: the JS fast paths must give their bytes and text.
describe('UTF-8 in and out of record batches', () => {
  it('writes the bytes Buffer.from gives, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const expected = Buffer.from(text, 'utf8')
        const n = utf8Length(text)
        expect(n).toBe(expected.length)
        const buf = Buffer.alloc(n + 4, 0xee)
        expect(writeUtf8(text, buf, 2, n)).toBe(2 + n)
        expect(buf.subarray(2, 2 + n)).toEqual(expected)
        expect(buf[1]).toBe(0xee)
        expect(buf[2 + n]).toBe(0xee)
      }),
    )
  })

  it('reads any bytes, valid UTF-8 or not, as toString does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat(5), fc.nat(5), (bytes, before, after) => {
        const buf = Buffer.concat([Buffer.alloc(before, 0x41), Buffer.from(bytes), Buffer.alloc(after, 0x42)])
        expect(readUtf8(buf, before, before + bytes.length)).toBe(buf.toString('utf8', before, before + bytes.length))
      }),
    )
    // ASCII of every length around the JS path's limit, NUL included
    fc.assert(
      fc.property(fc.uint8Array({ max: 0x7f, maxLength: 10 }), fc.nat(3), (bytes, before) => {
        const buf = Buffer.concat([Buffer.alloc(before, 0xc3), Buffer.from(bytes)])
        expect(readUtf8(buf, before, buf.length)).toBe(Buffer.from(bytes).toString('latin1'))
      }),
    )
    // short ASCII (the JS path), short non-ASCII, long text (the native path)
    for (const t of ['', 'w', 'word', 'wörd', 'a-longer-line of words', '日本語']) {
      const b = Buffer.from(`[${t}]`)
      expect(readUtf8(b, 1, b.length - 1)).toBe(t)
    }
  })
})
