// CREATE SOURCE TABLE is materialized for pull queries (ksqlDB 0.22+), and range conditions on
// INT / BIGINT / DOUBLE keys are pushed into the store's range scan.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import type { QueryStartOptions, RunningQuery } from '../../sql/engine/runtime.js'
import type { Topology } from '../../streams/processor/topology.js'
import type { QueryableStoreType } from '../../streams/state/queryable.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { doubleKeySegments, intKeySegments } from '../../sql/engine/key-ranges.js'
import { internalRowSerde } from '../../sql/serde/internal.js'
import { SqlTypes } from '../../sql/types/sql-type.js'
import { tmpDir } from '../helpers/tmp.js'
import { engineOn, waitFor } from './engine-harness.js'

/** Counts how pull queries read the stores: full scans (all), range scans, and the entries they give (rows). */
class CountingRuntime extends DriverRuntime {
  readonly reads = { all: 0, range: 0, rows: 0 }
  override async start(queryId: string, applicationId: string, topology: Topology, options: QueryStartOptions = {}): Promise<RunningQuery> {
    const q = await super.start(queryId, applicationId, topology, options)
    const reads = this.reads
    return {
      ...q,
      store: <T>(name: string, type: QueryableStoreType<T>): T | null => {
        const s = q.store(name, type) as Record<string, unknown> | null
        if (s === null) return null
        return new Proxy(s, {
          get(target, prop) {
            const v = target[prop as string]
            if (typeof v !== 'function') return v
            return (...args: unknown[]) => {
              if (prop === 'all') reads.all++
              if (prop === 'range') reads.range++
              const r = (v as (...a: unknown[]) => unknown).apply(target, args)
              if (prop === 'all' || prop === 'range') reads.rows += (r as unknown[]).length
              return r
            }
          },
        }) as T
      },
    }
  }
}

const IDS = [-120, -15, -3, 0, 2, 9, 10, 42, 99, 100, 1000, 5000]


describe('CREATE SOURCE TABLE', () => {
  it('is materialized by a CST query: pull queries look up keys and scan, SHOW QUERIES lists it, DROP ends it', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    // rows already in the topic count: a table is its whole topic, whatever auto.offset.reset says
    await e.execute("CREATE TABLE feed (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1); INSERT INTO feed (id, name) VALUES (1, 'ann'); INSERT INTO feed (id, name) VALUES (2, 'bob');")
    const [r] = await e.execute("CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON');")
    expect(r!.queryId).toBe('CST_USERS_1')
    await e.execute("INSERT INTO feed (id, name) VALUES (2, 'bo'); INSERT INTO feed (id, name) VALUES (3, 'cy');")
    expect((await e.execute('SELECT * FROM users WHERE id = 2;'))[0]!.rows).toEqual([[2, 'bo']])
    expect((await e.execute('SELECT name FROM users ORDER BY id;'))[0]!.rows).toEqual([['ann'], ['bo'], ['cy']])
    expect(((await e.execute('SHOW QUERIES;'))[0]!.rows ?? []).map((x) => [x[0], x[3]])).toEqual([['CST_USERS_1', 'USERS']])
    // nothing is written anywhere
    expect((await rt.listTopics()).filter((t) => !t.startsWith('_'))).toEqual(['default_ksql_processing_log', 'users'])
    await e.execute('DROP TABLE users;')
    expect(e.listQueries()).toEqual([])
    await e.close()
  })

  it('comes back after a restart on the embedded log (the CST query is in the command topic)', async () => {
    const dir = tmpDir()
    let client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    let e = await engineOn(client, `${dir}/state`)
    await e.execute("CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    const producer = client.producer({})
    await producer.send({ topic: 'users', key: Buffer.from([0, 0, 0, 7]), value: '{"NAME":"gus"}' })
    const pull = async (eng: KsqlEngine) => (await eng.execute('SELECT * FROM users WHERE id = 7;'))[0]!.rows ?? []
    expect(await waitFor(() => pull(e), (r) => r.length === 1)).toEqual([[7, 'gus']])
    await e.close()
    await producer.send({ topic: 'users', key: Buffer.from([0, 0, 0, 7]), value: '{"NAME":"gustav"}' })
    await producer.close()
    await client.close()
    client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    e = await engineOn(client, `${dir}/state`)
    expect(e.listQueries().map((q) => q.id)).toEqual(['CST_USERS_0'])
    expect(await waitFor(() => pull(e), (r) => r[0]?.[1] === 'gustav')).toEqual([[7, 'gustav']])
    await e.close()
    await client.close()
  }, 60_000)
})

describe('INT / BIGINT key ranges in pull queries', () => {
  it('splits a range into one store range per sign and digit count', () => {
    expect(intKeySegments(-120, 1000)).toEqual([
      { from: -1, to: -9, lo: -9, hi: -1 }, { from: -10, to: -99, lo: -99, hi: -10 }, { from: -100, to: -120, lo: -120, hi: -100 },
      { from: 0, to: 0, lo: 0, hi: 0 }, { from: 1, to: 9, lo: 1, hi: 9 }, { from: 10, to: 99, lo: 10, hi: 99 }, { from: 100, to: 999, lo: 100, hi: 999 }, { from: 1000, to: 1000, lo: 1000, hi: 1000 },
    ])
    expect(intKeySegments(5, 4)).toEqual([])
    expect(intKeySegments(-5, -5)).toEqual([{ from: -5, to: -5, lo: -5, hi: -5 }])
  })

  it('answers <, <=, >, >=, BETWEEN on INT keys through range scans, with the rows a scan gives', async () => {
    const rt = new CountingRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    const key = (n: number): Buffer => {
      const b = Buffer.alloc(4)
      b.writeInt32BE(n)
      return b
    }
    for (const id of IDS) await rt.produce('users', key(id), Buffer.from(JSON.stringify({ NAME: `u${id}` })), 0, [])
    const ids = async (where: string): Promise<unknown[]> => ((await e.execute(`SELECT id FROM users WHERE ${where};`))[0]!.rows ?? []).map((r) => r[0]).sort((a, b) => (a as number) - (b as number))
    const cases: Array<[string, number[]]> = [
      ['id > 9', [10, 42, 99, 100, 1000, 5000]],
      ['id >= 9 AND id < 100', [9, 10, 42, 99]],
      ['id BETWEEN -15 AND 2', [-15, -3, 0, 2]],
      ['id < -3', [-120, -15]],
      ['100 <= id', [100, 1000, 5000]],
      ['id > 9.5 AND id <= 99.5', [10, 42, 99]],
      ['id >= 1 AND name LIKE \'u1%\'', [10, 100, 1000]],
    ]
    for (const [where, expected] of cases) {
      const before = { ...rt.reads }
      expect(await ids(where), where).toEqual(expected)
      expect(rt.reads.all, where).toBe(before.all)
      expect(rt.reads.range, where).toBeGreaterThan(before.range)
      // the same rows as a scan (the key inside an expression is not pushed down)
      expect(await ids(where.replace(/\bid\b/g, '(id + 0)')), where).toEqual(expected)
    }
    expect(rt.reads.all).toBe(cases.length)
    await e.close()
  })

  it('pushes down BIGINT keys of an aggregated table', async () => {
    const rt = new CountingRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, account BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE per_account AS SELECT account, COUNT(*) AS n FROM s GROUP BY account;")
    for (const a of [7, 70, 700, 7000000000, -7]) await e.execute(`INSERT INTO s (id, account) VALUES (1, ${a});`)
    const rows = (await e.execute('SELECT account FROM per_account WHERE account >= 70 AND account < 8000000000;'))[0]!.rows!.map((r) => r[0]).sort((a, b) => (a as number) - (b as number))
    expect(rows).toEqual([70, 700, 7000000000])
    expect(rt.reads.all).toBe(0)
    await e.close()
  })
})

describe('DOUBLE key ranges in pull queries', () => {
  // every written shape: E-notation small and large, 0.xxx, plain with 1..7 integer digits, zeros, both signs
  const VALUES = [-1.5e300, -2.5e10, -12345.678, -100, -9.99, -1.5, -1.25, -0.5, -0.0015, -2e-7, -0, 0, 3e-10, 1e-4, 0.001, 0.0015, 0.25, 0.5, 1, 1.05, 1.5, 1.52, 2, 9.5, 10, 12.5, 12.52, 99.99, 100, 1e6, 9999999.5, 1e7, 1.5e7, 2.5e21, 1.7976931348623157e308]

  it('puts every key within its bounds inside exactly one kept store range (bytes as the store orders them)', () => {
    const serde = internalRowSerde([SqlTypes.DOUBLE])
    const keys = [...VALUES]
    let seed = 7
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    for (let i = 0; i < 400; i++) keys.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20))
    const bytes = keys.map((k) => ({ k, b: serde.serialize('t', [k])! }))
    const bounds: Array<[number, number]> = [[-Infinity, Infinity], [0, Infinity], [-Infinity, 0], [1, 2], [1.5, 1.52], [1.05, 12.52], [-1.5, -1.25], [-10, 10], [1e-5, 1e-3], [0.001, 0.5], [9.5, 1.5e7], [-3e-7, 2e-4], [2.5e21, 1e308]]
    for (let i = 0; i < 200; i++) {
      const a = keys[Math.floor(rnd() * keys.length)]!
      const b = keys[Math.floor(rnd() * keys.length)]!
      bounds.push([Math.min(a, b), Math.max(a, b)])
    }
    for (const [lo, hi] of bounds) {
      const segs = doubleKeySegments(lo, hi)
      for (const { k, b } of bytes) {
        const holders = segs.filter((s) => Buffer.compare(s.from, b) <= 0 && Buffer.compare(b, s.to) <= 0 && s.keep(k))
        expect(holders.length, `key ${k} (${b.toString()}) in ${lo}..${hi}`).toBe(k >= lo && k <= hi ? 1 : 0)
      }
    }
  })

  it('answers range conditions on DOUBLE keys through range scans that read only the keys near the bounds', async () => {
    const rt = new CountingRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE SOURCE TABLE prices (price DOUBLE PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='prices', VALUE_FORMAT='JSON', PARTITIONS=1);")
    const key = (n: number): Buffer => {
      const b = Buffer.alloc(8)
      b.writeDoubleBE(n)
      return b
    }
    const all = [...VALUES.filter((v) => !Object.is(v, -0))]
    for (let i = 0; i < 200; i++) all.push(1000 + i + 0.5)
    for (const p of all) await rt.produce('prices', key(p), Buffer.from(JSON.stringify({ NAME: `p${p}` })), 0, [])
    const prices = async (where: string): Promise<number[]> => ((await e.execute(`SELECT price FROM prices WHERE ${where};`))[0]!.rows ?? []).map((r) => r[0] as number).sort((a, b) => a - b)
    const cases: Array<[string, (p: number) => boolean]> = [
      ['price > 1.05 AND price <= 12.52', (p) => p > 1.05 && p <= 12.52],
      ['price BETWEEN 1.5 AND 1.52', (p) => p >= 1.5 && p <= 1.52],
      ['price >= -1.5 AND price < 0.5', (p) => p >= -1.5 && p < 0.5],
      ['price < -1.25 AND price > -1000', (p) => p < -1.25 && p > -1000],
      ['0.001 <= price AND price <= 0.25', (p) => p >= 0.001 && p <= 0.25],
      ['price BETWEEN 1e-11 AND 2e-4', (p) => p >= 1e-11 && p <= 2e-4],
      ['price >= 1e7', (p) => p >= 1e7],
      ['price > 12.5 AND price < 1e6', (p) => p > 12.5 && p < 1e6],
      ['price BETWEEN 1100 AND 1105', (p) => p >= 1100 && p <= 1105],
    ]
    for (const [where, matches] of cases) {
      const expected = all.filter(matches).sort((a, b) => a - b)
      const before = { ...rt.reads }
      expect(await prices(where), where).toEqual(expected)
      expect(rt.reads.all, where).toBe(before.all)
      expect(rt.reads.range, where).toBeGreaterThan(before.range)
      // the store gave few more entries than match, fewer than the table holds (a full scan reads all of them)
      const read = rt.reads.rows - before.rows
      expect(read, where).toBeLessThan(all.length)
      expect(read - expected.length, where).toBeLessThan(all.length / 8)
      // the same rows as a scan
      expect(await prices(where.replace(/\bprice\b/g, '(price + 0)')), where).toEqual(expected)
    }
    await e.close()
  })
})
