// Converters turn Connect data (schema + value) into the bytes of a Kafka record and back,
// as Kafka's Converter interface. Conversions are synchronous (the task loops convert a batch
// without awaiting per record); a converter that needs a remote service first (the Avro
// converter's schema registry) has optional prepare hooks the worker awaits once per batch.
import type { SchemaRegistryClient } from '../../registry/index.js'
import type { ConnectRecord } from '../api/record.js'
import type { Schema } from '../api/schema.js'
import { ConfigException } from '../errors.js'
import { AvroConverter } from './avro/avro-converter.js'
import { JsonConverter } from './json-converter.js'
import { StringConverter } from './string-converter.js'

export interface SchemaAndValue {
  schema: Schema | null
  value: unknown
}

/** Bytes at [start, end) of a buffer, refilled by whoever writes them. */
export interface ByteRange {
  buffer: Buffer
  start: number
  end: number
}

export interface Converter {
  configure(props: Record<string, string>, isKey: boolean): void
  fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null
  /**
   * fromConnectData without a Buffer of its own: the bytes are written into the converter's
   * buffer and `into` says where (valid until the next call); false for null (no bytes).
   * Optional: the worker falls back to fromConnectData.
   */
  fromConnectDataRange?(topic: string, schema: Schema | null, value: unknown, into: ByteRange): boolean
  toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue
  /**
   * Optional: the async work fromConnectData needs for these records (the Avro converter
   * registers the schemas it has no id for). The source worker calls it with each batch before
   * converting it and awaits it, once per batch; null when nothing is missing. A rejection with
   * a RetriableException is retried with backoff; any other fails the task.
   */
  prepareFromConnectData?(records: readonly ConnectRecord[]): Promise<void> | null
  /** Optional: the same before toConnectData of a consumed batch (the Avro converter fetches the writer schemas of ids it has not seen). */
  prepareToConnectData?(records: readonly RawRecord[]): Promise<void> | null
}

/** A consumed record as prepareToConnectData sees it. */
export interface RawRecord {
  topic: string
  key: Buffer | null
  value: Buffer | null
}

/** What the worker gives a converter besides its config. */
export interface ConverterContext {
  /**
   * Brook's own schema registry, kept in the `_schemas` topic of the worker's broker: opened by
   * the worker at the first call and shared by its converters. The Avro converter's registry
   * when no schema.registry.url is given.
   */
  schemaRegistry(): Promise<SchemaRegistryClient>
}

export type ConverterFactory = (context?: ConverterContext) => Converter

export const AVRO_CONVERTER = 'io.confluent.connect.avro.AvroConverter'

const registry = new Map<string, ConverterFactory>([
  ['org.apache.kafka.connect.json.JsonConverter', () => new JsonConverter()],
  ['org.apache.kafka.connect.storage.StringConverter', () => new StringConverter()],
  [AVRO_CONVERTER, (context) => new AvroConverter(context)],
])

/** Registers a converter under its class name (the value of key.converter / value.converter). */
export function registerConverter(className: string, factory: ConverterFactory): void {
  registry.set(className, factory)
}

/**
 * A configured converter. A ConfigException of its own config is reported under the full key
 * (value.converter.schema.registry.url), as the user wrote it.
 */
export function createConverter(configKey: string, className: string, props: Record<string, string>, isKey: boolean, connector?: string, context?: ConverterContext): Converter {
  const factory = registry.get(className) ?? registry.get(aliases[className] ?? '')
  const where = connector === undefined ? {} : { connector }
  if (factory === undefined) {
    throw new ConfigException(configKey, `unknown converter class '${className}' (known: ${[...registry.keys()].join(', ')})`, where)
  }
  const c = factory(context)
  try {
    c.configure(props, isKey)
  } catch (err) {
    if (!(err instanceof ConfigException) || err.key.startsWith(`${configKey}.`)) throw err
    throw new ConfigException(`${configKey}.${err.key}`, err.message.replace(/^(Connector '[^']*': )?Invalid value for configuration '[^']*': /, ''), { ...where, cause: err })
  }
  return c
}

const aliases: Record<string, string> = {
  JsonConverter: 'org.apache.kafka.connect.json.JsonConverter',
  StringConverter: 'org.apache.kafka.connect.storage.StringConverter',
  AvroConverter: AVRO_CONVERTER,
}
