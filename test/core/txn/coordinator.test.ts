// The transaction coordinator on an in-memory __transaction_state with recorded markers
// and a driven clock: epochs and fencing, KIP-360/588 recovery, timeouts, restart
// recovery, and the log format.
import { describe, expect, it } from 'vitest'
import type { Time } from '../../../core/common/time.js'
import type { TopicPartition } from '../../../core/common/types.js'
import { TransactionCoordinator, TxnErrorCode as E } from '../../../core/txn/coordinator.js'
import {
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
} from '../../../core/txn/transaction-log-codec.js'
import { InMemoryTransactionLog } from '../../../core/txn/transaction-log.js'

class FakeTime implements Time {
  t = 1_000_000
  timers: Array<{ at: number; fn: () => void }> = []
  now(): number {
    return this.t
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const h = { at: this.t + ms, fn }
    this.timers.push(h)
    return h
  }
  clearTimeout(h: unknown): void {
    this.timers = this.timers.filter((x) => x !== h)
  }
}

interface Marker {
  tp: string
  producerId: number
  epoch: number
  commit: boolean
}

function setup(log = new InMemoryTransactionLog(), failMarkers = false) {
  const markers: Marker[] = []
  const time = new FakeTime()
  let nextId = 1000
  const coordinator = new TransactionCoordinator({
    log,
    time,
    allocateProducerId: async () => nextId++,
    offsetsPartitionFor: () => ({ topic: '__consumer_offsets', partition: 0 }),
    markers: {
      writeMarker: async (tp: TopicPartition, producerId, epoch, commit) => {
        if (failMarkers) throw new Error('broker down')
        markers.push({ tp: `${tp.topic}-${tp.partition}`, producerId, epoch, commit })
      },
    },
  })
  return { coordinator, markers, time, log }
}

const init = (c: TransactionCoordinator, id: string, current?: { producerId: number; producerEpoch: number }) =>
  c.initProducerId({ transactionalId: id, transactionTimeoutMs: 60_000, producerId: current?.producerId ?? -1, producerEpoch: current?.producerEpoch ?? -1 })

describe('TransactionCoordinator', () => {
  it('gives a new transactional id epoch 0 and bumps the epoch on each init, fencing the older instance', async () => {
    const { coordinator } = setup()
    const a = await init(coordinator, 't1')
    expect(a).toEqual({ errorCode: 0, producerId: 1000, producerEpoch: 0 })
    const b = await init(coordinator, 't1')
    expect(b).toEqual({ errorCode: 0, producerId: 1000, producerEpoch: 1 })
    const add = await coordinator.addPartitionsToTxn({ transactionalId: 't1', producerId: 1000, producerEpoch: 0, partitions: [{ topic: 'x', partition: 0 }] })
    expect(add[0]!.errorCode).toBe(E.PRODUCER_FENCED)
    expect(await coordinator.endTxn({ transactionalId: 't1', producerId: 1000, producerEpoch: 0, committed: true })).toBe(E.PRODUCER_FENCED)
    expect(await coordinator.endTxn({ transactionalId: 't1', producerId: 999, producerEpoch: 1, committed: true })).toBe(E.INVALID_PRODUCER_ID_MAPPING)
  })

  it('commits: PrepareCommit, a marker per partition (offsets partition included), CompleteCommit', async () => {
    const { coordinator, markers, log } = setup()
    const { producerId, producerEpoch } = await init(coordinator, 't')
    await coordinator.addPartitionsToTxn({ transactionalId: 't', producerId, producerEpoch, partitions: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 2 }] })
    expect(await coordinator.addOffsetsToTxn({ transactionalId: 't', producerId, producerEpoch, groupId: 'g' })).toBe(0)
    expect(coordinator.describeTransactions(['t'])[0]).toMatchObject({ state: 'Ongoing', partitions: [{ topic: 'a', partition: 0 }, { topic: 'b', partition: 2 }, { topic: '__consumer_offsets', partition: 0 }] })
    expect(await coordinator.endTxn({ transactionalId: 't', producerId, producerEpoch, committed: true })).toBe(0)
    expect(markers.map((m) => m.tp).sort()).toEqual(['__consumer_offsets-0', 'a-0', 'b-2'])
    expect(markers.every((m) => m.commit && m.epoch === producerEpoch)).toBe(true)
    const states = log.records.map((r) => decodeTransactionLogValue(r.value!).status)
    expect(states).toEqual(['Empty', 'Ongoing', 'Ongoing', 'PrepareCommit', 'CompleteCommit'])
    // A retried commit succeeds; an abort of a committed transaction is refused.
    expect(await coordinator.endTxn({ transactionalId: 't', producerId, producerEpoch, committed: true })).toBe(0)
    expect(await coordinator.endTxn({ transactionalId: 't', producerId, producerEpoch, committed: false })).toBe(E.INVALID_TXN_STATE)
  })

  it('init of a new instance aborts the open transaction under a bumped epoch', async () => {
    const { coordinator, markers } = setup()
    const old = await init(coordinator, 't')
    await coordinator.addPartitionsToTxn({ transactionalId: 't', ...old, partitions: [{ topic: 'a', partition: 0 }] })
    const fresh = await init(coordinator, 't')
    expect(markers).toEqual([{ tp: 'a-0', producerId: old.producerId, epoch: 1, commit: false }])
    expect(fresh.producerEpoch).toBe(2)
  })

  it('aborts a transaction open past its timeout with an epoch bump; the stalled producer recovers its id (KIP-588)', async () => {
    const { coordinator, markers, time } = setup()
    const p = await coordinator.initProducerId({ transactionalId: 't', transactionTimeoutMs: 5000, producerId: -1, producerEpoch: -1 })
    await coordinator.addPartitionsToTxn({ transactionalId: 't', ...p, partitions: [{ topic: 'a', partition: 0 }] })
    time.t += 4999
    expect(await coordinator.abortTimedOutTransactions()).toBe(0)
    time.t += 2
    expect(await coordinator.abortTimedOutTransactions()).toBe(1)
    expect(markers).toEqual([{ tp: 'a-0', producerId: p.producerId, epoch: 1, commit: false }])
    // Its commit is fenced; its abort is accepted; InitProducerId with its old epoch gets the bumped one.
    expect(await coordinator.endTxn({ transactionalId: 't', ...p, committed: true })).toBe(E.PRODUCER_FENCED)
    expect(await coordinator.endTxn({ transactionalId: 't', ...p, committed: false })).toBe(0)
    const again = await coordinator.initProducerId({ transactionalId: 't', transactionTimeoutMs: 5000, ...p })
    expect(again).toEqual({ errorCode: 0, producerId: p.producerId, producerEpoch: 1 })
    // Somebody with an unrelated epoch is fenced.
    expect((await coordinator.initProducerId({ transactionalId: 't', transactionTimeoutMs: 5000, producerId: p.producerId, producerEpoch: 7 })).errorCode).toBe(E.PRODUCER_FENCED)
  })

  it('rejects bad timeouts and empty ids', async () => {
    const { coordinator } = setup()
    expect((await coordinator.initProducerId({ transactionalId: 't', transactionTimeoutMs: 900_001, producerId: -1, producerEpoch: -1 })).errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT)
    expect((await coordinator.initProducerId({ transactionalId: '', transactionTimeoutMs: 1000, producerId: -1, producerEpoch: -1 })).errorCode).toBe(E.INVALID_REQUEST)
    expect(coordinator.describeTransactions(['nope'])[0]!.errorCode).toBe(E.TRANSACTIONAL_ID_NOT_FOUND)
  })

  it('a restarted coordinator completes the PrepareCommit and PrepareAbort it finds, and keeps Ongoing ones for their timeout', async () => {
    const log = new InMemoryTransactionLog()
    const first = setup(log, true)
    const a = await init(first.coordinator, 'committing')
    await first.coordinator.addPartitionsToTxn({ transactionalId: 'committing', ...a, partitions: [{ topic: 'x', partition: 1 }] })
    // The markers cannot be written: the decision stands (PrepareCommit), the markers wait, and the coordinator "crashes".
    expect(await first.coordinator.endTxn({ transactionalId: 'committing', ...a, committed: true })).toBe(0)
    expect(first.coordinator.describeTransactions(['committing'])[0]!.state).toBe('PrepareCommit')
    expect((await init(first.coordinator, 'committing')).errorCode).toBe(E.CONCURRENT_TRANSACTIONS)
    const b = await init(first.coordinator, 'aborting')
    await first.coordinator.addPartitionsToTxn({ transactionalId: 'aborting', ...b, partitions: [{ topic: 'y', partition: 0 }] })
    expect(await first.coordinator.endTxn({ transactionalId: 'aborting', ...b, committed: false })).toBe(0)
    const c = await init(first.coordinator, 'open')
    await first.coordinator.addPartitionsToTxn({ transactionalId: 'open', ...c, partitions: [{ topic: 'z', partition: 0 }] })
    first.coordinator.close()

    const second = setup(log)
    await second.coordinator.load()
    expect(second.markers.sort((m, n) => m.tp.localeCompare(n.tp))).toEqual([
      { tp: 'x-1', producerId: a.producerId, epoch: a.producerEpoch, commit: true },
      { tp: 'y-0', producerId: b.producerId, epoch: b.producerEpoch, commit: false },
    ])
    expect(second.coordinator.describeTransactions(['committing', 'aborting', 'open']).map((d) => d.state)).toEqual(['CompleteCommit', 'CompleteAbort', 'Ongoing'])
    expect(second.coordinator.listTransactions({ states: ['Ongoing'] })).toEqual([{ transactionalId: 'open', producerId: c.producerId, state: 'Ongoing' }])
    second.time.t += 60_001
    expect(await second.coordinator.abortTimedOutTransactions()).toBe(1)
    second.coordinator.close()
  })
})

describe('__transaction_state formats', () => {
  it('reads a key and a v0 value laid out as Kafka writes them', () => {
    // key: version 0, "tx" ; value: version 0, pid 5, epoch 3, timeout 60000, status Ongoing(1),
    // partitions [{ "t", [0, 2] }], lastUpdate 1700000000000, start 1699999999000
    const key = Buffer.from([0, 0, 0, 2, 0x74, 0x78])
    expect(decodeTransactionLogKey(key)).toBe('tx')
    expect(encodeTransactionLogKey('tx')).toEqual(key)
    const value = Buffer.concat([
      Buffer.from([0, 0]),
      Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]),
      Buffer.from([0, 3]),
      Buffer.from([0, 0, 0xea, 0x60]),
      Buffer.from([1]),
      Buffer.from([0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2]),
      Buffer.from([0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00]),
      Buffer.from([0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x64, 0x18]),
    ])
    const decoded = decodeTransactionLogValue(value)
    expect(decoded).toEqual({
      producerId: 5,
      producerEpoch: 3,
      transactionTimeoutMs: 60000,
      status: 'Ongoing',
      partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 2 }],
      lastUpdateTimestampMs: 1700000000000,
      startTimestampMs: 1699999999000,
    })
    expect(encodeTransactionLogValue(decoded)).toEqual(value)
    expect(() => decodeTransactionLogValue(value.subarray(0, 20))).toThrow(/truncated/)
  })
})
