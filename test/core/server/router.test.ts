// The router driven with raw frames, no sockets: requests encoded with the generated
// codecs, responses decoded the same way.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { Router, type ConnectionInfo } from '../../../core/server/router.js'
import { defaultHandlers } from '../../../core/server/handlers/index.js'
import type { ServerLogger, ServerState } from '../../../core/server/context.js'
import { decodeResponseFrame, encodeRequestFrame, ProtocolError } from '../../../core/protocol/frame.js'
import {
  ApiKeys,
  apiSpec,
  createApiVersionsRequest,
  createAddPartitionsToTxnRequest,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDeleteTopicsRequest,
  createDescribeConfigsRequest,
  createFetchRequest,
  createFetchRequestFetchPartition,
  createFindCoordinatorRequest,
  createIncrementalAlterConfigsRequest,
  createInitProducerIdRequest,
  createListOffsetsRequest,
  createListOffsetsRequestListOffsetsPartition,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetFetchRequest,
  createProduceRequest,
  type ApiKey,
  type RequestBodies,
  type ResponseBodies,
} from '../../../core/protocol/apis/index.js'
import * as apis from '../../../core/protocol/apis/index.js'
import { encodeRecordBatch, decodeRecords } from '../../../core/protocol/records/record-batch.js'
import { KafkaErrorCodes as E } from '../../../core/protocol/kafka-errors.js'
import { tmpDir } from '../../helpers/tmp.js'

const router = new Router(defaultHandlers)
let broker: Broker
let logged: string[]
let conn: ConnectionInfo
let correlation = 0

const logger: ServerLogger = {
  info: (m) => logged.push(m),
  warn: (m) => logged.push(m),
  error: (m) => logged.push(m),
}

beforeEach(async () => {
  broker = await Broker.open({ dataDir: tmpDir('brook-router-') })
  logged = []
  const server: ServerState = {
    broker,
    advertisedHost: 'broker.example',
    advertisedPort: 19092,
    clusterId: 'test-cluster-id-000000',
    logger,
    apiVersions: router.apiVersions,
  }
  conn = { server, clientHost: '/127.0.0.1', signal: new AbortController().signal }
})

afterEach(async () => {
  await broker.close()
})

function frame<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): { payload: Buffer; correlationId: number } {
  const correlationId = ++correlation
  return { payload: encodeRequestFrame(apiKey, apiVersion, correlationId, 'router-test', body).subarray(4), correlationId }
}

/** Sends one request through the router and decodes the answer (null: no answer). */
async function call<K extends ApiKey>(apiKey: K, apiVersion: number, body: RequestBodies[K]): Promise<ResponseBodies[K]> {
  const { payload, correlationId } = frame(apiKey, apiVersion, body)
  const chunks = await router.dispatch(payload, conn).response
  expect(chunks).not.toBeNull()
  const bytes = Buffer.concat(chunks!)
  expect(bytes.readInt32BE(0)).toBe(bytes.length - 4)
  const res = decodeResponseFrame(apiKey, apiVersion, bytes.subarray(4))
  expect(res.correlationId).toBe(correlationId)
  return res.body
}

function createTopic(name: string, numPartitions: number, extra: Partial<RequestBodies[typeof ApiKeys.CreateTopics]['topics'][number]> = {}) {
  return { ...createCreateTopicsRequestCreatableTopic(), name, numPartitions, replicationFactor: -1, ...extra }
}

function produceBody(topic: string, partition: number, records: Buffer, acks = -1): RequestBodies[typeof ApiKeys.Produce] {
  return { ...createProduceRequest(), acks, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] }
}

const batchOf = (values: string[], options = {}): Buffer =>
  encodeRecordBatch(values.map((v) => ({ key: Buffer.from(`k-${v}`), value: Buffer.from(v), timestamp: 1_700_000_000_000 })), options)

describe('ApiVersions', () => {
  it('advertises the handler table with contiguous ranges that reach old versions', async () => {
    const res = await call(ApiKeys.ApiVersions, 3, { ...createApiVersionsRequest(), clientSoftwareName: 'test', clientSoftwareVersion: '1' })
    expect(res.errorCode).toBe(0)
    const byKey = new Map(res.apiKeys.map((k) => [k.apiKey, k]))
    const range = (k: number) => [byKey.get(k)?.minVersion, byKey.get(k)?.maxVersion]
    expect(range(ApiKeys.ApiVersions)).toEqual([0, 3])
    expect(range(ApiKeys.Metadata)).toEqual([0, 12])
    expect(range(ApiKeys.Produce)).toEqual([0, 11])
    expect(range(ApiKeys.Fetch)).toEqual([4, 16])
    expect(range(ApiKeys.ListOffsets)).toEqual([1, 9])
    expect(range(ApiKeys.FindCoordinator)).toEqual([0, 4])
    expect(range(ApiKeys.JoinGroup)).toEqual([0, 9])
    expect(range(ApiKeys.SyncGroup)).toEqual([0, 5])
    expect(range(ApiKeys.Heartbeat)).toEqual([0, 4])
    expect(range(ApiKeys.LeaveGroup)).toEqual([0, 5])
    expect(range(ApiKeys.OffsetCommit)).toEqual([2, 9])
    expect(range(ApiKeys.OffsetFetch)).toEqual([1, 9])
    expect(range(ApiKeys.InitProducerId)).toEqual([0, 5])
    expect(range(ApiKeys.CreateTopics)).toEqual([2, 7])
    expect(range(ApiKeys.DescribeConfigs)).toEqual([1, 4])
    for (const key of [ApiKeys.DeleteTopics, ApiKeys.CreatePartitions, ApiKeys.IncrementalAlterConfigs, ApiKeys.ListGroups,
      ApiKeys.DescribeGroups, ApiKeys.DeleteGroups, ApiKeys.DescribeCluster, ApiKeys.DeleteRecords, ApiKeys.OffsetDelete]) {
      expect(byKey.has(key)).toBe(true)
    }
    // Never beyond what the definitions allow.
    for (const k of res.apiKeys) {
      const spec = apiSpec(k.apiKey)!
      expect(k.minVersion).toBeGreaterThanOrEqual(spec.minVersion)
      expect(k.maxVersion).toBeLessThanOrEqual(spec.maxVersion)
    }
    expect(byKey.has(ApiKeys.SaslHandshake)).toBe(false)
  })

  it('answers every version it advertises for ApiVersions', async () => {
    for (let v = 0; v <= 3; v++) {
      const res = await call(ApiKeys.ApiVersions, v, { ...createApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' })
      expect(res.errorCode).toBe(0)
      expect(res.apiKeys.length).toBe(router.apiVersions.length)
    }
  })

  it('answers an unsupported ApiVersions version with a v0 UNSUPPORTED_VERSION response and the list', async () => {
    // v4 is known to the codecs but not served; v9 is unknown to them. Both get the v0 answer.
    const v4 = frame(ApiKeys.ApiVersions, 4, { ...createApiVersionsRequest(), clientSoftwareName: 'x', clientSoftwareVersion: '1' })
    const future = Buffer.from(v4.payload)
    future.writeInt16BE(9, 2)
    for (const payload of [v4.payload, future]) {
      const chunks = await router.dispatch(payload, conn).response
      const res = decodeResponseFrame(ApiKeys.ApiVersions, 0, Buffer.concat(chunks!).subarray(4))
      expect(res.correlationId).toBe(v4.correlationId)
      expect(res.body.errorCode).toBe(E.UNSUPPORTED_VERSION)
      expect(res.body.apiKeys).toEqual(router.apiVersions)
    }
  })
})

describe('every served version', () => {
  it('answers a default request of every api at every advertised version', async () => {
    await broker.createTopic('t')
    const registry = apis as unknown as Record<string, () => unknown>
    let answered = 0
    for (const { apiKey, minVersion, maxVersion } of router.apiVersions) {
      const spec = apiSpec(apiKey)!
      for (let v = minVersion; v <= maxVersion; v++) {
        const body = registry[`create${spec.name}Request`]!() as RequestBodies[ApiKey]
        const { payload, correlationId } = frame(apiKey as ApiKey, v, body)
        const chunks = await router.dispatch(payload, conn).response
        if (chunks === null) continue
        const res = decodeResponseFrame(apiKey as ApiKey, v, Buffer.concat(chunks).subarray(4))
        expect(res.correlationId).toBe(correlationId)
        answered++
      }
    }
    expect(answered).toBeGreaterThan(100)
  })
})

describe('bad frames', () => {
  it('throws ProtocolErrors for unknown apis, unserved versions and garbage', () => {
    const unknown = Buffer.alloc(12)
    unknown.writeInt16BE(999, 0)
    const kinds = (payload: Buffer) => {
      try {
        router.dispatch(payload, conn)
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError)
        return (err as ProtocolError).kind
      }
      return 'no error'
    }
    expect(kinds(unknown)).toBe('UNKNOWN_API')
    // SaslHandshake is a known api this server does not serve.
    expect(kinds(frame(ApiKeys.SaslHandshake, 1, { mechanism: 'PLAIN' }).payload)).toBe('UNKNOWN_API')
    // Fetch v3 is known to the codec but below the served range.
    expect(kinds(frame(ApiKeys.Fetch, 3, createFetchRequest()).payload)).toBe('UNSUPPORTED_VERSION')
    const meta = frame(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: null }).payload
    expect(kinds(meta.subarray(0, meta.length - 3))).toBe('MALFORMED')
    expect(kinds(Buffer.from([0, 3]))).toBe('MALFORMED')
  })
})

describe('topics', () => {
  it('creates topics with per-topic errors and messages', async () => {
    const res = await call(ApiKeys.CreateTopics, 7, {
      ...createCreateTopicsRequest(),
      topics: [
        createTopic('orders', 3, { configs: [{ name: 'retention.ms', value: '1000' }] }),
        createTopic('bad name!', 1),
        createTopic('zero', 0),
        createTopic('replicated', 1, { replicationFactor: 3 }),
        createTopic('badconfig', 1, { configs: [{ name: 'retention.ms', value: 'soon' }] }),
        createTopic('unknownconfig', 1, { configs: [{ name: 'no.such.config', value: '1' }] }),
        createTopic('defaults', -1),
      ],
    })
    const byName = new Map(res.topics.map((t) => [t.name, t]))
    const orders = byName.get('orders')!
    expect(orders.errorCode).toBe(0)
    expect(orders.numPartitions).toBe(3)
    expect(orders.replicationFactor).toBe(1)
    expect(orders.topicId).not.toBe('AAAAAAAAAAAAAAAAAAAAAA')
    expect(orders.configs?.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '1000', configSource: 1 })
    expect(orders.configs?.find((c) => c.name === 'segment.bytes')).toMatchObject({ configSource: 5 })
    expect(byName.get('bad name!')!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION)
    expect(byName.get('zero')!.errorCode).toBe(E.INVALID_PARTITIONS)
    expect(byName.get('replicated')!.errorCode).toBe(E.INVALID_REPLICATION_FACTOR)
    expect(byName.get('replicated')!.errorMessage).toMatch(/1 broker/)
    expect(byName.get('badconfig')!.errorCode).toBe(E.INVALID_CONFIG)
    expect(byName.get('badconfig')!.errorMessage).toMatch(/retention\.ms/)
    expect(byName.get('unknownconfig')!.errorCode).toBe(E.INVALID_CONFIG)
    expect(byName.get('defaults')!.errorCode).toBe(0)
    expect(broker.describeTopic('defaults').partitions).toBe(1)
    expect(broker.describeTopic('orders').partitions).toBe(3)
    expect(broker.hasTopic('zero')).toBe(false)

    const again = await call(ApiKeys.CreateTopics, 2, { ...createCreateTopicsRequest(), topics: [createTopic('orders', 3)] })
    expect(again.topics[0]!.errorCode).toBe(E.TOPIC_ALREADY_EXISTS)
    expect(again.topics[0]!.errorMessage).toMatch(/already exists/)
  })

  it('validateOnly creates nothing', async () => {
    const res = await call(ApiKeys.CreateTopics, 5, { ...createCreateTopicsRequest(), validateOnly: true, topics: [createTopic('dry', 2)] })
    expect(res.topics[0]!.errorCode).toBe(0)
    expect(res.topics[0]!.numPartitions).toBe(2)
    expect(broker.hasTopic('dry')).toBe(false)
  })

  it('Metadata lists this node as leader and auto-creates when allowed', async () => {
    await broker.createTopic('known', { numPartitions: 2 })
    const res = await call(ApiKeys.Metadata, 12, {
      ...createMetadataRequest(),
      allowAutoTopicCreation: true,
      topics: [
        { ...createMetadataRequestTopic(), name: 'known' },
        { ...createMetadataRequestTopic(), name: 'auto' },
      ],
    })
    expect(res.brokers).toEqual([{ nodeId: 0, host: 'broker.example', port: 19092, rack: null }])
    expect(res.controllerId).toBe(0)
    expect(res.clusterId).toBe('test-cluster-id-000000')
    const known = res.topics.find((t) => t.name === 'known')!
    expect(known.errorCode).toBe(0)
    expect(known.partitions.map((p) => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes])).toEqual([
      [0, 0, 0, [0], [0]],
      [1, 0, 0, [0], [0]],
    ])
    expect(res.topics.find((t) => t.name === 'auto')!.errorCode).toBe(0)
    expect(broker.hasTopic('auto')).toBe(true)

    const noAuto = await call(ApiKeys.Metadata, 12, {
      ...createMetadataRequest(),
      allowAutoTopicCreation: false,
      topics: [{ ...createMetadataRequestTopic(), name: 'nope' }],
    })
    expect(noAuto.topics[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION)
    expect(broker.hasTopic('nope')).toBe(false)

    // By topic id (v10+), and all topics with null (v1+) or [] (v0).
    const byId = await call(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: [{ topicId: known.topicId, name: null }] })
    expect(byId.topics[0]!.name).toBe('known')
    const all = await call(ApiKeys.Metadata, 1, { ...createMetadataRequest(), topics: null })
    expect(all.topics.map((t) => t.name)).toEqual(expect.arrayContaining(['known', 'auto', '__consumer_offsets']))
    const v0 = await call(ApiKeys.Metadata, 0, { ...createMetadataRequest(), topics: [] })
    expect(v0.topics.length).toBe(all.topics.length)
  })

  it('deletes topics by name and by id (v6)', async () => {
    await broker.createTopic('a')
    await broker.createTopic('b')
    const meta = await call(ApiKeys.Metadata, 12, { ...createMetadataRequest(), topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'b' }] })
    const res = await call(ApiKeys.DeleteTopics, 6, {
      ...createDeleteTopicsRequest(),
      topics: [
        { name: 'a', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
        { name: null, topicId: meta.topics[0]!.topicId },
        { name: 'missing', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      ],
    })
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['a', 0],
      ['b', 0],
      ['missing', E.UNKNOWN_TOPIC_OR_PARTITION],
    ])
    expect(broker.hasTopic('a') || broker.hasTopic('b')).toBe(false)
    const v1 = await call(ApiKeys.DeleteTopics, 1, { ...createDeleteTopicsRequest(), topicNames: ['missing'] })
    expect(v1.responses[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION)
  })

  it('grows partitions, describes and alters configs', async () => {
    await broker.createTopic('cfg', { configs: { 'retention.ms': '5000' } })
    const grown = await call(ApiKeys.CreatePartitions, 3, {
      topics: [{ name: 'cfg', count: 4, assignments: null }, { name: 'cfg2', count: 2, assignments: null }],
      timeoutMs: 1000,
      validateOnly: false,
    })
    expect(grown.results.map((r) => r.errorCode)).toEqual([0, E.UNKNOWN_TOPIC_OR_PARTITION])
    expect(broker.describeTopic('cfg').partitions).toBe(4)
    const shrink = await call(ApiKeys.CreatePartitions, 0, { topics: [{ name: 'cfg', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false })
    expect(shrink.results[0]!.errorCode).toBe(E.INVALID_PARTITIONS)

    const described = await call(ApiKeys.DescribeConfigs, 4, {
      ...createDescribeConfigsRequest(),
      includeDocumentation: true,
      resources: [
        { resourceType: 2, resourceName: 'cfg', configurationKeys: null },
        { resourceType: 2, resourceName: 'missing', configurationKeys: null },
        { resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions'] },
      ],
    })
    const [topic, missing, brokerRes] = described.results
    expect(topic!.errorCode).toBe(0)
    expect(topic!.configs.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '5000', configSource: 1, readOnly: false, isSensitive: false })
    expect(topic!.configs.find((c) => c.name === 'cleanup.policy')).toMatchObject({ value: 'delete', configSource: 5 })
    expect(topic!.configs.length).toBeGreaterThan(15)
    expect(missing!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION)
    expect(brokerRes!.configs).toEqual([expect.objectContaining({ name: 'num.partitions', value: '1', readOnly: true })])

    const altered = await call(ApiKeys.IncrementalAlterConfigs, 1, {
      ...createIncrementalAlterConfigsRequest(),
      resources: [
        { resourceType: 2, resourceName: 'cfg', configs: [
          { name: 'retention.ms', configOperation: 1, value: null },
          { name: 'cleanup.policy', configOperation: 0, value: 'compact' },
        ] },
        { resourceType: 2, resourceName: 'cfg', configs: [{ name: 'segment.bytes', configOperation: 0, value: 'big' }] },
      ],
    })
    expect(altered.responses.map((r) => r.errorCode)).toEqual([0, E.INVALID_CONFIG])
    expect(broker.topicConfigs('cfg').overrides).toEqual({ 'cleanup.policy': 'compact' })

    const dry = await call(ApiKeys.IncrementalAlterConfigs, 0, {
      validateOnly: true,
      resources: [{ resourceType: 2, resourceName: 'cfg', configs: [{ name: 'retention.ms', configOperation: 0, value: '1' }] }],
    })
    expect(dry.responses[0]!.errorCode).toBe(0)
    expect(broker.topicConfigs('cfg').overrides).toEqual({ 'cleanup.policy': 'compact' })
  })

  it('AlterConfigs (api 33) replaces the whole override set of a topic, as Kafka does', async () => {
    await broker.createTopic('legacy', { configs: { 'retention.ms': '5000', 'cleanup.policy': 'compact' } })
    const replaced = await call(ApiKeys.AlterConfigs, 0, {
      validateOnly: false,
      resources: [
        { resourceType: 2, resourceName: 'legacy', configs: [{ name: 'segment.ms', value: '60000' }, { name: 'max.message.bytes', value: null }] },
        { resourceType: 2, resourceName: 'nope', configs: [{ name: 'segment.ms', value: '60000' }] },
        { resourceType: 2, resourceName: 'legacy', configs: [{ name: 'segment.ms', value: '1' }, { name: 'segment.ms', value: '2' }] },
        { resourceType: 4, resourceName: '0', configs: [{ name: 'num.partitions', value: '3' }] },
      ],
    })
    expect(replaced.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([
      ['legacy', 0],
      ['nope', E.UNKNOWN_TOPIC_OR_PARTITION],
      ['legacy', E.INVALID_REQUEST],
      ['0', E.INVALID_REQUEST],
    ])
    // retention.ms and cleanup.policy were left out: back to their defaults
    expect(broker.topicConfigs('legacy').overrides).toEqual({ 'segment.ms': '60000' })
    const described = await call(ApiKeys.DescribeConfigs, 4, {
      ...createDescribeConfigsRequest(),
      resources: [{ resourceType: 2, resourceName: 'legacy', configurationKeys: ['retention.ms', 'segment.ms', 'cleanup.policy'] }],
    })
    expect(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource]).sort()).toEqual([
      ['cleanup.policy', 'delete', 5],
      ['retention.ms', '604800000', 5],
      ['segment.ms', '60000', 1],
    ])

    const bad = await call(ApiKeys.AlterConfigs, 2, { validateOnly: false, resources: [{ resourceType: 2, resourceName: 'legacy', configs: [{ name: 'segment.bytes', value: 'big' }] }] })
    expect(bad.responses[0]!.errorCode).toBe(E.INVALID_CONFIG)
    const dry = await call(ApiKeys.AlterConfigs, 1, { validateOnly: true, resources: [{ resourceType: 2, resourceName: 'legacy', configs: [] }] })
    expect(dry.responses[0]!.errorCode).toBe(0)
    expect(broker.topicConfigs('legacy').overrides).toEqual({ 'segment.ms': '60000' })
  })
})

describe('produce and read', () => {
  it('produces, fetches batches as stored and lists offsets', async () => {
    await broker.createTopic('data', { numPartitions: 2 })
    const first = await call(ApiKeys.Produce, 9, produceBody('data', 1, batchOf(['a', 'b', 'c'])))
    const second = await call(ApiKeys.Produce, 3, produceBody('data', 1, batchOf(['d'])))
    expect(first.responses[0]!.partitionResponses[0]).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0 })
    expect(second.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 3 })

    const fetched = await call(ApiKeys.Fetch, 12, {
      ...createFetchRequest(),
      maxWaitMs: 0,
      minBytes: 1,
      topics: [{ topic: 'data', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [
        { ...createFetchRequestFetchPartition(), partition: 1, fetchOffset: 0, partitionMaxBytes: 1 << 20 },
        { ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 },
        { ...createFetchRequestFetchPartition(), partition: 7, fetchOffset: 0, partitionMaxBytes: 1 << 20 },
      ] }],
    })
    const [p1, p0, p7] = fetched.responses[0]!.partitions
    expect(p1!.highWatermark).toBe(4)
    expect(p1!.records).toEqual(broker.partition('data', 1).read(0, 1 << 20))
    expect(decodeRecords(p1!.records!).map((r) => r.value?.toString())).toEqual(['a', 'b', 'c'])
    expect(p0!.records!.length).toBe(0)
    expect(p7!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION)

    const out = await call(ApiKeys.Fetch, 4, {
      ...createFetchRequest(),
      topics: [{ topic: 'data', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ ...createFetchRequestFetchPartition(), partition: 1, fetchOffset: 99, partitionMaxBytes: 1000 }] }],
    })
    expect(out.responses[0]!.partitions[0]!.errorCode).toBe(E.OFFSET_OUT_OF_RANGE)

    const part = (timestamp: number) => ({ ...createListOffsetsRequestListOffsetsPartition(), partitionIndex: 1, timestamp })
    const offsets = await call(ApiKeys.ListOffsets, 7, {
      ...createListOffsetsRequest(),
      topics: [{ name: 'data', partitions: [part(-2), part(-1), part(-3), part(1_700_000_000_000), part(1_800_000_000_000)] }],
    })
    // -3 (MAX_TIMESTAMP): every record carries the same timestamp, so the first of them.
    expect(offsets.topics[0]!.partitions.map((p) => [p.errorCode, p.offset])).toEqual([[0, 0], [0, 4], [0, 0], [0, 0], [0, -1]])

    const deleted = await call(ApiKeys.DeleteRecords, 2, { timeoutMs: 1000, topics: [{ name: 'data', partitions: [{ partitionIndex: 1, offset: 2 }, { partitionIndex: 0, offset: 5 }] }] })
    expect(deleted.topics[0]!.partitions.map((p) => [p.errorCode, p.lowWatermark])).toEqual([[0, 2], [E.OFFSET_OUT_OF_RANGE, -1]])
  })

  it('ListOffsets MAX_TIMESTAMP (-3) answers the first record with the largest timestamp (KIP-734)', async () => {
    await broker.createTopic('stamped', { numPartitions: 2 })
    const stamped = (ts: number[]): Buffer => encodeRecordBatch(ts.map((timestamp, i) => ({ key: null, value: Buffer.from(`v${i}`), timestamp })))
    await call(ApiKeys.Produce, 9, produceBody('stamped', 0, stamped([1_000, 2_000, 1_500])))
    await call(ApiKeys.Produce, 9, produceBody('stamped', 0, stamped([9_000, 3_000, 9_000])))
    await call(ApiKeys.Produce, 9, produceBody('stamped', 0, stamped([4_000])))
    const part = (partitionIndex: number) => ({ ...createListOffsetsRequestListOffsetsPartition(), partitionIndex, timestamp: -3 })
    const res = await call(ApiKeys.ListOffsets, 9, { ...createListOffsetsRequest(), topics: [{ name: 'stamped', partitions: [part(0), part(1)] }] })
    const [p0, p1] = res.topics[0]!.partitions
    // offsets 0-2 then 3-5 then 6: the largest timestamp 9000 is first at offset 3
    expect(p0).toMatchObject({ errorCode: 0, offset: 3, timestamp: 9_000, leaderEpoch: 0 })
    // an empty partition has no such record
    expect(p1).toMatchObject({ errorCode: 0, offset: -1, timestamp: -1 })
  })

  it('acks=0 produces without a response', async () => {
    await broker.createTopic('quiet')
    const { payload } = frame(ApiKeys.Produce, 8, produceBody('quiet', 0, batchOf(['x']), 0))
    expect(await router.dispatch(payload, conn).response).toBeNull()
    expect(broker.partition('quiet', 0).highWatermark).toBe(1)
  })

  it('maps log errors to Kafka codes', async () => {
    await broker.createTopic('errs', { configs: { 'max.message.bytes': '200' } })
    const big = encodeRecordBatch([{ key: null, value: Buffer.alloc(500), timestamp: 1 }])
    const corrupt = batchOf(['x'])
    corrupt[corrupt.length - 1]! ^= 0xff
    const legacy = batchOf(['x'])
    legacy[16] = 1
    const results = []
    for (const records of [big, corrupt, legacy]) {
      const res = await call(ApiKeys.Produce, 9, produceBody('errs', 0, records))
      results.push(res.responses[0]!.partitionResponses[0]!)
    }
    expect(results.map((r) => r.errorCode)).toEqual([E.MESSAGE_TOO_LARGE, E.CORRUPT_MESSAGE, E.UNSUPPORTED_FOR_MESSAGE_FORMAT])
    expect(results[2]!.errorMessage).toMatch(/magic 2/)
    const unknown = await call(ApiKeys.Produce, 9, produceBody('nowhere', 0, batchOf(['x'])))
    expect(unknown.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION)
    const badAcks = await call(ApiKeys.Produce, 9, produceBody('errs', 0, batchOf(['x']), 2))
    expect(badAcks.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.INVALID_REQUIRED_ACKS)
  })

  it('keeps clients out of internal topics', async () => {
    const before = broker.partition('__consumer_offsets', 0).highWatermark
    const produced = await call(ApiKeys.Produce, 9, produceBody('__consumer_offsets', 0, batchOf(['x'])))
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION)
    const deleted = await call(ApiKeys.DeleteRecords, 2, { timeoutMs: 1000, topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: -1 }] }] })
    expect(deleted.topics[0]!.partitions[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION)
    const grown = await call(ApiKeys.CreatePartitions, 3, { topics: [{ name: '__consumer_offsets', count: 5, assignments: null }], timeoutMs: 1000, validateOnly: false })
    expect(grown.results[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION)
    const removed = await call(ApiKeys.DeleteTopics, 4, { ...createDeleteTopicsRequest(), topicNames: ['__consumer_offsets'] })
    expect(removed.responses[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION)
    expect(broker.partition('__consumer_offsets', 0).highWatermark).toBe(before)
    expect(broker.describeTopic('__consumer_offsets').partitions).toBe(1)
  })

  it('idempotent producers: duplicates succeed with the original offset, gaps are rejected', async () => {
    await broker.createTopic('idem')
    const init = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionTimeoutMs: 1000 })
    expect(init.errorCode).toBe(0)
    const id = { producerId: init.producerId, producerEpoch: init.producerEpoch }
    const send = async (seq: number, values: string[]) =>
      (await call(ApiKeys.Produce, 9, produceBody('idem', 0, batchOf(values, { ...id, baseSequence: seq })))).responses[0]!.partitionResponses[0]!
    expect(await send(0, ['a', 'b'])).toMatchObject({ errorCode: 0, baseOffset: 0 })
    expect(await send(2, ['c'])).toMatchObject({ errorCode: 0, baseOffset: 2 })
    expect(await send(2, ['c'])).toMatchObject({ errorCode: 0, baseOffset: 2 })
    expect((await send(9, ['z'])).errorCode).toBe(E.OUT_OF_ORDER_SEQUENCE_NUMBER)
    expect(broker.partition('idem', 0).highWatermark).toBe(3)

    // A transactional id gets its own producer id; a second init bumps its epoch.
    const txn = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: 'tx', transactionTimeoutMs: 1000 })
    expect(txn).toMatchObject({ errorCode: 0, producerEpoch: 0 })
    expect(txn.producerId).not.toBe(init.producerId)
    const again = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: 'tx', transactionTimeoutMs: 1000 })
    expect(again).toMatchObject({ errorCode: 0, producerId: txn.producerId, producerEpoch: 1 })
    const tooLong = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: 'tx2', transactionTimeoutMs: 900_001 })
    expect(tooLong.errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT)
  })
})

describe('coordinators', () => {
  it('FindCoordinator answers groups with this node, v0-3 flat and v4 batched', async () => {
    const v0 = await call(ApiKeys.FindCoordinator, 0, { ...createFindCoordinatorRequest(), key: 'g' })
    expect(v0).toMatchObject({ errorCode: 0, nodeId: 0, host: 'broker.example', port: 19092 })
    const v4 = await call(ApiKeys.FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 0, coordinatorKeys: ['g1', 'g2'] })
    expect(v4.coordinators.map((c) => [c.key, c.errorCode, c.nodeId, c.host, c.port])).toEqual([
      ['g1', 0, 0, 'broker.example', 19092],
      ['g2', 0, 0, 'broker.example', 19092],
    ])
  })

  it('a transactional FindCoordinator locates this node; an empty transactional id is refused', async () => {
    const txn = await call(ApiKeys.FindCoordinator, 3, { ...createFindCoordinatorRequest(), key: 't', keyType: 1 })
    expect(txn).toMatchObject({ errorCode: 0, nodeId: 0, host: 'broker.example', port: 19092 })
    const v4txn = await call(ApiKeys.FindCoordinator, 4, { ...createFindCoordinatorRequest(), keyType: 1, coordinatorKeys: ['t1', ''] })
    expect(v4txn.coordinators.map((c) => [c.key, c.errorCode, c.nodeId])).toEqual([
      ['t1', 0, 0],
      ['', E.INVALID_REQUEST, -1],
    ])
  })

  it('runs a group at the oldest served versions', async () => {
    await broker.createTopic('old', { numPartitions: 2 })
    const joined = await call(ApiKeys.JoinGroup, 0, {
      ...apis.createJoinGroupRequest(),
      groupId: 'old-group',
      sessionTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
    })
    expect(joined.errorCode).toBe(0)
    expect(joined.leader).toBe(joined.memberId)
    expect(joined.protocolName).toBe('range')
    const member = { groupId: 'old-group', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null }
    const synced = await call(ApiKeys.SyncGroup, 0, { ...apis.createSyncGroupRequest(), ...member, assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a') }] })
    expect(synced.errorCode).toBe(0)
    expect(synced.assignment.toString()).toBe('a')
    expect((await call(ApiKeys.Heartbeat, 0, member)).errorCode).toBe(0)
    const committed = await call(ApiKeys.OffsetCommit, 2, {
      ...apis.createOffsetCommitRequest(),
      groupId: 'old-group',
      generationIdOrMemberEpoch: joined.generationId,
      memberId: joined.memberId,
      topics: [{ name: 'old', partitions: [{ ...apis.createOffsetCommitRequestPartition(), partitionIndex: 1, committedOffset: 5 }] }],
    })
    expect(committed.topics[0]!.partitions[0]!.errorCode).toBe(0)
    const fetched = await call(ApiKeys.OffsetFetch, 1, { ...apis.createOffsetFetchRequest(), groupId: 'old-group', topics: [{ name: 'old', partitionIndexes: [0, 1] }] })
    expect(fetched.topics[0]!.partitions.map((p) => p.committedOffset)).toEqual([-1, 5])
    const described = await call(ApiKeys.DescribeGroups, 0, { groups: ['old-group'], includeAuthorizedOperations: false })
    expect(described.groups[0]!.members.map((m) => m.memberAssignment.toString())).toEqual(['a'])
    expect((await call(ApiKeys.ListGroups, 0, { statesFilter: [], typesFilter: [] })).groups.map((g) => g.groupId)).toEqual(['old-group'])
    expect((await call(ApiKeys.LeaveGroup, 0, { ...apis.createLeaveGroupRequest(), groupId: 'old-group', memberId: joined.memberId })).errorCode).toBe(0)
    expect((await call(ApiKeys.LeaveGroup, 0, { ...apis.createLeaveGroupRequest(), groupId: 'old-group', memberId: 'gone' })).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    const configs = await call(ApiKeys.DescribeConfigs, 1, { ...createDescribeConfigsRequest(), resources: [{ resourceType: 2, resourceName: 'old', configurationKeys: ['retention.ms'] }] })
    expect(configs.results[0]!.configs.map((c) => [c.name, c.value])).toEqual([['retention.ms', '604800000']])
    const offsets = await call(ApiKeys.ListOffsets, 1, { ...createListOffsetsRequest(), topics: [{ name: 'old', partitions: [{ ...createListOffsetsRequestListOffsetsPartition(), timestamp: -1 }] }] })
    expect(offsets.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 0 })
  })

  it('DescribeCluster names this broker', async () => {
    const res = await call(ApiKeys.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 })
    expect(res).toMatchObject({ errorCode: 0, clusterId: 'test-cluster-id-000000', controllerId: 0 })
    expect(res.brokers).toEqual([{ brokerId: 0, host: 'broker.example', port: 19092, rack: null }])
  })

  describe('authorized operations (KIP-430) without an authorizer: everything the resource type supports', () => {
    // Kafka's AclOperation codes: READ 3, WRITE 4, CREATE 5, DELETE 6, ALTER 7, DESCRIBE 8,
    // CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
    const bits = (...codes: number[]): number => codes.reduce((a, c) => a + 2 ** c, 0)
    const TOPIC = bits(3, 4, 5, 8, 6, 7, 10, 11) // 3576
    const CLUSTER = bits(5, 9, 10, 11, 12, 7, 8) // 8096
    const GROUP = bits(3, 8, 6, 10, 11) // 3400
    const OMITTED = -(2 ** 31)

    it('Metadata v8-10 answers the topic and cluster fields when asked, and omits them otherwise', async () => {
      await broker.createTopic('ops')
      const ask = (v: number, include: boolean) =>
        call(ApiKeys.Metadata, v, { ...createMetadataRequest(), topics: [{ ...createMetadataRequestTopic(), name: 'ops' }], includeClusterAuthorizedOperations: include && v <= 10, includeTopicAuthorizedOperations: include })
      for (const v of [8, 10]) {
        const asked = await ask(v, true)
        expect(asked.topics[0]!.topicAuthorizedOperations).toBe(TOPIC)
        expect(asked.clusterAuthorizedOperations).toBe(CLUSTER)
        const not = await ask(v, false)
        expect(not.topics[0]!.topicAuthorizedOperations).toBe(OMITTED)
        expect(not.clusterAuthorizedOperations).toBe(OMITTED)
      }
      expect((await ask(12, true)).topics[0]!.topicAuthorizedOperations).toBe(TOPIC)
    })

    it('DescribeCluster and DescribeGroups answer them when asked', async () => {
      expect((await call(ApiKeys.DescribeCluster, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).clusterAuthorizedOperations).toBe(CLUSTER)
      expect((await call(ApiKeys.DescribeCluster, 0, { includeClusterAuthorizedOperations: false, endpointType: 1 })).clusterAuthorizedOperations).toBe(OMITTED)
      expect((await call(ApiKeys.DescribeGroups, 5, { groups: ['nobody'], includeAuthorizedOperations: true })).groups[0]!.authorizedOperations).toBe(GROUP)
      expect((await call(ApiKeys.DescribeGroups, 5, { groups: ['nobody'], includeAuthorizedOperations: false })).groups[0]!.authorizedOperations).toBe(OMITTED)
    })
  })
})

describe('transactions', () => {
  it('runs a transaction at the request level: add partitions, produce, end, describe, list, read_committed fetch', async () => {
    await broker.createTopic('tx-data', { numPartitions: 1 })
    const init = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: 'req-tx', transactionTimeoutMs: 60_000 })
    const id = { producerId: init.producerId, producerEpoch: init.producerEpoch }
    const add = await call(ApiKeys.AddPartitionsToTxn, 3, {
      ...createAddPartitionsToTxnRequest(),
      v3AndBelowTransactionalId: 'req-tx',
      v3AndBelowProducerId: id.producerId,
      v3AndBelowProducerEpoch: id.producerEpoch,
      v3AndBelowTopics: [{ name: 'tx-data', partitions: [0] }],
    })
    expect(add.resultsByTopicV3AndBelow).toEqual([{ name: 'tx-data', resultsByPartition: [{ partitionIndex: 0, partitionErrorCode: 0 }] }])
    const produced = await call(ApiKeys.Produce, 9, { ...produceBody('tx-data', 0, batchOf(['a', 'b'], { ...id, baseSequence: 0, transactional: true })), transactionalId: 'req-tx' })
    expect(produced.responses[0]!.partitionResponses[0]!.errorCode).toBe(0)

    const described = await call(ApiKeys.DescribeTransactions, 0, { transactionalIds: ['req-tx', 'unknown'] })
    expect(described.transactionStates.map((t) => [t.transactionalId, t.errorCode, t.transactionState, t.topics])).toEqual([
      ['req-tx', 0, 'Ongoing', [{ topic: 'tx-data', partitions: [0] }]],
      ['unknown', E.TRANSACTIONAL_ID_NOT_FOUND, '', []],
    ])
    const listed = await call(ApiKeys.ListTransactions, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1 })
    expect(listed.unknownStateFilters).toEqual(['Bogus'])
    expect(listed.transactionStates).toEqual([{ transactionalId: 'req-tx', producerId: id.producerId, transactionState: 'Ongoing' }])

    const fetchBody = (isolationLevel: number) => ({
      ...createFetchRequest(),
      maxWaitMs: 0,
      isolationLevel,
      topics: [{ topic: 'tx-data', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', partitions: [{ ...createFetchRequestFetchPartition(), partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    })
    const open = (await call(ApiKeys.Fetch, 12, fetchBody(1))).responses[0]!.partitions[0]!
    expect(open).toMatchObject({ highWatermark: 2, lastStableOffset: 0 })
    expect(open.records?.length ?? 0).toBe(0)

    expect((await call(ApiKeys.EndTxn, 3, { transactionalId: 'req-tx', ...id, committed: false })).errorCode).toBe(0)
    const done = (await call(ApiKeys.Fetch, 12, fetchBody(1))).responses[0]!.partitions[0]!
    expect(done).toMatchObject({ highWatermark: 3, lastStableOffset: 3, abortedTransactions: [{ producerId: id.producerId, firstOffset: 0 }] })
    // Clients cannot write control batches.
    const forged = await call(ApiKeys.Produce, 9, produceBody('tx-data', 0, batchOf(['x'], { ...id, isControl: true, transactional: true })))
    expect(forged.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.INVALID_RECORD)
  })
})

describe('transactional offsets', () => {
  it('TxnOffsetCommit holds offsets until EndTxn; OffsetFetch with requireStable answers UNSTABLE_OFFSET_COMMIT meanwhile', async () => {
    await broker.createTopic('tx-in', { numPartitions: 1 })
    const init = await call(ApiKeys.InitProducerId, 4, { ...createInitProducerIdRequest(), transactionalId: 'off-tx', transactionTimeoutMs: 60_000 })
    const id = { producerId: init.producerId, producerEpoch: init.producerEpoch }
    expect((await call(ApiKeys.AddOffsetsToTxn, 3, { transactionalId: 'off-tx', ...id, groupId: 'g-tx' })).errorCode).toBe(0)
    const commit = await call(ApiKeys.TxnOffsetCommit, 3, {
      transactionalId: 'off-tx',
      groupId: 'g-tx',
      ...id,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: 'tx-in', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: -1, committedMetadata: '' }] }],
    })
    expect(commit.topics).toEqual([{ name: 'tx-in', partitions: [{ partitionIndex: 0, errorCode: 0 }] }])
    const fetch = (requireStable: boolean) =>
      call(ApiKeys.OffsetFetch, 7, { ...createOffsetFetchRequest(), groupId: 'g-tx', topics: [{ name: 'tx-in', partitionIndexes: [0] }], requireStable })
    expect((await fetch(true)).topics[0]!.partitions[0]).toMatchObject({ errorCode: E.UNSTABLE_OFFSET_COMMIT, committedOffset: -1 })
    expect((await fetch(false)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: -1 })
    expect((await call(ApiKeys.EndTxn, 3, { transactionalId: 'off-tx', ...id, committed: true })).errorCode).toBe(0)
    expect((await fetch(true)).topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, committedOffset: 42 })
  })
})
