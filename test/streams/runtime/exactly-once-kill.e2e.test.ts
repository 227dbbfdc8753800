// exactly_once_v2 under kill -9 (the input grows as the app catches up, so every kill lands with work left): a counting app (one count per key straight from the input,
// one per bucket through a repartition topic) on an embedded log is SIGKILLed at random
// moments, 24 times, and restarted each time. Broker, coordinator and app die together, so
// every kill also exercises log recovery, transaction coordinator recovery and the abort of
// the transaction the dead instance left open (its transactional id is taken over).
// The final stores, the committed output read with read_committed, and a state restored from
// the changelogs into an empty state directory must equal a reference computed here, exactly.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { ConsumerRecord } from '../../../core/client/types.js'
import { Consumed, Grouped, KafkaStreams, Materialized, QueryableStoreTypes, StreamsBuilder } from '../../../streams/index.js'
import { L, S, cleanupDirs, tmpDir, waitFor } from './helpers.js'

afterEach(() => cleanupDirs())

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/streams/eos-count-app.ts')
const KEYS = 50
const RECORDS = 12_000
const KILLS = 24

interface Child {
  running: Promise<void>
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>
  kill(signal: NodeJS.Signals): void
}

function startChild(dataDir: string, stateDir: string, mode: 'crash' | 'finish'): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, stateDir, mode], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let onRunning: () => void = () => {}
  const running = new Promise<void>((resolve) => (onRunning = resolve))
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
    if (stdout.includes('RUNNING\n')) onRunning()
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      onRunning()
      resolve({ code, signal, stdout, stderr })
    }),
  )
  return { running, exited, kill: (s) => child.kill(s) }
}

/** Committed input offsets of the app, read while no child owns the data dir. */
async function committedInput(dataDir: string): Promise<number> {
  const client = await EmbeddedClient.open({ dataDir })
  try {
    const admin = client.admin()
    const offsets = await admin.listGroupOffsets('eos-count').catch(() => [])
    await admin.close()
    return offsets.filter((o) => o.topic === 'readings').reduce((n, o) => n + (o.committedOffset ?? 0), 0)
  } finally {
    await client.close()
  }
}

async function readCommitted(client: EmbeddedClient, topic: string, partitions: number): Promise<ConsumerRecord[]> {
  const c = client.consumer({ enableAutoCommit: false, isolationLevel: 'read_committed', autoOffsetReset: 'earliest', maxPollRecords: 10_000 })
  try {
    const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
    c.assign(tps)
    const ends = await c.endOffsets(tps)
    const out: ConsumerRecord[] = []
    const deadline = Date.now() + 30_000
    for (;;) {
      let behind = false
      for (const e of ends) if ((await c.position(e)) < e.offset) behind = true
      if (!behind || Date.now() > deadline) return out
      out.push(...(await c.poll(200)))
    }
  } finally {
    await c.close()
  }
}

describe('KafkaStreams exactly_once_v2 under kill -9', () => {
  it(`counts exactly after ${KILLS} random kills: stores, committed output and a restore equal the reference`, async () => {
    const dataDir = tmpDir()
    const stateDir = tmpDir()
    const refCount = new Map<string, number>()
    const refBuckets = new Map<string, number>()
    let seed = 4242
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
    let produced = 0
    /** Appends `n` more readings to the input; the reference counts them here, independently. */
    const feed = async (n: number): Promise<void> => {
      const client = await EmbeddedClient.open({ dataDir })
      const records = []
      for (let i = 0; i < n; i++) {
        const key = `k${Math.floor(rnd() * KEYS)}`
        const value = Math.floor(rnd() * 1_000_000)
        refCount.set(key, (refCount.get(key) ?? 0) + 1)
        const bucket = `b${value % 7}`
        refBuckets.set(bucket, (refBuckets.get(bucket) ?? 0) + 1)
        records.push({ topic: 'readings', key, value: String(value) })
      }
      const p = client.producer({ lingerMs: 1 })
      await p.sendBatch(records)
      await p.close()
      await client.close()
      produced += n
    }
    {
      const client = await EmbeddedClient.open({ dataDir })
      const admin = client.admin()
      await admin.createTopics([
        { topic: 'readings', numPartitions: 2 },
        { topic: 'counts-out', numPartitions: 2 },
      ])
      await admin.close()
      await client.close()
    }
    await feed(RECORDS)

    const moments: number[] = []
    const progress: number[] = []
    /** Input records not yet committed when each kill landed. */
    const left: number[] = []
    for (let k = 0; k < KILLS; k++) {
      // Kills must land with work left: the input grows when the app gets close to its end,
      // by more than a fast machine processes between a spawn and its kill.
      if ((progress[progress.length - 1] ?? 0) > produced - 20_000) await feed(20_000)
      const child = startChild(dataDir, stateDir, 'crash')
      // Half the kills land a random time after the app runs, half a random time after spawn
      // (during start, recovery or restore as it happens).
      let delay: number
      if (k % 2 === 0) {
        await Promise.race([child.running, new Promise((r) => setTimeout(r, 30_000))])
        delay = Math.floor(rnd() * 700)
      } else {
        delay = 300 + Math.floor(rnd() * 2500)
      }
      moments.push(delay)
      await new Promise((r) => setTimeout(r, delay))
      child.kill('SIGKILL')
      const exit = await child.exited
      expect(exit.stderr).not.toMatch(/ERROR/)
      expect(exit.signal).toBe('SIGKILL')
      progress.push(await committedInput(dataDir))
      left.push(produced - progress[progress.length - 1]!)
    }
    console.log(`kill moments (ms): ${moments.join(', ')}`)
    console.log(`committed input after each kill: ${progress.join(', ')} of ${produced}`)
    // Committed progress never goes back, and at least 20 kills (the number) found work left.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!)
    expect(left.filter((n) => n > 0).length, `records left at each kill: ${left.join(', ')}`).toBeGreaterThanOrEqual(20)

    const final = startChild(dataDir, stateDir, 'finish')
    const timer = setTimeout(() => final.kill('SIGKILL'), 120_000)
    const exit = await final.exited
    clearTimeout(timer)
    expect(exit.code, exit.stderr).toBe(0)
    const line = exit.stdout.split('\n').find((l) => l.startsWith('DONE '))!
    const result = JSON.parse(line.slice(5)) as { count: Array<[string, number]>; buckets: Array<[string, number]> }
    expect(new Map(result.count)).toEqual(refCount)
    expect(new Map(result.buckets)).toEqual(refBuckets)

    const client = await EmbeddedClient.open({ dataDir })
    try {
      // The committed output: per key, counts only ever go up and end at the reference.
      const runs = new Map<string, number[]>()
      for (const r of await readCommitted(client, 'counts-out', 2)) {
        const k = S.deserialize('counts-out', r.key) as string
        const list = runs.get(k) ?? []
        list.push(L.deserialize('counts-out', r.value) as number)
        runs.set(k, list)
      }
      expect(new Map([...runs].map(([k, v]) => [k, v[v.length - 1]!]))).toEqual(refCount)
      for (const [k, v] of runs) for (let i = 1; i < v.length; i++) expect(v[i]!, `output counts of ${k}`).toBeGreaterThan(v[i - 1]!)

      // A new instance with an empty state directory restores both stores from the changelogs.
      const b = new StreamsBuilder()
      const readings = b.stream<string, string>('readings', Consumed.with(S, S))
      readings.groupByKey(Grouped.with(S, S)).count(Materialized.as<string, number>('count'))
      readings.groupBy((_k, v) => `b${Number(v) % 7}`, Grouped.with(S, S)).count(Materialized.as<string, number>('buckets'))
      const streams = new KafkaStreams(b.build(), client, { applicationId: 'eos-count', stateDir: tmpDir(), processingGuarantee: 'exactly_once_v2' })
      await streams.start()
      try {
        await waitFor('restored tasks', () => streams.state === 'RUNNING' && streams.taskIds().length === 4, 60_000)
        const dump = (name: string) => new Map(streams.store(name, QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
        expect(dump('count')).toEqual(refCount)
        expect(dump('buckets')).toEqual(refBuckets)
      } finally {
        await streams.close()
      }
    } finally {
      await client.close()
    }
  }, 600_000)
})
