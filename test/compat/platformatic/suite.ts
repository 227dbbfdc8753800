// @platformatic/kafka against Brook's wire server (loaded by ../platformatic.test.ts when
// scripts/ci/install-compat.sh has installed the client in this folder): idempotent producer with each codec it
// supports on Node 20 (none, gzip, snappy, lz4; its zstd needs Node 22's zlib), a consumer
// group with commits, restart from committed offsets, and a rebalance when a member leaves.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Consumer, Producer, compatibilityPartitioner, stringDeserializers, stringSerializers, type CompressionAlgorithmValue } from '@platformatic/kafka'
import { Broker } from '../../../core/broker/broker.js'
import { startServer, type BrookServer } from '../../../core/server/server.js'
import { defaultPartition } from '../../../core/client/partitioner.js'

const TOPIC = 'plt-orders'
const PARTITIONS = 3
const PER_CODEC = 100_000
const CODECS: CompressionAlgorithmValue[] = ['none', 'gzip', 'snappy', 'lz4']
const TOTAL = PER_CODEC * CODECS.length

let dataDir: string
let broker: Broker
let server: BrookServer
let bootstrap: string[]

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-plt-'))
  broker = await Broker.open({ dataDir })
  server = await startServer(broker, { port: 0, logger: { info: () => {}, warn: () => {}, error: () => {} } })
  bootstrap = [`127.0.0.1:${server.port}`]
})

afterAll(async () => {
  await server?.close()
  await broker?.close()
  fs.rmSync(dataDir, { recursive: true, force: true })
})

interface Seen {
  partition: number
  offset: number
  key: string
  seq: number
}

function check(seen: Seen[], expectedSeqs: number[]): void {
  expect(seen.map((s) => s.seq).sort((a, b) => a - b)).toEqual(expectedSeqs)
  const last = new Map<number, Seen>()
  for (const s of seen) {
    expect(s.partition).toBe(defaultPartition(Buffer.from(s.key), PARTITIONS))
    const prev = last.get(s.partition)
    if (prev) {
      expect(s.offset).toBeGreaterThan(prev.offset)
      expect(s.seq).toBeGreaterThan(prev.seq)
    }
    last.set(s.partition, s)
  }
}

async function produce(from: number, count: number, compression: CompressionAlgorithmValue): Promise<void> {
  const producer = new Producer({
    clientId: 'brook-plt',
    bootstrapBrokers: bootstrap,
    serializers: stringSerializers,
    idempotent: true,
    acks: -1,
    compression,
    partitioner: compatibilityPartitioner,
  })
  try {
    // One send at a time: this client advances idempotent sequences only when a send is acknowledged.
    for (let start = from; start < from + count; start += 5000) {
      const messages = []
      for (let i = start; i < Math.min(start + 5000, from + count); i++) messages.push({ topic: TOPIC, key: `key-${i % 997}`, value: String(i) })
      await producer.send({ messages })
    }
  } catch (e) {
    throw new Error(`producing with ${compression} failed: ${describeError(e)}`)
  } finally {
    await producer.close()
  }
}

function consumer(groupId: string): Consumer<string, string, string, string> {
  return new Consumer({
    clientId: `brook-plt-${groupId}`,
    groupId,
    bootstrapBrokers: bootstrap,
    deserializers: stringDeserializers,
    sessionTimeout: 10_000,
    heartbeatInterval: 300,
    rebalanceTimeout: 10_000,
    maxWaitTime: 200,
  })
}

/** Reads until `until` holds, committing every 1000th message and the last one of each partition. */
async function consumeUntil(c: Consumer<string, string, string, string>, seen: Seen[], until: () => boolean, timeoutMs = 60_000): Promise<void> {
  const stream = await c.consume({ topics: [TOPIC], mode: 'committed', fallbackMode: 'earliest', autocommit: false })
  const deadline = Date.now() + timeoutMs
  try {
    const lastOf = new Map<number, { commit(): unknown }>()
    for await (const m of stream) {
      seen.push({ partition: m.partition, offset: Number(m.offset), key: m.key, seq: Number(m.value) })
      lastOf.set(m.partition, m)
      if (seen.length % 1000 === 0) await m.commit()
      if (until()) break
      if (Date.now() > deadline) throw new Error(`consumed ${seen.length} records in ${timeoutMs} ms without reaching the goal`)
    }
    if (!until()) throw new Error(`the stream ended after ${seen.length} records without reaching the goal`)
    for (const m of lastOf.values()) await m.commit()
  } finally {
    await stream.close()
  }
}

describe('@platformatic/kafka', () => {
  it(`produces ${TOTAL.toLocaleString('en-US')} keyed records (${CODECS.join(', ')}) and a group reads each once, in order`, async () => {
    const admin = new Admin({ clientId: 'brook-plt-admin', bootstrapBrokers: bootstrap })
    await admin.createTopics({ topics: [TOPIC], partitions: PARTITIONS, replicas: 1 })
    await admin.close()
    for (let i = 0; i < CODECS.length; i++) await produce(i * PER_CODEC, PER_CODEC, CODECS[i]!)
    const ends = [0, 1, 2].map((p) => broker.listOffset(TOPIC, p, 'latest').offset)
    expect(ends.reduce((a, b) => a + b, 0)).toBe(TOTAL)

    const c = consumer('plt-group')
    const seen: Seen[] = []
    try {
      await consumeUntil(c, seen, () => seen.length >= TOTAL)
    } finally {
      await c.close(true)
    }
    check(seen, Array.from({ length: TOTAL }, (_, i) => i))
    const committed = await broker.coordinator.fetchOffsets({ groupId: 'plt-group' })
    // Every partition committed at its end: an empty answer must fail, not pass.
    expect(committed.offsets.map((o) => [o.topic, o.partition, o.offset]).sort()).toEqual(ends.map((end, p) => [TOPIC, p, end]))
  }, 180_000)

  it('a restarted member resumes from the committed offsets', async () => {
    await produce(TOTAL, 300, 'lz4')
    const c = consumer('plt-group')
    const seen: Seen[] = []
    try {
      await consumeUntil(c, seen, () => seen.length >= 300)
    } finally {
      await c.close(true)
    }
    check(seen, Array.from({ length: 300 }, (_, i) => TOTAL + i))
  }, 60_000)

  it('two members split the partitions and the survivor takes over when one leaves', async () => {
    const a = consumer('plt-split')
    const b = consumer('plt-split')
    const streamA = await a.consume({ topics: [TOPIC], mode: 'earliest', autocommit: false })
    const streamB = await b.consume({ topics: [TOPIC], mode: 'earliest', autocommit: false })
    const seenBy = new Map<string, Set<number>>([['a', new Set()], ['b', new Set()]])
    streamA.on('data', (m) => seenBy.get('a')!.add(m.partition))
    streamB.on('data', (m) => seenBy.get('b')!.add(m.partition))
    const waitFor = async (what: string, cond: () => boolean, ms = 30_000): Promise<void> => {
      const end = Date.now() + ms
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    await waitFor('both members assigned', () => a.assignments !== null && b.assignments !== null && count(a) + count(b) === PARTITIONS && count(a) > 0 && count(b) > 0)
    const aParts = parts(a)
    const bParts = parts(b)
    expect([...aParts, ...bParts].sort()).toEqual([0, 1, 2])
    expect(aParts.filter((p) => bParts.includes(p))).toEqual([])
    // Records delivered from each member's partitions; b, which joined second, only from its
    // own (a may have read b's partitions before b joined).
    await waitFor("records of each member's partitions delivered to it", () => aParts.every((p) => seenBy.get('a')!.has(p)) && bParts.every((p) => seenBy.get('b')!.has(p)))
    expect([...seenBy.get('b')!].sort()).toEqual([...bParts].sort())
    await streamB.close()
    await b.close(true)
    await waitFor('the survivor to own every partition', () => count(a) === PARTITIONS)
    expect(parts(a).sort()).toEqual([0, 1, 2])
    // New records on b's partitions now reach the survivor.
    seenBy.get('a')!.clear()
    await produce(TOTAL + 300, 300, 'none')
    await waitFor("records of b's partitions delivered to the survivor", () => bParts.every((p) => seenBy.get('a')!.has(p)))
    await streamA.close()
    await a.close(true)
  }, 90_000)
})

/** Flattens the client's nested AggregateErrors into one readable line. */
function describeError(e: unknown): string {
  const err = e as { message?: string; errors?: unknown[]; cause?: unknown }
  const inner = [...(err.errors ?? []), ...(err.cause ? [err.cause] : [])].map(describeError)
  return [err.message ?? String(e), ...inner].join(' <- ')
}

function parts(c: Consumer<string, string, string, string>): number[] {
  return (c.assignments ?? []).flatMap((t) => t.partitions)
}

function count(c: Consumer<string, string, string, string>): number {
  return parts(c).length
}
