// The wire-protocol client: the same Producer, Consumer and Admin as the embedded one,
// spoken to any Kafka-compatible broker (Brook's server or Apache Kafka).
import type { Admin, BrookClient, Consumer, ConsumerConfig, Producer, ProducerConfig } from '../types.js'
import { KafkaAdmin } from './admin.js'
import { Cluster, type KafkaClientConfig } from './cluster.js'
import { KafkaConsumer } from './consumer.js'
import { KafkaProducer } from './producer.js'

export type { KafkaClientConfig } from './cluster.js'

export class KafkaClient implements BrookClient {
  private readonly open = new Set<{ close(): Promise<void> }>()
  private closed = false

  private constructor(readonly config: KafkaClientConfig) {}

  /** Checks that a bootstrap server answers (ApiVersions + Metadata), then returns the client. */
  static async connect(config: KafkaClientConfig): Promise<KafkaClient> {
    const probe = new Cluster(config)
    try {
      await probe.retry(() => probe.metadata([]))
    } finally {
      await probe.close()
    }
    return new KafkaClient(config)
  }

  /** Each producer, consumer and admin has connections of its own. */
  private cluster(clientId?: string): Cluster {
    return new Cluster({ ...this.config, ...(clientId !== undefined ? { clientId } : {}) })
  }

  producer(config?: ProducerConfig): Producer {
    return this.track(new KafkaProducer(this.cluster(config?.clientId), config))
  }

  consumer(config?: ConsumerConfig): Consumer {
    return this.track(new KafkaConsumer(this.cluster(config?.clientId), config))
  }

  admin(): Admin {
    return this.track(new KafkaAdmin(this.cluster()))
  }

  private track<T extends { close(): Promise<void> }>(c: T): T {
    this.open.add(c)
    const close = c.close.bind(c)
    c.close = async () => {
      this.open.delete(c)
      await close()
    }
    return c
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const c of [...this.open]) await c.close().catch(() => undefined)
  }
}
