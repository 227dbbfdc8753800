// The record checker the compat tests rely on must catch what it claims to catch.
import { describe, expect, it } from 'vitest'
import { defaultPartition } from '../../core/client/partitioner.js'
import { recordValue, verifyRecords, type ConsumedRecord } from './helpers.js'

function produced(n: number): ConsumedRecord[] {
  const next = [0, 0, 0]
  const out: ConsumedRecord[] = []
  for (let i = 0; i < n; i++) {
    const key = `k${i}`
    const partition = defaultPartition(Buffer.from(key), 3)
    out.push({ partition, offset: next[partition]!++, key, value: recordValue('r', i) })
  }
  return out
}

describe('verifyRecords', () => {
  const exp = { prefix: 'r', from: 0, to: 200 }

  it('accepts every record once, in order, in its key partition', () => {
    const last = verifyRecords(produced(200), exp)
    expect([...last.keys()].sort()).toEqual([0, 1, 2])
  })

  it('rejects a duplicate', () => {
    const rs = produced(200)
    expect(() => verifyRecords([...rs, rs[7]!], exp)).toThrow(/arrived twice/)
  })

  it('rejects a missing record', () => {
    expect(() => verifyRecords(produced(200).slice(1), exp)).toThrow(/never arrived \(first: 0\)/)
  })

  it('rejects a record in a partition its key does not hash to', () => {
    const rs = produced(200).map((r, i) => (i === 3 ? { ...r, partition: (r.partition + 1) % 3 } : r))
    expect(() => verifyRecords(rs, exp)).toThrow(/defaultPartition says/)
  })

  it('rejects records out of order within a partition', () => {
    const rs = produced(200)
    const a = rs.findIndex((r) => r.partition === 0)
    const b = rs.findIndex((r, i) => i > a && r.partition === 0)
    const [ra, rb] = [rs[a]!, rs[b]!]
    rs[a] = { ...rb, offset: ra.offset }
    rs[b] = { ...ra, offset: rb.offset }
    expect(() => verifyRecords(rs, exp)).toThrow(/out of order/)
  })

  it('rejects a gap in offsets, a changed value and a wrong first offset', () => {
    const gap = produced(200).map((r) => (r.partition === 1 && r.offset > 5 ? { ...r, offset: r.offset + 1 } : r))
    expect(() => verifyRecords(gap, exp)).toThrow(/offset 7 follows 5/)
    const changed = produced(200).map((r, i) => (i === 9 ? { ...r, value: r.value.slice(0, -1) + '!' } : r))
    expect(() => verifyRecords(changed, exp)).toThrow(/wrong value/)
    expect(() => verifyRecords(produced(200), { ...exp, firstOffsets: new Map([[0, 1]]) })).toThrow(/starts at offset 0, expected 1/)
  })
})
