import { afterEach, describe, expect, it } from 'vitest'
import { BrookError } from '../../../../core/errors.js'
import type { BrookClient, ConsumerRecord } from '../../../../core/client/types.js'
import { ApiKeys } from '../../../../core/protocol/apis/index.js'
import { intercept, startBrook, type Handler, type Harness } from './brook-server.js'

let harness: Harness | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

/** Wraps the Produce handler; `onCall(n)` decides what the n-th call (from 1) does. */
function wrapProduce(onCall: (n: number, run: () => Promise<unknown>) => Promise<unknown>): (h: Handler) => Handler {
  let calls = 0
  return (h) => {
    if (h.apiKey !== ApiKeys.Produce) return h
    return intercept(h, (_req, next) => onCall(++calls, next))
  }
}

/** Every partition of a Produce answer failed with `code`. */
function failAll(res: unknown, code: number): unknown {
  const r = res as { responses: Array<{ partitionResponses: Array<{ errorCode: number; baseOffset: number }> }> }
  for (const t of r.responses) for (const p of t.partitionResponses) Object.assign(p, { errorCode: code, baseOffset: -1 })
  return r
}

async function readAll(client: BrookClient, topic: string, expected: number): Promise<ConsumerRecord[]> {
  const consumer = client.consumer({ autoOffsetReset: 'earliest' })
  consumer.assign([{ topic, partition: 0 }])
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    const got = await consumer.poll(100)
    out.push(...got)
    if (out.length >= expected && got.length === 0) break
  }
  await consumer.close()
  return out
}

const tenRecords = (topic: string) => Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, value: `v${i}` }))

describe('KafkaProducer', () => {
  it('resends a batch whose answer was lost; the broker keeps it once (same sequence)', async () => {
    harness = await startBrook({
      wrap: wrapProduce(async (n, run) => {
        const res = await run()
        return n === 1 ? failAll(res, 7) : res // REQUEST_TIMED_OUT after the append
      }),
    })
    const producer = harness.client.producer()
    const sent = await producer.sendBatch(tenRecords('lost-ack'))
    expect(sent.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    await producer.close()
    const records = await readAll(harness.client, 'lost-ack', 10)
    expect(records.map((r) => r.value!.toString())).toEqual(tenRecords('x').map((r) => r.value))
  })

  it('reconnects and resends when the connection drops after the append', async () => {
    harness = await startBrook({
      wrap: wrapProduce(async (n, run) => {
        const res = await run()
        if (n === 1) throw new Error('injected: connection dies') // the server closes the connection
        return res
      }),
    })
    const producer = harness.client.producer()
    const sent = await producer.sendBatch(tenRecords('dropped'))
    expect(sent.map((m) => m.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    await producer.close()
    expect((await readAll(harness.client, 'dropped', 10)).length).toBe(10)
  })

  it('retries NOT_LEADER_OR_FOLLOWER after looking up the leader again', async () => {
    let metadataCalls = 0
    const produce = wrapProduce(async (n, run) => (n === 1 ? failAll(await fakeNotLeader(), 6) : run()))
    async function fakeNotLeader(): Promise<unknown> {
      return { responses: [{ name: 'moved', partitionResponses: [{ index: 0, errorCode: 6, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage: null, currentLeader: { leaderId: -1, leaderEpoch: -1 } }] }], throttleTimeMs: 0, nodeEndpoints: [] }
    }
    harness = await startBrook({
      wrap: (h) => {
        if (h.apiKey === ApiKeys.Metadata) {
          return intercept(h, (_req, next) => (metadataCalls++, next()))
        }
        return produce(h)
      },
    })
    await harness.client.admin().createTopics([{ topic: 'moved', numPartitions: 1 }])
    const producer = harness.client.producer()
    const before = metadataCalls
    const m = await producer.send({ topic: 'moved', value: 'x' })
    expect(m.offset).toBe(0)
    expect(metadataCalls).toBeGreaterThan(before + 1)
    await producer.close()
  })

  it('fails the batch on OUT_OF_ORDER_SEQUENCE_NUMBER, then carries on with a new producer id', async () => {
    let initCalls = 0
    const produce = wrapProduce(async (n, run) => (n === 1 ? failAll(await run(), 45) : run()))
    harness = await startBrook({
      wrap: (h) => {
        if (h.apiKey === ApiKeys.InitProducerId) {
          return intercept(h, (_req, next) => (initCalls++, next()))
        }
        return produce(h)
      },
    })
    const producer = harness.client.producer()
    const err = await producer.send({ topic: 'seq', value: 'a' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrookError)
    expect((err as BrookError).code).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER')
    expect((err as BrookError).retriable).toBe(false)
    expect((err as BrookError).message).toContain('seq-0')
    const next = await producer.send({ topic: 'seq', value: 'b' })
    expect(next.offset).toBe(1)
    expect(initCalls).toBe(2)
    await producer.close()
  })

  it('reports a record the broker refuses as a typed error naming the partition', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'big', numPartitions: 1, configs: { 'max.message.bytes': '1024' } }])
    const producer = harness.client.producer()
    const err = await producer.send({ topic: 'big', value: Buffer.alloc(4096, 1) }).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('RECORD_TOO_LARGE')
    expect((err as BrookError).message).toContain('big-0')
    await producer.close()
  })

  it('sends acks=0 without waiting, offset -1, and the records still land', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'fire', numPartitions: 1 }])
    const producer = harness.client.producer({ acks: 0, enableIdempotence: false })
    const sent = await producer.sendBatch(tenRecords('fire'))
    expect(sent.every((m) => m.offset === -1)).toBe(true)
    await producer.close()
    expect((await readAll(harness.client, 'fire', 10)).length).toBe(10)
  })

  it('creates unknown topics through Metadata, unless auto-creation is off', async () => {
    harness = await startBrook({ broker: { numPartitions: 3 } })
    const producer = harness.client.producer()
    await producer.send({ topic: 'auto-made', key: 'k', value: 'v' })
    await producer.close()
    const [desc] = await harness.client.admin().describeTopics(['auto-made'])
    expect(desc!.partitions.length).toBe(3)

    const strict = await (await import('../../../../core/client/kafka/client.js')).KafkaClient.connect({
      bootstrapServers: harness.bootstrap,
      allowAutoTopicCreation: false,
    })
    const p2 = strict.producer()
    const err = await p2.send({ topic: 'never-made', value: 'v' }).catch((e: unknown) => e)
    expect((err as BrookError).code).toBe('UNKNOWN_TOPIC_OR_PARTITION')
    expect(await harness.client.admin().listTopics()).not.toContain('never-made')
    await strict.close()
  })

  it('batches many concurrent sends across partitions and keeps per-partition order', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'many', numPartitions: 4 }])
    const producer = harness.client.producer({ batchSize: 2048, lingerMs: 2 })
    const sent = await Promise.all(Array.from({ length: 2000 }, (_, i) => producer.send({ topic: 'many', key: `k${i % 37}`, value: `v${i}` })))
    for (let p = 0; p < 4; p++) {
      const offsets = sent.filter((m) => m.partition === p).map((m) => m.offset)
      expect(offsets).toEqual(offsets.map((_, i) => i))
    }
    await producer.close()
  })
})
