import { afterEach, describe, expect, it } from 'vitest'
import type { BrookError } from '../../../../core/errors.js'
import { decodeInto } from '../../../../core/client/kafka/consumer.js'
import type { Consumer, ConsumerRecord } from '../../../../core/client/types.js'
import { encodeRecordBatch } from '../../../../core/protocol/records/record-batch.js'
import { ApiKeys } from '../../../../core/protocol/apis/index.js'
import { intercept, startBrook, type Harness } from './brook-server.js'

let harness: Harness | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

const rec = (i: number) => ({ key: null, value: Buffer.from(`v${i}`), timestamp: 1000 + i })

async function pollFor(consumer: Consumer, count: number, timeoutMs = 10_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll(100)))
  return out
}

describe('decodeInto', () => {
  it('decodes complete batches and leaves a cut-off trailing batch for the next fetch', () => {
    const a = encodeRecordBatch([rec(0), rec(1), rec(2)], { baseOffset: 0 })
    const b = encodeRecordBatch([rec(3), rec(4)], { baseOffset: 3 })
    for (let cut = 1; cut < b.length; cut += 7) {
      const fetched = Buffer.concat([a, b.subarray(0, cut)])
      const { out, next } = decodeInto('t', 0, fetched, 0)
      expect(out.map((r) => r.offset)).toEqual([0, 1, 2])
      expect(next).toBe(3)
    }
    const whole = decodeInto('t', 0, Buffer.concat([a, b]), 1)
    expect(whole.out.map((r) => r.value!.toString())).toEqual(['v1', 'v2', 'v3', 'v4'])
    expect(whole.next).toBe(5)
  })

  it('skips control batches but moves past them', () => {
    const data = encodeRecordBatch([rec(0)], { baseOffset: 0 })
    const marker = encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]), timestamp: 5 }], {
      baseOffset: 1,
      isControl: true,
      transactional: true,
      producerId: 7,
      producerEpoch: 0,
    })
    const { out, next } = decodeInto('t', 0, Buffer.concat([data, marker]), 0)
    expect(out.map((r) => r.offset)).toEqual([0])
    expect(next).toBe(2)
    const onlyMarker = decodeInto('t', 0, marker, 1)
    expect(onlyMarker.out).toEqual([])
    expect(onlyMarker.next).toBe(2)
  })
})

describe('KafkaConsumer', () => {
  it('reads everything in order when each fetch returns only part of a partition', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'small', numPartitions: 1 }])
    const producer = harness.client.producer({ batchSize: 300, lingerMs: 0 })
    for (let i = 0; i < 100; i += 10) {
      await producer.sendBatch(Array.from({ length: 10 }, (_, j) => ({ topic: 'small', value: `value-${i + j}-${'y'.repeat(20)}` })))
    }
    await producer.close()
    const consumer = harness.client.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 400 })
    consumer.assign([{ topic: 'small', partition: 0 }])
    const got = await pollFor(consumer, 100)
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    await consumer.close()
  })

  it('asks for more bytes when a broker cuts even the first batch (as brokers before KIP-74 did)', async () => {
    harness = await startBrook({
      wrap: (h) =>
        h.apiKey === ApiKeys.Fetch
          ? intercept(h, async (req, next) => {
              const request = req as { topics: Array<{ partitions: Array<{ partitionMaxBytes: number }> }> }
              const limit = request.topics[0]?.partitions[0]?.partitionMaxBytes ?? Infinity
              const res = (await next()) as { responses: Array<{ partitions: Array<{ records: Buffer | null }> }> }
              for (const t of res.responses) for (const p of t.partitions) if (p.records && p.records.length > limit) p.records = p.records.subarray(0, limit)
              return res
            })
          : h,
    })
    await harness.client.admin().createTopics([{ topic: 'cut', numPartitions: 1 }])
    const producer = harness.client.producer({ lingerMs: 0 })
    for (let i = 0; i < 5; i++) await producer.sendBatch(Array.from({ length: 20 }, (_, j) => ({ topic: 'cut', value: `value-${i * 20 + j}` })))
    await producer.close()
    const consumer = harness.client.consumer({ autoOffsetReset: 'earliest', maxPartitionFetchBytes: 64 })
    consumer.assign([{ topic: 'cut', partition: 0 }])
    const got = await pollFor(consumer, 100)
    expect(got.map((r) => r.value!.toString())).toEqual(Array.from({ length: 100 }, (_, i) => `value-${i}`))
    await consumer.close()
  })

  it('resets an out-of-range position with auto.offset.reset, or fails with none', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'trim', numPartitions: 1 }])
    const producer = harness.client.producer()
    await producer.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic: 'trim', value: `m${i}` })))
    await producer.close()
    const admin = harness.client.admin()
    expect(await admin.deleteRecords([{ topic: 'trim', partition: 0, offset: 6 }])).toEqual([{ topic: 'trim', partition: 0, lowWatermark: 6 }])

    const earliest = harness.client.consumer({ autoOffsetReset: 'earliest' })
    earliest.assign([{ topic: 'trim', partition: 0 }])
    earliest.seek({ topic: 'trim', partition: 0 }, 2)
    const got = await pollFor(earliest, 4)
    expect(got.map((r) => r.offset)).toEqual([6, 7, 8, 9])
    await earliest.close()

    const none = harness.client.consumer({ autoOffsetReset: 'none' })
    none.assign([{ topic: 'trim', partition: 0 }])
    none.seek({ topic: 'trim', partition: 0 }, 1)
    const err = await none.poll(500).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('OFFSET_OUT_OF_RANGE')
    await none.close()
  })

  it('subscribes to the topics a RegExp matches', async () => {
    harness = await startBrook()
    const admin = harness.client.admin()
    await admin.createTopics([
      { topic: 'pre-a', numPartitions: 2 },
      { topic: 'pre-b', numPartitions: 1 },
      { topic: 'other', numPartitions: 1 },
    ])
    const consumer = harness.client.consumer({ groupId: 'rx', heartbeatIntervalMs: 200 })
    consumer.subscribe(/^pre-/)
    const deadline = Date.now() + 10_000
    while (consumer.assignment().length < 3 && Date.now() < deadline) await consumer.poll(100)
    expect(consumer.assignment().map((tp) => `${tp.topic}-${tp.partition}`).sort()).toEqual(['pre-a-0', 'pre-a-1', 'pre-b-0'])
    await consumer.close()
  })

  it('commits its position on close with auto commit, and a new member starts there', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'auto', numPartitions: 1 }])
    const producer = harness.client.producer()
    await producer.sendBatch(Array.from({ length: 6 }, (_, i) => ({ topic: 'auto', value: `a${i}` })))
    const first = harness.client.consumer({ groupId: 'ac', autoOffsetReset: 'earliest', heartbeatIntervalMs: 200 })
    first.subscribe(['auto'])
    expect((await pollFor(first, 6)).length).toBe(6)
    await first.close()
    const offsets = await harness.client.admin().listGroupOffsets('ac')
    expect(offsets).toEqual([{ topic: 'auto', partition: 0, committedOffset: 6, logEndOffset: 6, lag: 0 }])

    await producer.send({ topic: 'auto', value: 'late' })
    await producer.close()
    const second = harness.client.consumer({ groupId: 'ac', autoOffsetReset: 'earliest', heartbeatIntervalMs: 200 })
    second.subscribe(['auto'])
    const rest = await pollFor(second, 1)
    expect(rest.map((r) => [r.offset, r.value!.toString()])).toEqual([[6, 'late']])
    await second.close()
  })

  it('finds the coordinator again when it answers NOT_COORDINATOR', async () => {
    let findCalls = 0
    let commits = 0
    harness = await startBrook({
      wrap: (h) => {
        if (h.apiKey === ApiKeys.FindCoordinator) return intercept(h, (_req, next) => (findCalls++, next()))
        if (h.apiKey !== ApiKeys.OffsetCommit) return h
        return intercept(h, async (_req, next) => {
          const res = (await next()) as { topics: Array<{ partitions: Array<{ errorCode: number }> }> }
          if (++commits === 1) for (const t of res.topics) for (const p of t.partitions) p.errorCode = 16
          return res
        })
      },
    })
    await harness.client.admin().createTopics([{ topic: 'nc', numPartitions: 1 }])
    const consumer = harness.client.consumer({ groupId: 'nc-group' })
    consumer.assign([{ topic: 'nc', partition: 0 }])
    await consumer.commitSync([{ topic: 'nc', partition: 0, offset: 3 }])
    expect(commits).toBe(2)
    expect(findCalls).toBe(2)
    expect((await consumer.committed([{ topic: 'nc', partition: 0 }]))[0]!.offset).toBe(3)
    await consumer.close()
  })

  it('keeps fetching through a lost connection', async () => {
    let fetches = 0
    harness = await startBrook({
      wrap: (h) =>
        h.apiKey === ApiKeys.Fetch
          ? intercept(h, async (_req, next) => {
              if (++fetches === 2) throw new Error('injected: connection dies')
              return next()
            })
          : h,
    })
    await harness.client.admin().createTopics([{ topic: 'flaky', numPartitions: 1 }])
    const producer = harness.client.producer()
    const consumer = harness.client.consumer({ autoOffsetReset: 'earliest' })
    consumer.assign([{ topic: 'flaky', partition: 0 }])
    await producer.send({ topic: 'flaky', value: 'one' })
    expect((await pollFor(consumer, 1)).length).toBe(1)
    await producer.send({ topic: 'flaky', value: 'two' })
    const got = await pollFor(consumer, 1)
    expect(got.map((r) => r.value!.toString())).toEqual(['two'])
    expect(fetches).toBeGreaterThan(2)
    await producer.close()
    await consumer.close()
  })
})
