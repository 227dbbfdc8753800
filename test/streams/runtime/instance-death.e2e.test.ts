// An instance that dies (SIGKILL, no leave) is dropped by the group after its session timeout;
// the survivor takes its tasks over and restores their state from the changelogs.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KafkaStreams, QueryableStoreTypes, type StateRestoreListener } from '../../../streams/index.js'
import { LINES, brookServerClient, cleanupDirs, expectedCounts, latestCounts, produce, sameMap, tmpDir, waitFor, wordCount } from './helpers.js'

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/streams/wc-instance.ts')
const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

describe('KafkaStreams instance death', () => {
  it('moves the tasks of a killed instance to the survivor with their state', async () => {
    const { client, bootstrap } = await brookServerClient(closers)
    const admin = client.admin()
    await admin.createTopics([
      { topic: 'text', numPartitions: 4 },
      { topic: 'word-counts', numPartitions: 1 },
    ])
    await admin.close()
    await produce(client, 'text', LINES.map((value, i) => ({ value, partition: i % 4 })))

    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, bootstrap, tmpDir()], { stdio: ['ignore', 'pipe', 'pipe'] })
    let childTasks = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      const lines = d.toString().split('\n').filter((l) => l.startsWith('TASKS'))
      if (lines.length > 0) childTasks = lines[lines.length - 1]!.slice(6)
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
    closers.push(async () => {
      child.kill('SIGKILL')
      await exited
    })
    await waitFor('the child instance to run all tasks', () => childTasks.split(',').filter(Boolean).length === 8, 30_000)

    let restored = 0
    const listener: StateRestoreListener = { onRestoreEnd: (_tp, _s, n) => (restored += n) }
    const survivor = new KafkaStreams(wordCount(), client, { applicationId: 'wc-die', stateDir: tmpDir(), commitIntervalMs: 100, heartbeatIntervalMs: 100, sessionTimeoutMs: 2000, restoreListener: listener })
    closers.push(() => survivor.close())
    await survivor.start()
    await waitFor('the two instances to share the tasks', () => survivor.state === 'RUNNING' && survivor.taskIds().length === 4 && childTasks.split(',').filter(Boolean).length === 4, 30_000)
    const expected1 = expectedCounts(LINES)
    await waitFor('the first counts', async () => sameMap(await latestCounts(client, 'word-counts'), expected1), 30_000)

    // Killed once its work is committed: at_least_once would re-process (and re-count) anything after the commit.
    await waitFor('every input and repartition offset committed', async () => {
      const a = client.admin()
      try {
        const offsets = await a.listGroupOffsets('wc-die')
        const topics = new Set(offsets.map((o) => o.topic))
        return topics.has('text') && topics.has('wc-die-counts-repartition') && offsets.every((o) => o.lag === 0)
      } finally {
        await a.close()
      }
    })
    child.kill('SIGKILL')
    await exited
    expect(stderr).not.toMatch(/ERROR/)
    const more = ['after the crash', 'the dog survives']
    await produce(client, 'text', more.map((value, i) => ({ value, partition: i % 4 })))
    await waitFor('the survivor to own all 8 tasks', () => survivor.state === 'RUNNING' && survivor.taskIds().length === 8, 30_000)
    expect(restored).toBeGreaterThan(0)
    const expected2 = expectedCounts([...LINES, ...more])
    await waitFor('counts after the take-over', async () => sameMap(await latestCounts(client, 'word-counts'), expected2), 30_000)
    const store = survivor.store('counts', QueryableStoreTypes.keyValueStore<string, number>())
    expect(new Map(store.all().map((e) => [e.key, e.value]))).toEqual(expected2)
  }, 90_000)
})
