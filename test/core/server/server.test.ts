// The server over real sockets: the request flow a client goes through, pipelining,
// long polls, and bad input closing only the connection that sent it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { startServer, type BrookServer } from '../../../core/server/server.js'
import { defineHandler, type ServerLogger } from '../../../core/server/context.js'
import { apiVersionsHandler } from '../../../core/server/handlers/api-versions.js'
import { encodeRequestFrame } from '../../../core/protocol/frame.js'
import {
  ApiKeys,
  createApiVersionsRequest,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFindCoordinatorRequest,
  createJoinGroupRequest,
  createListOffsetsRequest,
  createListOffsetsRequestListOffsetsPartition,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetCommitRequest,
  createOffsetFetchRequest,
  createProduceRequest,
  createSyncGroupRequest,
  type RequestBodies,
} from '../../../core/protocol/apis/index.js'
import { encodeRecordBatch, decodeRecords, forEachBatch } from '../../../core/protocol/records/record-batch.js'
import { KafkaErrorCodes as E } from '../../../core/protocol/kafka-errors.js'
import { tmpDir } from '../../helpers/tmp.js'
import { WireClient } from './wire-client.js'
import { waitFor } from '../../helpers/wait.js'

let broker: Broker
let server: BrookServer
let logged: Array<{ level: string; message: string }>
const clients: WireClient[] = []

const logger: ServerLogger = {
  info: (message) => logged.push({ level: 'info', message }),
  warn: (message) => logged.push({ level: 'warn', message }),
  error: (message) => logged.push({ level: 'error', message }),
  debug: (message) => logged.push({ level: 'debug', message }),
}

async function connect(port = server.port): Promise<WireClient> {
  const c = await WireClient.connect(port)
  clients.push(c)
  return c
}

beforeEach(async () => {
  logged = []
  broker = await Broker.open({ dataDir: tmpDir('brook-server-') })
  server = await startServer(broker, { port: 0, logger, socketRequestMaxBytes: 1 << 20 })
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await server.close()
  await broker.close()
})

const apiVersionsBody = { ...createApiVersionsRequest(), clientSoftwareName: 'wire-test', clientSoftwareVersion: '1.0' }
const noTopicId = 'AAAAAAAAAAAAAAAAAAAAAA'

function produceBody(topic: string, partition: number, values: string[], acks = -1): RequestBodies[typeof ApiKeys.Produce] {
  const records = encodeRecordBatch(values.map((v) => ({ key: Buffer.from(v), value: Buffer.from(v), timestamp: Date.now() })))
  return { ...createProduceRequest(), acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }
}

function fetchBody(topic: string, partition: number, offset: number, maxWaitMs: number): RequestBodies[typeof ApiKeys.Fetch] {
  return {
    ...createFetchRequest(),
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    topics: [{ topic, topicId: noTopicId, partitions: [{ ...createFetchRequestFetchPartition(), partition, fetchOffset: offset, partitionMaxBytes: 1 << 20 }] }],
  }
}

/** Every record value in a run of stored batches. */
function valuesOf(records: Buffer | null): string[] {
  const out: string[] = []
  forEachBatch(records ?? Buffer.alloc(0), (at) => {
    for (const r of decodeRecords(records!, at)) out.push(r.value!.toString())
  })
  return out
}

async function stillServes(): Promise<void> {
  const c = await connect()
  const res = await c.send(ApiKeys.ApiVersions, 3, apiVersionsBody)
  expect(res.errorCode).toBe(0)
  const meta = await c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: null })
  expect(meta.brokers[0]!.port).toBe(server.port)
}

describe('request flow over a socket', () => {
  it('serves ApiVersions, Metadata, CreateTopics, Produce, Fetch and ListOffsets', async () => {
    const c = await connect()
    const versions = await c.send(ApiKeys.ApiVersions, 3, apiVersionsBody)
    expect(versions.apiKeys.find((k) => k.apiKey === ApiKeys.Produce)).toEqual({ apiKey: 0, minVersion: 0, maxVersion: 11 })

    const created = await c.send(ApiKeys.CreateTopics, 7, {
      ...createCreateTopicsRequest(),
      topics: [{ ...createCreateTopicsRequestCreatableTopic(), name: 'events', numPartitions: 3, replicationFactor: 1 }],
    })
    expect(created.topics[0]!.errorCode).toBe(0)

    const meta = await c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: [{ ...createMetadataRequestTopic(), name: 'events' }] })
    expect(meta.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: server.port, rack: null }])
    expect(meta.topics[0]!.partitions.length).toBe(3)

    const produced = await c.send(ApiKeys.Produce, 11, produceBody('events', 2, ['one', 'two']))
    expect(produced.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 })

    const fetched = await c.send(ApiKeys.Fetch, 12, fetchBody('events', 2, 0, 100))
    const part = fetched.responses[0]!.partitions[0]!
    expect(part.highWatermark).toBe(2)
    expect(decodeRecords(part.records!).map((r) => r.value!.toString())).toEqual(['one', 'two'])

    const offsets = await c.send(ApiKeys.ListOffsets, 9, {
      ...createListOffsetsRequest(),
      topics: [{ name: 'events', partitions: [-2, -1].map((timestamp) => ({ ...createListOffsetsRequestListOffsetsPartition(), partitionIndex: 2, timestamp })) }],
    })
    expect(offsets.topics[0]!.partitions.map((p) => p.offset)).toEqual([0, 2])
  })

  it('long-polls a fetch until data arrives, and times out empty', async () => {
    await broker.createTopic('poll')
    const consumer = await connect()
    const producer = await connect()
    const waiting = consumer.send(ApiKeys.Fetch, 11, fetchBody('poll', 0, 0, 30_000))
    let answered = false
    void waiting.then(() => (answered = true))
    await new Promise((r) => setTimeout(r, 100))
    expect(answered).toBe(false)
    await producer.send(ApiKeys.Produce, 9, produceBody('poll', 0, ['wake']))
    const res = await waiting
    expect(decodeRecords(res.responses[0]!.partitions[0]!.records!).map((r) => r.value!.toString())).toEqual(['wake'])

    const empty = await consumer.send(ApiKeys.Fetch, 11, fetchBody('poll', 0, 1, 50))
    expect(empty.responses[0]!.partitions[0]!.records!.length).toBe(0)
  })

  it('runs a consumer group: join, sync, heartbeat, commit, fetch offsets, leave', async () => {
    await broker.createTopic('grouped', { numPartitions: 2 })
    const c = await connect()
    const coord = await c.send(ApiKeys.FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 'g1' })
    expect(coord).toMatchObject({ errorCode: 0, nodeId: 0, port: server.port })

    const join = { ...createJoinGroupRequest(), groupId: 'g1', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('meta') }] }
    const first = await c.send(ApiKeys.JoinGroup, 9, join)
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED)
    expect(first.memberId).not.toBe('')
    const joined = await c.send(ApiKeys.JoinGroup, 9, { ...join, memberId: first.memberId })
    expect(joined).toMatchObject({ errorCode: 0, leader: first.memberId, memberId: first.memberId, protocolName: 'range' })
    expect(joined.members.map((m) => m.metadata.toString())).toEqual(['meta'])

    const synced = await c.send(ApiKeys.SyncGroup, 5, {
      ...createSyncGroupRequest(),
      groupId: 'g1',
      generationId: joined.generationId,
      memberId: joined.memberId,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: Buffer.from('assigned') }],
    })
    expect(synced.errorCode).toBe(0)
    expect(synced.assignment.toString()).toBe('assigned')

    const beat = await c.send(ApiKeys.Heartbeat, 4, { groupId: 'g1', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null })
    expect(beat.errorCode).toBe(0)

    const commit = await c.send(ApiKeys.OffsetCommit, 8, {
      ...createOffsetCommitRequest(),
      groupId: 'g1',
      generationIdOrMemberEpoch: joined.generationId,
      memberId: joined.memberId,
      topics: [{ name: 'grouped', partitions: [0, 1].map((p) => ({ partitionIndex: p, committedOffset: 10 + p, committedLeaderEpoch: -1, commitTimestamp: -1, committedMetadata: 'm' })) }],
    })
    expect(commit.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0])

    const v7 = await c.send(ApiKeys.OffsetFetch, 7, { ...createOffsetFetchRequest(), groupId: 'g1', topics: [{ name: 'grouped', partitionIndexes: [0, 1] }] })
    expect(v7.errorCode).toBe(0)
    expect(v7.topics[0]!.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([[0, 10, 'm'], [1, 11, 'm']])
    const v8 = await c.send(ApiKeys.OffsetFetch, 8, {
      ...createOffsetFetchRequest(),
      groups: [
        { groupId: 'g1', memberId: null, memberEpoch: -1, topics: null },
        { groupId: 'other', memberId: null, memberEpoch: -1, topics: [{ name: 'grouped', partitionIndexes: [0] }] },
      ],
    })
    expect(v8.groups.map((g) => [g.groupId, g.topics.flatMap((t) => t.partitions.map((p) => p.committedOffset))])).toEqual([
      ['g1', [10, 11]],
      ['other', [-1]],
    ])

    const described = await c.send(ApiKeys.DescribeGroups, 5, { groups: ['g1'], includeAuthorizedOperations: false })
    expect(described.groups[0]).toMatchObject({ groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' })
    expect(described.groups[0]!.members[0]!.clientHost).toBe('/127.0.0.1')
    const listed = await c.send(ApiKeys.ListGroups, 5, { statesFilter: [], typesFilter: [] })
    expect(listed.groups).toEqual([{ groupId: 'g1', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }])

    const left = await c.send(ApiKeys.LeaveGroup, 5, { groupId: 'g1', memberId: '', members: [{ memberId: joined.memberId, groupInstanceId: null, reason: 'done' }] })
    expect(left.errorCode).toBe(0)
    expect(left.members[0]!.errorCode).toBe(0)

    const offsetDelete = await c.send(ApiKeys.OffsetDelete, 0, { groupId: 'g1', topics: [{ name: 'grouped', partitions: [{ partitionIndex: 0 }] }] })
    expect(offsetDelete.errorCode).toBe(0)
    const after = await c.send(ApiKeys.OffsetFetch, 1, { ...createOffsetFetchRequest(), groupId: 'g1', topics: [{ name: 'grouped', partitionIndexes: [0, 1] }] })
    expect(after.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([-1, 11])
    const deleted = await c.send(ApiKeys.DeleteGroups, 2, { groupsNames: ['g1', 'nope'] })
    expect(deleted.results.map((r) => r.errorCode)).toEqual([0, E.GROUP_ID_NOT_FOUND])
  })
})

describe('pipelining and backpressure', () => {
  it('answers pipelined requests in request order even when an early one waits', async () => {
    await broker.createTopic('order')
    const c = await connect()
    // The fetch long-polls; everything pipelined after it must still be answered after it,
    // while the produce behind it runs at once and wakes it.
    const fetch = c.send(ApiKeys.Fetch, 12, fetchBody('order', 0, 0, 10_000))
    const rest = [
      c.send(ApiKeys.ApiVersions, 3, apiVersionsBody),
      c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: null }),
      c.send(ApiKeys.Produce, 9, produceBody('order', 0, ['late'])),
      c.send(ApiKeys.ListOffsets, 7, { ...createListOffsetsRequest(), topics: [{ name: 'order', partitions: [{ ...createListOffsetsRequestListOffsetsPartition(), timestamp: -1 }] }] }),
    ]
    await Promise.all(rest)
    const fetched = await fetch
    expect(c.arrivalOrder).toEqual([1, 2, 3, 4, 5])
    expect(valuesOf(fetched.responses[0]!.partitions[0]!.records)).toEqual(['late'])
  })

  it('keeps per-partition produce order and skips acks=0 responses', async () => {
    await broker.createTopic('seq')
    const c = await connect()
    const acked: Array<Promise<unknown>> = []
    for (let i = 0; i < 50; i++) {
      if (i % 5 === 0) c.sendOneWay(ApiKeys.Produce, 9, produceBody('seq', 0, [`v${i}`], 0))
      else acked.push(c.send(ApiKeys.Produce, 9, produceBody('seq', 0, [`v${i}`], 1)))
    }
    await Promise.all(acked)
    const res = await c.send(ApiKeys.Fetch, 12, fetchBody('seq', 0, 0, 0))
    expect(broker.partition('seq', 0).highWatermark).toBe(50)
    expect(valuesOf(res.responses[0]!.partitions[0]!.records)).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`))
  })

  it('answers everything when far more requests are pipelined than the in-flight limit', async () => {
    const small = await startServer(broker, { port: 0, logger, maxInFlightRequests: 2 })
    try {
      const c = await connect(small.port)
      const all = Array.from({ length: 300 }, () => c.send(ApiKeys.ApiVersions, 3, apiVersionsBody))
      const results = await Promise.all(all)
      expect(results.every((r) => r.errorCode === 0)).toBe(true)
      expect(c.arrivalOrder).toEqual(Array.from({ length: 300 }, (_, i) => i + 1))
    } finally {
      await small.close()
    }
  })
})

describe('bad input', () => {
  function sizePrefixed(payload: Buffer): Buffer {
    const size = Buffer.alloc(4)
    size.writeInt32BE(payload.length)
    return Buffer.concat([size, payload])
  }

  const unknownApi = (): Buffer => {
    const f = encodeRequestFrame(ApiKeys.ApiVersions, 3, 7, 'x', apiVersionsBody)
    f.writeInt16BE(1234, 4)
    return f
  }
  const truncated = (): Buffer => {
    const f = encodeRequestFrame(ApiKeys.Metadata, 12, 7, 'x', { ...createMetadataRequest(), topics: [{ ...createMetadataRequestTopic(), name: 'abc' }] })
    return sizePrefixed(f.subarray(4, f.length - 5))
  }
  const oversized = (): Buffer => {
    const b = Buffer.alloc(8)
    b.writeInt32BE(2 << 20)
    return b
  }
  // A Metadata v12 header followed by words.
  const garbage = (): Buffer => sizePrefixed(Buffer.concat([Buffer.from([0, 3, 0, 12, 0, 0, 0, 9]), Buffer.from('not a kafka request at all, just words')]))
  const negative = (): Buffer => Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])

  it.each([
    ['an oversized frame', oversized, 'FRAME_TOO_LARGE'],
    ['a truncated frame', truncated, 'MALFORMED'],
    ['garbage', garbage, 'MALFORMED'],
    ['a negative size', negative, 'MALFORMED'],
    ['an unknown api key', unknownApi, 'UNKNOWN_API'],
  ])('%s closes only that connection, with one log line', async (_name, bytes, kind) => {
    const bystander = await connect()
    await bystander.send(ApiKeys.ApiVersions, 3, apiVersionsBody)
    const bad = await connect()
    const okBefore = bad.send(ApiKeys.ApiVersions, 0, apiVersionsBody)
    await okBefore
    bad.writeRaw(bytes())
    await bad.closed
    expect(logged.length).toBe(1)
    expect(logged[0]!.level).toBe('warn')
    expect(logged[0]!.message).toContain(kind)
    // The other connection and new ones carry on.
    expect((await bystander.send(ApiKeys.ApiVersions, 3, apiVersionsBody)).errorCode).toBe(0)
    await stillServes()
  })

  // librdkafka 2.10+ reserves a 4-byte array count for Metadata's topics and, for "all
  // topics" at v9+, leaves it as four zero bytes instead of the one-byte compact null
  // (confluentinc/librdkafka#5049). Kafka reads the null and its known fields, then ignores
  // what is left; kcat -L, list_topics() and regex subscriptions depend on that.
  it.each([
    // v12: topics, allow_auto_topic_creation, include_topic_authorized_operations, tags
    [12, '00000000' + '01' + '00' + '00'],
    // v9: the same plus include_cluster_authorized_operations (v8-10)
    [9, '00000000' + '01' + '00' + '00' + '00'],
  ])('answers librdkafka\'s all-topics Metadata v%i with trailing bytes and keeps the connection', async (version, body) => {
    await broker.createTopic('listed-a', { numPartitions: 2 })
    await broker.createTopic('listed-b', { numPartitions: 1 })
    const c = await connect()
    const clientId = Buffer.from('rdkafka')
    const header = Buffer.alloc(10)
    header.writeInt16BE(ApiKeys.Metadata, 0)
    header.writeInt16BE(version, 2)
    header.writeInt32BE(77, 4)
    header.writeInt16BE(clientId.length, 8)
    const payload = Buffer.concat([header, clientId, Buffer.from([0]), Buffer.from(body, 'hex')])
    const res = (await c.sendFrame(sizePrefixed(payload), ApiKeys.Metadata, version, 77)) as { topics: Array<{ name: string; partitions: unknown[] }> }
    expect(res.topics.filter((t) => !t.name.startsWith('__')).map((t) => [t.name, t.partitions.length]).sort()).toEqual([['listed-a', 2], ['listed-b', 1]])
    expect(logged).toEqual([{ level: 'debug', message: expect.stringMatching(/Ignoring \d bytes after the known fields of Metadata v/) }])
    // Same connection, next request.
    expect((await c.send(ApiKeys.ApiVersions, 3, apiVersionsBody)).errorCode).toBe(0)
  })

  it('closes the connection on a version the server does not serve, except ApiVersions which gets an answer', async () => {
    const c = await connect()
    const v9 = Buffer.from(encodeRequestFrame(ApiKeys.ApiVersions, 3, 42, 'x', apiVersionsBody))
    v9.writeInt16BE(9, 6)
    const res = (await c.sendFrame(v9, ApiKeys.ApiVersions, 0, 42)) as { errorCode: number; apiKeys: unknown[] }
    expect(res.errorCode).toBe(E.UNSUPPORTED_VERSION)
    expect(res.apiKeys.length).toBeGreaterThan(20)
    const fetchV3 = c.send(ApiKeys.Fetch, 3, fetchBody('x', 0, 0, 0))
    await expect(fetchV3).rejects.toThrow(/closed/)
    expect(logged.map((l) => l.message)).toEqual([expect.stringMatching(/UNSUPPORTED_VERSION.*Fetch v3/)])
  })

  it('a handler that throws closes its connection and is logged; the server carries on', async () => {
    const boom = defineHandler({
      apiKey: ApiKeys.Metadata,
      minVersion: 0,
      maxVersion: 12,
      handle() {
        throw new Error('handler exploded')
      },
    })
    const fragile = await startServer(broker, { port: 0, logger }, [apiVersionsHandler, boom])
    try {
      const c = await connect(fragile.port)
      await expect(c.send(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: null })).rejects.toThrow(/closed/)
      expect(logged).toEqual([{ level: 'error', message: expect.stringMatching(/handler failed on Metadata v12/) }])
      const again = await connect(fragile.port)
      const versions = await again.send(ApiKeys.ApiVersions, 3, apiVersionsBody)
      expect(versions.apiKeys.map((k) => k.apiKey)).toEqual([ApiKeys.Metadata, ApiKeys.ApiVersions])
    } finally {
      await fragile.close()
    }
  })

  it('closes idle connections, but not ones waiting on a long poll', async () => {
    await broker.createTopic('idle-poll')
    const quick = await startServer(broker, { port: 0, logger, connectionsMaxIdleMs: 100 })
    try {
      const idle = await connect(quick.port)
      const polling = await connect(quick.port)
      const waiting = polling.send(ApiKeys.Fetch, 12, fetchBody('idle-poll', 0, 0, 600))
      await idle.closed
      const res = await waiting
      expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0)
      expect(polling.isClosed).toBe(false)
      await polling.closed
    } finally {
      await quick.close()
    }
  })

  it('rejects bad options', async () => {
    await expect(startServer(broker, { port: 70000 })).rejects.toThrow(/port/)
    await expect(startServer(broker, { port: 0, socketRequestMaxBytes: 0 })).rejects.toThrow(/socketRequestMaxBytes/)
    await expect(startServer(broker, { port: 0, maxInFlightRequests: 0 })).rejects.toThrow(/maxInFlightRequests/)
  })

  it('close() ends long polls and open connections', async () => {
    await broker.createTopic('idle')
    const c = await connect()
    const waiting = c.send(ApiKeys.Fetch, 12, fetchBody('idle', 0, 0, 60_000))
    await waitFor('the connection to be counted', () => server.connectionCount === 1)
    const rejected = expect(waiting).rejects.toThrow(/closed/)
    await server.close()
    await rejected
    expect(server.connectionCount).toBe(0)
  })
})
