// In-process consumer: the shared ConsumerCore over a transport that fetches stored
// batches straight from the broker and talks to its group coordinator without a socket.
import type { Broker } from '../../broker/broker.js'
import { ConsumerCore, type ConsumerTransport, type FetchedPartition, type OffsetAnswer, type OffsetQuery } from '../consumer/consumer-core.js'
import type { GroupCoordinatorApi } from '../group-membership.js'
import type { PartitionState } from '../partition-states.js'
import { tpKey } from '../record-utils.js'
import type { ConsumerConfig, IsolationLevel } from '../types.js'

export class EmbeddedConsumer extends ConsumerCore {
  constructor(broker: Broker, config: ConsumerConfig = {}) {
    super(config)
    this.attach(new EmbeddedConsumerTransport(broker))
  }
}

class EmbeddedConsumerTransport implements ConsumerTransport {
  readonly clientId = 'brook-consumer'
  readonly clientHost = 'embedded'

  constructor(private readonly broker: Broker) {}

  groupCoordinator(): GroupCoordinatorApi {
    return this.broker.coordinator
  }

  async partitionCount(topic: string): Promise<number> {
    return this.broker.hasTopic(topic) ? this.broker.describeTopic(topic).partitions : 0
  }

  async topicNames(): Promise<string[]> {
    return this.broker.listTopics()
  }

  async listOffsets(queries: OffsetQuery[], isolation: IsolationLevel): Promise<OffsetAnswer[]> {
    return queries.map((q) => {
      const spec = q.timestamp === -1 ? 'latest' : q.timestamp === -2 ? 'earliest' : { timestamp: q.timestamp }
      const r = this.broker.listOffset(q.topic, q.partition, spec, isolation)
      return { topic: q.topic, partition: q.partition, offset: r.offset, timestamp: r.timestamp }
    })
  }

  async fetch(
    states: PartitionState[],
    options: { maxWaitMs: number; maxPartitionBytes: number; isolation: IsolationLevel; signal: AbortSignal },
  ): Promise<FetchedPartition[]> {
    const byKey = new Map<string, { state: PartitionState; from: number }>()
    const requests = states.map((s) => {
      byKey.set(tpKey(s.tp.topic, s.tp.partition), { state: s, from: s.position! })
      return { topic: s.tp.topic, partition: s.tp.partition, offset: s.position!, maxBytes: s.fetchBytes ?? options.maxPartitionBytes }
    })
    const results = await this.broker.fetch(requests, { maxWaitMs: options.maxWaitMs, minBytes: 1, signal: options.signal, isolation: options.isolation })
    const out: FetchedPartition[] = []
    for (const res of results) {
      const asked = byKey.get(tpKey(res.topic, res.partition))
      if (!asked) continue
      if (res.error) {
        if (res.error.code === 'OFFSET_OUT_OF_RANGE') out.push({ ...asked, error: 'OFFSET_OUT_OF_RANGE', records: null, abortedTransactions: null })
        else if (res.error.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw res.error
        continue
      }
      out.push({ ...asked, error: null, records: res.records, abortedTransactions: res.abortedTransactions })
    }
    return out
  }

  async close(): Promise<void> {}
}
