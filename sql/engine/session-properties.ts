// SET / UNSET: the properties a session can override, validated by name and value, and what a
// query started under them runs with (ksqlDB keeps the overrides with each command, so a replayed
// query runs as it was started). Streams properties take ksqlDB's `ksql.streams.` prefix or not.
import { SqlError, type SourcePosition } from '../errors.js'
import type { QueryStartOptions } from './runtime.js'

const STREAMS_PREFIX = 'ksql.streams.'

interface PropertyDef {
  /** Checks a value; returns an error text or null. */
  readonly check: (value: string) => string | null
  /** Valid values, for the configuration reference. */
  readonly valid: string
}

const oneOf = (...values: string[]): PropertyDef => ({
  check: (v) => (values.includes(v.toLowerCase()) ? null : `String must be one of: ${values.join(', ')}`),
  valid: values.map((v) => `\`${v}\``).join(', '),
})
const nonNegativeLong: PropertyDef = { check: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER ? null : 'Expected a non-negative whole number'), valid: '>= 0' }

/** A documented setting (docs/configuration.md is generated from these). */
export interface SqlSettingDoc {
  readonly name: string
  readonly default: string
  readonly valid: string
  readonly doc: string
}

/** Streams/consumer properties, by their name without `ksql.streams.`. */
const STREAMS_PROPERTIES: Record<string, PropertyDef & { default: string; doc: string }> = {
  'auto.offset.reset': { ...oneOf('earliest', 'latest'), default: 'latest', doc: 'Where a new persistent query starts reading source topics without committed offsets (source tables always read from the beginning)' },
  'commit.interval.ms': { ...nonNegativeLong, default: '1000 (brook sql)', doc: 'How often a query commits its progress and flushes its state' },
  'cache.max.bytes.buffering': { ...nonNegativeLong, default: '10485760', doc: 'Record cache shared by all the query\'s state stores (one budget per query, as Kafka has one per instance); 0 emits every update' },
  'statestore.cache.max.bytes': { ...nonNegativeLong, default: '10485760', doc: 'Newer name of cache.max.bytes.buffering (wins when both are set)' },
  'processing.guarantee': { ...oneOf('at_least_once', 'exactly_once_v2'), default: 'at_least_once', doc: 'exactly_once_v2 runs the query with transactions' },
}

/** ksql.* properties a session may set. */
const KSQL_PROPERTIES: Record<string, PropertyDef> = {}

/** Session properties (SET / UNSET), for the configuration reference. */
export const sessionPropertyDocs: readonly SqlSettingDoc[] = Object.entries(STREAMS_PROPERTIES).map(([name, d]) => ({ name, default: d.default, valid: d.valid, doc: d.doc }))

/** Engine settings (KsqlEngine.create({ properties })), not settable per session. */
export const engineSettingDocs: readonly SqlSettingDoc[] = [
  { name: 'ksql.service.id', default: 'default_', valid: 'any', doc: 'Prefix of the command topic, query application ids and the processing-log topic (the engine\'s serviceId option)' },
  { name: 'ksql.logging.processing.topic.name', default: '<service id>ksql_processing_log', valid: 'a topic name', doc: 'Topic the processing log is written to' },
  { name: 'ksql.logging.processing.topic.auto.create', default: 'true', valid: '`true`, `false`', doc: 'Create the processing-log topic at start when missing (ksqlDB defaults to false)' },
  { name: 'ksql.logging.processing.topic.partitions', default: '1', valid: '>= 1', doc: 'Partitions of a created processing-log topic' },
  { name: 'ksql.logging.processing.topic.replication.factor', default: '1', valid: '>= 1', doc: 'Replication factor of a created processing-log topic' },
  { name: 'ksql.logging.processing.stream.auto.create', default: 'true', valid: '`true`, `false`', doc: 'Register the processing-log stream at start (ksqlDB defaults to false)' },
  { name: 'ksql.logging.processing.stream.name', default: 'KSQL_PROCESSING_LOG', valid: 'an identifier', doc: 'Name of the processing-log stream' },
  { name: 'ksql.logging.processing.rows.include', default: 'false', valid: '`true`, `false`', doc: 'Log the failing record\'s bytes (recordB64) and rows' },
  { name: 'ksql.schema.registry.url', default: '(none: the _schemas topic of the broker the queries run on)', valid: 'an http(s) URL', doc: 'Schema registry of the AVRO format (Brook\'s `brook registry serve`, or Confluent\'s); the KsqlEngine option schemaRegistry wins' },
]

/** Server-wide settings: shown by SHOW PROPERTIES, not settable per session. */
const SERVER_PROPERTIES = new Set(engineSettingDocs.map((d) => d.name))

function definition(name: string): PropertyDef | undefined {
  const bare = name.startsWith(STREAMS_PREFIX) ? name.slice(STREAMS_PREFIX.length) : name
  return STREAMS_PROPERTIES[bare] ?? KSQL_PROPERTIES[name]
}

/** Validates SET name = value; the error names the property and where it was given. */
export function validateProperty(name: string, value: string, pos: SourcePosition): void {
  if (SERVER_PROPERTIES.has(name)) throw new SqlError('INVALID_PROPERTY', `Cannot override property '${name}': it is a server setting (engine options), not a session property`, { position: pos, field: name })
  const def = definition(name)
  if (def === undefined) {
    const known = [...Object.keys(STREAMS_PROPERTIES), ...Object.keys(KSQL_PROPERTIES)].sort().join(', ')
    throw new SqlError('INVALID_PROPERTY', `Not recognizable as ksql, streams, consumer, or producer property: '${name}'. Properties that can be set: ${known} (streams properties also with the 'ksql.streams.' prefix)`, { position: pos, field: name })
  }
  const problem = def.check(value)
  if (problem !== null) throw new SqlError('INVALID_PROPERTY', `Invalid value ${value} for configuration ${name}: ${problem}`, { position: pos, field: name })
}

/** Checks UNSET names a property that exists. */
export function validateUnset(name: string, pos: SourcePosition): void {
  if (definition(name) === undefined) throw new SqlError('INVALID_PROPERTY', `Not recognizable as ksql, streams, consumer, or producer property: '${name}'`, { position: pos, field: name })
}

/** The value of a streams property under either of its names (a prefixed SET wins, as in ksqlDB). */
function streamsValue(props: Readonly<Record<string, string>>, name: string): string | undefined {
  return props[STREAMS_PREFIX + name] ?? props[name]
}

/** How a persistent query started under these properties runs. */
export function queryStartOptions(props: Readonly<Record<string, string>>): QueryStartOptions {
  const reset = streamsValue(props, 'auto.offset.reset')?.toLowerCase()
  const commit = streamsValue(props, 'commit.interval.ms')
  const cache = streamsValue(props, 'statestore.cache.max.bytes') ?? streamsValue(props, 'cache.max.bytes.buffering')
  const guarantee = streamsValue(props, 'processing.guarantee')?.toLowerCase()
  return {
    ...(reset === 'earliest' || reset === 'latest' ? { autoOffsetReset: reset } : {}),
    ...(commit === undefined ? {} : { commitIntervalMs: Number(commit) }),
    ...(cache === undefined ? {} : { cacheMaxBytes: Number(cache) }),
    ...(guarantee === 'at_least_once' || guarantee === 'exactly_once_v2' ? { processingGuarantee: guarantee } : {}),
  }
}
