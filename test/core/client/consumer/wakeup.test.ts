// Consumer.wakeup() (Kafka's KafkaConsumer.wakeup): a poll waiting for records, or for its group
// join, ends at once with a WAKEUP error; with no poll waiting, the next poll ends so. Nothing
// fetched is lost: the records come with the polls after. Checked on both clients: the embedded
// one and the wire client against Brook's server.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../../core/client/embedded/client.js'
import type { BrookClient, Consumer } from '../../../../core/client/types.js'
import { BrookError } from '../../../../core/errors.js'
import { startBrook, type Harness } from '../kafka/brook-server.js'
import { tmpDir } from '../../../helpers/tmp.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0)) await c()
})

const clients: Array<[string, () => Promise<BrookClient>]> = [
  [
    'embedded',
    async () => {
      const c = await EmbeddedClient.open({ dataDir: tmpDir() })
      closers.push(() => c.close())
      return c
    },
  ],
  [
    'wire',
    async () => {
      const h: Harness = await startBrook()
      closers.push(() => h.close())
      return h.client
    },
  ],
]

/** A poll far longer than the test's own timeout: it can only end early by the wakeup. */
const LONG_POLL_MS = 120_000

async function expectWakeup(p: Promise<unknown>): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(BrookError)
  expect((err as BrookError).code).toBe('WAKEUP')
}

/** Values of every record the consumer still has to give, polled until `count` came. */
async function drainValues(consumer: Consumer, count: number): Promise<string[]> {
  const out: string[] = []
  for (let tries = 0; out.length < count && tries < 100; tries++) {
    for (const r of await consumer.poll(200)) out.push(r.value!.toString())
  }
  return out
}

describe.each(clients)('Consumer.wakeup (%s client)', (_name, open) => {
  it('ends a waiting poll with WAKEUP, then polls on as before and loses nothing', { timeout: 20_000 }, async () => {
    const client = await open()
    const admin = client.admin()
    await admin.createTopics([{ topic: 'quiet', numPartitions: 2 }])
    await admin.close()
    const consumer = client.consumer({ enableAutoCommit: false })
    closers.unshift(() => consumer.close())
    const tps = [0, 1].map((partition) => ({ topic: 'quiet', partition }))
    consumer.assign(tps)
    await consumer.seekToBeginning(tps)

    // pollInto waits on an empty topic; the wakeup ends that wait (the poll alone would outlast the test).
    const waiting = consumer.pollInto(LONG_POLL_MS, () => expect.unreachable('the topic is empty'))
    setImmediate(() => consumer.wakeup())
    await expectWakeup(waiting)

    // The wakeup was answered once: the next poll waits again, and gets what is produced meanwhile.
    const next = consumer.poll(LONG_POLL_MS)
    const producer = client.producer({ lingerMs: 0 })
    await producer.send({ topic: 'quiet', partition: 1, key: null, value: 'after' })
    expect((await next).map((r) => r.value!.toString())).toEqual(['after'])
    await producer.close()
  })

  it('a wakeup with no poll waiting ends the next poll, and the records are there for the one after', { timeout: 20_000 }, async () => {
    const client = await open()
    const admin = client.admin()
    await admin.createTopics([{ topic: 'full', numPartitions: 2 }])
    await admin.close()
    const producer = client.producer({ lingerMs: 0 })
    const values = Array.from({ length: 50 }, (_, i) => `v${i}`)
    await producer.sendBatch(values.map((value, i) => ({ topic: 'full', partition: i % 2, key: null, value })))
    await producer.close()

    const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 10 })
    closers.unshift(() => consumer.close())
    const tps = [0, 1].map((partition) => ({ topic: 'full', partition }))
    consumer.assign(tps)
    await consumer.seekToBeginning(tps)
    const first = (await consumer.poll(5_000)).map((r) => r.value!.toString())
    expect(first.length).toBeGreaterThan(0)

    consumer.wakeup()
    await expectWakeup(consumer.poll(LONG_POLL_MS))
    const rest = await drainValues(consumer, values.length - first.length)
    // Every record exactly once across the polls before and after the wakeup.
    expect([...first, ...rest].sort()).toEqual([...values].sort())
  })

  it('ends a poll waiting for its group join', { timeout: 20_000 }, async () => {
    const client = await open()
    const admin = client.admin()
    await admin.createTopics([{ topic: 'joined', numPartitions: 1 }])
    await admin.close()
    const consumer = client.consumer({ groupId: 'wakeup-group', enableAutoCommit: false, autoOffsetReset: 'earliest' })
    closers.unshift(() => consumer.close())
    consumer.subscribe(['joined'])
    const waiting = consumer.poll(LONG_POLL_MS)
    setImmediate(() => consumer.wakeup())
    await expectWakeup(waiting)
    // The membership goes on: a later poll joins and reads what is produced.
    const producer = client.producer({ lingerMs: 0 })
    await producer.send({ topic: 'joined', partition: 0, key: null, value: 'x' })
    await producer.close()
    const got: string[] = []
    for (let tries = 0; got.length === 0 && tries < 50; tries++) for (const r of await consumer.poll(200)) got.push(r.value!.toString())
    expect(got).toEqual(['x'])
  })
})
