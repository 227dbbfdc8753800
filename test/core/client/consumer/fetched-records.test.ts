import { describe, expect, it } from 'vitest'
import { FetchedRecords } from '../../../../core/client/consumer/fetched-records.js'
import type { ConsumerRecord } from '../../../../core/client/types.js'
import { CorruptRecordError } from '../../../../core/errors.js'
import { encodeRecordBatch } from '../../../../core/protocol/records/record-batch.js'

const rec = (i: number) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 1000 + i })
const batch = (from: number, n: number, compression?: 1 | 2 | 3 | 4): Buffer =>
  encodeRecordBatch(
    Array.from({ length: n }, (_, i) => rec(from + i)),
    { baseOffset: from, ...(compression !== undefined ? { compression } : {}) },
  )

describe('FetchedRecords', () => {
  it('hands out records in takes of any size, across plain and compressed batches, from the fetch position on', () => {
    const fetched = Buffer.concat([batch(0, 5), batch(5, 4, 4), batch(9, 3)])
    const f = new FetchedRecords('t', 2, fetched, 3)
    expect(f.next).toBe(12)
    const out: ConsumerRecord[] = []
    const sizes: number[] = []
    while (f.hasMore) sizes.push(f.take(4, out))
    expect(sizes).toEqual([4, 4, 1])
    expect(out.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11])
    expect(out.map((r) => r.value!.toString())).toEqual(out.map((r) => `v${r.offset}`))
    expect(out[0]).toMatchObject({ topic: 't', partition: 2, timestamp: 1003, timestampType: 0, headers: [] })
    expect(f.take(4, out)).toBe(0)
  })

  it('returns the records before a corrupt one and fails where it is, as often as it is asked', () => {
    const good = batch(0, 3)
    const bad = batch(3, 3)
    // The last record's value length grows past its record: the third record of the second batch is corrupt.
    const broken = Buffer.from(bad)
    const lastValueLength = broken.length - 4 // zigzag varint of 2 ("v5" is 2 bytes), then "v5", then 0 headers
    expect(broken[lastValueLength]).toBe(4)
    broken[lastValueLength] = 40
    const f = new FetchedRecords('t', 0, Buffer.concat([good, broken]), 0)
    const out: ConsumerRecord[] = []
    expect(f.take(5, out)).toBe(5)
    expect(out.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4])
    expect(() => f.take(5, out)).toThrow(CorruptRecordError)
    expect(() => f.take(5, out)).toThrow(CorruptRecordError)
    expect(out).toHaveLength(5)
  })

  it('is empty when every record is before the fetch position, moving past them', () => {
    const f = new FetchedRecords('t', 0, batch(0, 3), 3)
    expect(f.hasMore).toBe(false)
    expect(f.next).toBe(3)
  })
})
