// The _schemas state machine: records applied in log order, claims the order voids, damage
// reported and read past. Bytes in, answers out; no broker.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseAvroSchema } from '../../registry/schema/avro.js'
import { configKey, configValue, schemaKey, schemaValue } from '../../registry/store/records.js'
import { RegistryState } from '../../registry/store/state.js'

const canon = (_t: string, s: string): string => parseAvroSchema(s).canonical
const B = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s))
const rec = (name: string, field = 'a'): string => JSON.stringify({ type: 'record', name, fields: [{ name: field, type: 'long' }] })
const claim = (subject: string, version: number, id: number, schema: string, deleted = false): [Buffer | null, Buffer | null] => [
  B(schemaKey(subject, version)),
  B(schemaValue({ subject, version, id, schema, schemaType: 'AVRO', deleted })),
]

describe('RegistryState', () => {
  it('keeps versions, ids and configs as the records say, and writes keys in Confluent\'s layout', () => {
    expect(schemaKey('orders-value', 3)).toBe('{"keytype":"SCHEMA","subject":"orders-value","version":3,"magic":1}')
    expect(JSON.parse(configKey(null))).toEqual({ keytype: 'CONFIG', subject: null, magic: 0 })
    const s = new RegistryState(canon)
    s.apply(0, ...claim('a-value', 1, 1, rec('A')))
    s.apply(1, ...claim('b-value', 1, 1, rec('A')))
    s.apply(2, ...claim('a-value', 2, 2, rec('A', 'b')))
    s.apply(3, B(configKey('a-value')), B(configValue('FULL')))
    expect(s.subjectVersions('a-value').map((e) => [e.version, e.id])).toEqual([[1, 1], [2, 2]])
    expect(s.usesOf(1).map((e) => e.subject)).toEqual(['a-value', 'b-value'])
    expect(s.maxId).toBe(2)
    expect(s.subjectConfig('a-value')).toBe('FULL')
    expect(s.globalConfig()).toBeUndefined()
    // A soft delete, then a hard one (tombstone).
    s.apply(4, ...claim('a-value', 1, 1, rec('A'), true))
    expect(s.subjectVersions('a-value').map((e) => e.version)).toEqual([2])
    expect(s.subjectVersions('a-value', true).map((e) => e.version)).toEqual([1, 2])
    s.apply(5, B(schemaKey('a-value', 1)), null)
    expect(s.subjectVersions('a-value', true).map((e) => e.version)).toEqual([2])
    expect(s.highestVersion('a-value')).toBe(2)
    expect(s.skipped).toEqual([])
  })

  it('voids the later of two claims on one id, one version, or two ids for one schema', () => {
    const s = new RegistryState(canon)
    s.apply(0, ...claim('x', 1, 1, rec('A')))
    s.apply(1, ...claim('y', 1, 1, rec('B'))) // id 1 is A's
    s.apply(2, ...claim('x', 1, 2, rec('B'))) // x version 1 is taken
    s.apply(3, ...claim('z', 1, 7, rec('A'))) // A is id 1
    expect(s.skipped.map((d) => d.offset)).toEqual([1, 2, 3])
    expect(s.subjectNames()).toEqual(['x'])
    expect(s.schemaById(1)!.canonical).toBe(parseAvroSchema(rec('A')).canonical)
    expect(s.schemaById(2)).toBeUndefined()
    // The same claim again (two registries agreeing) is no conflict.
    s.apply(4, ...claim('x', 1, 1, rec('A')))
    expect(s.skipped).toHaveLength(3)
  })

  it('reports damaged records by offset and reads past them', () => {
    const s = new RegistryState(canon)
    s.apply(0, B('not json'), B('{}'))
    s.apply(1, null, B('{}'))
    s.apply(2, B(schemaKey('x', 1)), B('{"subject":"y","version":1,"id":1,"schema":"\\"long\\""}'))
    s.apply(3, ...claim('x', 1, 1, '{"type":"nope"}'))
    s.apply(4, B('{"keytype":"MODE","magic":0}'), B('{"mode":"READWRITE"}'))
    s.apply(5, ...claim('x', 1, 1, '"long"'))
    expect(s.skipped.map((d) => d.offset)).toEqual([0, 1, 2, 3])
    expect(s.skipped[3]!.reason).toMatch(/does not parse/)
    expect(s.subjectVersions('x').map((e) => e.id)).toEqual([1])
  })

  it('gives every reader the same answer whatever claims race: property over random interleavings', () => {
    const schemas = [rec('A'), rec('B'), rec('C'), '"string"']
    const claimArb = fc.record({ subject: fc.constantFrom('s1', 's2'), version: fc.integer({ min: 1, max: 3 }), id: fc.integer({ min: 1, max: 4 }), schema: fc.integer({ min: 0, max: 3 }) })
    fc.assert(
      fc.property(fc.array(claimArb, { maxLength: 30 }), (claims) => {
        const s = new RegistryState(canon)
        claims.forEach((c, i) => s.apply(i, ...claim(c.subject, c.version, c.id, schemas[c.schema]!)))
        // Invariants: one schema per id, one id per schema, one id per subject version.
        const idOfCanon = new Map<string, number>()
        for (let id = 1; id <= 4; id++) {
          const e = s.schemaById(id)
          if (e === undefined) continue
          expect(idOfCanon.has(e.canonical)).toBe(false)
          idOfCanon.set(e.canonical, id)
        }
        for (const subject of ['s1', 's2']) for (const v of s.subjectVersions(subject, true)) expect(s.schemaById(v.id)).toBeDefined()
        // The first claim always stands.
        if (claims.length > 0) {
          const c = claims[0]!
          expect(s.version(c.subject, c.version)?.id).toBe(c.id)
        }
      }),
    )
  })
})
