// Avro schemas for the registry: parsing (avsc), the normalized text that decides whether two
// schemas are the same, and compatibility by Avro's own resolution rules (avsc's createResolver:
// a reader reads what a writer wrote when every field it lacks a default for is written, types
// promote, enum symbols and union branches resolve).
import avro from 'avsc'
import { SchemaRegistryException } from '../errors.js'

export interface ParsedSchema {
  readonly type: avro.Type
  /** The schema as normalized JSON (names fully qualified, defaults and docs kept, whitespace gone): equal text, same schema. */
  readonly canonical: string
}

export function parseAvroSchema(text: string): ParsedSchema {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: not JSON (${(err as Error).message})`, { field: 'schema', cause: err })
  }
  let type: avro.Type
  try {
    type = avro.Type.forSchema(json as avro.Schema)
  } catch (err) {
    throw new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: ${(err as Error).message}`, { field: 'schema', cause: err })
  }
  return { type, canonical: JSON.stringify(type.schema({ exportAttrs: true })) }
}

/** Why `reader` cannot read data written with `writer`, or null when it can. */
export function readError(reader: avro.Type, writer: avro.Type): string | null {
  try {
    reader.createResolver(writer)
    return null
  } catch (err) {
    return (err as Error).message
  }
}
