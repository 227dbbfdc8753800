import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { BrookError } from '../../../../core/errors.js'
import { Cluster, parseBootstrap } from '../../../../core/client/kafka/cluster.js'
import { KafkaClient } from '../../../../core/client/kafka/client.js'
import { ApiKeys } from '../../../../core/protocol/apis/index.js'
import { intercept, startBrook, type Harness } from './brook-server.js'
import { waitFor } from '../../../helpers/wait.js'

let harness: Harness | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

describe('parseBootstrap', () => {
  it('reads lists and comma-separated strings, and rejects entries without a port', () => {
    expect(parseBootstrap('a:1, b:2')).toEqual([
      { host: 'a', port: 1 },
      { host: 'b', port: 2 },
    ])
    expect(parseBootstrap(['[::1]:9093'])).toEqual([{ host: '::1', port: 9093 }])
    expect(parseBootstrap('kafka')).toEqual([{ host: 'kafka', port: 9092 }])
    expect(() => parseBootstrap('a:x')).toThrow(BrookError)
    expect(() => parseBootstrap([])).toThrow(BrookError)
  })
})

describe('Cluster', () => {
  it('moves on to the next bootstrap server when one is down', async () => {
    harness = await startBrook()
    const cluster = new Cluster({ bootstrapServers: [`127.0.0.1:${await deadPort()}`, harness.bootstrap] })
    const res = await cluster.metadata([])
    expect(res.brokers.length).toBe(1)
    expect(cluster.nodes().map((n) => n.port)).toEqual([harness.server.advertisedPort])
    await cluster.close()
  })

  it('caches topic metadata and asks again after invalidate()', async () => {
    let metadataCalls = 0
    harness = await startBrook({
      wrap: (h) => (h.apiKey === ApiKeys.Metadata ? intercept(h, (_req, next) => (metadataCalls++, next())) : h),
    })
    await harness.client.admin().createTopics([{ topic: 'm', numPartitions: 2 }])
    const cluster = new Cluster({ bootstrapServers: harness.bootstrap })
    const before = metadataCalls
    expect((await cluster.topic('m')).partitions.length).toBe(2)
    expect(await cluster.leaderFor('m', 1)).toBeGreaterThanOrEqual(0)
    expect(metadataCalls).toBe(before + 1)
    cluster.invalidate('m')
    await cluster.topic('m')
    expect(metadataCalls).toBe(before + 2)
    const err = await cluster.leaderFor('m', 5).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(await cluster.partitionCount('nothing-here')).toBe(0)
    await cluster.close()
  })

  it('fails to connect with a typed error when no bootstrap server answers', async () => {
    const err = await KafkaClient.connect({ bootstrapServers: `127.0.0.1:${await deadPort()}`, retryTimeoutMs: 300, retryBackoffMs: 50 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrookError)
    expect((err as BrookError).code).toBe('NETWORK_EXCEPTION')
  })
})

describe('group membership over the wire', () => {
  // No sleep: the member stops polling until 30 heartbeats went out (each at least 100 ms
  // after the last, so over 3 s) and the session timeout (2 s) has passed twice over by the
  // clock; only the heartbeats can have kept it in the group.
  it('heartbeats keep a member in the group while it does not poll', async () => {
    let heartbeats = 0
    harness = await startBrook({
      wrap: (h) => (h.apiKey === ApiKeys.Heartbeat ? intercept(h, (_req, next) => (heartbeats++, next())) : h),
    })
    await harness.client.admin().createTopics([{ topic: 'hb', numPartitions: 1 }])
    const sessionTimeoutMs = 2_000
    const consumer = harness.client.consumer({ groupId: 'hb', sessionTimeoutMs, heartbeatIntervalMs: 100 })
    consumer.subscribe(['hb'])
    const deadline = Date.now() + 10_000
    while (consumer.assignment().length === 0 && Date.now() < deadline) await consumer.poll(100)
    const generation = consumer.groupMetadata()
    expect(generation).not.toBeNull()
    const lastPoll = Date.now()
    const before = heartbeats
    await waitFor('30 heartbeats and two session timeouts', () => heartbeats - before >= 30 && Date.now() - lastPoll > 2 * sessionTimeoutMs, 30_000)
    const [desc] = await harness.client.admin().describeGroups(['hb'])
    expect(desc!.state).toBe('Stable')
    expect(desc!.members.map((m) => m.memberId)).toEqual([generation!.memberId])
    await consumer.poll(50)
    expect(consumer.groupMetadata()).toEqual(generation)
    await consumer.close()
  })
})

describe('unknown partitions', () => {
  it('fail at once instead of being retried', async () => {
    let metadataCalls = 0
    harness = await startBrook({
      wrap: (h) => (h.apiKey === ApiKeys.Metadata ? intercept(h, (_req, next) => (metadataCalls++, next())) : h),
    })
    await harness.client.admin().createTopics([{ topic: 'two', numPartitions: 2 }])
    const admin = harness.client.admin()
    const before = metadataCalls
    const err = await admin.listOffsets([{ topic: 'two', partition: 7, spec: 'latest' }]).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect((err as BrookError).message).toContain('two-7')
    // One lookup, one refresh to be sure: no retry loop.
    expect(metadataCalls - before).toBe(2)
    await admin.close()
  })
})
