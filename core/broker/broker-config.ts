import { InvalidConfigError } from '../errors.js'

/** Broker-wide settings. Topic-level settings live in log-config (Kafka's topic configs). */
export interface BrokerConfig {
  dataDir: string
  nodeId: number
  /** Partitions of an auto-created topic or of a created topic that names none (num.partitions). */
  numPartitions: number
  /** Create unknown topics on produce and on metadata requests (auto.create.topics.enable). */
  autoCreateTopicsEnable: boolean
  /** Partitions of __consumer_offsets (offsets.topic.num.partitions). One node, so one is plenty by default. */
  offsetsTopicNumPartitions: number
  /** Partitions of __transaction_state (transaction.state.log.num.partitions). One node, so one by default. */
  transactionStateLogNumPartitions: number
  /** Longest transaction.timeout.ms a producer may ask for (transaction.max.timeout.ms). Default 900000. */
  transactionMaxTimeoutMs: number
  /** How often open transactions are checked against their timeout (transaction.abort.timed.out.transaction.cleanup.interval.ms). Default 10000. */
  transactionAbortTimedOutTransactionCleanupIntervalMs: number
  /** Delay before the first rebalance of a new group (group.initial.rebalance.delay.ms); 0 for embedded use. */
  groupInitialRebalanceDelayMs: number
  /** How often retention and compaction run (log.retention.check.interval.ms). */
  logRetentionCheckIntervalMs: number
  /** Broker defaults for topic configs, by Kafka topic config name (segment.bytes, retention.ms, ...). */
  topicDefaults: Record<string, string>
}

export const defaultBrokerConfig: Omit<BrokerConfig, 'dataDir'> = {
  nodeId: 0,
  numPartitions: 1,
  autoCreateTopicsEnable: true,
  offsetsTopicNumPartitions: 1,
  transactionStateLogNumPartitions: 1,
  transactionMaxTimeoutMs: 900_000,
  transactionAbortTimedOutTransactionCleanupIntervalMs: 10_000,
  groupInitialRebalanceDelayMs: 0,
  logRetentionCheckIntervalMs: 300_000,
  topicDefaults: {},
}

export function resolveBrokerConfig(input: Partial<BrokerConfig> & { dataDir: string }): BrokerConfig {
  const config: BrokerConfig = { ...defaultBrokerConfig, ...input }
  const positiveInt = (key: keyof BrokerConfig, name: string, min: number): void => {
    const v = config[key]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new InvalidConfigError(name, `expected an integer >= ${min}, got ${String(v)}`)
    }
  }
  if (typeof config.dataDir !== 'string' || config.dataDir === '') {
    throw new InvalidConfigError('log.dirs', 'a data directory is required')
  }
  positiveInt('nodeId', 'node.id', 0)
  positiveInt('numPartitions', 'num.partitions', 1)
  positiveInt('offsetsTopicNumPartitions', 'offsets.topic.num.partitions', 1)
  positiveInt('transactionStateLogNumPartitions', 'transaction.state.log.num.partitions', 1)
  positiveInt('transactionMaxTimeoutMs', 'transaction.max.timeout.ms', 1)
  positiveInt('transactionAbortTimedOutTransactionCleanupIntervalMs', 'transaction.abort.timed.out.transaction.cleanup.interval.ms', 1)
  positiveInt('groupInitialRebalanceDelayMs', 'group.initial.rebalance.delay.ms', 0)
  positiveInt('logRetentionCheckIntervalMs', 'log.retention.check.interval.ms', 1)
  return config
}
