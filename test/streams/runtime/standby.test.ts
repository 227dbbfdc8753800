// Standby replicas (num.standby.replicas): another instance keeps each stateful task's stores from
// its changelog, so the instance that takes the task over restores only what the replica had not
// read. On each client Brook Streams runs on: embedded, the wire protocol against Brook's server,
// and Apache Kafka.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient, TopicPartition } from '../../../core/client/types.js'
import { KafkaStreams, StreamsException, type KafkaStreamsConfig, type StateRestoreListener } from '../../../streams/index.js'
import { AssignorError, assignTasks, decodeAssignmentInfo, encodeAssignmentInfo, encodeSubscriptionInfo, planStandbys } from '../../../streams/runtime/streams-assignor.js'
import { RangeAssignor } from '../../../core/client/assignors/index.js'
import fc from 'fast-check'
import { HostInfo } from '../../../streams/runtime/streams-metadata.js'
import { S, brookServerClient, cleanupDirs, latestCounts, produce, tmpDir, waitFor, wordCount } from './helpers.js'
import { apacheKafkaClient, itOnApacheKafka } from './apache-kafka.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

describe('standby placement', () => {
  const planning = (n: number) => ({
    numStandbyReplicas: n,
    subtopologies: [0, 1],
    subtopologyOf: (t: string) => (t === 'in' ? 0 : t === 'rep' ? 1 : undefined),
    stateful: new Set([1]),
    sourcesOf: (sub: number) => (sub === 1 ? ['rep'] : ['in']),
  })
  const tps = (topic: string, ...ps: number[]): TopicPartition[] => ps.map((partition) => ({ topic, partition }))

  it('puts each stateful task on members other than its active one, spread evenly; never stateless ones', () => {
    const assignment = new Map([
      ['m1', [...tps('in', 0, 1), ...tps('rep', 0, 1)]],
      ['m2', [...tps('in', 2, 3), ...tps('rep', 2, 3)]],
      ['m3', [...tps('in', 4, 5), ...tps('rep', 4, 5)]],
    ])
    const plan = planStandbys(assignment, planning(1))
    const owner = (p: number): string => [...assignment].find(([, list]) => list.some((tp) => tp.topic === 'rep' && tp.partition === p))![0]
    const placed = [...plan].flatMap(([m, tasks]) => tasks.map((t) => ({ m, ...t })))
    expect(placed.map((t) => t.partition).sort()).toEqual([0, 1, 2, 3, 4, 5])
    for (const t of placed) {
      expect(t.subtopology).toBe(1)
      expect(t.m).not.toBe(owner(t.partition))
    }
    expect([...plan.values()].map((l) => l.length)).toEqual([2, 2, 2])
    // Two replicas on three members: each task on both other members.
    const two = planStandbys(assignment, planning(2))
    for (const [m, tasks] of two) expect(tasks.map((t) => t.partition).sort()).toEqual([0, 1, 2, 3, 4, 5].filter((p) => owner(p) !== m))
    // More replicas than other members: as many as there are.
    expect([...planStandbys(new Map([['m1', tps('rep', 0)]]), planning(1)).values()].flat()).toEqual([])
  })

  const member = (active: string[] = [], standby: string[] = []) => {
    const ids = (l: string[]) => l.map((id) => ({ subtopology: Number(id.split('_')[0]), partition: Number(id.split('_')[1]) }))
    return { topics: ['in', 'rep'], ownedPartitions: [], userData: encodeSubscriptionInfo(AssignorError.NONE, null, { active: ids(active), standby: ids(standby) }) }
  }
  const counts = (n: number) => new Map([['in', n], ['rep', n]])
  const tasksOf = (tps: TopicPartition[]) => [...new Set(tps.map((tp) => `${tp.topic === 'in' ? 0 : 1}_${tp.partition}`))].sort()

  it("a fresh group's tasks land as range would put them, when the partitions split evenly", () => {
    const subs = new Map([['m1', member()], ['m2', member()], ['m3', member()]])
    const tasks = assignTasks(counts(6), subs, planning(1))
    const range = new RangeAssignor().assign(counts(6), subs)
    for (const m of subs.keys()) expect(tasksOf(tasks.get(m)!)).toEqual(tasksOf(range.get(m)!))
  })

  it('tasks go back to the member that ran them, as many as its share', () => {
    const all = ['0_0', '1_0', '0_1', '1_1', '0_2', '1_2', '0_3', '1_3']
    const tasks = assignTasks(counts(4), new Map([['m1', member(all)], ['m2', member()]]), planning(1))
    expect(tasksOf(tasks.get('m1')!)).toEqual(['0_0', '0_1', '1_0', '1_1'])
    expect(tasksOf(tasks.get('m2')!)).toEqual(['0_2', '0_3', '1_2', '1_3'])
  })

  it("a departed member's stateful task goes to the holder of its replica, not where range would put it", () => {
    // m2 ran 0_1 and 1_1 and left; m3 keeps a replica of 1_1. Range would give partition 1 to m1.
    const subs = new Map([['m1', member(['0_0', '1_0'])], ['m3', member(['0_2', '1_2'], ['1_1'])]])
    const tasks = assignTasks(counts(3), subs, planning(1))
    expect(tasksOf(tasks.get('m3')!)).toEqual(['0_2', '1_1', '1_2'])
    expect(tasksOf(tasks.get('m1')!)).toEqual(['0_0', '0_1', '1_0'])
    expect(tasksOf(new RangeAssignor().assign(counts(3), subs).get('m1')!)).toContain('1_1')
  })

  it("a task with a replica is placed before the tasks that would take its holder's room", () => {
    // m2 ran 0_0 and 1_0 and left; m1 keeps a replica of 1_0 and is where range puts partition 0, so
    // 0_0, placed first by partition, would fill m1's last slot.
    const subs = new Map([['m1', member(['0_1', '1_1'], ['1_0'])], ['m3', member(['0_2', '1_2'])]])
    const tasks = assignTasks(counts(3), subs, planning(1))
    expect(tasksOf(tasks.get('m1')!)).toEqual(['0_1', '1_0', '1_1'])
    expect(tasksOf(tasks.get('m3')!)).toEqual(['0_0', '0_2', '1_2'])
  })

  it('every task to one member, each whole, loads within one of each other, whatever the members had', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.nat(4), fc.nat(15), fc.boolean()), { maxLength: 20 }), (n, partitions, had) => {
        const local = Array.from({ length: n }, () => ({ active: [] as string[], standby: [] as string[] }))
        for (const [m, t, standby] of had) (standby ? local[m % n]!.standby : local[m % n]!.active).push(`${t % 2}_${t >> 1}`)
        const subs = new Map(local.map((l, i) => [`m${i}`, member(l.active, l.standby)]))
        const tasks = assignTasks(counts(partitions), subs, planning(1))
        const seen = [...tasks.values()].flatMap(tasksOf)
        expect(seen.sort()).toEqual(Array.from({ length: partitions }, (_, p) => [`0_${p}`, `1_${p}`]).flat().sort())
        for (const tps of tasks.values()) for (const t of tasksOf(tps)) expect(tps.filter((tp) => tp.partition === Number(t.split('_')[1]) && (tp.topic === 'in') === t.startsWith('0_'))).toHaveLength(1)
        const loads = [...tasks.values()].map((tps) => tasksOf(tps).length)
        expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1)
      }),
      { numRuns: 300 },
    )
  })

  it("travel in the assignment after the endpoints; an older leader's assignment has none", () => {
    const info = { byHost: [{ host: new HostInfo('a', 1), partitions: tps('rep', 0) }], standbyTasks: [{ subtopology: 1, partition: 3 }], standbyByHost: [{ host: new HostInfo('b', 2), partitions: tps('rep', 0) }] }
    expect(decodeAssignmentInfo(encodeAssignmentInfo(AssignorError.NONE, info.byHost, info.standbyTasks, info.standbyByHost))).toEqual(info)
    const hostsOnly = encodeAssignmentInfo(AssignorError.NONE, info.byHost).subarray(0, -8)
    expect(decodeAssignmentInfo(hostsOnly)).toEqual({ byHost: info.byHost, standbyTasks: [], standbyByHost: [] })
  })

  it('numStandbyReplicas must be an integer >= 0, the error naming the key', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    for (const bad of [-1, 1.5]) {
      let err: unknown
      try {
        new KafkaStreams(wordCount(), client, { applicationId: 'bad', numStandbyReplicas: bad })
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(StreamsException)
      expect((err as StreamsException).field).toBe('numStandbyReplicas')
    }
  })
})

interface Restore {
  tp: TopicPartition
  restored: number
}

/**
 * Two instances of word count on two partitions, with `replicas` standby replicas. Instance a
 * closes; b takes its tasks over. Returns how many records b restored for the task it took.
 */
async function takeOver(client: BrookClient, input: string, output: string, app: string, sessionTimeoutMs: number, replicas: number, extra: Partial<KafkaStreamsConfig> = {}): Promise<number> {
  const admin = client.admin()
  await admin.createTopics([
    { topic: input, numPartitions: 2 },
    { topic: output, numPartitions: 1 },
  ])
  await admin.close()
  const restores = new Map<string, Restore[]>([['a', []], ['b', []]])
  const instance = (name: string, endpoint: string): KafkaStreams => {
    const listener: StateRestoreListener = { onRestoreEnd: (tp, _store, restored) => void restores.get(name)!.push({ tp, restored }) }
    const s = new KafkaStreams(wordCount(input, output), client, {
      applicationId: app,
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      heartbeatIntervalMs: 100,
      sessionTimeoutMs,
      applicationServer: endpoint,
      numStandbyReplicas: replicas,
      restoreListener: listener,
      ...extra,
    })
    closers.push(() => s.close())
    return s
  }
  const a = instance('a', 'host-a:1')
  const b = instance('b', 'host-b:2')
  await a.start()
  await waitFor('a running', () => a.state === 'RUNNING')
  await b.start()
  await waitFor('both instances running two tasks each', () => a.state === 'RUNNING' && b.state === 'RUNNING' && a.taskIds().length === 2 && b.taskIds().length === 2, 60_000)
  const statefulOf = (s: KafkaStreams): string => s.taskIds().find((t) => t.startsWith('1_'))!
  if (replicas > 0) {
    // Each keeps a replica of the other's stateful task, and of nothing else.
    await waitFor('standby tasks', () => a.standbyTaskIds().length === 1 && b.standbyTaskIds().length === 1)
    expect(a.standbyTaskIds()).toEqual([statefulOf(b)])
    expect(b.standbyTaskIds()).toEqual([statefulOf(a)])
  } else {
    expect(b.standbyTaskIds()).toEqual([])
  }

  const words = Array.from({ length: 60 }, (_, i) => `w${i}`)
  await produce(client, input, words.map((w, i) => ({ key: null, value: `${w} ${w}`, partition: i % 2 })))
  await waitFor('every word counted twice', async () => {
    const last = await latestCounts(client, output)
    return words.every((w) => last.get(w) === 2)
  }, 60_000)

  const taken = Number(statefulOf(a).split('_')[1])
  if (replicas > 0) {
    // b's replica of a's task catches up with the changelog, and the metadata names b as its standby host.
    await waitFor('the replica to catch up', async () => {
      const lag = (await b.allLocalStorePartitionLags()).get('counts')?.get(taken)
      return lag !== undefined && lag.currentOffsetPosition > 0 && lag.offsetLag === 0
    }, 60_000)
    const keyOfA = words.find((w) => a.queryMetadataForKey('counts', w, S)!.partition === taken)!
    const md = a.queryMetadataForKey('counts', keyOfA, S)!
    expect(md.activeHost.toString()).toBe('host-a:1')
    expect(md.standbyHosts.map((h) => h.toString())).toEqual(['host-b:2'])
    expect(a.metadataForAllStreamsClients().find((m) => m.host === 'host-b')!.standbyStateStoreNames).toEqual(['counts'])
  }

  restores.get('b')!.length = 0
  await a.close()
  await waitFor('b running all four tasks', () => b.state === 'RUNNING' && b.taskIds().length === 4, 60_000)
  expect(b.standbyTaskIds()).toEqual([])
  const restored = restores.get('b')!.filter((r) => r.tp.partition === taken && r.tp.topic.endsWith('-counts-changelog'))
  expect(restored).toHaveLength(1)

  // The state b took over is whole: one more of each word of that partition counts 3.
  const wordsOfTaken = words.filter((w) => b.queryMetadataForKey('counts', w, S)!.partition === taken)
  expect(wordsOfTaken.length).toBeGreaterThan(0)
  await produce(client, input, wordsOfTaken.map((w, i) => ({ key: null, value: w, partition: i % 2 })))
  await waitFor('the taken words at 3', async () => {
    const last = await latestCounts(client, output)
    return wordsOfTaken.every((w) => last.get(w) === 3)
  }, 60_000)
  return restored[0]!.restored
}

describe('KafkaStreams numStandbyReplicas, three instances', () => {
  it("a closed instance's stateful task goes to the holder of its replica, which restores nothing", async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([{ topic: 'text', numPartitions: 3 }, { topic: 'word-counts', numPartitions: 1 }])
    await admin.close()
    const restored = new Map<string, Restore[]>()
    const instance = (name: string): KafkaStreams => {
      restored.set(name, [])
      const s = new KafkaStreams(wordCount(), client, {
        applicationId: 'sb3',
        stateDir: tmpDir(),
        commitIntervalMs: 100,
        heartbeatIntervalMs: 100,
        sessionTimeoutMs: 5000,
        numStandbyReplicas: 1,
        restoreListener: { onRestoreEnd: (tp, _store, n) => void restored.get(name)!.push({ tp, restored: n }) },
      })
      closers.push(() => s.close())
      return s
    }
    const all = new Map([['a', instance('a')], ['b', instance('b')], ['c', instance('c')]])
    for (const s of all.values()) await s.start()
    // Two tasks on each instance, and a replica of each of the three stateful tasks somewhere else.
    const spread = () =>
      [...all.values()].every((s) => s.state === 'RUNNING' && s.taskIds().length === 2) &&
      [...all.values()].flatMap((s) => s.standbyTaskIds()).sort().join() === ['1_0', '1_1', '1_2'].join()
    await waitFor('two tasks on each instance and a replica of each stateful task', spread, 60_000)
    for (const s of all.values()) for (const t of s.standbyTaskIds()) expect(s.taskIds()).not.toContain(t)
    const words = Array.from({ length: 60 }, (_, i) => `w${i}`)
    await produce(client, 'text', words.map((w, i) => ({ key: null, value: `${w} ${w}`, partition: i % 3 })))
    await waitFor('every word counted twice', async () => {
      const last = await latestCounts(client, 'word-counts')
      return words.every((w) => last.get(w) === 2)
    }, 60_000)
    const b = all.get('b')!
    const taken = Number(b.taskIds().find((t) => t.startsWith('1_'))!.split('_')[1])
    const holder = [...all].find(([, s]) => s.standbyTaskIds().includes(`1_${taken}`))![0]
    await waitFor("the replica of b's task to catch up", async () => {
      const lag = (await all.get(holder)!.allLocalStorePartitionLags()).get('counts')?.get(taken)
      return lag !== undefined && lag.currentOffsetPosition > 0 && lag.offsetLag === 0
    }, 60_000)
    for (const r of restored.values()) r.length = 0
    await b.close()
    all.delete('b')
    await waitFor('the two survivors running three tasks each', () => [...all.values()].every((s) => s.state === 'RUNNING' && s.taskIds().length === 3), 60_000)
    expect(all.get(holder)!.taskIds()).toContain(`1_${taken}`)
    const ofTaken = restored.get(holder)!.filter((r) => r.tp.partition === taken && r.tp.topic.endsWith('-counts-changelog'))
    expect(ofTaken).toHaveLength(1)
    expect(ofTaken[0]!.restored).toBe(0)
  }, 120_000)
})

describe('KafkaStreams numStandbyReplicas', () => {
  it('the instance taking a task over restores nothing its caught-up replica had read, on the embedded client', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    expect(await takeOver(client, 'text', 'word-counts', 'sb', 5000, 1)).toBe(0)
  }, 120_000)

  it('without a replica it restores the whole changelog partition (the control)', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    expect(await takeOver(client, 'text', 'word-counts', 'nosb', 5000, 0)).toBeGreaterThan(0)
  }, 120_000)

  it('with exactly_once_v2 too: the replica reads committed changelog records and checkpoints them', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    expect(await takeOver(client, 'text', 'word-counts', 'sb-eos', 5000, 1, { processingGuarantee: 'exactly_once_v2' })).toBe(0)
  }, 120_000)

  it("the same over the wire protocol against Brook's server", async () => {
    const { client } = await brookServerClient(closers)
    expect(await takeOver(client, 'text', 'word-counts', 'sb', 5000, 1)).toBe(0)
  }, 120_000)

  itOnApacheKafka('the same against Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    // Kafka's group.min.session.timeout.ms is 6000 by default.
    expect(await takeOver(client, `text-${suffix}`, `counts-${suffix}`, `sb-${suffix}`, 10_000, 1)).toBe(0)
  }, 180_000)
})
