import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { StateManager, CHECKPOINT_FILE, type ChangelogWriter } from '../../../streams/state/state-manager.js'
import { Stores } from '../../../streams/state/store-builder.js'
import { Serdes, type KeyValueStore, type WindowStore, type SessionStore } from '../../../streams/index.js'
import { type MeteredKeyValueStore } from '../../../streams/state/metered.js'

const S = Serdes.String()
const L = Serdes.Long()
const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-state-'))
  dirs.push(d)
  return d
}

interface Logged {
  topic: string
  key: Buffer
  value: Buffer | null
  timestamp: number
}
function manager(stateDir: string | null, log: Logged[] = []) {
  let offset = 0
  const writer: ChangelogWriter = {
    log: (_s, topic, _p, key, value, timestamp) => {
      log.push({ topic, key, value, timestamp })
      return offset++
    },
  }
  let ts = 0
  const sm = new StateManager({ applicationId: 'app', taskId: '0_0', partition: 0, stateDir, changelogWriter: writer, currentTimestamp: () => ts })
  return { sm, log, setTs: (t: number) => (ts = t) }
}

describe('key-value stores', () => {
  for (const inMemory of [false, true]) {
    it(`${inMemory ? 'in-memory' : 'sqlite'}: get/put/putIfAbsent/delete/range/all/approximateNumEntries and changelog with tombstones`, () => {
      const { sm, log, setTs } = manager(tmp())
      const supplier = inMemory ? Stores.inMemoryKeyValueStore('kv') : Stores.persistentKeyValueStore('kv')
      const store = sm.register(Stores.keyValueStoreBuilder(supplier, S, L), S, L) as KeyValueStore<string, number>
      setTs(42)
      store.put('b', 2)
      store.put('a', 1)
      store.put('c', 3)
      expect(store.putIfAbsent('a', 9)).toBe(1)
      expect(store.putIfAbsent('d', 4)).toBeNull()
      expect(store.get('a')).toBe(1)
      expect(store.delete('c')).toBe(3)
      expect(store.get('c')).toBeNull()
      expect(store.range('b', 'd').map((e) => e.key)).toEqual(['b', 'd'])
      expect(store.range(null, 'b').map((e) => e.key)).toEqual(['a', 'b'])
      expect(store.all()).toEqual([
        { key: 'a', value: 1 },
        { key: 'b', value: 2 },
        { key: 'd', value: 4 },
      ])
      expect(store.approximateNumEntries()).toBe(3)
      expect(log.map((l) => [l.topic, S.deserialize('', l.key), l.value === null ? null : L.deserialize('', l.value), l.timestamp])).toEqual([
        ['app-kv-changelog', 'b', 2, 42],
        ['app-kv-changelog', 'a', 1, 42],
        ['app-kv-changelog', 'c', 3, 42],
        ['app-kv-changelog', 'd', 4, 42],
        ['app-kv-changelog', 'c', null, 42],
      ])
      sm.close()
    })
  }

  it('without logging writes no changelog', () => {
    const { sm, log } = manager(null)
    const store = sm.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, S).withLoggingDisabled(), S, S) as KeyValueStore<string, string>
    store.put('a', 'x')
    expect(log).toEqual([])
    expect(sm.changelogs()).toEqual([])
    sm.close()
  })

  it('the cache absorbs repeated writes and tells its listener once per key on flush, with the old value', () => {
    const { sm, log } = manager(null)
    const store = sm.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, L).withCachingEnabled(), S, L) as MeteredKeyValueStore<string, number>
    const seen: Array<[string, number | null, number | null]> = []
    expect(store.setFlushListener((k, nv, ov) => seen.push([k, nv, ov]))).toBe(true)
    store.put('a', 1)
    sm.flush()
    store.put('a', 2)
    store.put('a', 3)
    store.put('b', 1)
    store.delete('b')
    expect(store.get('a')).toBe(3)
    expect(store.all().map((e) => e.key)).toEqual(['a'])
    expect(log).toHaveLength(1)
    sm.flush()
    expect(seen).toEqual([
      ['a', 1, null],
      ['a', 3, 1],
    ])
    expect(log).toHaveLength(2)
    sm.close()
  })
})

describe('window and session stores', () => {
  it('window store: put/fetch/fetchAll, retention drops expired windows, changelog keys carry the window', () => {
    const { sm, log } = manager(tmp())
    const store = sm.register(Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 100, 10), S, L), S, L) as WindowStore<string, number>
    store.put('a', 1, 0)
    store.put('a', 2, 10)
    store.put('b', 3, 10)
    expect(store.fetch('a', 0, 10)).toEqual([
      { key: 0, value: 1 },
      { key: 10, value: 2 },
    ])
    expect(store.fetchAll(10, 10).map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value])).toEqual([
      ['a', 10, 20, 2],
      ['b', 10, 20, 3],
    ])
    store.put('a', 4, 200) // observed 200: everything at or before 100 has expired
    expect(store.fetch('a', 0, 1000)).toEqual([{ key: 200, value: 4 }])
    store.put('a', 5, 50) // already expired: ignored
    expect(store.fetch('a', 50)).toBeNull()
    expect(log).toHaveLength(4)
    expect(log[0]!.key.length).toBe(1 + 12)
    sm.close()
  })

  it('session store: findSessions by end/start bounds and remove', () => {
    const { sm } = manager(null)
    const store = sm.register(Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', 1000), S, L), S, L) as SessionStore<string, number>
    store.put({ key: 'a', window: { start: 0, end: 5 } }, 2)
    store.put({ key: 'a', window: { start: 20, end: 30 } }, 3)
    store.put({ key: 'b', window: { start: 0, end: 5 } }, 1)
    expect(store.findSessions('a', 4, 25).map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([
      [0, 5, 2],
      [20, 30, 3],
    ])
    expect(store.findSessions('a', 6, 25).map((e) => e.value)).toEqual([3])
    expect(store.fetchSession('a', 20, 30)).toBe(3)
    store.remove({ key: 'a', window: { start: 20, end: 30 } })
    expect(store.fetch('a').map((e) => e.value)).toEqual([2])
    sm.close()
  })
})

describe('restore and checkpoint', () => {
  it('restoring the changelog reproduces the store, in batches, including tombstones and window keys', () => {
    const { sm, log } = manager(null)
    const kv = sm.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, L), S, L) as KeyValueStore<string, number>
    const win = sm.register(Stores.windowStoreBuilder(Stores.persistentWindowStore('win', 1000, 10), S, L), S, L) as WindowStore<string, number>
    for (let i = 0; i < 5000; i++) kv.put(`k${i % 700}`, i)
    for (let i = 0; i < 100; i += 3) kv.delete(`k${i}`)
    win.put('a', 1, 0)
    win.put('a', 2, 10)
    win.put('a', null, 0)
    const expected = kv.all()
    sm.close()

    const { sm: fresh } = manager(null)
    const kv2 = fresh.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, L), S, L) as KeyValueStore<string, number>
    const win2 = fresh.register(Stores.windowStoreBuilder(Stores.persistentWindowStore('win', 1000, 10), S, L), S, L) as WindowStore<string, number>
    const kvLog = log.filter((l) => l.topic === 'app-kv-changelog')
    for (let i = 0; i < kvLog.length; i += 1000) fresh.restore('kv', kvLog.slice(i, i + 1000), Math.min(i + 1000, kvLog.length))
    fresh.restore('win', log.filter((l) => l.topic === 'app-win-changelog'))
    expect(kv2.all()).toEqual(expected)
    expect(kv2.approximateNumEntries()).toBe(expected.length)
    expect(win2.fetch('a', 0, 100)).toEqual([{ key: 10, value: 2 }])
    fresh.close()
  })

  it('writes the checkpoint on flush and reads it back; in-memory stores are not checkpointed', () => {
    const dir = tmp()
    const { sm } = manager(dir)
    const kv = sm.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, L), S, L) as KeyValueStore<string, number>
    const mem = sm.register(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('mem'), S, L), S, L) as KeyValueStore<string, number>
    kv.put('a', 1) // changelog offset 0
    mem.put('x', 1) // offset 1
    kv.put('b', 2) // offset 2
    sm.flush()
    const file = path.join(dir, 'app', '0_0', CHECKPOINT_FILE)
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, offsets: [{ topic: 'app-kv-changelog', partition: 0, offset: 3 }] })
    sm.close()
    const { sm: again } = manager(dir)
    expect(again.checkpoint().get('app-kv-changelog:0')).toBe(3)
    again.register(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, L), S, L)
    again.register(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('mem'), S, L), S, L)
    expect(again.changelogs()).toEqual([
      { storeName: 'kv', topic: 'app-kv-changelog', partition: 0, checkpointOffset: 3 },
      { storeName: 'mem', topic: 'app-mem-changelog', partition: 0, checkpointOffset: null },
    ])
    expect((again.getStore('kv') as KeyValueStore<string, number>).get('b')).toBe(2)
    again.close()
  })

  it('rejects a corrupt checkpoint with a typed error', () => {
    const dir = tmp()
    fs.mkdirSync(path.join(dir, 'app', '0_0'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'app', '0_0', CHECKPOINT_FILE), '{nope')
    expect(() => manager(dir)).toThrow(/Corrupt checkpoint/)
  })
})
