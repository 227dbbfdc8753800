// exactly_once_v2 fences a zombie (KIP-447): instance A is frozen (SIGSTOP) in the middle of
// its work, B takes its tasks after A's session times out, and A is thawed (SIGCONT) while it
// still believes it owns them. A's next commit presents its lost generation, is refused
// (KIP-447) and A stops (where Kafka Streams would rejoin). Nothing of A's reaches the output: the
// committed output, read read_committed, holds per key a strictly increasing run of counts
// ending at the reference, as if one instance had counted each record once.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { KafkaClient } from '../../../core/client/kafka/client.js'
import type { ConsumerRecord } from '../../../core/client/types.js'
import { startServer } from '../../../core/server/server.js'
import { L, S, cleanupDirs, tmpDir, waitFor } from './helpers.js'

afterEach(() => cleanupDirs())

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/streams/eos-zombie-app.ts')
const RECORDS = 6000
const KEYS = 30

function startApp(bootstrap: string, stateDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, bootstrap, stateDir], { stdio: ['pipe', 'pipe', 'pipe'] })
  const state = { stdout: '', stderr: '' }
  child.stdout.on('data', (d: Buffer) => (state.stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (state.stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, state, exited }
}

describe('KafkaStreams exactly_once_v2 zombie fencing', () => {
  it('a frozen instance that lost its tasks cannot commit over its successor', async () => {
    const broker = await Broker.open({ dataDir: tmpDir(), transactionAbortTimedOutTransactionCleanupIntervalMs: 200 })
    const server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
    const bootstrap = `127.0.0.1:${server.port}`
    const client = await KafkaClient.connect({ bootstrapServers: bootstrap })
    const apps: Array<ReturnType<typeof startApp>> = []
    try {
      const admin = client.admin()
      await admin.createTopics([
        { topic: 'readings', numPartitions: 2 },
        { topic: 'counts-out', numPartitions: 2 },
      ])
      const ref = new Map<string, number>()
      let seed = 99
      const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
      const records = Array.from({ length: RECORDS }, () => {
        const key = `k${Math.floor(rnd() * KEYS)}`
        ref.set(key, (ref.get(key) ?? 0) + 1)
        return { topic: 'readings', key, value: '1' }
      })
      const p = client.producer({ lingerMs: 1 })
      await p.sendBatch(records)
      await p.close()
      const committed = async (): Promise<number> =>
        (await admin.listGroupOffsets('eos-zombie')).filter((o) => o.topic === 'readings').reduce((n, o) => n + (o.committedOffset ?? 0), 0)

      const a = startApp(bootstrap, tmpDir())
      apps.push(a)
      await waitFor('A running with both tasks', () => a.state.stdout.includes('TASKS 2'), 60_000)
      await waitFor('A to commit some input', async () => (await committed()) > 200, 60_000)
      a.child.kill('SIGSTOP')
      const atFreeze = await committed()

      const b = startApp(bootstrap, tmpDir())
      apps.push(b)
      await waitFor('B to take both tasks', () => b.state.stdout.includes('TASKS 2'), 60_000)
      await waitFor('B to finish the input', async () => (await committed()) === RECORDS, 120_000)
      a.child.kill('SIGCONT')
      // A wakes up believing it owns the tasks: its next commit presents a generation that is gone, and it stops.
      await waitFor('A to be fenced', () => a.state.stdout.includes('ERROR'), 30_000)
      console.log(`A committed ${atFreeze} of ${RECORDS} before it froze; then: ${a.state.stdout.trim().split('\n').pop()}`)

      for (const app of apps) app.child.stdin.end()
      await Promise.all(apps.map((app) => Promise.race([app.exited, new Promise((r) => setTimeout(r, 20_000))])))

      const c = client.consumer({ enableAutoCommit: false, isolationLevel: 'read_committed', autoOffsetReset: 'earliest', maxPollRecords: 10_000 })
      const tps = [0, 1].map((partition) => ({ topic: 'counts-out', partition }))
      c.assign(tps)
      // Any transaction A left open is aborted after its timeout; then the end is stable.
      const out: ConsumerRecord[] = []
      await waitFor('the committed output to cover every key', async () => {
        out.push(...(await c.poll(200)))
        const latest = new Map<string, number>()
        for (const r of out) latest.set(S.deserialize('counts-out', r.key) as string, L.deserialize('counts-out', r.value) as number)
        return latest.size === ref.size && [...ref].every(([k, v]) => latest.get(k) === v) ? latest : null
      }, 60_000)
      await c.close()
      const runs = new Map<string, number[]>()
      for (const r of out) {
        const k = S.deserialize('counts-out', r.key) as string
        runs.set(k, [...(runs.get(k) ?? []), L.deserialize('counts-out', r.value) as number])
      }
      for (const [k, v] of runs) for (let i = 1; i < v.length; i++) expect(v[i]!, `output counts of ${k}`).toBeGreaterThan(v[i - 1]!)
      expect(new Map([...runs].map(([k, v]) => [k, v[v.length - 1]!]))).toEqual(ref)
      await admin.close()
    } finally {
      for (const app of apps) {
        app.child.kill('SIGCONT')
        app.child.kill('SIGKILL')
      }
      await client.close()
      await server.close()
      await broker.close()
    }
  }, 300_000)
})
