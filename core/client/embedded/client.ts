import { Broker } from '../../broker/broker.js'
import type { BrokerConfig } from '../../broker/broker-config.js'
import type { Admin, BrookClient, Consumer, ConsumerConfig, Producer, ProducerConfig } from '../types.js'
import { EmbeddedAdmin } from './admin.js'
import { EmbeddedConsumer } from './consumer.js'
import { EmbeddedProducer } from './producer.js'

/** The in-process client: producers, consumers and admin on a Broker in this process. */
export class EmbeddedClient implements BrookClient {
  private readonly open = new Set<{ close(): Promise<void> }>()

  constructor(
    readonly broker: Broker,
    private readonly ownsBroker = false,
  ) {}

  /** Opens (or creates) a broker in dataDir and a client on it; close() closes both. */
  static async open(config: Partial<BrokerConfig> & { dataDir: string }): Promise<EmbeddedClient> {
    return new EmbeddedClient(await Broker.open(config), true)
  }

  producer(config?: ProducerConfig): Producer {
    return this.track(new EmbeddedProducer(this.broker, config))
  }

  consumer(config?: ConsumerConfig): Consumer {
    return this.track(new EmbeddedConsumer(this.broker, config))
  }

  admin(): Admin {
    return new EmbeddedAdmin(this.broker)
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
    for (const c of [...this.open]) await c.close().catch(() => undefined)
    if (this.ownsBroker) await this.broker.close()
  }
}
