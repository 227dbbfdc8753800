// Transactions through a real Broker: state and offsets survive a restart, an open
// transaction found after a restart is aborted once its timeout passes, and
// TxnOffsetCommit is fenced by the group generation (KIP-447).
import { describe, expect, it } from 'vitest'
import { Broker } from '../../../core/broker/broker.js'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import { BrookError } from '../../../core/errors.js'
import { tmpDir } from '../../helpers/tmp.js'

describe('Broker transactions', () => {
  it('keeps committed offsets and open transactions across a restart, then times the open one out', async () => {
    const dataDir = tmpDir()
    const opts = { dataDir, transactionAbortTimedOutTransactionCleanupIntervalMs: 50 }
    let broker = await Broker.open(opts)
    let client = new EmbeddedClient(broker)
    await client.admin().createTopics([{ topic: 'in', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }])
    const group = { groupId: 'g', generationId: -1, memberId: '' }
    const p = client.producer({ transactionalId: 'tx', transactionTimeoutMs: 1000 })
    await p.initTransactions()
    p.beginTransaction()
    await p.send({ topic: 'out', value: 'committed' })
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 5 }], group)
    await p.commitTransaction()
    p.beginTransaction()
    await p.send({ topic: 'out', value: 'aborted' })
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 9 }], group)
    await p.abortTransaction()
    const other = client.producer({ transactionalId: 'left-open', transactionTimeoutMs: 1000 })
    await other.initTransactions()
    other.beginTransaction()
    await other.send({ topic: 'out', value: 'open' })
    await other.flush()
    const openAt = broker.partition('out', 0).lastStableOffset
    // No producer close (it would abort): the broker goes down with the transaction open.
    await broker.close()

    broker = await Broker.open(opts)
    client = new EmbeddedClient(broker)
    expect(broker.transactions.describeTransactions(['tx', 'left-open']).map((d) => d.state)).toEqual(['CompleteAbort', 'Ongoing'])
    expect(broker.partition('out', 0).lastStableOffset).toBe(openAt)
    const c = client.consumer({ groupId: 'g', isolationLevel: 'read_committed', autoOffsetReset: 'earliest' })
    expect(await c.committed([{ topic: 'in', partition: 0 }])).toEqual([{ topic: 'in', partition: 0, offset: 5, metadata: '' }])
    // The open transaction is aborted after its timeout; the last stable offset moves to the end.
    const deadline = Date.now() + 10_000
    while (broker.partition('out', 0).lastStableOffset < broker.partition('out', 0).highWatermark && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(broker.partition('out', 0).lastStableOffset).toBe(broker.partition('out', 0).highWatermark)
    const reader = client.consumer({ isolationLevel: 'read_committed', autoOffsetReset: 'earliest' })
    reader.assign([{ topic: 'out', partition: 0 }])
    const got: string[] = []
    while (got.length < 1 && Date.now() < deadline) for (const r of await reader.poll(100)) got.push(r.value!.toString())
    expect(await reader.poll(200)).toEqual([])
    expect(got).toEqual(['committed'])
    await client.close()
    await broker.close()
  })

  it('fences TxnOffsetCommit from a member of an older generation (KIP-447)', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 'in', numPartitions: 2 }])
    const consumer = client.consumer({ groupId: 'eos', autoOffsetReset: 'earliest' })
    consumer.subscribe(['in'])
    const deadline = Date.now() + 10_000
    while (consumer.groupMetadata() === null && Date.now() < deadline) await consumer.poll(50)
    const meta = consumer.groupMetadata()!
    const p = client.producer({ transactionalId: 'eos-tx' })
    await p.initTransactions()
    p.beginTransaction()
    const err = await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], { ...meta, generationId: meta.generationId - 1 }).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(BrookError)
    expect((err as BrookError).code).toBe('ILLEGAL_GENERATION')
    // The transaction can only be aborted now.
    expect(((await p.commitTransaction().catch((e: unknown) => e)) as BrookError).code).toBe('TRANSACTION_ABORTABLE')
    await p.abortTransaction()
    p.beginTransaction()
    await p.sendOffsetsToTransaction([{ topic: 'in', partition: 0, offset: 1 }], meta)
    await p.commitTransaction()
    expect((await consumer.committed([{ topic: 'in', partition: 0 }]))[0]!.offset).toBe(1)
    await client.close()
  })
})
