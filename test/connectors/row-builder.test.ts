// The generated row and key builders of the CDC connectors: the objects they build equal the
// ones a loop over the columns builds, whatever the column names.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keyBuilder, rowBuilder } from '../../connectors/cdc/row-builder.js'
import { Schemas } from '../../connectors/api/schema.js'
import { changeRecord, tableSchemas } from '../../connectors/cdc/envelope.js'

describe('rowBuilder and keyBuilder', () => {
  it('build { name: convert(value) } in column order, null and undefined as null, for any column names', () => {
    const names = ['id', '__proto__', 'constructor', 'with "quote"', 'back\\slash', '', 'ünï €', '0', 'line\u2028sep', 'toString']
    const converters = names.map((_, i) => (v: unknown) => `${i}:${String(v)}`)
    const build = rowBuilder(names, converters)
    const values = names.map((_, i) => (i === 2 ? null : i === 5 ? undefined : `v${i}`))
    const row = build(values)
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.keys(row).sort()).toEqual([...names].sort())
    names.forEach((n, i) => expect(Object.getOwnPropertyDescriptor(row, n)?.value).toBe(i === 2 || i === 5 ? null : `${i}:v${i}`))
    const key = keyBuilder(['__proto__', 'id', 'missing'])(row)
    expect(Object.getPrototypeOf(key)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(key, '__proto__')?.value).toBe('1:v1')
    expect(key).toMatchObject({ id: '0:v0', missing: null })
  })

  it('equal what a loop over the columns builds', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 8 }), fc.array(fc.option(fc.integer()), { maxLength: 8 }), (names, raw) => {
        const values = names.map((_, i) => raw[i] ?? null)
        const loop: Record<string, unknown> = {}
        for (let i = 0; i < names.length; i++) Object.defineProperty(loop, names[i]!, { value: values[i] === null ? null : (values[i] as number) * 2, enumerable: true, writable: true, configurable: true })
        const built = rowBuilder(names, names.map(() => (v: unknown) => (v as number) * 2))(values)
        expect(Object.entries(built)).toEqual(Object.entries(loop))
      }),
    )
  })

  it('changeRecord takes the key columns of the row through the table\'s key builder', () => {
    const t = tableSchemas('p', 's', 't', [{ name: 'a', schema: Schemas.int32() }, { name: 'b', schema: Schemas.string() }], ['b'], Schemas.struct('src', []))
    const rec = changeRecord(t, 'c', null, { a: 1, b: 'x' }, {}, { server: 'p' }, {}, 5)
    expect(rec.key).toEqual({ b: 'x' })
    const none = tableSchemas('p', 's', 't', [{ name: 'a', schema: Schemas.int32() }], [], Schemas.struct('src', []))
    expect(changeRecord(none, 'c', null, { a: 1 }, {}, {}, {}, 5).key).toBeNull()
  })
})
