import { spawnSync } from 'node:child_process'
import { Readable } from 'node:stream'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { alterTopic, createTopic, describeTopic, listTopics } from '../../cli/commands/topics.js'
import { produceLines } from '../../cli/commands/produce.js'
import { consumeRecords } from '../../cli/commands/consume.js'
import { describeGroup, listGroups } from '../../cli/commands/groups.js'
import { tmpDir } from '../helpers/tmp.js'

const root = path.resolve(import.meta.dirname, '../..')

function brook(args: string[], input = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), ...args], { input, encoding: 'utf8', cwd: root })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('brook CLI commands', () => {
  it('creates, produces, consumes in a group and reports lag', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    expect(await createTopic(client, 'orders', { partitions: 2, config: ['retention.ms=60000'] })).toBe('Created topic orders with 2 partition(s)')
    expect(await listTopics(client)).toBe('orders')
    const n = await produceLines(client, 'orders', Readable.from(['a:1\nb:2\n', 'c:3\nnokey\n']), { keySeparator: ':' })
    expect(n).toBe(4)
    const lines: string[] = []
    const got = await consumeRecords(client, 'orders', { group: 'g', fromBeginning: true, maxMessages: 3, format: '%k=%s' }, (l) => lines.push(l))
    expect(got).toBe(3)
    const rest: string[] = []
    await consumeRecords(client, 'orders', { group: 'g', fromBeginning: true, maxMessages: 1, format: '%k=%s' }, (l) => rest.push(l))
    expect([...lines, ...rest].sort()).toEqual(['=nokey', 'a=1', 'b=2', 'c=3'])
    const described = await describeTopic(client, 'orders')
    expect(described).toMatch(/PartitionCount: 2/)
    expect(described).toMatch(/retention.ms=60000/)
    expect(await alterTopic(client, 'orders', { partitions: 3 })).toMatch(/partitions=3/)
    expect(await listGroups(client)).toMatch(/^g\t/)
    const group = await describeGroup(client, 'g')
    expect(group).toMatch(/orders\t\d\t\d+\t\d+\t0/)
    await client.close()
  })

  it('runs as a process: errors print one line and exit non-zero', () => {
    const dataDir = tmpDir()
    const bad = brook(['topics', 'create', '../x', '--data-dir', dataDir])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/^brook: error: .*illegal/)
    const badConfig = brook(['topics', 'create', 'ok', '--config', 'retention.ms=never', '--data-dir', dataDir])
    expect(badConfig.code).toBe(1)
    expect(badConfig.stderr).toMatch(/retention\.ms/)
    expect(brook(['topics', 'create', 'ok', '--partitions', '2', '--data-dir', dataDir]).code).toBe(0)
    const produced = brook(['produce', 'ok', '--key-separator', '|', '--data-dir', dataDir], 'k1|v1\nk2|v2\n')
    expect(produced.code).toBe(0)
    const consumed = brook(['consume', 'ok', '--from-beginning', '--max-messages', '2', '--format', '%k:%s', '--data-dir', dataDir])
    expect(consumed.code).toBe(0)
    expect(consumed.stdout.trim().split('\n').sort()).toEqual(['k1:v1', 'k2:v2'])
    expect(brook(['topics', 'list', '--data-dir', dataDir]).stdout.trim()).toBe('ok')
    expect(brook(['topics', 'describe', 'missing', '--data-dir', dataDir]).code).toBe(1)
  })
})

describe('brook CLI over --bootstrap', () => {
  it('runs topic, produce and consume commands against a running broker', async () => {
    const { Broker } = await import('../../core/broker/broker.js')
    const { startServer } = await import('../../core/server/server.js')
    const { withClient } = await import('../../cli/context.js')
    const broker = await Broker.open({ dataDir: tmpDir() })
    const server = await startServer(broker, { port: 0 })
    const opts = { dataDir: '/nonexistent-unused', bootstrap: `127.0.0.1:${server.port}` }
    try {
      expect(await withClient(opts, (c) => createTopic(c, 'remote', { partitions: 2 }))).toBe('Created topic remote with 2 partition(s)')
      expect(await withClient(opts, (c) => listTopics(c))).toBe('remote')
      expect(await withClient(opts, (c) => produceLines(c, 'remote', Readable.from(['x:1\ny:2\n']), { keySeparator: ':' }))).toBe(2)
      const lines: string[] = []
      await withClient(opts, (c) => consumeRecords(c, 'remote', { group: 'rg', fromBeginning: true, maxMessages: 2, format: '%k=%s' }, (l) => lines.push(l)))
      expect(lines.sort()).toEqual(['x=1', 'y=2'])
      expect(broker.listTopics()).toEqual(['remote'])
    } finally {
      await server.close()
      await broker.close()
    }
  })
})
