import { describe, expect, it } from 'vitest'
import { BYTES, STRING, returnType, scalarFn } from './helpers.js'

describe('CONCAT', () => {
  it('joins strings, skipping NULLs', () => {
    expect(scalarFn('CONCAT', [STRING, STRING, STRING])('ksql', null, 'DB')).toBe('ksqlDB')
    expect(scalarFn('CONCAT', [STRING])(null)).toBe('')
  })
  it('joins bytes', () => {
    expect(scalarFn('CONCAT', [BYTES, BYTES])(Buffer.from([1]), Buffer.from([2, 3]))).toEqual(Buffer.from([1, 2, 3]))
    expect(returnType('CONCAT', [BYTES, BYTES])).toEqual(BYTES)
  })
})

describe('UCASE', () => {
  it('upper-cases, NULL stays NULL', () => {
    expect(scalarFn('UCASE', [STRING])('Hello')).toBe('HELLO')
    expect(scalarFn('UCASE', [STRING])(null)).toBe(null)
  })
})
