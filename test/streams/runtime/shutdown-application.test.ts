// SHUTDOWN_APPLICATION (Kafka's StreamsUncaughtExceptionHandler answer): a failure on one instance
// stops every instance of the application through the consumer group, on each client Brook Streams
// runs on: embedded, the wire protocol against Brook's server, and Apache Kafka.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient } from '../../../core/client/types.js'
import { Consumed, KafkaStreams, Materialized, Produced, StreamsBuilder, StreamsException, type KafkaStreamsState, type Topology } from '../../../streams/index.js'
import { L, S, brookServerClient, cleanupDirs, produce, readAll, tmpDir, waitFor } from './helpers.js'
import { apacheKafkaClient, itOnApacheKafka } from './apache-kafka.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

/** Counts per key; the value 'boom' fails the count's task, every time. */
function failingCount(input: string, output: string): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>(input, Consumed.with(S, S))
    .mapValues((v) => {
      if (v === 'boom') throw new Error('cannot count boom')
      return v
    })
    .groupByKey()
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to(output, Produced.with(S, L))
  return b.build()
}

async function createTopics(client: BrookClient, input: string, output: string): Promise<void> {
  const admin = client.admin()
  await admin.createTopics([
    { topic: input, numPartitions: 2 },
    { topic: output, numPartitions: 1 },
  ])
  await admin.close()
}

/**
 * Two instances share the two partitions; 'boom' on partition 0 fails one of them, whose handler
 * answers SHUTDOWN_APPLICATION. Both end in ERROR and leave the group; the healthy one committed
 * what it processed, the failed one nothing past the failing record.
 */
async function shutdownReachesEveryInstance(client: BrookClient, input: string, output: string, app: string, sessionTimeoutMs: number): Promise<void> {
  const asked: Error[] = []
  const states = new Map<string, KafkaStreamsState[]>([['a', []], ['b', []]])
  const instance = (name: string): KafkaStreams => {
    const s = new KafkaStreams(failingCount(input, output), client, {
      applicationId: app,
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      heartbeatIntervalMs: 100,
      sessionTimeoutMs,
      uncaughtExceptionHandler: (err) => {
        asked.push(err)
        return 'SHUTDOWN_APPLICATION'
      },
    })
    s.onStateChange = (state) => void states.get(name)!.push(state)
    closers.push(() => s.close())
    return s
  }
  const a = instance('a')
  const b = instance('b')
  await a.start()
  await b.start()
  await waitFor('both instances to own one task each', () => a.state === 'RUNNING' && b.state === 'RUNNING' && a.taskIds().length === 1 && b.taskIds().length === 1)

  await produce(client, input, [
    { key: 'x', value: 'v', partition: 0 },
    { key: 'y', value: 'v', partition: 1 },
    { key: 'y', value: 'v', partition: 1 },
  ])
  await waitFor('the counts of both partitions', async () => (await readAll(client, output)).some((r) => r.key?.toString() === 'y' && L.deserialize(output, r.value) === 2))
  const before = { a: states.get('a')!.length, b: states.get('b')!.length }
  // Partition 1 gets one more record the healthy side may or may not process before the shutdown; partition 0 the failing one.
  await produce(client, input, [{ key: 'y', value: 'v', partition: 1 }])
  await produce(client, input, [{ key: 'x', value: 'boom', partition: 0 }])

  await waitFor('both instances in ERROR', () => a.state === 'ERROR' && b.state === 'ERROR', 60_000)
  expect(asked).toHaveLength(1)
  expect(asked[0]!.message).toMatch(/cannot count boom/)
  const failedFirst = a.error?.message.includes('cannot count boom') ? a : b
  const other = failedFirst === a ? b : a
  expect(failedFirst.error!.message).toMatch(/cannot count boom/)
  expect(other.error).toBeInstanceOf(StreamsException)
  expect(other.error!.message).toMatch(new RegExp(`Application '${app}' was shut down at the request of one of its instances \\(SHUTDOWN_APPLICATION\\)`))
  // Once the shutdown was asked for, neither instance processed again.
  for (const [name, s] of [['a', states.get('a')!], ['b', states.get('b')!]] as const) {
    expect(s.slice(before[name]).filter((x) => x === 'RUNNING'), `instance ${name} back to RUNNING`).toEqual([])
  }

  const admin = client.admin()
  try {
    // Both left the group, and what was committed stops before 'boom' (offset 1 of partition 0).
    await waitFor('the group to be empty', async () => ((await admin.describeGroups([app]))[0]?.members.length ?? 0) === 0, 30_000)
    const committed = new Map((await admin.listGroupOffsets(app)).filter((o) => o.topic === input).map((o) => [o.partition, o.committedOffset]))
    expect(committed.get(0) ?? 0).toBeLessThanOrEqual(1)
    // The healthy instance committed every record it counted: its output holds a count per committed record.
    const yCounts = (await readAll(client, output)).filter((r) => r.key?.toString() === 'y').map((r) => L.deserialize(output, r.value) as number)
    expect(committed.get(1)).toBe(Math.max(...yCounts))
  } finally {
    await admin.close()
  }
}

describe('KafkaStreams SHUTDOWN_APPLICATION', () => {
  it('stops every instance of the application through the group, on the embedded client', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await createTopics(client, 'in', 'out')
    await shutdownReachesEveryInstance(client, 'in', 'out', 'shutapp', 5000)
  }, 90_000)

  it("stops every instance the same way over the wire protocol against Brook's server", async () => {
    const { client } = await brookServerClient(closers)
    await createTopics(client, 'in', 'out')
    await shutdownReachesEveryInstance(client, 'in', 'out', 'shutapp', 5000)
  }, 90_000)

  itOnApacheKafka('stops every instance the same way against Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    await createTopics(client, `in-${suffix}`, `out-${suffix}`)
    // Kafka's group.min.session.timeout.ms is 6000 by default.
    await shutdownReachesEveryInstance(client, `in-${suffix}`, `out-${suffix}`, `shutapp-${suffix}`, 10_000)
  }, 120_000)

  it('an instance alone asks the group and stops itself', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await createTopics(client, 'in', 'out')
    const s = new KafkaStreams(failingCount('in', 'out'), client, { applicationId: 'alone', stateDir: tmpDir(), commitIntervalMs: 100, uncaughtExceptionHandler: () => 'SHUTDOWN_APPLICATION' })
    closers.push(() => s.close())
    await s.start()
    await produce(client, 'in', [{ key: 'x', value: 'boom', partition: 0 }])
    await waitFor('ERROR', () => s.state === 'ERROR', 30_000)
    expect(s.error!.message).toMatch(/cannot count boom/)
    const admin = client.admin()
    expect((await admin.describeGroups(['alone']))[0]?.members ?? []).toEqual([])
    await admin.close()
  }, 60_000)
})
