import { describe, expect, it } from 'vitest'
import { internalRowSerde } from '../../../sql/serde/internal.js'
import { SqlTypes } from '../../../sql/types/sql-type.js'

describe('internalRowSerde of plain rows', () => {
  const serde = internalRowSerde([SqlTypes.STRING, SqlTypes.INTEGER])

  it('serializes a row again after its caller changed the array in place', () => {
    const row: unknown[] = ['page1', 7]
    expect(serde.serialize('t', row)!.toString()).toBe('["page1",7]')
    row[1] = 8
    expect(serde.serialize('t', row)!.toString()).toBe('["page1",8]')
    row.push('extra')
    expect(serde.serialize('t', row)!.toString()).toBe('["page1",8,"extra"]')
  })

  it('gives equal bytes for equal rows in other arrays, and reads them back', () => {
    const a = serde.serialize('t', ['k', null])!
    const b = serde.serialize('t', ['k', null])!
    expect(b.equals(a)).toBe(true)
    expect(serde.serialize('t', ['k', 0])!.toString()).toBe('["k",0]')
    expect(serde.deserialize('t', b)).toEqual(['k', null])
  })
})
