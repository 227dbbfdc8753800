// In-process producer: the shared ProducerCore over a transport that hands each sealed
// batch to the broker whole (no copy), and asks the broker's coordinators directly.
import type { Broker } from '../../broker/broker.js'
import { BrookError } from '../../errors.js'
import { groupError } from '../group-membership.js'
import { ProducerCore, type InitProducerIdArgs, type ProducerBatch, type ProducerTransport } from '../producer/producer-core.js'
import type { TransactionTransport, TxnOffsetCommitArgs } from '../producer/transaction-manager.js'
import type { ProducerConfig, TopicPartition } from '../types.js'

export class EmbeddedProducer extends ProducerCore {
  constructor(broker: Broker, config: ProducerConfig = {}) {
    super(config)
    this.attach(new EmbeddedProducerTransport(this, broker))
  }
}

class EmbeddedProducerTransport implements ProducerTransport, TransactionTransport {
  constructor(
    private readonly core: ProducerCore,
    private readonly broker: Broker,
  ) {}

  get transactions(): TransactionTransport {
    return this
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.broker.ensureTopic(topic)).partitions
  }

  async initProducerId(args: InitProducerIdArgs): Promise<{ producerId: number; producerEpoch: number }> {
    if (args.transactionalId === null) return this.broker.initProducerId()
    const res = await this.broker.transactions.initProducerId(args)
    if (res.errorCode !== 0) throw groupError(res.errorCode, `InitProducerId for transactional id '${args.transactionalId}'`)
    return res
  }

  send(batch: ProducerBatch): void {
    // The core encoded these bytes and their CRC just now, in this process: the log need not check it again.
    this.broker.produceEncoded(batch.topic, batch.partition, batch.bytes!, this.core.acks).then(
      (result) => this.core.complete(batch, result.baseOffset, result.logAppendTime),
      (err: Error) => {
        // A batch that did not land (storage error, ...) leaves the broker's sequence behind ours:
        // start over with a new producer id, as the Java producer does, so later sends succeed once the cause is gone.
        if (!(err instanceof BrookError && err.code === 'DUPLICATE_SEQUENCE_NUMBER')) this.core.resetProducerId(batch)
        this.core.fail(batch, err)
      },
    )
  }

  async addPartitionsToTxn(transactionalId: string, producerId: number, producerEpoch: number, partitions: TopicPartition[]): Promise<void> {
    const res = await this.broker.transactions.addPartitionsToTxn({ transactionalId, producerId, producerEpoch, partitions })
    const failed = res.find((r) => r.errorCode !== 0)
    if (failed) throw groupError(failed.errorCode, `AddPartitionsToTxn of ${failed.topic}-${failed.partition} for '${transactionalId}'`)
  }

  async addOffsetsToTxn(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<void> {
    const code = await this.broker.transactions.addOffsetsToTxn({ transactionalId, producerId, producerEpoch, groupId })
    if (code !== 0) throw groupError(code, `AddOffsetsToTxn of group '${groupId}' for '${transactionalId}'`)
  }

  async txnOffsetCommit(args: TxnOffsetCommitArgs): Promise<void> {
    const res = await this.broker.coordinator.txnCommitOffsets({
      ...args,
      offsets: args.offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    })
    const failed = res.partitions.find((p) => p.errorCode !== 0)
    if (failed) throw groupError(failed.errorCode, `TxnOffsetCommit of ${failed.topic}-${failed.partition} for group '${args.groupId}'`)
  }

  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    const code = await this.broker.transactions.endTxn({ transactionalId, producerId, producerEpoch, committed: commit })
    if (code !== 0) throw groupError(code, `EndTxn (${commit ? 'commit' : 'abort'}) for '${transactionalId}'`)
  }

  async close(): Promise<void> {}
}
