// The AvroConverter's configuration: the keys of Confluent's AvroConverterConfig that Brook
// honours, parsed with ConfigDef (a wrong value is a ConfigException naming its key), and every
// other key refused by name rather than ignored.
import { ConfigDef, Validators } from '../../api/config-def.js'
import { ConfigException } from '../../errors.js'
import type { AvroDataConfig } from './avro-data.js'

export type SubjectNameStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy'

export interface AvroConverterConfig {
  /** The registry's REST API; null: Brook's own registry in the `_schemas` topic of the worker's broker. */
  schemaRegistryUrl: string | null
  /** Register a schema the subject lacks (true), or only look it up (false: the subject must hold it). */
  autoRegisterSchemas: boolean
  subjectNameStrategy: SubjectNameStrategy
  /** Schemas kept converted, each way (schemas.cache.config). */
  schemasCacheSize: number
  data: AvroDataConfig
}

const STRATEGY_PACKAGE = 'io.confluent.kafka.serializers.subject.'
const STRATEGIES: readonly SubjectNameStrategy[] = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy']

function definition(): ConfigDef {
  const strategy = (key: string, value: unknown): void => {
    const name = String(value).startsWith(STRATEGY_PACKAGE) ? String(value).slice(STRATEGY_PACKAGE.length) : String(value)
    if (!(STRATEGIES as readonly string[]).includes(name)) throw new ConfigException(key, `'${String(value)}' is not a subject name strategy Brook knows (${STRATEGIES.map((s) => STRATEGY_PACKAGE + s).join(', ')})`)
  }
  return new ConfigDef()
    .define('schema.registry.url', 'LIST', '', 'HIGH', "URL of the schema registry's REST API; without it, Brook's own registry in the _schemas topic of the worker's broker.")
    .define('auto.register.schemas', 'BOOLEAN', true, 'MEDIUM', 'Register the schema of a record when its subject lacks it; false: the subject must hold it already.')
    .define('use.latest.version', 'BOOLEAN', false, 'LOW', "Accepted as false only: Brook's converter writes each record with its own schema.")
    .define('key.subject.name.strategy', 'STRING', `${STRATEGY_PACKAGE}TopicNameStrategy`, 'MEDIUM', 'Subject of key schemas.', strategy)
    .define('value.subject.name.strategy', 'STRING', `${STRATEGY_PACKAGE}TopicNameStrategy`, 'MEDIUM', 'Subject of value schemas.', strategy)
    .define('schemas.cache.config', 'INT', 1000, 'LOW', 'Schemas kept converted, each way.', Validators.atLeast(1))
    .define('connect.meta.data', 'BOOLEAN', true, 'LOW', 'Write connect.name, connect.version, connect.doc, connect.parameters and connect.default into Avro schemas.')
    .define('enhanced.avro.schema.support', 'BOOLEAN', false, 'MEDIUM', 'Keep Avro enums as enums and name union fields by full names.')
    .define('scrub.invalid.names', 'BOOLEAN', false, 'LOW', "Replace characters Avro names may not hold with '_' instead of failing.")
}

/** The converter's config from its props (prefix removed); a ConfigException naming the first wrong or unknown key. */
export function parseAvroConverterConfig(props: Record<string, string>, isKey: boolean): AvroConverterConfig {
  const def = definition()
  for (const key of Object.keys(props)) {
    if (!def.has(key)) {
      throw new ConfigException(key, `unknown configuration key of io.confluent.connect.avro.AvroConverter (known: ${def.configKeys().map((k) => k.name).join(', ')})`)
    }
  }
  const parsed = def.parse(props)
  if (parsed.getBoolean('use.latest.version')) {
    throw new ConfigException('use.latest.version', "true is not supported by Brook's AvroConverter: each record is written with the schema of its Connect schema (auto.register.schemas=false looks that schema up instead of registering it)")
  }
  const urls = parsed.getList('schema.registry.url')
  if (urls.length > 1) throw new ConfigException('schema.registry.url', `Brook's AvroConverter takes one registry URL, got ${urls.length}: ${urls.join(', ')}`)
  const url = urls[0] ?? null
  if (url !== null) {
    let parsedUrl: URL | null = null
    try {
      parsedUrl = new URL(url)
    } catch {
      parsedUrl = null
    }
    if (parsedUrl === null || (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:')) {
      throw new ConfigException('schema.registry.url', `'${url}' is not an http:// or https:// URL`)
    }
  }
  const strategy = parsed.getString(isKey ? 'key.subject.name.strategy' : 'value.subject.name.strategy')
  return {
    schemaRegistryUrl: url,
    autoRegisterSchemas: parsed.getBoolean('auto.register.schemas'),
    subjectNameStrategy: (strategy.startsWith(STRATEGY_PACKAGE) ? strategy.slice(STRATEGY_PACKAGE.length) : strategy) as SubjectNameStrategy,
    schemasCacheSize: parsed.getInt('schemas.cache.config'),
    data: {
      connectMetaData: parsed.getBoolean('connect.meta.data'),
      enhancedSchemaSupport: parsed.getBoolean('enhanced.avro.schema.support'),
      scrubInvalidNames: parsed.getBoolean('scrub.invalid.names'),
    },
  }
}
