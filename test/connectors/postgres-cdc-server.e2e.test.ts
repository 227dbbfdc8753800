// PostgreSQL CDC against servers of the test's own (throwaway-postgres.ts): a server restarted
// (crash-stopped) while changes stream loses no committed change and the task status shows the
// retries; a server with wal_level=replica is refused with one message naming the connector,
// and nothing is created (no slot, no publication, no status).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { Worker } from '../../connectors/index.js'
import { readTopic, topicCount, waitFor } from './helpers.js'
import { postgresBinaries, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js'

const bin = postgresBinaries()

function connectorConfig(server: ThrowawayPostgres, name: string, table: string): Record<string, string> {
  return {
    name, 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': '127.0.0.1', 'database.port': String(server.port),
    'database.user': 'brook', 'database.dbname': 'postgres', 'topic.prefix': name, 'slot.name': `slot_${name}`, 'publication.name': `pub_${name}`,
    'publication.autocreate.mode': 'filtered', 'table.include.list': `public\\.${table}`, 'poll.interval.ms': '50', 'heartbeat.interval.ms': '200',
    'errors.retry.delay.max.ms': '500', 'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'false',
  }
}

describe.skipIf(bin === null)('PostgreSQL CDC across server restarts and misconfigured servers', () => {
  let dataDir: string
  let client: EmbeddedClient
  let worker: Worker
  const servers: ThrowawayPostgres[] = []
  const log: string[] = []

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-pg-restart-'))
    client = await EmbeddedClient.open({ dataDir })
    worker = await Worker.start(client, { log: (l) => log.push(l) })
  })
  afterAll(async () => {
    await worker?.stop()
    await client?.close()
    for (const s of servers) s.destroy()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('a crash-restart of the server while changes stream: the status shows the retries, then every committed change arrives', async () => {
    const server = await startThrowawayPostgres()
    servers.push(server)
    const setup = new pg.Client({ connectionString: server.url })
    await setup.connect()
    await setup.query('CREATE TABLE moves (id INT PRIMARY KEY, note TEXT)')
    await setup.end()
    const name = 'pgrestart'
    await worker.startConnector(connectorConfig(server, name, 'moves'))
    const topic = `${name}.public.moves`

    // A writer that commits one row per transaction and reconnects when the server goes away.
    const committed: number[] = []
    let stopWriting = false
    let nextId = 1
    const writer = (async () => {
      let c: pg.Client | null = null
      while (!stopWriting) {
        try {
          if (c === null) {
            c = new pg.Client({ connectionString: server.url })
            c.on('error', () => {})
            await c.connect()
          }
          const id = nextId++
          await c.query('INSERT INTO moves VALUES ($1, $2)', [id, `move ${id}`])
          committed.push(id)
        } catch {
          await c?.end().catch(() => {})
          c = null
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      await c?.end().catch(() => {})
    })()

    await waitFor('changes streaming', async () => (await topicCount(client, topic)) >= 200, 60_000)
    server.stop('immediate')
    await waitFor('the task status to show the retry', () => {
      const trace = worker.describe(name)?.tasks[0]?.trace ?? ''
      return /Retrying poll/.test(trace) ? trace : null
    }, 60_000)
    server.start()
    const atRestart = committed.length
    await waitFor('changes committed after the restart', () => committed.length >= atRestart + 200, 60_000)
    stopWriting = true
    await writer

    const ids = async (): Promise<number[]> => (await readTopic(client, topic)).filter((r) => r.value !== null).map((r) => (JSON.parse(r.value!.toString()) as { after: { id: number } }).after.id)
    const want = new Set(committed)
    await waitFor('every committed change in the topic', async () => {
      const got = new Set(await ids())
      for (const id of want) if (!got.has(id)) return false
      return true
    }, Number(process.env.BROOK_TEST_WAIT ?? 120_000)).catch(async (err: unknown) => {
      const got = new Set(await ids())
      const missing = [...want].filter((id) => !got.has(id))
      throw new Error(`${(err as Error).message}: ${missing.length} of ${want.size} missing (first ${missing.slice(0, 10).join(', ')}); worker log:\n${log.slice(-20).join('\n')}`)
    })
    await waitFor('the task RUNNING without a retry trace', () => {
      const t = worker.describe(name)?.tasks[0]
      return t?.state === 'RUNNING' && t.trace === null
    }, 60_000)
    const all = await ids()
    const duplicates = all.length - new Set(all).size
    console.log(`PostgreSQL crash-restart: ${committed.length} committed changes, ${all.length} records, ${duplicates} duplicates (changes after the last stored offset, sent again)`)
    expect(all.length).toBeGreaterThanOrEqual(committed.length)
    await worker.stopConnector(name)
  }, 300_000)

  it('wal_level=replica: one message naming the connector, no slot, no publication, no status left behind', async () => {
    const server = await startThrowawayPostgres({ wal_level: 'replica' })
    servers.push(server)
    const db = new pg.Client({ connectionString: server.url })
    await db.connect()
    try {
      await db.query('CREATE TABLE quiet (id INT PRIMARY KEY)')
      await expect(worker.startConnector(connectorConfig(server, 'replica', 'quiet'))).rejects.toThrow(
        /^Connector 'replica': PostgreSQL wal_level is 'replica', logical decoding needs wal_level=logical/,
      )
      expect((await db.query('SELECT slot_name FROM pg_replication_slots')).rows).toEqual([])
      expect((await db.query('SELECT pubname FROM pg_publication')).rows).toEqual([])
      expect(worker.describe('replica')).toBeNull()
      expect(worker.connectors()).not.toContain('replica')
    } finally {
      await db.end()
    }
  }, 120_000)
})
