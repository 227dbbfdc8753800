import { describe, expect, it } from 'vitest'
import { SqlTypes } from '../../../sql/types/sql-type.js'
import { INTEGER, STRING, returnType, tableFnOf } from './helpers.js'

describe('EXPLODE', () => {
  it('produces one row per element, none for NULL or empty', () => {
    const explode = tableFnOf('EXPLODE', [SqlTypes.array(INTEGER)])
    expect(explode([1, null, 3])).toEqual([1, null, 3])
    expect(explode(null) ?? []).toEqual([])
    expect(explode([])).toEqual([])
    expect(returnType('EXPLODE', [SqlTypes.array(STRING)])).toEqual(STRING)
  })
})

describe('CUBE_EXPLODE', () => {
  it('produces every combination of value and NULL', () => {
    const cube = tableFnOf('CUBE_EXPLODE', [SqlTypes.array(INTEGER)])
    expect(cube([1, 2])).toEqual([[null, null], [null, 2], [1, null], [1, 2]])
    expect(cube([1, null])).toEqual([[null, null], [1, null]])
  })
})
