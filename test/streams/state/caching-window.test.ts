import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CachingSessionStore, CachingWindowStore } from '../../../streams/state/caching-window.js'
import { SqliteSessionStore, SqliteWindowStore } from '../../../streams/state/sqlite-stores.js'
import { SqliteDatabase } from '../../../streams/state/sqlite-db.js'
import { ChangeLoggingSessionStore, ChangeLoggingWindowStore } from '../../../streams/state/change-logging.js'
import { StateManager, type ChangelogWriter } from '../../../streams/state/state-manager.js'
import { Stores } from '../../../streams/state/store-builder.js'
import { parseSessionKeyBytes, parseWindowKeyBytes } from '../../../streams/state/key-schema.js'
import type { MeteredSessionStore, MeteredWindowStore } from '../../../streams/state/metered.js'
import { Serdes, type SessionStore, type WindowStore } from '../../../streams/index.js'

const k = (n: number): Buffer => Buffer.from([n >> 4, n & 15, n])
const b = (n: number): Buffer => Buffer.from([n])
const showW = (es: Array<{ key: Buffer; windowStart: number; value: Buffer }>) => es.map((e) => `${e.key.toString('hex')}@${e.windowStart}=${e.value.toString('hex')}`)
const showS = (es: Array<{ key: Buffer; start: number; end: number; value: Buffer }>) => es.map((e) => `${e.key.toString('hex')}@${e.start}-${e.end}=${e.value.toString('hex')}`)

// few keys and windows, frequent deletes and rare flushes: reads often meet dirty entries over rows below
const value = fc.option(fc.integer({ min: 0, max: 255 }), { nil: null, freq: 3 })
const windowOp = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 12 }), value }), weight: 6 },
  { arbitrary: fc.record({ kind: fc.constant('flush' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('fetch' as const), key: fc.integer({ min: 0, max: 2 }), from: fc.integer({ min: 0, max: 12 }), to: fc.integer({ min: 0, max: 12 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('fetchAll' as const), from: fc.integer({ min: 0, max: 12 }), to: fc.integer({ min: 0, max: 12 }) }), weight: 2 },
)

describe('CachingWindowStore', () => {
  it('reads like the plain store (merge, deletes, retention) under any writes, flushes and cache sizes', () => {
    fc.assert(
      fc.property(fc.array(windowOp, { minLength: 30, maxLength: 80 }), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 2, max: 14 }), (ops, maxBytes, retention) => {
        const plain = new SqliteWindowStore('p', new SqliteDatabase(null), retention * 10, 10, false)
        const below = new SqliteWindowStore('b', new SqliteDatabase(null), retention * 10, 10, false)
        const cached = new CachingWindowStore(below, maxBytes, () => 0)
        const forwarded = new Map<string, string | null>()
        cached.setFlushListener((key, start, nv) => forwarded.set(`${key.toString('hex')}@${start}`, nv?.toString('hex') ?? null))
        for (const o of ops) {
          if (o.kind === 'put') {
            const v = o.value === null ? null : b(o.value)
            // starts step by 10 so that the retention (a multiple of 10) expires windows as time moves on
            expect(cached.put(k(o.key), v, o.start * 10)).toBe(plain.put(k(o.key), v, o.start * 10) < 0 ? -1 : 0)
          } else if (o.kind === 'flush') {
            cached.flush()
            expect(showW(cached.fetchAll(0, 200))).toEqual(showW(plain.fetchAll(0, 200)))
          } else if (o.kind === 'fetch') {
            expect(showW(cached.fetch(k(o.key), o.from * 10, o.to * 10))).toEqual(showW(plain.fetch(k(o.key), o.from * 10, o.to * 10)))
          } else {
            expect(showW(cached.fetchAll(o.from * 10, o.to * 10))).toEqual(showW(plain.fetchAll(o.from * 10, o.to * 10)))
          }
          for (let i = 0; i <= 12; i += 5) expect(showW(cached.fetch(k(1), i * 10, i * 10))).toEqual(showW(plain.fetch(k(1), i * 10, i * 10)))
        }
        cached.flush()
        const final = showW(plain.fetchAll(0, 200))
        expect(showW(cached.fetchAll(0, 200))).toEqual(final)
        // every live window reached downstream with its latest value
        for (const e of plain.fetchAll(0, 200)) expect(forwarded.get(`${e.key.toString('hex')}@${e.windowStart}`)).toBe(e.value.toString('hex'))
      }),
      { numRuns: 200 },
    )
  })

  it('collapses repeated updates into one write below (one changelog record) at flush, with the old value for the listener', () => {
    const logged: Array<{ key: Buffer; value: Buffer | null }> = []
    const base = new SqliteWindowStore('w', new SqliteDatabase(null), 1000, 10, false)
    const cached = new CachingWindowStore(new ChangeLoggingWindowStore(base, (key, value) => logged.push({ key, value })), 1 << 20, () => 7)
    const flushed: string[] = []
    cached.setFlushListener((key, start, nv, ov, ts) => flushed.push(`${key.toString('hex')}@${start}:${ov?.toString('hex') ?? 'null'}->${nv?.toString('hex') ?? 'null'}@${ts}`))
    cached.put(k(1), b(1), 0)
    cached.put(k(1), b(2), 0)
    cached.put(k(1), b(3), 0)
    expect(showW(cached.fetch(k(1), 0, 0))).toEqual(['000101@0=03'])
    expect(base.fetch(k(1), 0, 0)).toEqual([])
    expect(logged).toEqual([])
    cached.flush()
    expect(flushed).toEqual(['000101@0:null->03@7'])
    expect(logged.length).toBe(1)
    expect(parseWindowKeyBytes(logged[0]!.key).windowStart).toBe(0)
    expect(logged[0]!.value).toEqual(b(3))
    expect(showW(base.fetch(k(1), 0, 0))).toEqual(['000101@0=03'])
    // a flush with nothing dirty writes nothing
    cached.flush()
    expect(logged.length).toBe(1)
    cached.put(k(1), b(4), 0)
    cached.flush()
    expect(flushed[1]).toBe('000101@0:03->04@7')
    expect(logged.length).toBe(2)
  })

  it('cached deletes hide rows below on every read; deleting what never reached below writes nothing', () => {
    const logged: Buffer[] = []
    const base = new SqliteWindowStore('w', new SqliteDatabase(null), 1000, 10, false)
    const cached = new CachingWindowStore(new ChangeLoggingWindowStore(base, (key) => logged.push(key)), 1 << 20, () => 0)
    const flushed: string[] = []
    cached.setFlushListener((key, start, nv, ov) => flushed.push(`${start}:${ov?.toString('hex') ?? 'null'}->${nv?.toString('hex') ?? 'null'}`))
    cached.put(k(1), b(1), 0)
    cached.put(k(1), b(2), 10)
    cached.put(k(2), b(3), 10)
    cached.flush()
    logged.length = 0
    flushed.length = 0
    cached.put(k(1), null, 10)
    cached.put(k(1), b(9), 20)
    expect(showW(base.fetch(k(1), 0, 100))).toEqual(['000101@0=01', '000101@10=02'])
    expect(showW(cached.fetch(k(1), 0, 100))).toEqual(['000101@0=01', '000101@20=09'])
    expect(cached.fetch(k(1), 10, 10)).toEqual([])
    expect(showW(cached.fetchAll(0, 100))).toEqual(['000101@0=01', '000202@10=03', '000101@20=09'])
    cached.put(k(3), b(5), 30)
    cached.put(k(3), null, 30)
    cached.flush()
    expect(flushed).toEqual(['10:02->null', '20:null->09'])
    expect(logged.length).toBe(2)
    expect(showW(base.fetchAll(0, 100))).toEqual(['000101@0=01', '000202@10=03', '000101@20=09'])
  })

  it('evicts least recently written entries past the size limit, writing and forwarding dirty ones first', () => {
    const base = new SqliteWindowStore('w', new SqliteDatabase(null), 10_000, 10, false)
    // room for about two entries
    const cached = new CachingWindowStore(base, 220, () => 0)
    const flushed: number[] = []
    cached.setFlushListener((_key, start) => flushed.push(start))
    cached.put(k(1), b(1), 0)
    cached.put(k(1), b(2), 10)
    expect(flushed).toEqual([])
    cached.put(k(1), b(3), 20)
    expect(flushed).toEqual([0])
    expect(showW(base.fetchAll(0, 100))).toEqual(['000101@0=01'])
    // rewriting a cached window moves it to the back of the line
    cached.put(k(1), b(4), 10)
    cached.put(k(1), b(5), 30)
    expect(flushed).toEqual([0, 20])
    expect(showW(cached.fetch(k(1), 0, 100))).toEqual(['000101@0=01', '000101@10=04', '000101@20=03', '000101@30=05'])
    cached.flush()
    expect(flushed).toEqual([0, 20, 10, 30])
    expect(showW(base.fetchAll(0, 100))).toEqual(['000101@0=01', '000101@10=04', '000101@20=03', '000101@30=05'])
  })

  it('drops expired windows from reads and refuses writes outside retention, as the store below does', () => {
    const base = new SqliteWindowStore('w', new SqliteDatabase(null), 50, 10, false)
    const cached = new CachingWindowStore(base, 1 << 20, () => 0)
    expect(cached.put(k(1), b(1), 0)).toBe(0)
    expect(cached.put(k(1), b(2), 40)).toBe(0)
    expect(showW(cached.fetch(k(1), 0, 100))).toEqual(['000101@0=01', '000101@40=02'])
    expect(cached.put(k(1), b(3), 60)).toBe(0)
    // horizon 60 - 50 = 10: the window at 0 is gone although still dirty in the cache
    expect(showW(cached.fetch(k(1), 0, 100))).toEqual(['000101@40=02', '000101@60=03'])
    expect(cached.fetch(k(1), 0, 0)).toEqual([])
    expect(showW(cached.fetchAll(0, 100))).toEqual(['000101@40=02', '000101@60=03'])
    expect(cached.put(k(1), b(4), 10)).toBe(-1)
    cached.flush()
    expect(showW(cached.fetchAll(0, 100))).toEqual(['000101@40=02', '000101@60=03'])
  })

  it('flushWindowsEndingBy writes out only the windows that end by then', () => {
    const base = new SqliteWindowStore('w', new SqliteDatabase(null), 1000, 10, false)
    const cached = new CachingWindowStore(base, 1 << 20, () => 0)
    const flushed: number[] = []
    cached.setFlushListener((_key, start) => flushed.push(start))
    cached.put(k(1), b(1), 0)
    cached.put(k(1), b(1), 10)
    cached.put(k(2), b(1), 0)
    cached.flushWindowsEndingBy(9)
    expect(flushed).toEqual([])
    cached.flushWindowsEndingBy(10)
    expect(flushed).toEqual([0, 0])
    cached.flush()
    expect(flushed).toEqual([0, 0, 10])
  })
})

const sessionOp = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('put' as const), key: fc.integer({ min: 0, max: 2 }), start: fc.integer({ min: 0, max: 30 }), len: fc.integer({ min: 0, max: 2 }), value }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('flush' as const) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('find' as const), key: fc.integer({ min: 0, max: 2 }), end: fc.integer({ min: 0, max: 34 }), start: fc.integer({ min: 0, max: 34 }) }), weight: 4 },
)

describe('CachingSessionStore', () => {
  it('finds sessions like the plain store under any writes, flushes and cache sizes', () => {
    fc.assert(
      fc.property(fc.array(sessionOp, { minLength: 30, maxLength: 80 }), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 2, max: 40 }), (ops, maxBytes, retention) => {
        const plain = new SqliteSessionStore('p', new SqliteDatabase(null), retention)
        const below = new SqliteSessionStore('b', new SqliteDatabase(null), retention)
        const cached = new CachingSessionStore(below, maxBytes, () => 0)
        for (const o of ops) {
          if (o.kind === 'put') {
            const v = o.value === null ? null : b(o.value)
            expect(cached.put(k(o.key), o.start, o.start + o.len, v)).toBe(plain.put(k(o.key), o.start, o.start + o.len, v))
          } else if (o.kind === 'flush') {
            cached.flush()
          } else {
            expect(showS(cached.findSessions(k(o.key), o.end, o.start))).toEqual(showS(plain.findSessions(k(o.key), o.end, o.start)))
          }
        }
        cached.flush()
        for (let key = 0; key <= 2; key++) expect(showS(cached.findSessions(k(key), 0, 100))).toEqual(showS(plain.findSessions(k(key), 0, 100)))
        if (retention > 34) expect(showS(cached.fetchAll())).toEqual(showS(plain.fetchAll()))
      }),
      { numRuns: 200 },
    )
  })

  it('merges a session into a longer one: the removal of a session that never reached below is not written', () => {
    const logged: Array<{ key: Buffer; value: Buffer | null }> = []
    const base = new SqliteSessionStore('s', new SqliteDatabase(null), 1000)
    const cached = new CachingSessionStore(new ChangeLoggingSessionStore(base, (key, value) => logged.push({ key, value })), 1 << 20, () => 5)
    const flushed: string[] = []
    cached.setFlushListener((_key, start, end, nv, ov) => flushed.push(`${start}-${end}:${ov?.toString('hex') ?? 'null'}->${nv?.toString('hex') ?? 'null'}`))
    cached.put(k(1), 0, 0, b(1))
    cached.put(k(1), 0, 0, null)
    cached.put(k(1), 0, 3, b(2))
    expect(showS(cached.findSessions(k(1), 0, 10))).toEqual(['000101@0-3=02'])
    cached.flush()
    expect(flushed).toEqual(['0-3:null->02'])
    expect(logged.map((l) => parseSessionKeyBytes(l.key))).toEqual([{ key: k(1), start: 0, end: 3 }])
    // the session below is hidden by a cached removal until flushed, then removed below and forwarded
    cached.put(k(1), 0, 3, null)
    cached.put(k(1), 0, 6, b(3))
    expect(showS(cached.findSessions(k(1), 0, 10))).toEqual(['000101@0-6=03'])
    expect(showS(base.findSessions(k(1), 0, 10))).toEqual(['000101@0-3=02'])
    cached.flush()
    expect(flushed.slice(1)).toEqual(['0-3:02->null', '0-6:null->03'])
    expect(showS(base.findSessions(k(1), 0, 10))).toEqual(['000101@0-6=03'])
    expect(logged.length).toBe(3)
  })
})

describe('StateManager with cached window and session stores', () => {
  function manager() {
    const log: Array<{ topic: string; key: Buffer; value: Buffer | null }> = []
    const writer: ChangelogWriter = {
      log: (_s, topic, _p, key, value) => {
        log.push({ topic, key, value })
        return log.length - 1
      },
    }
    const sm = new StateManager({ applicationId: 'app', taskId: '0_0', partition: 0, stateDir: null, changelogWriter: writer, currentTimestamp: () => 0 })
    return { sm, log }
  }

  it('puts the cache between metered and change-logging: one changelog record per window per flush', () => {
    const { sm, log } = manager()
    const ws = sm.register(Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 100, 10), Serdes.String(), Serdes.Long()).withCachingEnabled(), Serdes.String(), Serdes.Long()) as WindowStore<string, number>
    const ss = sm.register(Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', 100), Serdes.String(), Serdes.Long()).withCachingEnabled(), Serdes.String(), Serdes.Long()) as SessionStore<string, number>
    const updates: string[] = []
    expect((ws as MeteredWindowStore<string, number>).setFlushListener((key, nv, ov) => updates.push(`${key.key}@${key.window.start}-${key.window.end}:${ov}->${nv}`))).toBe(true)
    expect((ss as MeteredSessionStore<string, number>).setFlushListener((key, nv, ov) => updates.push(`s:${key.key}@${key.window.start}-${key.window.end}:${ov}->${nv}`))).toBe(true)
    for (let i = 1; i <= 3; i++) {
      ws.put('a', i, 0)
      ss.put({ key: 'a', window: { start: 0, end: 5 } }, i)
    }
    expect(ws.fetch('a', 0)).toBe(3)
    expect(ss.fetchSession('a', 0, 5)).toBe(3)
    expect(log).toEqual([])
    sm.flush()
    expect(log.map((l) => l.topic)).toEqual(['app-w-changelog', 'app-s-changelog'])
    expect(updates).toEqual(['a@0-10:null->3', 's:a@0-5:null->3'])
  })

  it('without caching the window store logs every update', () => {
    const { sm, log } = manager()
    const ws = sm.register(Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 100, 10), Serdes.String(), Serdes.Long()), Serdes.String(), Serdes.Long()) as WindowStore<string, number>
    expect((ws as MeteredWindowStore<string, number>).setFlushListener(() => {})).toBe(false)
    for (let i = 1; i <= 3; i++) ws.put('a', i, 0)
    expect(log.length).toBe(3)
  })
})
