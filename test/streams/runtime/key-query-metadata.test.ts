// Interactive-query discovery (Kafka's application.server, metadataForAllStreamsClients,
// queryMetadataForKey): every instance learns at each rebalance which endpoint holds which
// partitions, and so which instance holds a key of a store. Checked against the stores themselves,
// on each client Brook Streams runs on: embedded, the wire protocol against Brook's server, and
// Apache Kafka.
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient } from '../../../core/client/types.js'
import { HostInfo, KafkaStreams, KeyQueryMetadata, QueryableStoreTypes, StreamsException } from '../../../streams/index.js'
import { AssignorError, decodeAssignorError, decodeEndpoint, decodePartitionsByHost, encodeAssignmentInfo, encodeSubscriptionInfo } from '../../../streams/runtime/streams-assignor.js'
import { parseApplicationServer, StreamsMetadataState } from '../../../streams/runtime/streams-metadata.js'
import { S, brookServerClient, cleanupDirs, latestCounts, produce, tmpDir, waitFor, wordCount } from './helpers.js'
import { apacheKafkaClient, itOnApacheKafka } from './apache-kafka.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

describe('application.server', () => {
  it('is host:port or [IPv6]:port, the port 0-65535', () => {
    expect(parseApplicationServer('localhost:8080')).toEqual(new HostInfo('localhost', 8080))
    expect(parseApplicationServer('10.0.0.7:0')).toEqual(new HostInfo('10.0.0.7', 0))
    const v6 = parseApplicationServer('[::1]:7070')
    expect(v6).toEqual(new HostInfo('::1', 7070))
    expect(v6.toString()).toBe('[::1]:7070')
    for (const bad of ['localhost', 'localhost:', ':80', 'host:port', 'host:65536', 'a:b:80', '']) {
      expect(() => parseApplicationServer(bad), bad).toThrow(StreamsException)
    }
  })

  it('a bad one is refused when the instance is made, naming the key', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    let err: unknown
    try {
      new KafkaStreams(wordCount(), client, { applicationId: 'bad-endpoint', applicationServer: 'no-port-here' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StreamsException)
    expect((err as StreamsException).field).toBe('applicationServer')
    expect((err as Error).message).toMatch(/applicationServer \(application\.server\) 'no-port-here'/)
  })

  it('metadata is refused before start() and after close()', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([{ topic: 'text', numPartitions: 1 }])
    await admin.close()
    const s = new KafkaStreams(wordCount(), client, { applicationId: 'early', stateDir: tmpDir(), applicationServer: 'localhost:1' })
    expect(() => s.queryMetadataForKey('counts', 'x', S)).toThrow(/has not been started/)
    expect(() => s.metadataForAllStreamsClients()).toThrow(/has not been started/)
    await s.start()
    await waitFor('RUNNING', () => s.state === 'RUNNING')
    expect(s.metadataForAllStreamsClients().map((m) => m.hostInfo.toString())).toEqual(['localhost:1'])
    await s.close()
    expect(() => s.streamsMetadataForStore('counts')).toThrow(/not running; its state is NOT_RUNNING/)
  })
})

describe('the stream assignor carries endpoints and their partitions', () => {
  const hostArb = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6()).map((h) => new HostInfo(h, 0))
  const tpArb = fc.record({ topic: fc.string({ minLength: 1, maxLength: 30 }), partition: fc.nat(1 << 20) })

  it('every endpoint and partition comes back as it went', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ host: fc.tuple(hostArb, fc.integer({ min: 0, max: 65535 })).map(([h, port]) => new HostInfo(h.host, port)), partitions: fc.array(tpArb, { maxLength: 8 }) }), { maxLength: 6 }), (byHost) => {
        const bytes = encodeAssignmentInfo(AssignorError.NONE, byHost)
        expect(decodeAssignorError(bytes)).toBe(AssignorError.NONE)
        expect(decodePartitionsByHost(bytes)).toEqual(byHost)
        // Cut anywhere after the code, it is not half-read; cut right after the host map (no standby parts), it is an older leader's.
        const hostMapEnd = bytes.length - 8
        for (let cut = 6; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 7))) {
          expect(decodePartitionsByHost(bytes.subarray(0, cut))).toEqual(cut === hostMapEnd ? byHost : null)
        }
        expect(decodePartitionsByHost(bytes.subarray(0, hostMapEnd))).toEqual(byHost)
      }),
      { numRuns: 200 },
    )
  })

  it("a subscription's endpoint and shutdown request travel together; the first version's five bytes carry neither map nor endpoint", () => {
    const sub = encodeSubscriptionInfo(AssignorError.SHUTDOWN_REQUESTED, new HostInfo('::1', 9))
    expect(decodeAssignorError(sub)).toBe(AssignorError.SHUTDOWN_REQUESTED)
    expect(decodeEndpoint(sub)).toEqual(new HostInfo('::1', 9))
    expect(decodeEndpoint(encodeSubscriptionInfo(AssignorError.NONE, null))).toBeNull()
    const first = Buffer.from([1, 0, 0, 0, 0])
    expect(decodeEndpoint(first)).toBeNull()
    expect(decodePartitionsByHost(first)).toBeNull()
  })
})

/** Two instances of word count, endpoints a:1 and b:2, on four partitions. */
async function whereKeysLive(client: BrookClient, input: string, output: string, app: string, sessionTimeoutMs: number): Promise<void> {
  const admin = client.admin()
  await admin.createTopics([
    { topic: input, numPartitions: 4 },
    { topic: output, numPartitions: 1 },
  ])
  await admin.close()
  const instance = (endpoint: string): KafkaStreams => {
    const s = new KafkaStreams(wordCount(input, output), client, {
      applicationId: app,
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      heartbeatIntervalMs: 100,
      sessionTimeoutMs,
      applicationServer: endpoint,
    })
    closers.push(() => s.close())
    return s
  }
  const a = instance('host-a:1')
  const b = instance('host-b:2')
  const byEndpoint = new Map([
    ['host-a:1', a],
    ['host-b:2', b],
  ])
  await a.start()
  await b.start()
  await waitFor('both instances running tasks', () => a.state === 'RUNNING' && b.state === 'RUNNING' && a.taskIds().length > 0 && b.taskIds().length > 0, 60_000)

  const words = Array.from({ length: 40 }, (_, i) => `w${i}`)
  await produce(
    client,
    input,
    words.map((w, i) => ({ key: null, value: `${w} ${w}`, partition: i % 4 })),
  )
  await waitFor('every word counted twice', async () => {
    const last = await latestCounts(client, output)
    return words.every((w) => last.get(w) === 2)
  }, 60_000)
  // Both instances were handed the same map in the last rebalance.
  await waitFor('both instances to hear both endpoints', () => a.metadataForAllStreamsClients().length === 2 && b.metadataForAllStreamsClients().length === 2)

  const all = a.metadataForAllStreamsClients()
  expect(b.metadataForAllStreamsClients()).toEqual(all)
  expect(all.map((m) => m.hostInfo.toString())).toEqual(['host-a:1', 'host-b:2'])
  for (const m of all) {
    expect(m.stateStoreNames).toEqual(['counts'])
    expect(m.standbyTopicPartitions).toEqual([])
    // The partitions of an endpoint are those of the tasks the instance runs.
    const tasks = byEndpoint.get(m.hostInfo.toString())!.taskIds()
    const partitions = new Set(m.topicPartitions.map((tp) => tp.partition))
    expect([...new Set(tasks.map((t) => Number(t.split('_')[1])))].sort()).toEqual([...partitions].sort())
  }
  // Together the endpoints hold every partition of the input, once.
  const inputPartitions = all.flatMap((m) => m.topicPartitions.filter((tp) => tp.topic === input).map((tp) => tp.partition)).sort()
  expect(inputPartitions).toEqual([0, 1, 2, 3])
  expect(a.streamsMetadataForStore('counts')).toEqual(all)
  expect(a.streamsMetadataForStore('no-such-store')).toEqual([])
  expect(a.queryMetadataForKey('no-such-store', 'w1', S)).toBeNull()

  // Each word is where its metadata says, and only there.
  for (const w of words) {
    const md = a.queryMetadataForKey('counts', w, S)!
    expect(b.queryMetadataForKey('counts', w, S)).toEqual(md)
    const holder = byEndpoint.get(md.activeHost.toString())
    expect(holder, `an instance at ${md.activeHost.toString()}`).toBeDefined()
    const other = holder === a ? b : a
    const kv = QueryableStoreTypes.keyValueStore<string, number>()
    expect(holder!.store('counts', kv).get(w), `${w} at ${md.activeHost.toString()}`).toBe(2)
    expect(other.store('counts', kv).get(w) ?? null, `${w} not elsewhere`).toBeNull()
    expect(holder!.taskIds().some((t) => t.endsWith(`_${md.partition}`))).toBe(true)
  }
  // A partitioner of the application's own decides the partition: the holder of partition 3.
  const p3 = a.queryMetadataForKey('counts', 'anything', () => 3)!
  expect(p3.partition).toBe(3)
  expect(byEndpoint.get(p3.activeHost.toString())!.taskIds().some((t) => t.endsWith('_3'))).toBe(true)
  expect(() => a.queryMetadataForKey('counts', 'anything', () => 4)).toThrow(/gave 4 for a key of store 'counts'/)
}

describe('KafkaStreams.queryMetadataForKey', () => {
  it('names the instance whose store holds a key, on the embedded client', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await whereKeysLive(client, 'text', 'word-counts', 'kqm', 5000)
  }, 120_000)

  it("names it the same way over the wire protocol against Brook's server", async () => {
    const { client } = await brookServerClient(closers)
    await whereKeysLive(client, 'text', 'word-counts', 'kqm', 5000)
  }, 120_000)

  itOnApacheKafka('names it the same way against Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    // Kafka's group.min.session.timeout.ms is 6000 by default.
    await whereKeysLive(client, `text-${suffix}`, `counts-${suffix}`, `kqm-${suffix}`, 10_000)
  }, 180_000)

  it('is NOT_AVAILABLE until the first assignment; a global store is on this instance; an unknown store has none', () => {
    const local = new HostInfo('here', 1)
    const state = new StreamsMetadataState({ sourcesOf: new Map([['counts', ['words']]]), globalStores: new Set(['countries']) }, (t) => (t === 'words' ? 4 : undefined), local)
    expect(state.forKey('counts', 'x', S)).toBe(KeyQueryMetadata.NOT_AVAILABLE)
    expect(state.all()).toEqual([])
    state.update([
      { host: new HostInfo('there', 2), partitions: [0, 1, 2, 3].map((partition) => ({ topic: 'words', partition })) },
      { host: local, partitions: [] },
    ])
    const md = state.forKey('counts', 'x', S)!
    expect(md.activeHost).toEqual(new HostInfo('there', 2))
    expect(md.partition).toBeGreaterThanOrEqual(0)
    expect(state.forKey('countries', 'x', S)).toEqual(new KeyQueryMetadata(local, [], -1))
    expect(state.forStore('countries').map((m) => m.hostInfo.toString())).toEqual(['here:1', 'there:2'])
    expect(state.forKey('other', 'x', S)).toBeNull()
    // An endpoint with no partitions still has the global stores, and no others.
    expect(state.all().find((m) => m.host === 'here')!.stateStoreNames).toEqual(['countries'])
  })
})
