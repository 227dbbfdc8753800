// Converters turn Connect data (schema + value) into the bytes of a Kafka record and back,
// as Kafka's Converter interface. The registry is the seam for more formats (Avro with a
// schema registry comes in a later issue: register it under its class name).
import type { Schema } from '../api/schema.js'
import { ConfigException } from '../errors.js'
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
}

const registry = new Map<string, () => Converter>([
  ['org.apache.kafka.connect.json.JsonConverter', () => new JsonConverter()],
  ['org.apache.kafka.connect.storage.StringConverter', () => new StringConverter()],
])

/** Registers a converter under its class name (the value of key.converter / value.converter). */
export function registerConverter(className: string, factory: () => Converter): void {
  registry.set(className, factory)
}

export function createConverter(configKey: string, className: string, props: Record<string, string>, isKey: boolean, connector?: string): Converter {
  const factory = registry.get(className) ?? registry.get(aliases[className] ?? '')
  if (factory === undefined) {
    throw new ConfigException(configKey, `unknown converter class '${className}' (known: ${[...registry.keys()].join(', ')})`, connector === undefined ? {} : { connector })
  }
  const c = factory()
  c.configure(props, isKey)
  return c
}

const aliases: Record<string, string> = {
  JsonConverter: 'org.apache.kafka.connect.json.JsonConverter',
  StringConverter: 'org.apache.kafka.connect.storage.StringConverter',
}
