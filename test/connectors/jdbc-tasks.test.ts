// tasks.max > 1 for the JDBC source (on SQLite, no server needed): the source divides its
// tables among the tasks, each table polled by exactly one of them, every row arrives once.
// The sink's tasks: jdbc-sink-tasks.e2e.test.ts (a group rebalance makes it a slow test).
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { Worker } from '../../connectors/index.js'
import { JdbcSourceConnector } from '../../connectors/jdbc/source/jdbc-source-connector.js'
import { tmpDir } from '../helpers/tmp.js'
import { readTopic, topicCount, waitFor } from './helpers.js'

const open: Array<{ close(): Promise<void> | void }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

const TABLES = ['alpha', 'bravo', 'charlie', 'delta', 'echo']
const ROWS = 50

function sourceDb(): string {
  const file = path.join(tmpDir(), 'src.sqlite')
  const db = new Database(file)
  for (const t of TABLES) {
    db.exec(`CREATE TABLE ${t} (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`)
    const ins = db.prepare(`INSERT INTO ${t} VALUES (?, ?)`)
    for (let i = 1; i <= ROWS; i++) ins.run(i, `${t}-${i}`)
  }
  db.close()
  return file
}

describe('JDBC connectors with tasks.max > 1', () => {
  it('the source gives each table to exactly one task, and every row arrives exactly once', async () => {
    const file = sourceDb()
    const props = { name: 'multi-src', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`, mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'm-', 'poll.interval.ms': '20', 'batch.max.rows': '7' }
    // The split itself: disjoint groups covering every table, as even as the count allows.
    const connector = new JdbcSourceConnector()
    const ctx = { name: 'multi-src', requestTaskReconfiguration: () => {}, raiseError: () => {} }
    await connector.validate(props, ctx)
    await connector.start(props, ctx)
    const groups = connector.taskConfigs(3).map((c) => JSON.parse(c.tables!) as string[])
    expect(groups).toHaveLength(3)
    expect(groups.flat().sort()).toEqual([...TABLES].sort())
    expect(new Set(groups.flat()).size).toBe(TABLES.length)
    expect(groups.map((g) => g.length).sort()).toEqual([1, 2, 2])
    expect(connector.taskConfigs(10)).toHaveLength(TABLES.length) // never more tasks than tables

    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    open.push(client)
    const worker = await Worker.start(client, { log: () => {} })
    open.push({ close: () => worker.stop() })
    await worker.startConnector({ ...props, 'tasks.max': '3' })
    expect(worker.describe('multi-src')!.tasks.map((t) => [t.id, t.state])).toEqual([[0, 'RUNNING'], [1, 'RUNNING'], [2, 'RUNNING']])
    for (const t of TABLES) await waitFor(`all rows of ${t}`, async () => (await topicCount(client, `m-${t}`)) >= ROWS)
    await worker.stopConnector('multi-src')
    for (const t of TABLES) {
      // Two tasks polling one table would have produced every row twice.
      const ids = (await readTopic(client, `m-${t}`)).map((r) => (JSON.parse(r.value!.toString()) as { payload: { id: number } }).payload.id)
      expect(ids).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1))
    }
    expect(worker.offsets.forConnector('multi-src').map((o) => o.partition.table).sort()).toEqual([...TABLES].sort())
  })
})
