// SIGKILL restarts. What at_least_once promises, and what this test claims exactly:
// state, changelog and outputs are acknowledged before input offsets are committed, so after a
// crash every record after the last committed offset is processed again and no update is lost.
// Re-processing is visible to a non-idempotent aggregate: `count` may over-count (checked as >=),
// while the idempotent `max` (a reduce) must equal the reference exactly, in the store, in the
// output topic and after a full restore from the changelog into a wiped state directory.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import { KafkaStreams, QueryableStoreTypes, StreamsBuilder, Consumed, Grouped, Materialized } from '../../../streams/index.js'
import { L, S, cleanupDirs, readAll, tmpDir, waitFor } from './helpers.js'

afterEach(() => cleanupDirs())

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/streams/crash-app.ts')
const KEYS = 40
const RECORDS = 12_000
const KILLS = 3
/** Records a run processes before it is killed: well short of RECORDS, well past a commit interval. */
const KILL_AFTER = 1_500

interface Child {
  running: Promise<void>
  /** Resolves once this run has processed at least n records (it prints PROCESSED lines). */
  processedAtLeast(n: number): Promise<number>
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>
  kill(signal: NodeJS.Signals): void
}

function startChild(dataDir: string, stateDir: string, mode: 'crash' | 'finish'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, stateDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let onRunning: () => void = () => {}
  const running = new Promise<void>((resolve) => (onRunning = resolve))
  let processed = 0
  const waiting: Array<{ n: number; resolve: (n: number) => void; reject: (e: Error) => void }> = []
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (stdout.includes('RUNNING\n')) onRunning()
    for (const m of d.toString().matchAll(/PROCESSED (\d+)/g)) processed = Math.max(processed, Number(m[1]))
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (processed >= waiting[i]!.n) waiting.splice(i, 1)[0]!.resolve(processed)
    }
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      onRunning()
      for (const w of waiting.splice(0)) w.reject(new Error(`child exited (${code ?? signal}) after processing ${processed} records: ${stderr.slice(-2000)}`))
      resolve({ code, signal, stdout, stderr })
    }),
  )
  const processedAtLeast = (n: number): Promise<number> =>
    processed >= n ? Promise.resolve(processed) : new Promise((resolve, reject) => waiting.push({ n, resolve, reject }))
  return { running, processedAtLeast, exited, kill: (s) => child.kill(s) }
}

/** Committed offsets of the app's input, read while no child owns the data dir. */
async function committed(dataDir: string): Promise<number> {
  const client = await EmbeddedClient.open({ dataDir })
  try {
    const admin = client.admin()
    const offsets = await admin.listGroupOffsets('crash-app').catch(() => [])
    await admin.close()
    return offsets.filter((o) => o.topic === 'readings').reduce((n, o) => n + (o.committedOffset ?? 0), 0)
  } finally {
    await client.close()
  }
}

describe('KafkaStreams SIGKILL restarts (at_least_once)', () => {
  it('loses no update across kills: max exact, count >= reference, restore from the changelog equal', async () => {
    const dataDir = tmpDir()
    const stateDir = tmpDir()
    // Input fed before the app first starts; the reference is computed here, independently.
    const refMax = new Map<string, number>()
    const refCount = new Map<string, number>()
    {
      const client = await EmbeddedClient.open({ dataDir })
      const admin = client.admin()
      await admin.createTopics([
        { topic: 'readings', numPartitions: 2 },
        { topic: 'max-out', numPartitions: 1 },
      ])
      await admin.close()
      let seed = 12345
      const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
      const records = []
      for (let i = 0; i < RECORDS; i++) {
        const key = `k${Math.floor(rnd() * KEYS)}`
        const value = Math.floor(rnd() * 1_000_000)
        refMax.set(key, Math.max(refMax.get(key) ?? -1, value))
        refCount.set(key, (refCount.get(key) ?? 0) + 1)
        records.push({ topic: 'readings', key, value: String(value) })
      }
      const p = client.producer({ lingerMs: 1 })
      await p.sendBatch(records)
      await p.close()
      await client.close()
    }

    const progress: number[] = []
    for (let k = 0; k < KILLS; k++) {
      const child = startChild(dataDir, stateDir, 'crash')
      // Killed once this run has processed KILL_AFTER records (each takes >= 120 us, so
      // several 50 ms commit intervals have passed), not after a guessed sleep.
      const processedAtKill = await child.processedAtLeast(KILL_AFTER)
      child.kill('SIGKILL')
      const exit = await child.exited
      expect(exit.stderr).not.toMatch(/ERROR/)
      expect(exit.signal).toBe('SIGKILL')
      expect(exit.stdout).not.toContain('DONE')
      const now = await committed(dataDir)
      // The kill landed mid-stream: this run had processed records, and input was left.
      expect(processedAtKill).toBeGreaterThanOrEqual(KILL_AFTER)
      expect(now).toBeLessThan(RECORDS)
      progress.push(now)
    }
    // Committed progress never goes back, and commits happened between kills.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!)
    expect(progress[0]!).toBeGreaterThan(0)
    console.log(`committed input offsets after each kill: ${progress.join(', ')} of ${RECORDS}`)

    const final = startChild(dataDir, stateDir, 'finish')
    const timer = setTimeout(() => final.kill('SIGKILL'), 60_000)
    const exit = await final.exited
    clearTimeout(timer)
    expect(exit.code, exit.stderr).toBe(0)
    const line = exit.stdout.split('\n').find((l) => l.startsWith('DONE '))!
    const result = JSON.parse(line.slice(5)) as { max: Array<[string, number]>; count: Array<[string, number]> }
    expect(new Map(result.max)).toEqual(refMax)
    const counts = new Map(result.count)
    expect([...counts.keys()].sort()).toEqual([...refCount.keys()].sort())
    for (const [key, n] of refCount) expect(counts.get(key)!).toBeGreaterThanOrEqual(n)
    console.log(`count total ${[...counts.values()].reduce((a, b) => a + b, 0)} for ${RECORDS} records (the excess is re-processing after kills)`)

    // The output topic's latest max per key, and a wiped state dir restored from the changelogs.
    const client = await EmbeddedClient.open({ dataDir })
    try {
      const out = new Map<string, number>()
      for (const r of await readAll(client, 'max-out')) out.set(S.deserialize('', r.key) as string, L.deserialize('', r.value) as number)
      expect(out).toEqual(refMax)
      const b = new StreamsBuilder()
      const g = b.stream<string, string>('readings', Consumed.with(S, S)).peek(() => {}).mapValues((v) => Number(v)).groupByKey(Grouped.with(S, L))
      g.reduce((a, v) => Math.max(a, v), Materialized.as<string, number>('max'))
      g.count(Materialized.as<string, number>('count'))
      const streams = new KafkaStreams(b.build(), client, { applicationId: 'crash-app', stateDir: tmpDir() })
      await streams.start()
      try {
        await waitFor('restored tasks', () => streams.state === 'RUNNING' && streams.taskIds().length === 2)
        const dump = (name: string) => new Map(streams.store(name, QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
        expect(dump('max')).toEqual(refMax)
        expect(dump('count')).toEqual(counts)
      } finally {
        await streams.close()
      }
    } finally {
      await client.close()
    }
  }, 180_000)
})
