// producer.override.* and consumer.override.*: Kafka Connect's per-connector client settings
// (KIP-458), mapped to the client's config. The keys Brook's clients have are applied; any other
// is refused with its name when the connector is created, rather than accepted and ignored.
import type { Acks, AutoOffsetReset, ConsumerConfig, IsolationLevel, ProducerConfig } from '../../core/client/types.js'
import { ConfigException } from '../errors.js'

type Setter<C> = (config: C, value: string, fail: (why: string) => never) => void

const int =
  (min: number) =>
  (value: string, fail: (why: string) => never): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min) fail(`must be an integer of at least ${min}`)
    return n
  }

const oneOf = <T extends string>(value: string, options: readonly T[], fail: (why: string) => never): T => {
  if (!(options as readonly string[]).includes(value)) fail(`must be one of ${options.join(', ')}`)
  return value as T
}

const PRODUCER: Record<string, Setter<ProducerConfig>> = {
  'client.id': (c, v) => void (c.clientId = v),
  acks: (c, v, fail) => void (c.acks = oneOf(v, ['0', '1', '-1', 'all'], fail) === 'all' ? 'all' : (Number(v) as Acks)),
  'linger.ms': (c, v, fail) => void (c.lingerMs = int(0)(v, fail)),
  'batch.size': (c, v, fail) => void (c.batchSize = int(1)(v, fail)),
  'compression.type': (c, v, fail) => void (c.compressionType = oneOf(v, ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const, fail)),
  'enable.idempotence': (c, v, fail) => void (c.enableIdempotence = oneOf(v, ['true', 'false'], fail) === 'true'),
}

const CONSUMER: Record<string, Setter<ConsumerConfig>> = {
  'client.id': (c, v) => void (c.clientId = v),
  'max.poll.records': (c, v, fail) => void (c.maxPollRecords = int(1)(v, fail)),
  'max.partition.fetch.bytes': (c, v, fail) => void (c.maxPartitionFetchBytes = int(1)(v, fail)),
  'fetch.max.wait.ms': (c, v, fail) => void (c.fetchMaxWaitMs = int(0)(v, fail)),
  'auto.offset.reset': (c, v, fail) => void (c.autoOffsetReset = oneOf<AutoOffsetReset>(v, ['earliest', 'latest', 'none'], fail)),
  'isolation.level': (c, v, fail) => void (c.isolationLevel = oneOf<IsolationLevel>(v, ['read_uncommitted', 'read_committed'], fail)),
  'session.timeout.ms': (c, v, fail) => void (c.sessionTimeoutMs = int(1)(v, fail)),
  'heartbeat.interval.ms': (c, v, fail) => void (c.heartbeatIntervalMs = int(1)(v, fail)),
  'max.poll.interval.ms': (c, v, fail) => void (c.rebalanceTimeoutMs = int(1)(v, fail)),
}

function overrides<C extends object>(props: Record<string, string>, prefix: string, setters: Record<string, Setter<C>>, connector: string): Partial<C> {
  const config = {} as C
  for (const [key, value] of Object.entries(props)) {
    if (!key.startsWith(prefix)) continue
    const name = key.slice(prefix.length)
    const fail = (why: string): never => {
      throw new ConfigException(key, why, { connector })
    }
    const set = setters[name]
    if (set === undefined) fail(`'${name}' is not a client setting Brook applies (known: ${Object.keys(setters).join(', ')})`)
    else set(config, value.trim(), fail)
  }
  return config
}

/** The producer settings of producer.override.* (validated: an unknown or bad one throws naming its key). */
export function producerOverrides(props: Record<string, string>, connector: string): Partial<ProducerConfig> {
  return overrides(props, 'producer.override.', PRODUCER, connector)
}

/** The consumer settings of consumer.override.* (validated as producerOverrides). */
export function consumerOverrides(props: Record<string, string>, connector: string): Partial<ConsumerConfig> {
  return overrides(props, 'consumer.override.', CONSUMER, connector)
}
