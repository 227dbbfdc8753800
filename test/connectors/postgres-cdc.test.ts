// PostgreSQL CDC against the real server: snapshot then streaming with Debezium's envelope,
// before-images with REPLICA IDENTITY FULL, tombstones, truncates, the slot's confirmed LSN,
// and the bad-input checks that must leave no slot behind.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import type { SourceRecord } from '../../connectors/api/record.js'
import { PostgresCdcTask } from '../../connectors/postgres-cdc/task.js'
import { mapColumn } from '../../connectors/jdbc/postgres/types.js'
import { dbUrl, readTopic, topicCount, waitFor } from './helpers.js'
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { startRegistryServer } from '../../registry/http/server.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'

const url = dbUrl('BROOK_PG_URL')

describe.skipIf(url === null)('PostgreSQL CDC (pgoutput)', () => {
  let db: pg.Client
  let client: BrookClient
  let worker: Worker
  let dataDir: string
  const u = new URL(url ?? 'postgres://x@h/d')
  const suffix = `${process.pid}`
  const slot = `brook_test_${suffix}`
  const pub = `brook_pub_${suffix}`
  const base = {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': u.hostname, 'database.port': u.port,
    'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password), 'database.dbname': u.pathname.slice(1),
    'slot.name': slot, 'publication.name': pub, 'publication.autocreate.mode': 'filtered', 'poll.interval.ms': '50', 'heartbeat.interval.ms': '200', 'value.converter.decimal.format': 'NUMERIC',
  }
  beforeAll(async () => {
    db = new pg.Client({ connectionString: url! })
    await db.connect()
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-pgcdc-'))
    client = await EmbeddedClient.open({ dataDir })
    worker = await Worker.start(client, { log: process.env.BROOK_TEST_LOG ? (l) => console.error(l) : () => {} })
  })
  afterAll(async () => {
    await worker?.stop()
    await client?.close()
    await db?.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'brook_test_%' AND NOT active`).catch(() => {})
    await db?.query(`DROP PUBLICATION IF EXISTS ${pub}`).catch(() => {})
    await db?.end()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const payload = (r: ConsumerRecord): Record<string, unknown> | null => (r.value === null ? null : (JSON.parse(r.value.toString()) as { payload: Record<string, unknown> }).payload)

  it('snapshots, then streams inserts, updates with before-images, deletes with tombstones and truncates; the slot confirms only stored offsets', async () => {
    const table = `cdc_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, amount NUMERIC(12,4), at TIMESTAMPTZ, note TEXT)`)
    await db.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`)
    await db.query(`INSERT INTO ${table} VALUES (1, 10.5, '2024-01-01 00:00:00.123456+00', 'one'), (2, -0.0001, NULL, NULL)`)
    await worker.startConnector({ ...base, name: 'pgcdc', 'topic.prefix': 'pg', 'table.include.list': `public\\.${table}` })
    const topic = `pg.public.${table}`
    await waitFor('snapshot', async () => (await topicCount(client, topic)) >= 2)
    await db.query(`INSERT INTO ${table} VALUES (3, 3, NULL, 'three')`)
    await db.query(`UPDATE ${table} SET note = 'uno', amount = 11 WHERE id = 1`)
    await db.query(`DELETE FROM ${table} WHERE id = 2`)
    await db.query(`TRUNCATE ${table}`)
    // 2 snapshot reads, c, u, d + tombstone, t
    await waitFor('all changes', async () => (await topicCount(client, topic)) >= 7)
    const recs = await readTopic(client, topic)
    const ops = recs.map((r) => (payload(r) === null ? 'tombstone' : payload(r)!.op))
    expect(ops).toEqual(['r', 'r', 'c', 'u', 'd', 'tombstone', 't'])
    const snap = payload(recs[0]!)!
    expect(recs[0]!.value!.toString()).toContain('"amount":10.5000')
    expect(snap.after).toEqual({ id: 1, amount: 10.5, at: Date.UTC(2024, 0, 1, 0, 0, 0, 123), note: 'one' })
    expect(snap.source).toMatchObject({ connector: 'postgresql', name: 'pg', db: u.pathname.slice(1), schema: 'public', table, snapshot: 'true' })
    const upd = payload(recs[3]!)!
    expect((upd.before as Record<string, unknown>).note).toBe('one')
    expect((upd.after as Record<string, unknown>).note).toBe('uno')
    expect((upd.source as Record<string, unknown>).txId).toEqual(expect.any(Number))
    const del = payload(recs[4]!)!
    expect(del.before).toMatchObject({ id: 2, note: null })
    expect(JSON.parse(recs[5]!.key!.toString()).payload).toEqual({ id: 2 })
    // The slot's confirmed LSN reaches the stored offset once the worker committed it (the protocol confirms "last byte + 1").
    const lsn = (l: string): number => parseInt(l.split('/')[0]!, 16) * 2 ** 32 + parseInt(l.split('/')[1]!, 16)
    await waitFor('slot confirmed at the stored LSN', async () => {
      const stored = worker.offsets.forConnector('pgcdc')[0]?.offset.lsn as string | undefined
      const r = await db.query(`SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1`, [slot])
      return stored !== undefined && r.rows[0]?.l !== undefined && lsn(r.rows[0].l) === lsn(stored) + 1
    })
    await worker.stopConnector('pgcdc')
  })

  it('with the Avro converter writes Debezium\'s events in Confluent\'s wire format, read back by a Confluent registry client through Brook\'s REST API', async () => {
    const table = `cdc_avro_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, amount NUMERIC(12,4), at TIMESTAMPTZ, note TEXT)`)
    await db.query(`ALTER TABLE ${table} REPLICA IDENTITY FULL`)
    await db.query(`INSERT INTO ${table} VALUES (1, 10.5, '2024-01-01 00:00:00.123+00', 'one')`)
    const name = 'pgavro'
    const { 'value.converter.decimal.format': _json, ...noJson } = base
    await worker.startConnector({
      ...noJson, name, 'slot.name': `${slot}_avro`, 'publication.name': `${pub}_avro`, 'topic.prefix': 'avro', 'table.include.list': `public\\.${table}`,
      'key.converter': 'io.confluent.connect.avro.AvroConverter', 'value.converter': 'io.confluent.connect.avro.AvroConverter',
    })
    const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
    const server = await startRegistryServer(registry, { port: 0 })
    try {
      const topic = `avro.public.${table}`
      await waitFor('snapshot', async () => (await topicCount(client, topic)) >= 1)
      await db.query(`UPDATE ${table} SET amount = 11.25, note = 'uno' WHERE id = 1`)
      await db.query(`DELETE FROM ${table} WHERE id = 1`)
      await waitFor('r, u, d and the tombstone', async () => (await topicCount(client, topic)) >= 4)
      const confluent = new SchemaRegistry({ host: server.url })
      const recs = await readTopic(client, topic)
      const events = await Promise.all(recs.map(async (r) => (r.value === null ? null : ((await confluent.decode(r.value)) as { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }))))
      expect(events.map((e) => e?.op ?? 'tombstone')).toEqual(['r', 'u', 'd', 'tombstone'])
      expect(await confluent.decode(recs[0]!.key!)).toEqual({ id: 1 })
      // NUMERIC(12,4) as Avro's decimal: the unscaled value's bytes, scale 4 in the registered schema
      const after = events[1]!.after!
      expect(after.note).toBe('uno')
      expect(BigInt(`0x${(after.amount as Buffer).toString('hex')}`)).toBe(112500n)
      const valueSchema = JSON.stringify(JSON.parse((await registry.getVersion(`${topic}-value`, 'latest')).schema))
      expect(valueSchema).toContain('"logicalType":"decimal"')
      expect(valueSchema).toContain('"scale":4')
      expect(events[2]!.before).toMatchObject({ id: 1, note: 'uno' })
      expect(await registry.getSubjects()).toEqual(expect.arrayContaining([`${topic}-key`, `${topic}-value`]))
    } finally {
      await server.close()
      await registry.close()
      await worker.stopConnector(name)
      await db.query(`SELECT pg_drop_replication_slot($1)`, [`${slot}_avro`]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_avro`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('a snapshot ending on a fetch boundary still stores snapshot_completed, so a restart does not snapshot again', async () => {
    const table = `cdc_edge_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY)`)
    await db.query(`INSERT INTO ${table} SELECT generate_series(1, 6)`)
    const name = 'pgedge'
    await worker.startConnector({
      ...base, name, 'slot.name': `${slot}_edge`, 'publication.name': `${pub}_edge`, 'topic.prefix': 'edge', 'table.include.list': `public\\.${table}`,
      'snapshot.mode': 'initial_only', 'snapshot.fetch.size': '3',
    })
    try {
      const stored = await waitFor('the completed snapshot stored', () => {
        const o = worker.offsets.forConnector(name)[0]?.offset
        return o?.snapshot_completed === true ? o : null
      })
      expect(stored.snapshot).toBeUndefined()
      expect(await topicCount(client, `edge.public.${table}`)).toBe(6)
    } finally {
      await worker.stopConnector(name)
      await db.query(`SELECT pg_drop_replication_slot($1)`, [`${slot}_edge`]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_edge`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('snapshot.mode=when_needed resumes from a present slot without a snapshot, and snapshots again when the slot is gone', async () => {
    const table = `cdc_wn_${suffix}`
    const name = 'pgwn'
    const wnSlot = `${slot}_wn`
    const cfg = { ...base, name, 'slot.name': wnSlot, 'publication.name': `${pub}_wn`, 'topic.prefix': 'wn', 'table.include.list': `public\\.${table}` }
    const topic = `wn.public.${table}`
    const ops = async (): Promise<string[]> => (await readTopic(client, topic)).map((r) => String(payload(r)?.op ?? 'tombstone'))
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY)`)
    await db.query(`INSERT INTO ${table} SELECT generate_series(1, 3)`)
    try {
      await worker.startConnector({ ...cfg, 'snapshot.mode': 'initial' })
      await waitFor('the first snapshot stored', () => worker.offsets.forConnector(name)[0]?.offset.snapshot_completed === true)
      await worker.stopConnector(name)
      // The slot is there: when_needed streams from it, no second snapshot.
      await worker.startConnector({ ...cfg, 'snapshot.mode': 'when_needed' })
      await db.query(`INSERT INTO ${table} VALUES (4)`)
      await waitFor('the insert after the restart', async () => (await topicCount(client, topic)) >= 4)
      await waitFor('its offset stored', () => worker.offsets.forConnector(name)[0]?.offset.lsn !== undefined)
      await worker.stopConnector(name)
      expect(await ops()).toEqual(['r', 'r', 'r', 'c'])
      // The slot is gone (dropped by an operator, or lost): the stream cannot resume, so the table is read again.
      await db.query(`SELECT pg_drop_replication_slot($1)`, [wnSlot])
      await worker.startConnector({ ...cfg, 'snapshot.mode': 'when_needed' })
      await waitFor('the second snapshot', async () => (await topicCount(client, topic)) >= 8)
      await db.query(`INSERT INTO ${table} VALUES (5)`)
      await waitFor('streaming after it', async () => (await topicCount(client, topic)) >= 9)
      expect(await ops()).toEqual(['r', 'r', 'r', 'c', 'r', 'r', 'r', 'r', 'c'])
    } finally {
      await worker.stopConnector(name).catch(() => {})
      await db.query(`SELECT pg_drop_replication_slot($1)`, [wnSlot]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_wn`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('reads the snapshot through COPY in batches of snapshot.fetch.size, each value as a text-mode SELECT of the same row converts', async () => {
    const table = `cdc_types_${suffix}`
    const tSlot = `brook_test_ty_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, t TEXT, n NUMERIC(20,5), nu NUMERIC, b BYTEA, d DATE, ts TIMESTAMP, tz TIMESTAMPTZ, tm TIME,
      j JSONB, a INT[], ta TEXT[], big BIGINT, f FLOAT8, ok BOOLEAN, u UUID)`)
    await db.query(`INSERT INTO ${table} SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE E'tab\\there\\nline \\\\ back ' || g || ' ünï 😀' END,
      g * 12345.6789 / 7, (g::numeric / 3), CASE WHEN g % 4 = 0 THEN NULL ELSE decode(lpad(to_hex(g), 8, '0') || '0a5c09', 'hex') END,
      DATE '2020-02-29' + g, TIMESTAMP '1999-12-31 23:59:59.123456' + g * INTERVAL '1 hour', TIMESTAMPTZ '2024-06-01 12:00:00+02' + g * INTERVAL '1 minute',
      TIME '00:00:01.5' + g * INTERVAL '1 second', jsonb_build_object('g', g, 's', E'q"\\\\'), ARRAY[g, NULL, -g], ARRAY['a b', E'c\\td', NULL, '{x}'],
      9007199254740993 + g, g / 3.0, g % 2 = 0, md5(g::text)::uuid FROM generate_series(1, 53) g`)
    const task = new PostgresCdcTask()
    const abort = new AbortController()
    const totals: Array<number | null> = []
    await task.start({
      ...base, name: 'ty', 'slot.name': tSlot, 'publication.name': `${pub}_ty`, 'topic.prefix': 'ty', 'table.include.list': `public\\.${table}`,
      'snapshot.mode': 'initial_only', 'snapshot.fetch.size': '10',
    }, {
      connector: 'ty', taskId: 0, client, signal: abort.signal, offsetStorageReader: { offset: () => null },
      progress: { start: (_label, total) => totals.push(total), advance: () => {}, done: () => {} },
    })
    try {
      // The progress total of a never-analyzed table is the planner's estimate (no count(*) before the snapshot).
      expect(totals).toHaveLength(1)
      expect(totals[0]).toBeGreaterThan(0)
      const got: Array<Record<string, unknown>> = []
      let last: SourceRecord | undefined
      while (got.length < 53) {
        const recs: SourceRecord[] = await task.poll()
        expect(recs.length).toBeLessThanOrEqual(10)
        for (const r of recs) got.push((r.value as { after: Record<string, unknown> }).after)
        last = recs.at(-1) ?? last
      }
      expect(last?.sourceOffset.snapshot_completed).toBe(true)
      // The same rows read the ordinary way: a text-mode SELECT converted by the column mapping.
      const sel = await db.query({ text: `SELECT * FROM ${table} ORDER BY id`, types: { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig })
      const mapping = sel.fields.map((f) => mapColumn({ name: f.name, type: f.dataTypeID, scale: f.dataTypeModifier }, true))
      const want = sel.rows.map((row: Record<string, unknown>) => Object.fromEntries(mapping.map((m) => [m.name, row[m.name] === null ? null : m.convert(row[m.name])])))
      got.sort((x, y) => (x.id as number) - (y.id as number))
      expect(got).toEqual(want)
      // A few values checked outright.
      expect(got[0]!.t).toBe('tab\there\nline \\ back 1 ünï 😀')
      expect(got[0]!.b).toEqual(Buffer.from('000000010a5c09', 'hex'))
      expect(got[3]!.b).toBeNull()
      expect(got[4]!.t).toBeNull()
      expect(got[2]!.nu).toBe('1.00000000000000000000')
      expect(got[0]!.ta).toBe('{"a b","c\td",NULL,"{x}"}')
      expect(got[0]!.big).toBe('9007199254740994')
    } finally {
      abort.abort()
      await task.stop()
      await db.query(`SELECT pg_drop_replication_slot($1)`, [tSlot]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_ty`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('reads a snapshot no faster than the worker takes it: a full batch pauses the COPY, the table never lands in memory', async () => {
    const table = `cdc_snapbp_${suffix}`
    const bSlot = `brook_test_sbp_${suffix}`
    const rows = 50_000
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note TEXT)`)
    await db.query(`INSERT INTO ${table} SELECT g, repeat('x', 20) FROM generate_series(1, ${rows}) g`)
    const task = new PostgresCdcTask()
    const abort = new AbortController()
    await task.start({
      ...base, name: 'sbp', 'slot.name': bSlot, 'publication.name': `${pub}_sbp`, 'topic.prefix': 'sbp', 'table.include.list': `public\\.${table}`,
      // Polls take max.batch.size rows; the COPY reads up to snapshot.fetch.size ahead.
      'snapshot.mode': 'initial_only', 'snapshot.fetch.size': '100', 'max.batch.size': '40', 'max.queue.size': '100',
    }, {
      connector: 'sbp', taskId: 0, client, signal: abort.signal, offsetStorageReader: { offset: () => null },
      progress: { start: () => {}, advance: () => {}, done: () => {} },
    })
    try {
      const ids: number[] = []
      for (const r of await task.poll()) ids.push((r.value as { after: { id: number } }).after.id)
      // The worker is slow: nothing is taken until the COPY has paused on a full read-ahead batch.
      const held = await waitFor('the snapshot COPY to pause', () => (task.snapshotBuffer?.paused === true ? task.snapshotBuffer : null))
      // Paused, no more rows are read: what is held is one batch plus what the last socket read decoded.
      expect(held.rows).toBeGreaterThanOrEqual(100)
      expect(held.rows).toBeLessThan(rows / 4)
      let maxHeld = held.rows
      while (ids.length < rows) {
        const recs: SourceRecord[] = await task.poll()
        expect(recs.length).toBeLessThanOrEqual(40)
        for (const r of recs) ids.push((r.value as { after: { id: number } }).after.id)
        maxHeld = Math.max(maxHeld, task.snapshotBuffer?.rows ?? 0)
      }
      expect(maxHeld).toBeLessThan(rows / 4)
      expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: rows }, (_, i) => i + 1))
    } finally {
      abort.abort()
      await task.stop()
      await db.query(`SELECT pg_drop_replication_slot($1)`, [bSlot]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_sbp`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('bounds the queue between the replication stream and the worker: a full queue pauses the stream, every change still arrives in order', async () => {
    const table = `cdc_bp_${suffix}`
    const bpSlot = `brook_test_bp_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note TEXT)`)
    const task = new PostgresCdcTask()
    const abort = new AbortController()
    await task.start({
      ...base, name: 'bp', 'slot.name': bpSlot, 'publication.name': `${pub}_bp`, 'topic.prefix': 'bp', 'table.include.list': `public\\.${table}`,
      'snapshot.mode': 'no_data', 'max.queue.size': '100', 'max.batch.size': '50', 'heartbeat.interval.ms': '0',
    }, {
      connector: 'bp', taskId: 0, client, signal: abort.signal, offsetStorageReader: { offset: () => null },
      progress: { start: () => {}, advance: () => {}, done: () => {} },
    })
    try {
      const rows = 20_000
      await task.poll() // starts the stream
      await db.query(`INSERT INTO ${table} SELECT g, repeat('x', 20) FROM generate_series(1, ${rows}) g`)
      await waitFor('the queue to fill and pause the stream', () => task.queueState.paused)
      const ids: number[] = []
      let batches = 0
      while (ids.length < rows) {
        const recs: SourceRecord[] = await task.poll()
        expect(recs.length).toBeLessThanOrEqual(50)
        for (const r of recs) ids.push((r.value as { after: { id: number } }).after.id)
        // A slow consumer: yield to the socket between polls so an unbounded queue would fill up.
        if (++batches % 10 === 0) await new Promise((r) => setImmediate(r))
      }
      expect(ids).toEqual(Array.from({ length: rows }, (_, i) => i + 1))
      // Unbounded, the queue would have held all 20,000 changes; paused, it passes 100 by at most what one socket read decoded.
      expect(task.queueState.highWater).toBeLessThan(rows / 4)
      expect(task.queueState.paused).toBe(false)
    } finally {
      abort.abort()
      await task.stop()
      await db.query(`SELECT pg_drop_replication_slot($1)`, [bpSlot]).catch(() => {})
      await db.query(`DROP PUBLICATION IF EXISTS ${pub}_bp`).catch(() => {})
      await db.query(`DROP TABLE IF EXISTS ${table}`)
    }
  })

  it('rejects bad input with one message and leaves no slot behind', async () => {
    const slots = async (): Promise<number> => (await db.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = 'brook_test_bad'`)).rowCount ?? 0
    const bad = { ...base, 'slot.name': 'brook_test_bad', 'topic.prefix': 'bad' }
    await expect(worker.startConnector({ ...bad, name: 'pw', 'database.password': 'nope' })).rejects.toThrow(/Connector 'pw': cannot connect to PostgreSQL .*authentication failed/)
    await expect(worker.startConnector({ ...bad, name: 'perm', 'database.user': 'brook_plain' })).rejects.toThrow(/Connector 'perm': role 'brook_plain' lacks the REPLICATION attribute/)
    await expect(worker.startConnector({ ...bad, name: 'nt', 'table.include.list': 'public\\.no_such' })).rejects.toThrow(/Connector 'nt': Invalid value for configuration 'table.include.list': no table matches/)
    await expect(worker.startConnector({ ...bad, name: 'mode', 'snapshot.mode': 'sometimes' })).rejects.toThrow(/'snapshot.mode': 'sometimes' must be one of/)
    expect(await slots()).toBe(0)
  })
})
