import { describe, expect, it } from 'vitest'
import { firstValueFrom, take, toArray } from 'rxjs'
import { EmbeddedClient } from '../../../../core/client/embedded/client.js'
import type { BrookClient, Consumer, ConsumerRecord } from '../../../../core/client/types.js'
import { tmpDir } from '../../../helpers/tmp.js'
import { waitFor } from '../../../helpers/wait.js'

async function fill(client: BrookClient, topic: string, partitions: number, perPartition: number, ts = (i: number) => 1_000_000 + i): Promise<void> {
  await client.admin().createTopics([{ topic, numPartitions: partitions }])
  const producer = client.producer()
  const sends = []
  for (let p = 0; p < partitions; p++) {
    for (let i = 0; i < perPartition; i++) sends.push(producer.send({ topic, partition: p, key: `k${i}`, value: `p${p}-${i}`, timestamp: ts(i) }))
  }
  await Promise.all(sends)
  await producer.close()
}

async function pollN(consumer: Consumer, n: number, timeoutMs = 10_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < n && Date.now() < deadline) out.push(...(await consumer.poll(100)))
  return out
}

describe('EmbeddedConsumer (assign)', () => {
  it('polls, seeks, pauses and resumes', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await fill(client, 't', 2, 10)
    const c = client.consumer({ maxPollRecords: 7 })
    c.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])
    await c.seekToBeginning()
    const first = await c.poll(1000)
    expect(first.length).toBe(7)
    const all = [...first, ...(await pollN(c, 13))]
    expect(all.length).toBe(20)
    for (const p of [0, 1]) {
      expect(all.filter((r) => r.partition === p).map((r) => r.value!.toString())).toEqual(Array.from({ length: 10 }, (_, i) => `p${p}-${i}`))
    }
    expect(await c.position({ topic: 't', partition: 0 })).toBe(10)
    c.seek({ topic: 't', partition: 1 }, 8)
    c.pause([{ topic: 't', partition: 0 }])
    await c.seekToBeginning([{ topic: 't', partition: 0 }])
    const after = await pollN(c, 2)
    expect(after.map((r) => `${r.partition}@${r.offset}`)).toEqual(['1@8', '1@9'])
    expect(c.paused()).toEqual([{ topic: 't', partition: 0 }])
    c.resume([{ topic: 't', partition: 0 }])
    expect((await pollN(c, 10)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    await client.close()
  })

  it('defaults to latest without a committed offset, and finds offsets by time', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await fill(client, 't', 1, 10, (i) => 5000 + i * 100)
    const c = client.consumer()
    c.assign([{ topic: 't', partition: 0 }])
    expect(await c.poll(50)).toEqual([])
    expect(await c.position({ topic: 't', partition: 0 })).toBe(10)
    const [r] = await c.offsetsForTimes([{ topic: 't', partition: 0, timestamp: 5250 }])
    expect(r!.offsetAndTimestamp).toEqual({ offset: 3, timestamp: 5300 })
    expect((await c.offsetsForTimes([{ topic: 't', partition: 0, timestamp: 99999 }]))[0]!.offsetAndTimestamp).toBeNull()
    expect(await c.beginningOffsets([{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, offset: 0 }])
    expect(await c.endOffsets([{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, offset: 10 }])
    await client.close()
  })

  it('commits and resumes from committed offsets after a restart', async () => {
    const dataDir = tmpDir()
    let client = await EmbeddedClient.open({ dataDir })
    await fill(client, 't', 1, 10)
    let c = client.consumer({ groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: false })
    c.assign([{ topic: 't', partition: 0 }])
    const got = await pollN(c, 4)
    await c.commitSync([{ topic: 't', partition: 0, offset: 4, metadata: 'm' }])
    expect(got.length).toBeGreaterThanOrEqual(4)
    expect(await c.committed([{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, offset: 4, metadata: 'm' }])
    await new Promise<void>((resolve, reject) => c.commitAsync([{ topic: 't', partition: 0, offset: 5 }], (e) => (e ? reject(e) : resolve())))
    await client.close()

    client = await EmbeddedClient.open({ dataDir })
    c = client.consumer({ groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: false })
    c.assign([{ topic: 't', partition: 0 }])
    expect((await pollN(c, 5)).map((r) => r.offset)).toEqual([5, 6, 7, 8, 9])
    const lag = await client.admin().listGroupOffsets('g')
    expect(lag).toEqual([{ topic: 't', partition: 0, committedOffset: 5, logEndOffset: 10, lag: 5 }])
    await client.close()
  })

  it('streams records as an Observable', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await fill(client, 't', 1, 25)
    const c = client.consumer({ maxPollRecords: 10, autoOffsetReset: 'earliest' })
    c.assign([{ topic: 't', partition: 0 }])
    const values = await firstValueFrom(c.records({ pollTimeoutMs: 100 }).pipe(take(25), toArray()))
    expect(values.map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i))
    await client.close()
  })
})

describe('EmbeddedConsumer.records() backpressure', () => {
  it('emits no more records than were requested through demand', async () => {
    const { Subject } = await import('rxjs')
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await fill(client, 't', 1, 50)
    const c = client.consumer({ autoOffsetReset: 'earliest', maxPollRecords: 50 })
    c.assign([{ topic: 't', partition: 0 }])
    const demand = new Subject<number>()
    const got: number[] = []
    const sub = c.records({ pollTimeoutMs: 50, demand }).subscribe((r) => got.push(r.offset))
    await new Promise((r) => setTimeout(r, 150))
    expect(got).toEqual([])
    demand.next(5)
    await waitFor('five records', () => got.length >= 5)
    expect(got).toEqual([0, 1, 2, 3, 4])
    demand.next(3)
    await waitFor('three more records', () => got.length >= 8)
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7])
    sub.unsubscribe()
    await client.close()
  })
})

describe('EmbeddedConsumer and the event loop', () => {
  it('a poll loop over a backlog lets timers run while it works, not only once the backlog is gone', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 'backlog', numPartitions: 1 }])
    const producer = client.producer({ lingerMs: 5 })
    await producer.sendBatch(Array.from({ length: 3000 }, (_, i) => ({ topic: 'backlog', partition: 0, key: null, value: `v${i}` })))
    await producer.close()
    const c = client.consumer({ maxPollRecords: 10 })
    c.assign([{ topic: 'backlog', partition: 0 }])
    await c.seekToBeginning()
    let seen = 0
    let seenWhenTimerFired = -1
    const timer = setTimeout(() => (seenWhenTimerFired = seen), 0)
    while (seen < 3000) {
      const records = await c.poll(1000)
      seen += records.length
      // some work per poll, as a processing loop does (1 ms)
      const until = performance.now() + 1
      while (performance.now() < until);
    }
    clearTimeout(timer)
    // Every poll found records buffered or read them from the log at once: without a turn of the
    // event loop now and then, the timer could fire only after the last poll.
    expect(seenWhenTimerFired).toBeGreaterThanOrEqual(0)
    expect(seenWhenTimerFired).toBeLessThan(3000)
    await c.close()
    await client.close()
  })
})
