// pollInto hands the records poll() would give as views over the fetched bytes: the same
// records (offsets, keys, values, nulls, headers, timestamps), and positions that move the same
// way. Checked on both clients: the embedded one and the wire client against Brook's server.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../../core/client/embedded/client.js'
import type { BrookClient, Consumer, ConsumerRecord, ProducerRecord } from '../../../../core/client/types.js'
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

/** Records with every shape a view has to carry: null and empty keys and values, headers, non-ASCII text. */
function records(topic: string): ProducerRecord[] {
  const out: ProducerRecord[] = []
  for (let i = 0; i < 300; i++) {
    out.push({
      topic,
      partition: i % 3,
      key: i % 7 === 0 ? null : i % 11 === 0 ? Buffer.alloc(0) : `k-${i}`,
      value: i % 5 === 0 ? null : `välue ${i} ${'x'.repeat(i % 40)}`,
      timestamp: 1_700_000_000_000 + i,
      ...(i % 4 === 0 ? { headers: [{ key: `h${i}`, value: Buffer.from([i & 0xff]) }, { key: 'none', value: null }] } : {}),
    })
  }
  return out
}

/** A view read into plain fields (it is only valid during the visit). */
function fromView(consumer: Consumer, timeoutMs: number, out: Array<ConsumerRecord & { viaRecord: ConsumerRecord }>): Promise<number> {
  return consumer.pollInto(timeoutMs, (v) => {
    out.push({
      topic: v.topic,
      partition: v.partition,
      offset: v.offset,
      timestamp: v.timestamp,
      timestampType: v.timestampType,
      key: v.keyStart < 0 ? null : Buffer.from(v.bytes.subarray(v.keyStart, v.keyEnd)),
      value: v.valueStart < 0 ? null : Buffer.from(v.bytes.subarray(v.valueStart, v.valueEnd)),
      headers: v.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
      viaRecord: v.toRecord(),
    })
  })
}

describe.each(clients)('Consumer.pollInto (%s client)', (_name, open) => {
  it('hands the records poll() gives, in place, and moves positions as poll() does', async () => {
    const client = await open()
    const admin = client.admin()
    await admin.createTopics([{ topic: 'views', numPartitions: 3 }])
    await admin.close()
    const producer = client.producer({ lingerMs: 1 })
    await producer.sendBatch(records('views'))
    await producer.close()
    const tps = [0, 1, 2].map((partition) => ({ topic: 'views', partition }))

    const plain = client.consumer({ enableAutoCommit: false, maxPollRecords: 37 })
    plain.assign(tps)
    await plain.seekToBeginning(tps)
    const expected: ConsumerRecord[] = []
    for (let tries = 0; expected.length < 300 && tries < 200; tries++) expected.push(...(await plain.poll(100)))
    await plain.close()
    expect(expected).toHaveLength(300)

    const viewing = client.consumer({ enableAutoCommit: false, maxPollRecords: 37 })
    viewing.assign(tps)
    await viewing.seekToBeginning(tps)
    const got: Array<ConsumerRecord & { viaRecord: ConsumerRecord }> = []
    for (let tries = 0; got.length < 300 && tries < 200; tries++) {
      const n = await fromView(viewing, 100, got)
      expect(n).toBeLessThanOrEqual(37)
    }
    expect(got).toHaveLength(300)
    const sort = <T extends ConsumerRecord>(rs: T[]): T[] => [...rs].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
    const byViews = sort(got)
    const byPoll = sort(expected)
    for (let i = 0; i < 300; i++) {
      const { viaRecord, ...fields } = byViews[i]!
      expect(fields).toEqual(byPoll[i])
      expect(viaRecord).toEqual(byPoll[i])
    }
    // Each partition's position is past its last record, as after poll().
    for (const tp of tps) expect(await viewing.position(tp)).toBe(100)
    // Nothing more: the next call hands nothing.
    expect(await viewing.pollInto(50, () => expect.unreachable('no records are left'))).toBe(0)
    await viewing.close()
  })
})
