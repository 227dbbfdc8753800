// takeRows: bounded batches from an object-mode stream, its end, and its error.
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { takeRows } from '../../connectors/cdc/stream-rows.js'

/** A stream that produces rows 1..n in bursts of 3, each burst on a later turn. */
function slowRows(n: number, failAt = -1): Readable {
  let next = 1
  return new Readable({
    objectMode: true,
    highWaterMark: 4,
    read() {
      setImmediate(() => {
        for (let k = 0; k < 3 && next <= n; k++) {
          if (next === failAt) return this.destroy(new Error(`row ${failAt} broke`))
          this.push([next++])
        }
        if (next > n) this.push(null)
      })
    },
  })
}

describe('takeRows', () => {
  it('takes batches of at most max rows in order, a short batch once the stream ended, then none', async () => {
    const s = slowRows(23)
    const got: number[] = []
    const sizes: number[] = []
    for (;;) {
      const n = await takeRows<number[]>(s, 5, (r) => got.push(r[0]!))
      sizes.push(n)
      if (n < 5) break
    }
    expect(sizes).toEqual([5, 5, 5, 5, 3])
    expect(got).toEqual(Array.from({ length: 23 }, (_, i) => i + 1))
    expect(await takeRows<number[]>(s, 5, () => {})).toBe(0)
  })

  it('a stream that ends on a batch boundary gives an empty batch next', async () => {
    const s = slowRows(10)
    expect(await takeRows(s, 5, () => {})).toBe(5)
    expect(await takeRows(s, 5, () => {})).toBe(5)
    expect(await takeRows(s, 5, () => {})).toBe(0)
  })

  it('rejects with the stream error', async () => {
    const s = slowRows(20, 8)
    await expect(takeRows(s, 100, () => {})).rejects.toThrow('row 8 broke')
  })
})
