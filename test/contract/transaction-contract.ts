// Transactions as every BrookClient implementation must show them (KIP-98, KIP-447), run
// against the embedded client, the wire client on Brook, and the wire client on Apache
// Kafka: committed records reach read_committed consumers, aborted ones never do, reads
// stop at the last stable offset, offsets commit with the transaction, a newer producer
// fences an older one, and a stalled transaction is aborted after its timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrookError } from '../../core/errors.js'
import { waitFor } from '../helpers/wait.js'
import type { BrookClient, Consumer, ConsumerRecord, Producer } from '../../core/client/types.js'

export interface TransactionContractTarget {
  client: BrookClient
  /** How long until the broker notices a timed-out transaction: its check interval. */
  abortCheckIntervalMs: number
  cleanup(): Promise<void>
}

const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
let counter = 0
const unique = (prefix: string): string => `${prefix}-${run}-${++counter}`

async function rejection(p: Promise<unknown>): Promise<BrookError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err, 'expected a BrookError').toBeInstanceOf(BrookError)
  return err as BrookError
}

/** Polls until `count` records arrived or the time is up. */
async function pollFor(consumer: Consumer, count: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  while (out.length < count && Date.now() < deadline) out.push(...(await consumer.poll(200)))
  return out
}

/** Polls until the consumer reached the end offsets it reports (its isolation level's end) and returns everything read. */
async function readToEnd(consumer: Consumer, topic: string, partitions: number, timeoutMs = 20_000): Promise<ConsumerRecord[]> {
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  const ends = await consumer.endOffsets(tps)
  const out: ConsumerRecord[] = []
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let done = true
    for (const e of ends) if ((await consumer.position(e)) < e.offset) done = false
    if (done || Date.now() > deadline) return out
    out.push(...(await consumer.poll(200)))
  }
}

const values = (rs: ConsumerRecord[]): string[] => rs.map((r) => r.value!.toString()).sort()

export function runTransactionContract(name: string, setup: () => Promise<TransactionContractTarget>): void {
  describe(`Transactions contract: ${name}`, () => {
    let target: TransactionContractTarget
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

    function reader(topic: string, partitions: number, isolationLevel: 'read_committed' | 'read_uncommitted'): Consumer {
      const c = client.consumer({ isolationLevel, autoOffsetReset: 'earliest', enableAutoCommit: false })
      c.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })))
      return c
    }

    async function transactional(id: string, timeoutMs?: number): Promise<Producer> {
      const p = client.producer({ transactionalId: id, lingerMs: 1, ...(timeoutMs !== undefined ? { transactionTimeoutMs: timeoutMs } : {}) })
      await p.initTransactions()
      return p
    }

    it('read_committed sees committed transactions only; read_uncommitted sees aborted records too', async () => {
      const topic = await createTopic('txn-basic', 3)
      const p = await transactional(unique('tx'))
      p.beginTransaction()
      await p.sendBatch(Array.from({ length: 30 }, (_, i) => ({ topic, key: `k${i}`, value: `c1-${i}` })))
      await p.commitTransaction()
      p.beginTransaction()
      await p.sendBatch(Array.from({ length: 20 }, (_, i) => ({ topic, key: `k${i}`, value: `a-${i}` })))
      await p.abortTransaction()
      p.beginTransaction()
      await p.sendBatch(Array.from({ length: 10 }, (_, i) => ({ topic, key: `k${i}`, value: `c2-${i}` })))
      await p.commitTransaction()
      await p.close()

      const committed = reader(topic, 3, 'read_committed')
      const got = await readToEnd(committed, topic, 3)
      const expected = [...Array.from({ length: 30 }, (_, i) => `c1-${i}`), ...Array.from({ length: 10 }, (_, i) => `c2-${i}`)].sort()
      expect(values(got)).toEqual(expected)
      await committed.close()

      const all = reader(topic, 3, 'read_uncommitted')
      const raw = await readToEnd(all, topic, 3)
      expect(raw.length).toBe(60)
      expect(raw.filter((r) => r.value!.toString().startsWith('a-')).length).toBe(20)
      await all.close()
    })

    it('read_committed stops at the last stable offset while a transaction is open', async () => {
      const topic = await createTopic('txn-lso', 1)
      const tp = { topic, partition: 0 }
      const plain = client.producer({ lingerMs: 1 })
      await plain.send({ topic, partition: 0, value: 'before' })
      const p = await transactional(unique('tx'))
      p.beginTransaction()
      await p.send({ topic, partition: 0, value: 'in-txn' })
      await p.flush()
      // A record after the open transaction's first offset stays invisible until it ends.
      await plain.send({ topic, partition: 0, value: 'after' })

      const committed = reader(topic, 1, 'read_committed')
      const uncommitted = reader(topic, 1, 'read_uncommitted')
      const [lso] = await committed.endOffsets([tp])
      const [hw] = await uncommitted.endOffsets([tp])
      expect(lso!.offset).toBe(1)
      expect(hw!.offset).toBe(3)
      expect(values(await pollFor(committed, 2, 1500))).toEqual(['before'])

      await p.commitTransaction()
      expect(values(await pollFor(committed, 2))).toEqual(['after', 'in-txn'])
      const [lsoAfter] = await committed.endOffsets([tp])
      expect(lsoAfter!.offset).toBe(4) // the commit marker takes an offset
      await Promise.all([committed.close(), uncommitted.close(), p.close(), plain.close()])
    })

    it('consume-transform-produce commits the consumer offsets with the output (sendOffsetsToTransaction)', async () => {
      const input = await createTopic('txn-in', 2)
      const output = await createTopic('txn-out', 2)
      const group = unique('txn-group')
      const seed = client.producer({ lingerMs: 1 })
      await seed.sendBatch(Array.from({ length: 40 }, (_, i) => ({ topic: input, key: `k${i}`, value: `${i}` })))
      await seed.close()

      const consumer = client.consumer({ groupId: group, autoOffsetReset: 'earliest', enableAutoCommit: false, isolationLevel: 'read_committed' })
      consumer.subscribe([input])
      const p = await transactional(unique('ctp'))
      let records = await pollFor(consumer, 40)
      expect(records.length).toBe(40)

      // First an aborted round: neither its output nor its offsets count.
      p.beginTransaction()
      await p.sendBatch(records.map((r) => ({ topic: output, key: r.key, value: `x${r.value!.toString()}` })))
      await p.sendOffsetsToTransaction(positionsAfter(records), consumer.groupMetadata()!)
      await p.abortTransaction()
      const admin = client.admin()
      expect((await admin.listGroupOffsets(group)).filter((o) => o.committedOffset !== null)).toEqual([])

      // Then the committed round, from the same records.
      p.beginTransaction()
      await p.sendBatch(records.map((r) => ({ topic: output, key: r.key, value: `y${r.value!.toString()}` })))
      await p.sendOffsetsToTransaction(positionsAfter(records), consumer.groupMetadata()!)
      await p.commitTransaction()
      // Apache Kafka answers EndTxn once the commit is decided and writes the markers (which make
      // the offsets visible in __consumer_offsets) after: wait for them, never more than 40.
      let committedTotal = 0
      await waitFor('the transaction\'s offsets to be visible', async () => {
        const offsets = await admin.listGroupOffsets(group)
        committedTotal = offsets.reduce((n, o) => n + (o.committedOffset ?? 0), 0)
        return committedTotal >= 40
      })
      expect(committedTotal).toBe(40)
      const committed = await consumer.committed([{ topic: input, partition: 0 }, { topic: input, partition: 1 }])
      const expectedOffsets = positionsAfter(records).sort((a, b) => a.partition - b.partition).map((o) => o.offset)
      expect(committed.map((c) => c.offset)).toEqual(expectedOffsets)

      const out = reader(output, 2, 'read_committed')
      records = await readToEnd(out, output, 2)
      expect(values(records)).toEqual(Array.from({ length: 40 }, (_, i) => `y${i}`).sort())
      await Promise.all([out.close(), consumer.close(), p.close(), admin.close()])
    })

    it('a second producer with the same transactional id fences the first and aborts its open transaction', async () => {
      const topic = await createTopic('txn-fence', 1)
      const id = unique('fence')
      const zombie = await transactional(id)
      zombie.beginTransaction()
      await zombie.send({ topic, partition: 0, value: 'zombie' })
      await zombie.flush()

      const fresh = await transactional(id)
      const err = await rejection(zombie.commitTransaction())
      expect(err.code).toBe('PRODUCER_FENCED')
      // Fenced is final: the zombie can only be closed.
      expect((await rejection(zombie.abortTransaction())).code).toBe('PRODUCER_FENCED')
      await zombie.close()

      fresh.beginTransaction()
      await fresh.send({ topic, partition: 0, value: 'fresh' })
      await fresh.commitTransaction()
      const c = reader(topic, 1, 'read_committed')
      expect(values(await readToEnd(c, topic, 1))).toEqual(['fresh'])
      await Promise.all([c.close(), fresh.close()])
    })

    it('a transaction left open is aborted after transaction.timeout.ms and no longer holds the last stable offset', async () => {
      const topic = await createTopic('txn-timeout', 1)
      const tp = { topic, partition: 0 }
      const stalled = await transactional(unique('stall'), 1000)
      stalled.beginTransaction()
      await stalled.send({ topic, partition: 0, value: 'stalled' })
      await stalled.flush()
      const plain = client.producer({ lingerMs: 1 })
      await plain.send({ topic, partition: 0, value: 'plain' })

      const c = reader(topic, 1, 'read_committed')
      expect((await c.endOffsets([tp]))[0]!.offset).toBe(0)
      const deadline = Date.now() + 1000 + target.abortCheckIntervalMs + 20_000
      let lso = 0
      while (lso === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
        lso = (await c.endOffsets([tp]))[0]!.offset
      }
      expect(lso).toBe(3) // stalled record, plain record, abort marker
      expect(values(await readToEnd(c, topic, 1))).toEqual(['plain'])
      // The stalled producer was fenced by the abort's epoch bump.
      expect(['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH', 'TRANSACTION_ABORTABLE']).toContain((await rejection(stalled.commitTransaction())).code)
      await Promise.all([c.close(), plain.close(), stalled.close().catch(() => undefined)])
    }, 60_000)

    it('a transaction spanning many partitions and batches of 1,000+ records commits or aborts as a whole', async () => {
      const topic = await createTopic('txn-many', 4)
      const p = await transactional(unique('many'))
      for (let round = 0; round < 4; round++) {
        p.beginTransaction()
        await p.sendBatch(Array.from({ length: 1500 }, (_, i) => ({ topic, key: `k${i}`, value: `r${round}-${i}` })))
        if (round % 2 === 0) await p.commitTransaction()
        else await p.abortTransaction()
      }
      await p.close()
      const c = reader(topic, 4, 'read_committed')
      const got = await readToEnd(c, topic, 4)
      expect(got.length).toBe(3000)
      expect(got.every((r) => /^r[02]-/.test(r.value!.toString()))).toBe(true)
      await c.close()
    })

    it('refuses transactional calls in the wrong state with typed errors', async () => {
      const topic = await createTopic('txn-state', 1)
      const plain = client.producer()
      expect(() => plain.beginTransaction()).toThrow(BrookError)
      await plain.close()
      const p = client.producer({ transactionalId: unique('state') })
      expect(() => p.beginTransaction()).toThrow(/not allowed|initTransactions/)
      await p.initTransactions()
      expect((await rejection(p.send({ topic, value: 'outside' }))).code).toBe('ILLEGAL_STATE')
      expect((await rejection(p.commitTransaction())).code).toBe('ILLEGAL_STATE')
      await p.close()
    })
  })
}

function positionsAfter(records: ConsumerRecord[]): Array<{ topic: string; partition: number; offset: number }> {
  const next = new Map<string, { topic: string; partition: number; offset: number }>()
  for (const r of records) {
    const k = `${r.topic}:${r.partition}`
    const cur = next.get(k)
    if (!cur || cur.offset < r.offset + 1) next.set(k, { topic: r.topic, partition: r.partition, offset: r.offset + 1 })
  }
  return [...next.values()]
}
