// kafkajs against Brook's wire server: admin, idempotent producer (gzip and uncompressed),
// consumer groups with commits, restart from committed offsets, and a rebalance.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CompressionTypes, Kafka, logLevel, Partitioners, type Consumer, type EachMessagePayload } from 'kafkajs'
import { Broker } from '../../core/broker/broker.js'
import { startServer, type BrookServer } from '../../core/server/server.js'
import type { ServerLogger } from '../../core/server/context.js'
import { defaultPartition } from '../../core/client/partitioner.js'

const TOPIC = 'compat-orders'
const PARTITIONS = 3
const RECORDS = 100_000

let dataDir: string
let broker: Broker
let server: BrookServer
let kafka: Kafka
const serverLog: Array<{ level: string; message: string }> = []
const logger: ServerLogger = {
  info: (message) => serverLog.push({ level: 'info', message }),
  warn: (message) => serverLog.push({ level: 'warn', message }),
  error: (message, err) => serverLog.push({ level: 'error', message: `${message} ${String(err)}` }),
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-kafkajs-'))
  broker = await Broker.open({ dataDir })
  server = await startServer(broker, { port: 0, logger })
  kafka = new Kafka({ clientId: 'brook-compat', brokers: [`127.0.0.1:${server.port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } })
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

/** Consumer options that keep the test quick: short long-polls and frequent heartbeats. */
const consumerOptions = (groupId: string) => ({ groupId, maxWaitTimeInMs: 200, heartbeatInterval: 300, sessionTimeout: 10_000, rebalanceTimeout: 10_000 })

/** Runs a consumer until `until()` holds over what it has seen. */
async function consumeUntil(consumer: Consumer, seen: Seen[], until: () => boolean, timeoutMs = 30_000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${seen.length} records`)), timeoutMs)
    const check = () => {
      if (until()) {
        clearTimeout(timer)
        resolve()
      }
    }
    consumer
      .run({
        eachMessage: async ({ partition, message }: EachMessagePayload) => {
          seen.push({ partition, offset: Number(message.offset), key: message.key!.toString(), seq: Number(message.value!.toString()) })
          check()
        },
      })
      .catch(reject)
  })
}

function checkOrderAndPartitioning(seen: Seen[]): void {
  const last = new Map<number, Seen>()
  for (const s of seen) {
    // Keys land where Java's murmur2 partitioner (and Brook's) puts them.
    expect(s.partition).toBe(defaultPartition(Buffer.from(s.key), PARTITIONS))
    const prev = last.get(s.partition)
    if (prev) {
      expect(s.offset).toBe(prev.offset + 1)
      expect(s.seq).toBeGreaterThan(prev.seq)
    }
    last.set(s.partition, s)
  }
}

/**
 * For members of a rebalancing group, where a partition may move between consumers (and a
 * record may be delivered again after a move): by (partition, offset) every delivery is the
 * same record, the offsets seen cover each partition without gaps, and sequence numbers
 * rise with the offset.
 */
function checkGroupCoverage(seen: Seen[]): void {
  const byPartition = new Map<number, Map<number, Seen>>()
  for (const s of seen) {
    expect(s.partition).toBe(defaultPartition(Buffer.from(s.key), PARTITIONS))
    let offsets = byPartition.get(s.partition)
    if (!offsets) byPartition.set(s.partition, (offsets = new Map()))
    const earlier = offsets.get(s.offset)
    if (earlier) expect(earlier.seq).toBe(s.seq)
    offsets.set(s.offset, s)
  }
  for (const offsets of byPartition.values()) {
    const sorted = [...offsets.values()].sort((x, y) => x.offset - y.offset)
    sorted.forEach((s, i) => {
      expect(s.offset).toBe(i)
      if (i > 0) expect(s.seq).toBeGreaterThan(sorted[i - 1]!.seq)
    })
  }
}

async function produce(from: number, count: number, compression: CompressionTypes): Promise<void> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    for (let start = from; start < from + count; start += 500) {
      const messages = []
      for (let i = start; i < Math.min(start + 500, from + count); i++) messages.push({ key: `key-${i % 997}`, value: String(i) })
      await producer.send({ topic: TOPIC, compression, acks: -1, messages })
    }
  } finally {
    await producer.disconnect()
  }
}

describe('kafkajs', () => {
  it('admin creates and describes a topic', async () => {
    const admin = kafka.admin()
    await admin.connect()
    try {
      expect(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] })).toBe(true)
      const meta = await admin.fetchTopicMetadata({ topics: [TOPIC] })
      expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2])
      expect(await admin.listTopics()).toContain(TOPIC)
      const cluster = await admin.describeCluster()
      expect(cluster.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: server.port }])
      const configs = await admin.describeConfigs({ resources: [{ type: 2, name: TOPIC }], includeSynonyms: false })
      expect(configs.resources[0]!.configEntries.find((c) => c.configName === 'cleanup.policy')?.configValue).toBe('delete')
    } finally {
      await admin.disconnect()
    }
  })

  it('produces 100,000 keyed records (gzip and none) and a group reads each once, in order', async () => {
    await produce(0, RECORDS / 2, CompressionTypes.None)
    await produce(RECORDS / 2, RECORDS / 2, CompressionTypes.GZIP)
    const admin = kafka.admin()
    await admin.connect()
    try {
      const ends = await admin.fetchTopicOffsets(TOPIC)
      expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(RECORDS)
    } finally {
      await admin.disconnect()
    }

    const consumer = kafka.consumer(consumerOptions('compat-group'))
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    const seen: Seen[] = []
    try {
      await consumeUntil(consumer, seen, () => seen.length >= RECORDS)
    } finally {
      await consumer.disconnect()
    }
    expect(seen.length).toBe(RECORDS)
    expect(new Set(seen.map((s) => s.seq)).size).toBe(RECORDS)
    checkOrderAndPartitioning(seen)

    // Offsets were committed up to the end of every partition.
    const admin2 = kafka.admin()
    await admin2.connect()
    try {
      const committed = await admin2.fetchOffsets({ groupId: 'compat-group', topics: [TOPIC] })
      const ends = await admin2.fetchTopicOffsets(TOPIC)
      const byPartition = new Map(ends.map((e) => [e.partition, e.high]))
      for (const p of committed[0]!.partitions) expect(p.offset).toBe(byPartition.get(p.partition))
    } finally {
      await admin2.disconnect()
    }
  })

  it('a restarted group member resumes from the committed offsets', async () => {
    await produce(RECORDS, 300, CompressionTypes.GZIP)
    const consumer = kafka.consumer(consumerOptions('compat-group'))
    await consumer.connect()
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true })
    const seen: Seen[] = []
    try {
      await consumeUntil(consumer, seen, () => seen.length >= 300)
      // Nothing older shows up while we wait a little longer.
      await new Promise((r) => setTimeout(r, 500))
    } finally {
      await consumer.disconnect()
    }
    expect(seen.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => RECORDS + i))
    checkOrderAndPartitioning(seen)
  })

  it('two members split the partitions and the survivor takes over when one leaves', async () => {
    const groupId = 'compat-split'
    const assignments = new Map<string, number[]>()
    const track = (name: string, c: Consumer) =>
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(name, [...(e.payload.memberAssignment[TOPIC] ?? [])].sort()))
    const a = kafka.consumer(consumerOptions(groupId))
    const b = kafka.consumer(consumerOptions(groupId))
    track('a', a)
    track('b', b)
    const seenA: Seen[] = []
    const seenB: Seen[] = []
    const record = (seen: Seen[]) => async ({ partition, message }: EachMessagePayload) => {
      seen.push({ partition, offset: Number(message.offset), key: message.key!.toString(), seq: Number(message.value!.toString()) })
    }
    try {
      for (const [c, seen] of [[a, seenA], [b, seenB]] as const) {
        await c.connect()
        await c.subscribe({ topic: TOPIC, fromBeginning: true })
        await c.run({ eachMessage: record(seen) })
      }
      await waitFor(() => {
        const pa = assignments.get('a') ?? []
        const pb = assignments.get('b') ?? []
        return pa.length > 0 && pb.length > 0 && [...pa, ...pb].sort().join() === '0,1,2'
      }, 'both members to hold partitions')
      await waitFor(() => new Set([...seenA, ...seenB].map((s) => s.seq)).size >= RECORDS + 300, 'the split group to read everything')

      await b.disconnect()
      await waitFor(() => (assignments.get('a') ?? []).join() === '0,1,2', 'a to take over every partition')
      await produce(RECORDS + 300, 90, CompressionTypes.None)
      await waitFor(() => seenA.some((s) => s.seq === RECORDS + 389) && new Set(seenA.filter((s) => s.seq >= RECORDS + 300).map((s) => s.seq)).size === 90, 'a to read the new records')
    } finally {
      await a.disconnect()
      await b.disconnect()
    }
    const all = [...seenA, ...seenB]
    expect(new Set(all.map((s) => s.seq)).size).toBe(RECORDS + 390)
    checkGroupCoverage(all)
  })

  it('left nothing unexpected in the server log', () => {
    expect(serverLog.filter((l) => l.level === 'error')).toEqual([])
  })
})

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
