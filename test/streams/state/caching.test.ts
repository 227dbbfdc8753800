import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CachingKeyValueStore } from '../../../streams/state/caching.js'
import { MeteredKeyValueStore } from '../../../streams/state/metered.js'
import { Serdes, type Serde } from '../../../streams/serdes.js'
import { InMemoryKeyValueStore } from '../../../streams/state/memory-stores.js'
import { SqliteKeyValueStore } from '../../../streams/state/sqlite-stores.js'
import { SqliteDatabase } from '../../../streams/state/sqlite-db.js'

const op = fc.oneof(
  // byMapKey: put through putByMapKey, the key as its latin1 text (what metered stores do for ASCII string keys).
  fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 20 }), value: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }), byMapKey: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ kind: fc.constant('flush' as const) }),
  fc.record({ kind: fc.constant('range' as const), from: fc.integer({ min: 0, max: 20 }), to: fc.integer({ min: 0, max: 20 }) }),
)
// The last byte goes above 0x7f: map keys (latin1) must stand for every byte value.
const k = (n: number): Buffer => Buffer.from([n >> 4, n & 15, (n * 12) & 255])
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
            if (o.byMapKey) cached.putByMapKey(k(o.key).toString('latin1'), v)
            else cached.put(k(o.key), v)
          } else if (o.kind === 'delete') {
            expect(cached.delete(k(o.key))).toEqual(plain.delete(k(o.key)))
          } else if (o.kind === 'flush') {
            cached.flush()
            expect(show(below.all())).toEqual(show(plain.all()))
          } else {
            expect(show(cached.range(k(o.from), k(o.to)))).toEqual(show(plain.range(k(o.from), k(o.to))))
          }
          for (let i = 0; i <= 20; i += 7) expect(cached.get(k(i))).toEqual(plain.get(k(i)))
          for (let i = 3; i <= 20; i += 7) expect(cached.getByMapKey(k(i).toString('latin1'))).toEqual(plain.get(k(i)))
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

describe('MeteredKeyValueStore over a cache with String keys', () => {
  it('stores ASCII keys (by map key), other text and long keys (by bytes) under their UTF-8 bytes, one entry per key', () => {
    const below = new InMemoryKeyValueStore('b')
    const cached = new CachingKeyValueStore(below, 1 << 20, () => 0)
    const store = new MeteredKeyValueStore<string, number>(cached, Serdes.String(), Serdes.Long(), 'app-counts-changelog', cached)
    const keys = ['word', 'wörd', '東京', 'x'.repeat(100), '']
    keys.forEach((key, i) => store.put(key, i))
    keys.forEach((key, i) => store.put(key, (store.get(key) ?? 0) + 10 * i))
    // The bytes path sees what the text path wrote, and the other way round.
    expect(cached.get(Buffer.from('word'))).toEqual(Serdes.Long().serialize('t', 0))
    cached.put(Buffer.from('other'), Serdes.Long().serialize('t', 42))
    expect(store.get('other')).toBe(42)
    cached.flush()
    const rows = below.all().map((e) => [e.key.toString('hex'), Serdes.Long().deserialize('t', e.value)])
    const want = [...keys.map((key, i) => [Buffer.from(key).toString('hex'), 11 * i]), [Buffer.from('other').toString('hex'), 42]]
    expect(rows.sort()).toEqual(want.sort())
    expect(store.all().map((e) => e.key).sort()).toEqual([...keys, 'other'].sort())
  })
})

describe('MeteredKeyValueStore keeping primitive values typed in the cache', () => {
  // Numbers some serdes do not give back as they were (fractions and -0 in a Long or Integer).
  const num = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constant(-0))
  // Text with lone surrogates, which UTF-8 cannot carry (they come back as U+FFFD).
  const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'é', '東'), fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))), maxLength: 4 })
  const ops = <V>(value: fc.Arbitrary<V>) =>
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 12 }), value: fc.option(value, { nil: null }) }),
        fc.record({ kind: fc.constant('add' as const), key: fc.integer({ min: 0, max: 12 }) }),
        fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 12 }) }),
        fc.record({ kind: fc.constant('flush' as const) }),
        fc.record({ kind: fc.constant('all' as const) }),
        fc.record({ kind: fc.constant('bytes' as const), key: fc.integer({ min: 0, max: 12 }) }),
      ),
      { maxLength: 80 },
    )
  // Long, Integer, Double: exact numbers kept typed and serialized when they go below; JSON: not a
  // serde the cache knows, so values are serialized at the put; String: well-formed text kept typed.
  const cases: Array<[string, Serde<unknown>, fc.Arbitrary<unknown>, (v: unknown) => unknown]> = [
    ['Long', Serdes.Long() as Serde<unknown>, num, (v) => (v as number) + 1],
    ['Integer', Serdes.Integer() as Serde<unknown>, num, (v) => (v as number) + 1],
    ['Double', Serdes.Double() as Serde<unknown>, num, (v) => (v as number) + 0.5],
    ['JSON', Serdes.JSON<unknown>(), num, (v) => (v as number) + 1],
    ['String', Serdes.String() as Serde<unknown>, text, (v) => `${v as string}\ud800x`],
  ]
  for (const [name, serde, value, next] of cases) {
    it(`${name} values: reads, flushes and forwards as the serde gives them back, under any sequence of operations and cache sizes`, () => {
      fc.assert(
        fc.property(ops(value), fc.integer({ min: 0, max: 800 }), (steps, maxBytes) => {
          // What a store without a cache gives back: the value through the serde and back.
          const stored = (v: unknown): unknown => serde.deserialize('t', serde.serialize('t', v))
          const model = new Map<string, unknown>()
          const below = new InMemoryKeyValueStore('b')
          const cached = new CachingKeyValueStore(below, maxBytes, () => 0)
          const store = new MeteredKeyValueStore<string, unknown>(cached, Serdes.String(), serde, 'app-s-changelog', cached)
          // What the store below holds per key, as told by the forwarded updates: each must name it as the old value.
          const forwardedBelow = new Map<string, unknown>()
          store.setFlushListener((key, nv, ov) => {
            expect(ov).toBe(forwardedBelow.get(key) ?? null)
            forwardedBelow.set(key, nv)
          })
          const key = (n: number): string => `k${n}`
          const sorted = (): Array<[string, unknown]> => [...model].sort((a, b) => (a[0] < b[0] ? -1 : 1))
          const belowMatchesModel = (): void => {
            const rows = below.all().map((e) => [e.key.toString('utf8'), serde.deserialize('t', e.value)])
            expect(rows).toEqual(sorted())
          }
          for (const o of steps) {
            if (o.kind === 'put') {
              let want: unknown
              try {
                want = o.value === null ? null : stored(o.value)
              } catch (err) {
                // a value the serde refuses is refused at the put, and the store keeps what it had
                expect(() => store.put(key(o.key), o.value)).toThrow((err as Error).message)
                continue
              }
              store.put(key(o.key), o.value)
              if (want === null) model.delete(key(o.key))
              else model.set(key(o.key), want)
            } else if (o.kind === 'add') {
              const old = store.get(key(o.key))
              const v = old === null ? (name === 'String' ? '' : 0) : next(old)
              store.put(key(o.key), v)
              model.set(key(o.key), stored(v))
            } else if (o.kind === 'delete') {
              expect(store.delete(key(o.key))).toBe(model.get(key(o.key)) ?? null)
              model.delete(key(o.key))
            } else if (o.kind === 'flush') {
              store.flush()
              belowMatchesModel()
            } else if (o.kind === 'all') {
              expect(store.all().map((e) => [e.key, e.value])).toEqual(sorted())
            } else {
              // the bytes path sees what the typed path wrote
              const want = model.get(key(o.key))
              expect(cached.get(Buffer.from(key(o.key)))).toEqual(want === undefined ? null : serde.serialize('t', want))
            }
            for (let i = 0; i <= 12; i += 5) expect(store.get(key(i))).toBe(model.get(key(i)) ?? null)
          }
          store.flush()
          belowMatchesModel()
          for (const [k, v] of model) expect(forwardedBelow.get(k)).toBe(v)
        }),
        { numRuns: 150 },
      )
    })
  }

  it('serializes a cached count once per flush, not once per update, and reads it once on a miss', () => {
    const L = Serdes.Long()
    const { serialize, deserialize } = L
    let serialized = 0
    let deserialized = 0
    L.serialize = (topic, data) => (serialized++, serialize(topic, data))
    L.deserialize = (topic, data) => (deserialized++, deserialize(topic, data))
    try {
      const below = new InMemoryKeyValueStore('b')
      below.put(Buffer.from('word'), serialize('t', 41))
      const cached = new CachingKeyValueStore(below, 1 << 20, () => 0)
      const store = new MeteredKeyValueStore<string, number>(cached, Serdes.String(), L, 'app-counts-changelog', cached)
      const forwarded: Array<[string, number | null, number | null]> = []
      store.setFlushListener((key, nv, ov) => forwarded.push([key, nv, ov]))
      for (let i = 0; i < 1000; i++) store.put('word', (store.get('word') ?? 0) + 1)
      expect(serialized).toBe(0)
      expect(deserialized).toBe(1)
      store.flush()
      expect(serialized).toBe(1)
      expect(deserialize('t', below.get(Buffer.from('word')))).toBe(1041)
      store.put('word', (store.get('word') ?? 0) + 1)
      store.flush()
      expect(serialized).toBe(2)
      expect(deserialized).toBe(1)
      expect(forwarded).toEqual([
        ['word', 1041, 41],
        ['word', 1042, 1041],
      ])
    } finally {
      L.serialize = serialize
      L.deserialize = deserialize
    }
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
