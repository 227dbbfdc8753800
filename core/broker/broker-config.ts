import { InvalidConfigError } from '../errors.js'
import type { BrookLogger } from '../logger.js'

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
  /**
   * max.partitions.per.request: partitions one CreateTopics topic or CreatePartitions call may add
   * (Kafka's controller refuses larger operations with POLICY_VIOLATION; 10000 as there).
   */
  maxPartitionsPerRequest: number
  /** max.partitions.per.broker: partitions this broker holds at most, internal topics included (POLICY_VIOLATION beyond). */
  maxPartitionsPerBroker: number
  /**
   * controller_mutation_rate: partitions created or deleted per second (a token bucket with a
   * one-second burst); beyond it CreateTopics/CreatePartitions/DeleteTopics get
   * THROTTLING_QUOTA_EXCEEDED with a throttle time, as Kafka's controller mutation quota.
   * Infinity (the default, as in Kafka) = no quota.
   */
  controllerMutationRate: number
  /** Open segment files kept at most across all logs (idle ones are closed and reopened on use). Default: 3/4 of the fd limit. */
  maxOpenSegmentFiles?: number
  /** Where the broker reports recovery, corruption, deletions and storage errors. Default stderr. */
  logger?: BrookLogger
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
  maxPartitionsPerRequest: 10_000,
  maxPartitionsPerBroker: 100_000,
  controllerMutationRate: Infinity,
}

/** A broker config under Kafka's name, the BrokerConfig field it sets and what it does. */
export interface BrokerConfigDef {
  readonly name: string
  readonly key: Exclude<keyof BrokerConfig, 'dataDir' | 'topicDefaults'>
  readonly doc: string
}

/** The broker configs Brook honours (defaults in defaultBrokerConfig); docs/configuration.md lists them. */
export const brokerConfigDefs: readonly BrokerConfigDef[] = [
  { name: 'node.id', key: 'nodeId', doc: 'Id of this node in metadata responses' },
  { name: 'num.partitions', key: 'numPartitions', doc: 'Partitions of an auto-created topic, or of a created topic that names none' },
  { name: 'auto.create.topics.enable', key: 'autoCreateTopicsEnable', doc: 'Create a topic on the first produce or metadata request for it (clients that allow it)' },
  { name: 'offsets.topic.num.partitions', key: 'offsetsTopicNumPartitions', doc: 'Partitions of __consumer_offsets, fixed when it is first created' },
  { name: 'transaction.state.log.num.partitions', key: 'transactionStateLogNumPartitions', doc: 'Partitions of __transaction_state, fixed when it is first created' },
  { name: 'transaction.max.timeout.ms', key: 'transactionMaxTimeoutMs', doc: 'Longest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT beyond)' },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', key: 'transactionAbortTimedOutTransactionCleanupIntervalMs', doc: 'How often open transactions are checked against their timeout and aborted when past it' },
  { name: 'group.initial.rebalance.delay.ms', key: 'groupInitialRebalanceDelayMs', doc: 'Wait before the first rebalance of a new group, for more members to join (Kafka: 3000)' },
  { name: 'log.retention.check.interval.ms', key: 'logRetentionCheckIntervalMs', doc: 'How often retention and compaction run' },
  { name: 'max.partitions.per.request', key: 'maxPartitionsPerRequest', doc: 'Partitions one CreateTopics topic or CreatePartitions call may add (POLICY_VIOLATION beyond)' },
  { name: 'max.partitions.per.broker', key: 'maxPartitionsPerBroker', doc: 'Partitions this broker holds at most, internal topics included (POLICY_VIOLATION beyond)' },
  { name: 'controller_mutation_rate', key: 'controllerMutationRate', doc: 'Partitions created or deleted per second before THROTTLING_QUOTA_EXCEEDED (Kafka\'s controller mutation quota; Infinity: none)' },
]

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
  positiveInt('maxPartitionsPerRequest', 'max.partitions.per.request', 1)
  positiveInt('maxPartitionsPerBroker', 'max.partitions.per.broker', 1)
  if (config.maxOpenSegmentFiles !== undefined) positiveInt('maxOpenSegmentFiles', 'log.max.open.segment.files', 1)
  if (typeof config.controllerMutationRate !== 'number' || !(config.controllerMutationRate > 0)) {
    throw new InvalidConfigError('controller_mutation_rate', `expected a positive number, got ${String(config.controllerMutationRate)}`)
  }
  return config
}
