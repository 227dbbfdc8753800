// Avro's decimal bytes (two's complement, big-endian, shortest form) against BigInt arithmetic:
// every unscaled value round-trips, and the bytes are what Java's BigInteger.toByteArray() gives
// (checked through their meaning: the sign bit and the minimal length).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decimalBytes, decimalFromBytes } from '../../sql/serde/avro/avro-format.js'

describe('Avro decimal bytes', () => {
  it('round-trip every value, in the fewest bytes that keep the sign', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -70000n, max: 70000n }), fc.bigInt({ min: -(10n ** 38n), max: 10n ** 38n })), (n) => {
        const b = decimalBytes(n)
        expect(decimalFromBytes(b)).toBe(n)
        // the sign bit says the sign
        expect((b[0]! & 0x80) !== 0).toBe(n < 0n)
        // one byte fewer would not hold it: the top byte is not a redundant sign extension
        if (b.length > 1) {
          const redundant = (b[0] === 0x00 && (b[1]! & 0x80) === 0) || (b[0] === 0xff && (b[1]! & 0x80) !== 0)
          expect(redundant).toBe(false)
        }
      }),
    )
  })

  it('gives the known encodings of small values', () => {
    expect([0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 2450n].map((n) => decimalBytes(n).toString('hex'))).toEqual(['00', '01', 'ff', '7f', '0080', '80', 'ff7f', '00ff', '0992'])
  })
})
