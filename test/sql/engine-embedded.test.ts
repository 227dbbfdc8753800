import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { tmpDir } from '../helpers/tmp.js'
import { persistentQueryScenario } from './engine-harness.js'

describe('sql engine on the embedded log', () => {
  it('runs persistent queries, answers pull and push queries, refuses DROP, resumes from the command topic after a restart', async () => {
    const dir = tmpDir()
    await persistentQueryScenario(async () => {
      const client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
      return { client, close: () => client.close() }
    }, `${dir}/state`, { pv: 'pv', serviceId: 'default_' })
  })
})

describe('push queries on the embedded log', () => {
  it('streams aggregated rows until LIMIT and leave no internal topics, groups or state behind', async () => {
    const { EmbeddedClient: Client } = await import('../../core/client/embedded/client.js')
    const { engineOn } = await import('./engine-harness.js')
    const fs = await import('node:fs')
    const dir = tmpDir()
    const client = await Client.open({ dataDir: `${dir}/log` })
    const engine = await engineOn(client, `${dir}/state`)
    await engine.execute("CREATE STREAM s (id INT KEY, k STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);")
    for (const k of ['a', 'b', 'a']) await engine.execute(`INSERT INTO s (id, k) VALUES (1, '${k}');`)
    const topicsBefore = await client.admin().listTopics({ includeInternal: true })
    const rows: unknown[][] = []
    for await (const r of engine.stream('SELECT k, COUNT(*) AS n FROM s GROUP BY k EMIT CHANGES LIMIT 2;')) rows.push([...r.row])
    expect(rows.length).toBe(2)
    expect(rows).toContainEqual(['b', 1])
    expect(await client.admin().listTopics({ includeInternal: true })).toEqual(topicsBefore)
    expect((await client.admin().listGroups()).filter((g) => g.groupId.includes('transient'))).toEqual([])
    expect(fs.existsSync(`${dir}/state`) ? fs.readdirSync(`${dir}/state`).filter((d) => d.includes('transient')) : []).toEqual([])
    await engine.close()
    await client.close()
  })
})
