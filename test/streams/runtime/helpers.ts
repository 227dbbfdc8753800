// Shared pieces of the runtime tests: temp dirs, the word-count topology, feeding and reading topics.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Broker } from '../../../core/broker/broker.js'
import { KafkaClient } from '../../../core/client/kafka/client.js'
import type { BrookClient, ConsumerRecord } from '../../../core/client/types.js'
import { startServer } from '../../../core/server/server.js'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, type Topology } from '../../../streams/index.js'

export const S = Serdes.String()
export const L = Serdes.Long()

const dirs: string[] = []
export function tmpDir(prefix = 'brook-rt-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  dirs.push(d)
  return d
}
export function cleanupDirs(): void {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
}

/** Brook's broker and server (port 0, quiet) and a wire-protocol client to it: what runs over the Kafka protocol. Each is pushed on `closers`. */
export async function brookServerClient(closers: Array<() => Promise<void>>): Promise<{ client: KafkaClient; bootstrap: string }> {
  const broker = await Broker.open({ dataDir: tmpDir() })
  closers.push(() => broker.close())
  const server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
  closers.push(() => server.close())
  const bootstrap = `127.0.0.1:${server.port}`
  const client = await KafkaClient.connect({ bootstrapServers: bootstrap })
  closers.push(() => client.close())
  return { client, bootstrap }
}

/** text (lines) -> words -> counts per word in store `counts`, to `word-counts`. */
export function wordCount(input = 'text', output = 'word-counts', store = 'counts'): Topology {
  const b = new StreamsBuilder()
  b.stream<string | null, string>(input, Consumed.with(S, S))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>(store))
    .toStream()
    .to(output, Produced.with(S, L))
  return b.build()
}

export function expectedCounts(lines: string[]): Map<string, number> {
  const m = new Map<string, number>()
  for (const l of lines) for (const w of l.toLowerCase().split(/\W+/).filter((x) => x.length > 0)) m.set(w, (m.get(w) ?? 0) + 1)
  return m
}

export async function produce(client: BrookClient, topic: string, records: Array<{ key?: string | Buffer | null; value: string | Buffer | null; partition?: number; timestamp?: number }>): Promise<void> {
  const p = client.producer({ lingerMs: 1 })
  try {
    await p.sendBatch(records.map((r) => ({ topic, ...r })))
  } finally {
    await p.close()
  }
}

/** Every record of the topic up to its current end. */
export async function readAll(client: BrookClient, topic: string, isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_uncommitted'): Promise<ConsumerRecord[]> {
  const admin = client.admin()
  const [d] = await admin.describeTopics([topic]).finally(() => admin.close())
  const c = client.consumer({ enableAutoCommit: false, maxPollRecords: 10_000, isolationLevel })
  try {
    const tps = d!.partitions.map((p) => ({ topic, partition: p.partition }))
    c.assign(tps)
    await c.seekToBeginning(tps)
    const ends = await c.endOffsets(tps)
    const out: ConsumerRecord[] = []
    const deadline = Date.now() + 20_000
    for (;;) {
      let behind = false
      for (const e of ends) if ((await c.position(e)) < e.offset) behind = true
      if (!behind || Date.now() > deadline) break
      out.push(...(await c.poll(200)))
    }
    return out
  } finally {
    await c.close()
  }
}

/** The latest value per key of a topic, decoded as string -> number (Long). */
export async function latestCounts(client: BrookClient, topic: string): Promise<Map<string, number>> {
  const m = new Map<string, number>()
  for (const r of await readAll(client, topic)) m.set(S.deserialize(topic, r.key) as string, L.deserialize(topic, r.value) as number)
  return m
}

export async function waitFor<T>(what: string, check: () => Promise<T | null | false> | T | null | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  for (;;) {
    try {
      const v = await check()
      if (v !== null && v !== false) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

export function sameMap<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false
  for (const [k, v] of a) if (b.get(k) !== v) return false
  return true
}

export const LINES = [
  'the quick brown fox',
  'jumps over the lazy dog',
  'The dog barks',
  'a fox, a dog and THE end',
  'brook streams count words',
  'words words words',
]
