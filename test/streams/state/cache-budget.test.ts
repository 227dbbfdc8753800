import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CacheBudget } from '../../../streams/state/cache-budget.js'
import { CachingKeyValueStore } from '../../../streams/state/caching.js'
import { CachingSessionStore, CachingWindowStore } from '../../../streams/state/caching-window.js'
import { InMemoryKeyValueStore } from '../../../streams/state/memory-stores.js'
import { SqliteSessionStore, SqliteWindowStore } from '../../../streams/state/sqlite-stores.js'
import { SqliteDatabase } from '../../../streams/state/sqlite-db.js'
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const key = (i: number): Buffer => Buffer.from(`key-${i}`)
const value = Buffer.from('v')

describe('CacheBudget: statestore.cache.max.bytes shared by the caches of an instance', () => {
  it('a store whose write takes the total over the budget evicts its own entries, never another store\'s', () => {
    const budget = new CacheBudget(1000)
    const belowA = new InMemoryKeyValueStore('a')
    const belowB = new InMemoryKeyValueStore('b')
    const a = new CachingKeyValueStore(belowA, budget, () => 0)
    const b = new CachingKeyValueStore(belowB, budget, () => 0)
    for (let i = 0; i < 8; i++) a.put(key(i), value)
    // 8 entries of about 80 bytes each fit: nothing went below yet
    expect(belowA.approximateNumEntries()).toBe(0)
    const heldByA = budget.used
    expect(heldByA).toBeGreaterThan(0)
    for (let i = 0; i < 8; i++) b.put(key(i), value)
    // B's writes took the total over 1000 bytes: B wrote its own oldest entries below, A kept all of its own
    expect(belowB.approximateNumEntries()).toBeGreaterThan(0)
    expect(belowA.approximateNumEntries()).toBe(0)
    expect(budget.used).toBeLessThanOrEqual(1000)
    expect(budget.used).toBeGreaterThanOrEqual(heldByA)
  })

  it('closing a store gives its bytes back', () => {
    const budget = new CacheBudget(1 << 20)
    const a = new CachingKeyValueStore(new InMemoryKeyValueStore('a'), budget, () => 0)
    const b = new CachingKeyValueStore(new InMemoryKeyValueStore('b'), budget, () => 0)
    for (let i = 0; i < 5; i++) a.put(key(i), value)
    const afterA = budget.used
    for (let i = 0; i < 5; i++) b.put(key(i), value)
    expect(budget.used).toBe(2 * afterA)
    b.close()
    expect(budget.used).toBe(afterA)
    a.close()
    expect(budget.used).toBe(0)
  })

  it('stays at or under the budget (plus one entry per store) and equal to what the stores hold, under any writes, flushes and closes', () => {
    const op = fc.record({ store: fc.nat(2), kind: fc.constantFrom('put', 'put', 'put', 'delete', 'flush'), key: fc.nat(30), size: fc.nat(40) })
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 0, max: 2000 }), (ops, max) => {
        const budget = new CacheBudget(max)
        const stores = [0, 1, 2].map((i) => new CachingKeyValueStore(new InMemoryKeyValueStore(`s${i}`), budget, () => 0))
        let largest = 0
        for (const o of ops) {
          const s = stores[o.store]!
          if (o.kind === 'put') s.put(key(o.key), Buffer.alloc(o.size))
          else if (o.kind === 'delete') s.delete(key(o.key))
          else s.flush()
          largest = Math.max(largest, 2 * (key(o.key).length + o.size) + 64)
          // a store keeps at least the entry just written, so each may hold one entry beyond the budget
          expect(budget.used).toBeLessThanOrEqual(Math.max(max, 0) + 3 * largest)
        }
        for (const s of stores) s.close()
        expect(budget.used).toBe(0)
      }),
      { numRuns: 100 },
    )
  })

  it('window and session caches draw on the same budget', () => {
    const budget = new CacheBudget(600)
    const db = new SqliteDatabase(null)
    const kv = new CachingKeyValueStore(new InMemoryKeyValueStore('kv'), budget, () => 0)
    const windowBelow = new SqliteWindowStore('w', db, 60_000, 1000, false, false)
    const windows = new CachingWindowStore(windowBelow, budget, () => 0)
    const sessions = new CachingSessionStore(new SqliteSessionStore('s', db, 60_000, false), budget, () => 0)
    for (let i = 0; i < 4; i++) kv.put(key(i), value)
    const kvBytes = budget.used
    sessions.put(key(1), 0, 10, value)
    expect(budget.used).toBeGreaterThan(kvBytes)
    for (let i = 0; i < 20; i++) windows.put(key(i), value, 0)
    expect(budget.used).toBeLessThanOrEqual(600 + 200)
    windows.close()
    sessions.close()
    kv.close()
    expect(budget.used).toBe(0)
  })

  it('the tasks of one driver share the budget: a second task\'s writes evict its own entries before any commit', () => {
    const b = new StreamsBuilder()
    const S = Serdes.String()
    b.stream('a', Consumed.with(S, S)).groupByKey().count(Materialized.as('count-a')).toStream().to('out-a', Produced.with(S, Serdes.Long()))
    b.stream('b', Consumed.with(S, S)).groupByKey().count(Materialized.as('count-b')).toStream().to('out-b', Produced.with(S, Serdes.Long()))
    // No commit while the wall clock stands still: only evictions send counts downstream.
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'budget', cacheMaxBytes: 2000, commitIntervalMs: 60_000 })
    const inA = driver.createInputTopic('a', S, S)
    const inB = driver.createInputTopic('b', S, S)
    const outA = driver.createOutputTopic('out-a', S, Serdes.Long())
    const outB = driver.createOutputTopic('out-b', S, Serdes.Long())
    // 20 keys of about 75 bytes each: one task's fit in 2,000 bytes, two tasks' do not.
    for (let i = 0; i < 20; i++) inA.pipeInput(`k${i}`, 'x')
    expect(outA.readRecordsToList()).toHaveLength(0)
    for (let i = 0; i < 20; i++) inB.pipeInput(`k${i}`, 'x')
    expect(outB.readRecordsToList().length).toBeGreaterThan(0)
    expect(outA.readRecordsToList()).toHaveLength(0)
    driver.close()
  })
})
