// SET / UNSET: the properties a session can override, validated by name and value, and what a
// query started under them runs with (ksqlDB keeps the overrides with each command, so a replayed
// query runs as it was started). Streams properties take ksqlDB's `ksql.streams.` prefix or not.
import { SqlError, type SourcePosition } from '../errors.js'
import type { QueryStartOptions } from './runtime.js'

const STREAMS_PREFIX = 'ksql.streams.'

interface PropertyDef {
  /** Checks a value; returns an error text or null. */
  readonly check: (value: string) => string | null
}

const oneOf = (...values: string[]): PropertyDef => ({
  check: (v) => (values.includes(v.toLowerCase()) ? null : `String must be one of: ${values.join(', ')}`),
})
const nonNegativeLong: PropertyDef = { check: (v) => (/^\s*\d+\s*$/.test(v) && Number(v) <= Number.MAX_SAFE_INTEGER ? null : 'Expected a non-negative whole number') }

/** Streams/consumer properties, by their name without `ksql.streams.`. */
const STREAMS_PROPERTIES: Record<string, PropertyDef> = {
  'auto.offset.reset': oneOf('earliest', 'latest'),
  'commit.interval.ms': nonNegativeLong,
  'cache.max.bytes.buffering': nonNegativeLong,
  'statestore.cache.max.bytes': nonNegativeLong,
  'processing.guarantee': oneOf('at_least_once', 'exactly_once_v2'),
}

/** ksql.* properties a session may set. */
const KSQL_PROPERTIES: Record<string, PropertyDef> = {}

/** Server-wide settings: shown by SHOW PROPERTIES, not settable per session. */
const SERVER_PROPERTIES = new Set(['ksql.service.id', 'ksql.logging.processing.topic.name', 'ksql.logging.processing.topic.auto.create', 'ksql.logging.processing.stream.auto.create', 'ksql.logging.processing.stream.name'])

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
