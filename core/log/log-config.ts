// Topic-level log configuration under Kafka's topic config names, with Kafka's
// defaults. Values arrive as strings (CreateTopics, AlterConfigs, broker
// defaults) and are parsed and range-checked here; bad input names the key.
import { InvalidConfigError } from '../errors.js'

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete'
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime'

export interface LogConfig {
  segmentBytes: number
  segmentMs: number
  segmentIndexBytes: number
  segmentJitterMs: number
  indexIntervalBytes: number
  /** fsync after this many messages; 1 also makes acks=all wait for fsync (see Log.needsFlushOnAck). */
  flushMessages: number
  flushMs: number
  /** -1 keeps data forever. */
  retentionMs: number
  /** -1 means no size limit. */
  retentionBytes: number
  cleanupPolicy: CleanupPolicy
  deleteRetentionMs: number
  minCompactionLagMs: number
  maxCompactionLagMs: number
  minCleanableDirtyRatio: number
  maxMessageBytes: number
  messageTimestampType: MessageTimestampType
  fileDeleteDelayMs: number
  // Accepted so Kafka tooling can set them; not enforced by a single-node log.
  compressionType: string
  minInsyncReplicas: number
  preallocate: boolean
  uncleanLeaderElectionEnable: boolean
  messageTimestampDifferenceMaxMs: number
  messageTimestampBeforeMaxMs: number
  messageTimestampAfterMaxMs: number
  messageDownconversionEnable: boolean
}

/** Kafka's Long.MAX_VALUE defaults ("never") are stored as the largest safe JS integer. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER
const INT_MAX = 2147483647
const LONG_MAX_BIG = 9223372036854775807n
const LONG_MIN_BIG = -9223372036854775808n

type Kind = 'int' | 'long' | 'double' | 'boolean' | 'string'

export interface LogConfigDef {
  /** Kafka's config name, e.g. 'segment.bytes'. */
  readonly name: string
  readonly key: keyof LogConfig
  readonly kind: Kind
  /** Kafka's default, as the string DescribeConfigs reports. */
  readonly default: string
  readonly min?: number
  readonly max?: number
  readonly choices?: readonly string[]
  readonly doc: string
}

const LONG_MAX_STR = '9223372036854775807'

export const logConfigDefs: readonly LogConfigDef[] = [
  { name: 'segment.bytes', key: 'segmentBytes', kind: 'int', default: '1073741824', min: 14, doc: 'Size at which the active segment rolls' },
  { name: 'segment.ms', key: 'segmentMs', kind: 'long', default: '604800000', min: 1, doc: 'Age at which the active segment rolls' },
  { name: 'segment.index.bytes', key: 'segmentIndexBytes', kind: 'int', default: '10485760', min: 4, doc: 'Maximum size of an offset or time index; a full index rolls the segment' },
  { name: 'segment.jitter.ms', key: 'segmentJitterMs', kind: 'long', default: '0', min: 0, doc: 'Accepted; not applied' },
  { name: 'index.interval.bytes', key: 'indexIntervalBytes', kind: 'int', default: '4096', min: 0, doc: 'Log bytes between two offset index entries' },
  { name: 'flush.messages', key: 'flushMessages', kind: 'long', default: LONG_MAX_STR, min: 1, doc: 'fsync after this many messages; 1 = fsync before acknowledging acks=all' },
  { name: 'flush.ms', key: 'flushMs', kind: 'long', default: LONG_MAX_STR, min: 0, doc: 'fsync when unflushed data is this old' },
  { name: 'retention.ms', key: 'retentionMs', kind: 'long', default: '604800000', min: -1, doc: 'Delete closed segments older than this; -1 = forever' },
  { name: 'retention.bytes', key: 'retentionBytes', kind: 'long', default: '-1', doc: 'Delete closed segments while the log is larger; -1 = no limit' },
  { name: 'cleanup.policy', key: 'cleanupPolicy', kind: 'string', default: 'delete', choices: ['delete', 'compact', 'compact,delete'], doc: 'delete, compact, or both' },
  { name: 'delete.retention.ms', key: 'deleteRetentionMs', kind: 'long', default: '86400000', min: 0, doc: 'How long tombstones survive after their first cleaning' },
  { name: 'min.compaction.lag.ms', key: 'minCompactionLagMs', kind: 'long', default: '0', min: 0, doc: 'Records younger than this are not compacted' },
  { name: 'max.compaction.lag.ms', key: 'maxCompactionLagMs', kind: 'long', default: LONG_MAX_STR, min: 1, doc: 'Accepted; compaction runs on the broker timer' },
  { name: 'min.cleanable.dirty.ratio', key: 'minCleanableDirtyRatio', kind: 'double', default: '0.5', min: 0, max: 1, doc: 'Dirty/total ratio below which compaction skips the log' },
  { name: 'max.message.bytes', key: 'maxMessageBytes', kind: 'int', default: '1048588', min: 61, doc: 'Largest record batch accepted; at least a batch header (61 bytes)' },
  { name: 'message.timestamp.type', key: 'messageTimestampType', kind: 'string', default: 'CreateTime', choices: ['CreateTime', 'LogAppendTime'], doc: 'Keep producer timestamps or stamp batches at append' },
  { name: 'file.delete.delay.ms', key: 'fileDeleteDelayMs', kind: 'long', default: '60000', min: 0, doc: 'Accepted; files are deleted at once' },
  { name: 'compression.type', key: 'compressionType', kind: 'string', default: 'producer', choices: ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'], doc: 'Accepted; batches are stored as produced' },
  { name: 'min.insync.replicas', key: 'minInsyncReplicas', kind: 'int', default: '1', min: 1, doc: 'Accepted; single replica' },
  { name: 'preallocate', key: 'preallocate', kind: 'boolean', default: 'false', doc: 'Accepted; not applied' },
  { name: 'unclean.leader.election.enable', key: 'uncleanLeaderElectionEnable', kind: 'boolean', default: 'false', doc: 'Accepted; single replica' },
  { name: 'message.timestamp.difference.max.ms', key: 'messageTimestampDifferenceMaxMs', kind: 'long', default: LONG_MAX_STR, min: 0, doc: 'Accepted; not enforced' },
  { name: 'message.timestamp.before.max.ms', key: 'messageTimestampBeforeMaxMs', kind: 'long', default: LONG_MAX_STR, min: 0, doc: 'Accepted; not enforced' },
  { name: 'message.timestamp.after.max.ms', key: 'messageTimestampAfterMaxMs', kind: 'long', default: LONG_MAX_STR, min: 0, doc: 'Accepted; not enforced' },
  { name: 'message.downconversion.enable', key: 'messageDownconversionEnable', kind: 'boolean', default: 'true', doc: 'Accepted; only magic 2 is stored' },
]

const defsByName = new Map(logConfigDefs.map((d) => [d.name, d]))
const defsByKey = new Map(logConfigDefs.map((d) => [d.key, d]))

function parseValue(def: LogConfigDef, raw: string): LogConfig[keyof LogConfig] {
  const text = raw.trim()
  switch (def.kind) {
    case 'int':
    case 'long': {
      if (!/^[-+]?\d+$/.test(text)) throw new InvalidConfigError(def.name, `'${raw}' is not an integer`)
      const big = BigInt(text)
      const hi = def.kind === 'int' ? BigInt(INT_MAX) : LONG_MAX_BIG
      const lo = def.kind === 'int' ? -BigInt(INT_MAX) - 1n : LONG_MIN_BIG
      if (big > hi || big < lo) throw new InvalidConfigError(def.name, `'${raw}' is out of range for a ${def.kind}`)
      // Anything beyond 2^53 means "never" in practice (Long.MAX_VALUE defaults).
      const n = big > BigInt(LONG_MAX) ? LONG_MAX : Number(big)
      checkRange(def, n, raw)
      return n
    }
    case 'double': {
      const n = Number(text)
      if (text === '' || !Number.isFinite(n)) throw new InvalidConfigError(def.name, `'${raw}' is not a number`)
      checkRange(def, n, raw)
      return n
    }
    case 'boolean': {
      const lower = text.toLowerCase()
      if (lower !== 'true' && lower !== 'false') throw new InvalidConfigError(def.name, `'${raw}' is not true or false`)
      return lower === 'true'
    }
    case 'string': {
      if (def.name === 'cleanup.policy') return parseCleanupPolicy(raw)
      if (def.choices !== undefined && !def.choices.includes(text)) {
        throw new InvalidConfigError(def.name, `'${raw}' is not one of ${def.choices.join(', ')}`)
      }
      return text
    }
  }
}

function parseCleanupPolicy(raw: string): CleanupPolicy {
  const parts = raw
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== '')
  const set = new Set(parts)
  if (parts.length === 0 || [...set].some((p) => p !== 'delete' && p !== 'compact')) {
    throw new InvalidConfigError('cleanup.policy', `'${raw}' is not delete, compact or compact,delete`)
  }
  if (set.size === 2) return 'compact,delete'
  return set.has('compact') ? 'compact' : 'delete'
}

function checkRange(def: LogConfigDef, n: number, raw: unknown): void {
  if (def.min !== undefined && n < def.min) {
    throw new InvalidConfigError(def.name, `${String(raw)} is below the minimum ${def.min}`)
  }
  if (def.max !== undefined && n > def.max) {
    throw new InvalidConfigError(def.name, `${String(raw)} is above the maximum ${def.max}`)
  }
}

function builtinDefaults(): LogConfig {
  const out: Record<string, unknown> = {}
  for (const def of logConfigDefs) out[def.key] = parseValue(def, def.default)
  return out as unknown as LogConfig
}

/** Kafka's defaults for every topic config. */
export const defaultLogConfig: Readonly<LogConfig> = Object.freeze(builtinDefaults())

/** Checks every field of a config object (e.g. one built in code); throws InvalidConfigError naming the key. */
export function validateLogConfig(config: LogConfig): LogConfig {
  for (const def of logConfigDefs) {
    const value: unknown = config[def.key]
    switch (def.kind) {
      case 'int':
      case 'long': {
        const max = def.kind === 'int' ? INT_MAX : LONG_MAX
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value > max) {
          throw new InvalidConfigError(def.name, `${String(value)} is not an integer in range`)
        }
        checkRange(def, value, value)
        break
      }
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new InvalidConfigError(def.name, `${String(value)} is not a number`)
        }
        checkRange(def, value, value)
        break
      case 'boolean':
        if (typeof value !== 'boolean') throw new InvalidConfigError(def.name, `${String(value)} is not a boolean`)
        break
      case 'string':
        if (typeof value !== 'string' || (def.choices !== undefined && !def.choices.includes(value))) {
          throw new InvalidConfigError(def.name, `'${String(value)}' is not one of ${def.choices?.join(', ')}`)
        }
        break
    }
  }
  return config
}

/**
 * Builds a LogConfig from Kafka-named string overrides on top of `defaults`
 * (themselves on top of Kafka's). Unknown keys and bad values throw InvalidConfigError.
 */
export function parseLogConfig(overrides: Record<string, string>, defaults: Partial<LogConfig> = {}): LogConfig {
  const out: Record<string, unknown> = { ...defaultLogConfig }
  for (const [key, value] of Object.entries(defaults)) {
    if (value === undefined) continue
    if (!defsByKey.has(key as keyof LogConfig)) throw new InvalidConfigError(key, 'unknown log config field')
    out[key] = value
  }
  for (const [name, raw] of Object.entries(overrides)) {
    const def = defsByName.get(name)
    if (def === undefined) throw new InvalidConfigError(name, `unknown topic config (value '${raw}')`)
    if (typeof raw !== 'string') throw new InvalidConfigError(name, `${String(raw)} is not a string`)
    out[def.key] = parseValue(def, raw)
  }
  return validateLogConfig(out as unknown as LogConfig)
}

/** The Kafka-named string form of a config (for DescribeConfigs). */
export function logConfigToStrings(config: LogConfig): Record<string, string> {
  const out: Record<string, string> = {}
  for (const def of logConfigDefs) {
    const value = config[def.key]
    out[def.name] = typeof value === 'number' && value === LONG_MAX && def.default === LONG_MAX_STR ? LONG_MAX_STR : String(value)
  }
  return out
}

export function isKnownLogConfig(name: string): boolean {
  return defsByName.has(name)
}
