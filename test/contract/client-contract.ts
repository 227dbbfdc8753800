// The behaviour every BrookClient implementation must show, run against each of them
// (embedded, wire client on Brook's server, wire client on Apache Kafka). Names are
// unique per run, because an Apache Kafka broker keeps its state between runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstValueFrom, take, toArray } from 'rxjs'
import { BrookError } from '../../core/errors.js'
import { defaultPartition } from '../../core/client/partitioner.js'
import { RangeAssignor, type PartitionAssignor } from '../../core/client/assignors/index.js'
import type { BrookClient, Consumer, ConsumerRecord, SendListener, TopicPartition } from '../../core/client/types.js'

export interface ContractTarget {
  client: BrookClient
  cleanup(): Promise<void>
}

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
let counter = 0
const unique = (prefix: string): string => `${prefix}-${run}-${++counter}`

const sortTps = (tps: TopicPartition[]): string[] => tps.map((t) => `${t.topic}-${t.partition}`).sort()

async function expectCode(p: Promise<unknown>, code: string): Promise<BrookError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err, `expected a BrookError ${code}`).toBeInstanceOf(BrookError)
  expect((err as BrookError).code).toBe(code)
  return err as BrookError
}

/** Polls until `count` records arrived or the time is up. */
async function pollFor(consumer: Consumer, count: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll(200)))
  return out
}

/** Retries an assertion for a while: for state a Kafka cluster propagates asynchronously. */
async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      await check()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

async function pollUntil(consumers: Consumer[], done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done() && Date.now() < deadline) await Promise.all(consumers.map((c) => c.poll(100)))
}

export function runClientContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`BrookClient contract: ${name}`, () => {
    let target: ContractTarget
    let client: BrookClient

    beforeAll(async () => {
      target = await setup()
      client = target.client
    })

    afterAll(async () => {
      await target?.cleanup()
    })

    async function createTopic(prefix: string, numPartitions: number): Promise<string> {
      const topic = unique(prefix)
      const admin = client.admin()
      try {
        await admin.createTopics([{ topic, numPartitions, replicationFactor: 1 }])
      } finally {
        await admin.close()
      }
      return topic
    }

    it('admin creates, lists, describes and deletes topics', async () => {
      const admin = client.admin()
      const a = unique('admin-a')
      const b = unique('admin-b')
      await admin.createTopics([
        { topic: a, numPartitions: 3, replicationFactor: 1 },
        { topic: b, numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '3600000' } },
      ])
      const listed = await admin.listTopics()
      expect(listed).toContain(a)
      expect(listed).toContain(b)

      const [da, db] = await admin.describeTopics([a, b])
      expect(da!.topic).toBe(a)
      expect(da!.internal).toBe(false)
      expect(da!.partitions.map((p) => p.partition)).toEqual([0, 1, 2])
      for (const p of da!.partitions) expect(p.leader).toBeGreaterThanOrEqual(0)
      expect(db!.partitions.length).toBe(1)

      const configs = await admin.describeConfigs(b)
      const retention = configs.find((c) => c.name === 'retention.ms')
      expect(retention).toMatchObject({ value: '3600000', isDefault: false })
      await admin.incrementalAlterConfigs(b, [{ name: 'retention.ms', op: 'set', value: '7200000' }])
      // Apache Kafka applies config changes to its brokers asynchronously.
      await eventually(async () => expect((await admin.describeConfigs(b)).find((c) => c.name === 'retention.ms')?.value).toBe('7200000'))

      await admin.createPartitions(a, 5)
      expect((await admin.describeTopics([a]))[0]!.partitions.length).toBe(5)

      await admin.deleteTopics([a, b])
      const after = await admin.listTopics()
      expect(after).not.toContain(a)
      expect(after).not.toContain(b)
      await expectCode(admin.describeTopics([a]), 'UNKNOWN_TOPIC_OR_PARTITION')
      await admin.close()
    })

    it('admin rejects invalid topics with typed errors', async () => {
      const admin = client.admin()
      const topic = unique('dup')
      await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }])
      const dup = await expectCode(admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]), 'TOPIC_ALREADY_EXISTS')
      expect(dup.message).toContain(topic)
      await expectCode(admin.createTopics([{ topic: 'bad name!', numPartitions: 1, replicationFactor: 1 }]), 'INVALID_TOPIC')
      await expectCode(admin.createTopics([{ topic: unique('zero'), numPartitions: 0, replicationFactor: 1 }]), 'INVALID_PARTITIONS')
      await expectCode(
        admin.createTopics([{ topic: unique('cfg'), numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'sometimes' } }]),
        'INVALID_CONFIG',
      )
      await admin.close()
    })

    it('keyed records land on defaultPartition(key) with consecutive offsets', async () => {
      const topic = await createTopic('keyed', 3)
      const producer = client.producer()
      const keys = Array.from({ length: 12 }, (_, i) => `key-${i % 6}`)
      const results = await producer.sendBatch(keys.map((key, i) => ({ topic, key, value: `v${i}` })))
      const next = new Map<number, number>()
      results.forEach((m, i) => {
        expect(m.topic).toBe(topic)
        expect(m.partition).toBe(defaultPartition(Buffer.from(keys[i]!), 3))
        const expected = next.get(m.partition) ?? 0
        expect(m.offset).toBe(expected)
        next.set(m.partition, expected + 1)
      })
      const single = await producer.send({ topic, key: 'key-0', value: 'last' })
      expect(single.partition).toBe(defaultPartition(Buffer.from('key-0'), 3))
      expect(single.offset).toBe(next.get(single.partition))
      await producer.close()
    })

    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
      it(`records round-trip with ${codec} compression`, async () => {
        const topic = await createTopic(`codec-${codec}`, 1)
        const producer = client.producer({ compressionType: codec, lingerMs: 20 })
        const sent = Array.from({ length: 50 }, (_, i) => ({
          topic,
          partition: 0,
          key: i % 5 === 0 ? null : `k${i}`,
          value: i === 7 ? null : `value-${i}-${'x'.repeat(i * 10)}`,
          headers: [{ key: 'h', value: Buffer.from(String(i)) }],
          timestamp: 1_700_000_000_000 + i,
        }))
        await producer.sendBatch(sent)
        await producer.close()
        const consumer = client.consumer({ autoOffsetReset: 'earliest' })
        consumer.assign([{ topic, partition: 0 }])
        const got = await pollFor(consumer, 50)
        expect(got.length).toBe(50)
        got.forEach((r, i) => {
          const s = sent[i]!
          expect(r.offset).toBe(i)
          expect(r.key === null ? null : r.key.toString()).toBe(s.key)
          expect(r.value === null ? null : r.value.toString()).toBe(s.value)
          expect(r.timestamp).toBe(s.timestamp)
          expect(r.headers.map((h) => [h.key, h.value?.toString()])).toEqual([['h', String(i)]])
        })
        await consumer.close()
      })
    }

    it('concurrent sendBatch calls to a topic not yet known keep their order per partition', async () => {
      const topic = await createTopic('order', 1)
      const p = client.producer({ lingerMs: 5 })
      const sends = Array.from({ length: 8 }, (_, b) =>
        p.sendBatch(Array.from({ length: 40 }, (_, i) => ({ topic, partition: 0, value: `${b}-${i}` }))),
      )
      await Promise.all(sends)
      await p.close()
      const c = client.consumer({ autoOffsetReset: 'earliest', enableAutoCommit: false })
      c.assign([{ topic, partition: 0 }])
      const got = await pollFor(c, 320)
      await c.close()
      const want = Array.from({ length: 8 }, (_, b) => Array.from({ length: 40 }, (_, i) => `${b}-${i}`)).flat()
      expect(got.map((r) => r.value!.toString())).toEqual(want)
    })

    it('sendQuiet reports acknowledgements per batch and listener, in order with promise sends, and failures to the listener', async () => {
      const topic = await createTopic('quiet', 2)
      const p = client.producer({ lingerMs: 5 })
      const acked = new Map<string, { count: number; last: number }>()
      const failed: Array<{ partition: number; count: number; error: Error }> = []
      const listener = (name: string): SendListener => ({
        onAcknowledged(t, partition, lastOffset, count) {
          expect(t).toBe(topic)
          const k = `${name}/${partition}`
          const a = acked.get(k) ?? { count: 0, last: -1 }
          expect(lastOffset).toBeGreaterThan(a.last)
          acked.set(k, { count: a.count + count, last: lastOffset })
        },
        onFailed(_t, partition, count, error) {
          failed.push({ partition, count, error })
        },
      })
      const a = listener('a')
      const b = listener('b')
      // The first record of an unknown topic takes the slow path, the rest the fast one; a promise send in between.
      for (let i = 0; i < 30; i++) p.sendQuiet(topic, 0, Buffer.from(`k${i}`), Buffer.from(`a${i}`), 1000 + i, undefined, a)
      const mid = p.send({ topic, partition: 0, value: 'promise' })
      for (let i = 0; i < 20; i++) p.sendQuiet(topic, 0, null, Buffer.from(`b${i}`), 2000 + i, [{ key: 'h', value: Buffer.from('v') }], b)
      for (let i = 0; i < 10; i++) p.sendQuiet(topic, -1, Buffer.from(`key-${i}`), Buffer.from(`c${i}`), 3000, undefined, a)
      p.sendQuiet(topic, 7, null, Buffer.from('nowhere'), 4000, undefined, b)
      expect((await mid).offset).toBe(30)
      await p.flush()
      expect(failed.map((f) => [f.partition, f.count, (f.error as BrookError).code])).toEqual([[7, 1, 'UNKNOWN_TOPIC_OR_PARTITION']])
      const keyed = Array.from({ length: 10 }, (_, i) => defaultPartition(Buffer.from(`key-${i}`), 2))
      const onOne = keyed.filter((x) => x === 1).length
      const aOn0 = acked.get('a/0')!
      expect(aOn0.count).toBe(30 + 10 - onOne)
      expect(acked.get('b/0')).toEqual({ count: 20, last: 50 })
      expect(acked.get('a/1')?.count ?? 0).toBe(onOne)
      await p.close()
      const c = client.consumer({ autoOffsetReset: 'earliest', enableAutoCommit: false })
      c.assign([{ topic, partition: 0 }])
      const got = await pollFor(c, 51 + 10 - onOne)
      await c.close()
      expect(got.slice(0, 51).map((r) => r.value!.toString())).toEqual([
        ...Array.from({ length: 30 }, (_, i) => `a${i}`),
        'promise',
        ...Array.from({ length: 20 }, (_, i) => `b${i}`),
      ])
      expect(got[29]!.key!.toString()).toBe('k29')
      expect(got[29]!.timestamp).toBe(1029)
      expect(got[31]!.headers.map((h) => [h.key, h.value!.toString()])).toEqual([['h', 'v']])
      expect(aOn0.last).toBe(got[got.length - 1]!.offset)
    })

    it('sendQuiet writes text keys and values as their UTF-8 bytes, partitioned as those bytes would be', async () => {
      const topic = await createTopic('quiet-text', 3)
      const p = client.producer({ lingerMs: 5 })
      let acked = 0
      const failed: Error[] = []
      const listener: SendListener = { onAcknowledged: (_t, _p, _o, count) => void (acked += count), onFailed: (_t, _p, _c, e) => void failed.push(e) }
      // ASCII, 2- and 3-byte characters, a surrogate pair, a lone surrogate, a key longer than the JS-encoded ones, empty text.
      const keys = ['word', 'déjà', '東京', 'emoji 😀', 'lone \ud800 surrogate', 'k'.repeat(300), '']
      for (const k of keys) p.sendQuiet(topic, -1, k, `v:${k}`, 5000, undefined, listener)
      p.sendQuiet(topic, 1, null, 'text value', 5001, undefined, listener)
      await p.flush()
      await p.close()
      expect(failed).toEqual([])
      expect(acked).toBe(keys.length + 1)
      const c = client.consumer({ autoOffsetReset: 'earliest', enableAutoCommit: false })
      c.assign([0, 1, 2].map((partition) => ({ topic, partition })))
      const got = await pollFor(c, keys.length + 1)
      await c.close()
      for (const k of keys) {
        const r = got.find((x) => x.key !== null && x.key.equals(Buffer.from(k)))
        expect(r, k).toBeDefined()
        expect(r!.value).toEqual(Buffer.from(`v:${k}`))
        expect(r!.partition).toBe(defaultPartition(Buffer.from(k), 3))
      }
      const plain = got.find((x) => x.key === null)!
      expect([plain.partition, plain.value!.toString()]).toEqual([1, 'text value'])
    })

    it('sendQuietRange sends byte ranges of larger buffers as their own bytes, partitioned and acknowledged as sendQuiet', async () => {
      const topic = await createTopic('quiet-range', 3)
      const p = client.producer({ lingerMs: 5 })
      expect(p.sendQuietRange).toBeDefined()
      let acked = 0
      const failed: Array<{ partition: number; error: Error }> = []
      const listener: SendListener = { onAcknowledged: (_t, _p, _o, count) => void (acked += count), onFailed: (_t, partition, _c, error) => void failed.push({ partition, error }) }
      // Keys and values written one after another into one shared buffer, as a converter writes them; the first
      // records take the slow path (unknown topic) and must be copied, since the buffer is overwritten below.
      const slab = Buffer.alloc(4096)
      const sent: Array<{ key: string | null; value: string | null }> = []
      let pos = 0
      for (let i = 0; i < 40; i++) {
        const key = i % 10 === 9 ? null : `key-${i}`
        const value = i % 13 === 12 ? null : `value-${i}-${'x'.repeat(i * 3)}`
        const ks = pos
        if (key !== null) pos += slab.write(key, pos)
        const vs = pos
        if (value !== null) pos += slab.write(value, pos)
        p.sendQuietRange!(topic, i === 39 ? 2 : -1, key === null ? null : slab, ks, vs, value === null ? null : slab, vs, pos, 6000 + i, i === 5 ? [{ key: 'h', value: Buffer.from('v') }] : undefined, listener)
        sent.push({ key, value })
        if (pos > 3000) {
          slab.fill(0x21, 0, pos)
          pos = 0
        }
        // The first 20 wait for the topic's partition count (copied); the rest are appended at once.
        if (i === 19) await p.flush()
      }
      slab.fill(0x21)
      p.sendQuietRange!(topic, 9, null, 0, 0, slab, 0, 4, 7000, undefined, listener)
      p.sendQuietRange!(topic, 0, slab, 10, 5000, slab, 0, 4, 7000, undefined, listener)
      await p.flush()
      await p.close()
      expect(acked).toBe(40)
      expect(failed.map((f) => [f.partition, (f.error as BrookError).code])).toEqual([[9, 'UNKNOWN_TOPIC_OR_PARTITION'], [0, 'CORRUPT_RECORD']])
      const c = client.consumer({ autoOffsetReset: 'earliest', enableAutoCommit: false })
      c.assign([0, 1, 2].map((partition) => ({ topic, partition })))
      const got = await pollFor(c, 40)
      await c.close()
      const byTs = new Map(got.map((r) => [r.timestamp, r]))
      sent.forEach((s, i) => {
        const r = byTs.get(6000 + i)!
        expect([r.key?.toString() ?? null, r.value?.toString() ?? null], `record ${i}`).toEqual([s.key, s.value])
        if (s.key !== null && i !== 39) expect(r.partition).toBe(defaultPartition(Buffer.from(s.key), 3))
      })
      expect(byTs.get(6039)!.partition).toBe(2)
      expect(byTs.get(6005)!.headers.map((h) => [h.key, h.value!.toString()])).toEqual([['h', 'v']])
    })

    it('consumes with assign, seek, pause, resume, offsetsForTimes and end offsets', async () => {
      const topic = await createTopic('consume', 2)
      const base = 1_700_000_000_000
      const producer = client.producer()
      await producer.sendBatch(
        Array.from({ length: 20 }, (_, i) => ({ topic, partition: i % 2, value: `v${i}`, timestamp: base + Math.floor(i / 2) * 1000 })),
      )
      await producer.close()
      const p0 = { topic, partition: 0 }
      const p1 = { topic, partition: 1 }
      const consumer = client.consumer({ autoOffsetReset: 'latest' })
      consumer.assign([p0, p1])
      expect(sortTps(consumer.assignment())).toEqual(sortTps([p0, p1]))

      expect(await consumer.endOffsets([p0, p1])).toEqual([
        { ...p0, offset: 10 },
        { ...p1, offset: 10 },
      ])
      expect(await consumer.beginningOffsets([p0])).toEqual([{ ...p0, offset: 0 }])
      // auto.offset.reset=latest starts at the end.
      expect(await consumer.position(p0)).toBe(10)

      await consumer.seekToBeginning()
      const all = await pollFor(consumer, 20)
      expect(all.length).toBe(20)
      expect(await consumer.position(p0)).toBe(10)

      consumer.seek(p0, 3)
      const fromThree = await pollFor(consumer, 7)
      expect(fromThree.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 8, 9])

      await consumer.seekToBeginning([p0, p1])
      consumer.pause([p0])
      expect(consumer.paused()).toEqual([p0])
      const onlyP1 = await pollFor(consumer, 10)
      expect(onlyP1.length).toBe(10)
      expect(onlyP1.every((r) => r.partition === 1)).toBe(true)
      consumer.resume([p0])
      expect(consumer.paused()).toEqual([])
      const p0Records = await pollFor(consumer, 10)
      expect(p0Records.map((r) => `${r.partition}:${r.offset}`)).toEqual(Array.from({ length: 10 }, (_, i) => `0:${i}`))

      const times = await consumer.offsetsForTimes([
        { ...p0, timestamp: base + 2500 },
        { ...p1, timestamp: base + 1_000_000 },
      ])
      expect(times[0]).toEqual({ ...p0, offsetAndTimestamp: { offset: 3, timestamp: base + 3000 } })
      expect(times[1]).toEqual({ ...p1, offsetAndTimestamp: null })

      await consumer.seekToEnd([p1])
      expect(await consumer.position(p1)).toBe(10)
      expect(() => consumer.seek({ topic, partition: 9 }, 0)).toThrow(BrookError)
      await consumer.close()
    })

    it('records() delivers records as an Observable', async () => {
      const topic = await createTopic('rx', 1)
      const producer = client.producer()
      await producer.sendBatch(Array.from({ length: 5 }, (_, i) => ({ topic, value: `r${i}` })))
      await producer.close()
      const consumer = client.consumer({ autoOffsetReset: 'earliest' })
      consumer.assign([{ topic, partition: 0 }])
      const got = await firstValueFrom(consumer.records({ pollTimeoutMs: 200 }).pipe(take(5), toArray()))
      expect(got.map((r) => r.value!.toString())).toEqual(['r0', 'r1', 'r2', 'r3', 'r4'])
      await consumer.close()
    })

    it('commits offsets and reads them back', async () => {
      const topic = await createTopic('commit', 2)
      const groupId = unique('commit-group')
      const consumer = client.consumer({ groupId, enableAutoCommit: false })
      consumer.assign([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ])
      await consumer.commitSync([{ topic, partition: 0, offset: 5, metadata: 'five' }])
      const committed = await consumer.committed([
        { topic, partition: 0 },
        { topic, partition: 1 },
      ])
      expect(committed[0]).toMatchObject({ topic, partition: 0, offset: 5, metadata: 'five' })
      expect(committed[1]).toMatchObject({ topic, partition: 1, offset: null })
      const done = new Promise<Error | null>((resolve) => consumer.commitAsync([{ topic, partition: 1, offset: 2 }], resolve))
      expect(await done).toBeNull()
      expect((await consumer.committed([{ topic, partition: 1 }]))[0]!.offset).toBe(2)

      const admin = client.admin()
      const offsets = await admin.listGroupOffsets(groupId)
      expect(offsets.map((o) => [o.partition, o.committedOffset])).toEqual([
        [0, 5],
        [1, 2],
      ])
      await admin.close()
      await consumer.close()
    })

    it('a group of two splits the partitions and rebalances when one closes', async () => {
      const topic = await createTopic('group', 4)
      const groupId = unique('group')
      const config = { groupId, autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000 }
      const a = client.consumer({ ...config, clientId: 'a' })
      const b = client.consumer({ ...config, clientId: 'b' })
      a.subscribe([topic])
      b.subscribe([topic])
      await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2)
      expect(a.assignment().length).toBe(2)
      expect(b.assignment().length).toBe(2)
      expect(sortTps([...a.assignment(), ...b.assignment()])).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`).sort())
      expect(a.groupMetadata()?.groupId).toBe(groupId)

      const admin = client.admin()
      const [desc] = await admin.describeGroups([groupId])
      expect(desc!.state).toBe('Stable')
      expect(desc!.members.length).toBe(2)
      expect(sortTps(desc!.members.flatMap((m) => m.assignment))).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`).sort())
      expect((await admin.listGroups()).some((g) => g.groupId === groupId)).toBe(true)

      await b.close()
      await pollUntil([a], () => a.assignment().length === 4)
      expect(sortTps(a.assignment())).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`).sort())
      await a.close()
      await admin.deleteGroups([groupId])
      await admin.close()
    })

    it("an assignor of the application's carries its bytes through a rebalance: subscriptions to the leader, the leader's word to each member", { timeout: 60_000 }, async () => {
      const topic = await createTopic('assignor', 4)
      const groupId = unique('assignor')
      const heard = new Map<string, { partitions: string[]; userData: string | null; generation: number }>()
      // Each member tags its subscription; the leader tells every member the tags it saw, and whom it gave what.
      const tags = new Map([['a', 'a'], ['b', 'b']])
      const tagged = (tag: string): PartitionAssignor => {
        const range = new RangeAssignor()
        return {
          name: 'tagged',
          protocol: 'eager',
          subscriptionUserData: () => Buffer.from(tags.get(tag)!),
          assign: (counts, subs) => range.assign(counts, subs),
          assignmentUserData: (_member, partitions, subs) =>
            Buffer.from(JSON.stringify({ tags: [...subs.values()].map((s) => s.userData?.toString() ?? '?').sort(), partitions: partitions.length })),
          onAssignment: (a, generation) =>
            void heard.set(tag, { partitions: sortTps(a.partitions), userData: a.userData?.toString() ?? null, generation }),
        }
      }
      const config = { groupId, autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 500, sessionTimeoutMs: 10_000 }
      const a = client.consumer({ ...config, clientId: 'a', partitionAssignmentStrategy: [tagged('a'), 'range'] })
      const b = client.consumer({ ...config, clientId: 'b', partitionAssignmentStrategy: [tagged('b'), 'range'] })
      a.subscribe([topic])
      b.subscribe([topic])
      await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2 && heard.get('a')?.generation === heard.get('b')?.generation)
      for (const [tag, c] of [['a', a], ['b', b]] as const) {
        const h = heard.get(tag)
        expect(h, `member ${tag} heard its assignment`).toBeDefined()
        expect(h!.partitions).toEqual(sortTps(c.assignment()))
        expect(JSON.parse(h!.userData!)).toEqual({ tags: ['a', 'b'], partitions: 2 })
      }
      const admin = client.admin()
      const [desc] = await admin.describeGroups([groupId])
      expect(desc!.protocol).toBe('tagged')
      // enforceRebalance: a joins again and its new tag reaches the leader, which tells both members.
      tags.set('a', 'a2')
      a.enforceRebalance()
      const seesA2 = (tag: string): boolean => JSON.parse(heard.get(tag)?.userData ?? '{"tags":[]}').tags.includes('a2')
      await pollUntil([a, b], () => seesA2('a') && seesA2('b') && a.assignment().length === 2 && b.assignment().length === 2)
      expect(JSON.parse(heard.get('b')!.userData!)).toEqual({ tags: ['a2', 'b'], partitions: 2 })
      expect(heard.get('a')!.generation).toBeGreaterThan(desc!.generationId)
      // Only a subscribed consumer is in a group to rejoin.
      const assigned = client.consumer({ groupId: unique('assigned') })
      assigned.assign([{ topic, partition: 0 }])
      expect(() => assigned.enforceRebalance()).toThrow(BrookError)
      await assigned.close()
      await a.close()
      await b.close()
      await admin.deleteGroups([groupId])
      await admin.close()
    })

    it('a member that stops polling for max.poll.interval.ms leaves the group; its next poll reports its partitions lost and joins again', { timeout: 60_000 }, async () => {
      const topic = await createTopic('poll-interval', 4)
      const groupId = unique('poll-interval')
      // A session timeout far longer than the test: only the poll interval can take a's partitions away.
      const config = { groupId, autoOffsetReset: 'earliest' as const, heartbeatIntervalMs: 200, sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 3000 }
      const lost: string[][] = []
      const a = client.consumer({ ...config, clientId: 'a' })
      const b = client.consumer({ ...config, clientId: 'b' })
      a.subscribe([topic], { onPartitionsLost: (tps) => void lost.push(sortTps(tps)) })
      b.subscribe([topic])
      await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2)
      const hadA = sortTps(a.assignment())
      expect(hadA).toHaveLength(2)
      // a stops polling; b polls on and gets every partition once a has left.
      const stoppedAt = Date.now()
      await pollUntil([b], () => b.assignment().length === 4, 30_000)
      expect(b.assignment()).toHaveLength(4)
      // Not before the interval (a's last poll ended a moment before stoppedAt).
      expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2900)
      expect(lost).toEqual([])
      // a polls again: what it held is reported lost, and it joins again and gets a share.
      await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2)
      expect(lost).toEqual([hadA])
      expect(sortTps([...a.assignment(), ...b.assignment()])).toEqual([0, 1, 2, 3].map((p) => `${topic}-${p}`).sort())
      await a.close()
      await b.close()
    })

    it('a restarted consumer resumes from the committed offset', async () => {
      const topic = await createTopic('restart', 1)
      const groupId = unique('restart')
      const producer = client.producer()
      await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic, value: `m${i}` })))
      await producer.close()
      const config = { groupId, autoOffsetReset: 'earliest' as const, enableAutoCommit: false, maxPollRecords: 4, heartbeatIntervalMs: 500 }
      const first = client.consumer(config)
      first.subscribe([topic])
      const firstBatch = await pollFor(first, 1)
      expect(firstBatch[0]!.offset).toBe(0)
      await first.commitSync()
      const committedAt = firstBatch.length
      await first.close()

      const second = client.consumer(config)
      second.subscribe([topic])
      const rest = await pollFor(second, 10 - committedAt)
      expect(rest[0]!.offset).toBe(committedAt)
      expect(rest.map((r) => r.value!.toString())).toEqual(Array.from({ length: 10 - committedAt }, (_, i) => `m${i + committedAt}`))
      await second.close()
    })

    // Consumer.wakeup (Kafka's KafkaConsumer.wakeup). The polls are far longer than the test's
    // timeout: they can only end in time by the wakeup.
    const LONG_POLL_MS = 120_000

    it('wakeup ends a waiting poll with WAKEUP; the next poll waits again and gets what comes', { timeout: 30_000 }, async () => {
      const topic = await createTopic('wakeup-wait', 2)
      // fetch.max.wait.ms well inside the test's timeout, and far below the poll's.
      const consumer = client.consumer({ enableAutoCommit: false, fetchMaxWaitMs: 1000 })
      try {
        const tps = [0, 1].map((partition) => ({ topic, partition }))
        consumer.assign(tps)
        await consumer.seekToBeginning(tps)
        const waiting = consumer.pollInto(LONG_POLL_MS, () => expect.unreachable('the topic is empty'))
        setImmediate(() => consumer.wakeup())
        await expectCode(waiting, 'WAKEUP')
        // The fetch the woken poll left on the broker (a Kafka broker answers a connection in order)
        // holds the consumer's connection no longer than fetch.max.wait.ms: it answers at once.
        expect(await consumer.endOffsets(tps)).toEqual(tps.map((tp) => ({ ...tp, offset: 0 })))
        // Answered once: the next poll waits again, and gets what is produced meanwhile.
        const next = consumer.poll(LONG_POLL_MS)
        const producer = client.producer()
        await producer.send({ topic, partition: 1, value: 'after' })
        await producer.close()
        expect((await next).map((r) => r.value!.toString())).toEqual(['after'])
      } finally {
        await consumer.close()
      }
    })

    it('wakeup with no poll waiting ends the next poll; every record still comes exactly once', { timeout: 30_000 }, async () => {
      const topic = await createTopic('wakeup-next', 2)
      const values = Array.from({ length: 50 }, (_, i) => `v${i}`)
      const producer = client.producer()
      await producer.sendBatch(values.map((value, i) => ({ topic, partition: i % 2, value })))
      await producer.close()
      const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 10 })
      try {
        const tps = [0, 1].map((partition) => ({ topic, partition }))
        consumer.assign(tps)
        await consumer.seekToBeginning(tps)
        const first = (await pollFor(consumer, 1)).map((r) => r.value!.toString())
        expect(first.length).toBeGreaterThan(0)
        consumer.wakeup()
        await expectCode(consumer.poll(LONG_POLL_MS), 'WAKEUP')
        const rest = (await pollFor(consumer, values.length - first.length)).map((r) => r.value!.toString())
        expect([...first, ...rest].sort()).toEqual([...values].sort())
      } finally {
        await consumer.close()
      }
    })

    it('wakeup ends a poll waiting for its group join; the member joins on the next polls', { timeout: 60_000 }, async () => {
      const topic = await createTopic('wakeup-join', 1)
      const consumer = client.consumer({ groupId: unique('wakeup'), enableAutoCommit: false, autoOffsetReset: 'earliest' })
      try {
        consumer.subscribe([topic])
        const waiting = consumer.poll(LONG_POLL_MS)
        setImmediate(() => consumer.wakeup())
        await expectCode(waiting, 'WAKEUP')
        const producer = client.producer()
        await producer.send({ topic, value: 'x' })
        await producer.close()
        expect((await pollFor(consumer, 1)).map((r) => r.value!.toString())).toEqual(['x'])
      } finally {
        await consumer.close()
      }
    })

    it('consumer configs are checked when the consumer is made, the error naming the key', () => {
      const bad: Array<[Parameters<BrookClient['consumer']>[0], string]> = [
        [{ maxPollRecords: 0 }, 'max.poll.records'],
        [{ fetchMaxWaitMs: -1 }, 'fetch.max.wait.ms'],
        [{ fetchMaxWaitMs: 1.5 }, 'fetch.max.wait.ms'],
        [{ autoOffsetReset: 'sometimes' as never }, 'auto.offset.reset'],
        [{ isolationLevel: 'serializable' as never }, 'isolation.level'],
        [{ partitionAssignmentStrategy: [] }, 'partition.assignment.strategy'],
        [{ partitionAssignmentStrategy: ['sticky' as never] }, 'partition.assignment.strategy'],
        [{ partitionAssignmentStrategy: [{ name: 'custom' } as never] }, 'partition.assignment.strategy'],
        [{ partitionAssignmentStrategy: ['range', new RangeAssignor()] }, 'partition.assignment.strategy'],
      ]
      for (const [config, key] of bad) {
        let err: unknown = null
        try {
          client.consumer(config)
        } catch (e) {
          err = e
        }
        expect(err, key).toBeInstanceOf(BrookError)
        expect((err as BrookError).code).toBe('INVALID_CONFIG')
        expect((err as BrookError).field).toBe(key)
        expect((err as BrookError).message).toContain(key)
      }
    })

    it('producers are idempotent by default, which needs acks=all', async () => {
      expect(() => client.producer({ acks: 1 })).toThrow(BrookError)
      const topic = await createTopic('idem', 1)
      const producer = client.producer()
      const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic, value: `i${i}` })))
      expect(sent.map((m) => m.offset).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i))
      await producer.close()
      const plain = client.producer({ acks: 1, enableIdempotence: false })
      expect((await plain.send({ topic, value: 'plain' })).offset).toBe(30)
      await plain.close()
    })
  })
}
