import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CachingKeyValueStore } from '../../../streams/state/caching.js'
import { InMemoryKeyValueStore } from '../../../streams/state/memory-stores.js'
import { SqliteKeyValueStore } from '../../../streams/state/sqlite-stores.js'
import { SqliteDatabase } from '../../../streams/state/sqlite-db.js'

const op = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }) }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('range' as const), from: fc.integer({ min: 0, max: 20 }), to: fc.integer({ min: 0, max: 20 }) }),
)
const k = (n: number): Buffer => Buffer.from([n >> 4, n & 15, n])
const show = (es: Array<{ key: Buffer; value: Buffer }>) => es.map((e) => `${e.key.toString('hex')}=${e.value.toString('hex')}`)

describe('CachingKeyValueStore', () => {
  it('reads like the plain store under any sequence of writes, flushes and cache sizes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), fc.integer({ min: 0, max: 600 }), (ops, maxBytes) => {
        const plain = new InMemoryKeyValueStore('p')
        const below = new InMemoryKeyValueStore('b')
        const cached = new CachingKeyValueStore(below, maxBytes, () => 0)
        // What the store below held per key, as the flushes wrote it: each flush forwards it as the old value.
        const written = new Map<string, string | null>()
        cached.setFlushListener((key, nv, ov) => {
          const hex = key.toString('hex')
          expect(ov?.toString('hex') ?? null).toBe(written.get(hex) ?? null)
          written.set(hex, nv?.toString('hex') ?? null)
        })
        for (const o of ops) {
          if (o.kind === 'put') {
            const v = o.value === null ? null : Buffer.from([o.value])
            plain.put(k(o.key), v)
            cached.put(k(o.key), v)
          } else if (o.kind === 'delete') {
            expect(cached.delete(k(o.key))).toEqual(plain.delete(k(o.key)))
          } else if (o.kind === 'flush') {
            cached.flush()
            expect(show(below.all())).toEqual(show(plain.all()))
          } else {
            expect(show(cached.range(k(o.from), k(o.to)))).toEqual(show(plain.range(k(o.from), k(o.to))))
          }
          for (let i = 0; i <= 20; i += 7) expect(cached.get(k(i))).toEqual(plain.get(k(i)))
        }
        cached.flush()
        expect(show(below.all())).toEqual(show(plain.all()))
      }),
      { numRuns: 200 },
    )
  })

  it('forwards the old value it read on the miss, without reading the store below again at the flush', () => {
    const below = new InMemoryKeyValueStore('b')
    below.put(k(1), Buffer.from([7]))
    let reads = 0
    const get = below.get.bind(below)
    below.get = (key) => {
      reads++
      return get(key)
    }
    const cached = new CachingKeyValueStore(below, 1 << 20, () => 5)
    const forwarded: string[] = []
    cached.setFlushListener((key, nv, ov, ts) => forwarded.push(`${key.toString('hex')} ${ov?.toString('hex')}->${nv?.toString('hex')} @${ts}`))
    expect(cached.get(k(1))).toEqual(Buffer.from([7]))
    cached.put(k(1), Buffer.from([8]))
    cached.flush()
    cached.put(k(1), Buffer.from([9]))
    cached.flush()
    expect(reads).toBe(1)
    expect(forwarded).toEqual([`${k(1).toString('hex')} 07->08 @5`, `${k(1).toString('hex')} 08->09 @5`])
    expect(below.get(k(1))).toEqual(Buffer.from([9]))
  })
})

describe('SqliteKeyValueStore', () => {
  it('orders and ranges keys exactly like unsigned byte comparison', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 0, maxLength: 4 }), { maxLength: 40, selector: (a) => Buffer.from(a).toString('hex') }), fc.uint8Array({ maxLength: 3 }), fc.uint8Array({ maxLength: 3 }), (keys, a, b) => {
        const db = new SqliteDatabase(null)
        const s = new SqliteKeyValueStore('s', db)
        const m = new InMemoryKeyValueStore('m')
        for (const key of keys) {
          s.put(Buffer.from(key), Buffer.from([1]))
          m.put(Buffer.from(key), Buffer.from([1]))
        }
        expect(show(s.all())).toEqual(show(m.all()))
        expect(show(s.range(Buffer.from(a), Buffer.from(b)))).toEqual(show(m.range(Buffer.from(a), Buffer.from(b))))
        db.close()
      }),
      { numRuns: 100 },
    )
  })
})
