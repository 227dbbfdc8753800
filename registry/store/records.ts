// The records of the _schemas topic, in Confluent Schema Registry's layout so that either
// registry could read the other's topic: a JSON key naming what the record is about (its field
// order fixed, since compaction compares key bytes) and a JSON value, null to delete.
//   {"keytype":"SCHEMA","subject":"s","version":1,"magic":1}  {"subject","version","id","schemaType"?,"schema","deleted"}
//   {"keytype":"CONFIG","subject":null|"s","magic":0}           {"compatibilityLevel":"BACKWARD"}
//   {"keytype":"DELETE_SUBJECT","subject":"s","magic":0}       {"subject":"s","version":N}
//   {"keytype":"NOOP","magic":0}                                (Confluent's marker for reading to the end)
import type { CompatibilityLevel, SchemaType } from '../types.js'
import { COMPATIBILITY_LEVELS } from '../types.js'

export interface SchemaValue {
  subject: string
  version: number
  id: number
  schema: string
  schemaType: SchemaType
  deleted: boolean
}

export type SchemasRecord =
  | { keytype: 'SCHEMA'; subject: string; version: number; value: SchemaValue | null }
  | { keytype: 'CONFIG'; subject: string | null; value: { compatibilityLevel: CompatibilityLevel } | null }
  | { keytype: 'DELETE_SUBJECT'; subject: string; value: { version: number } | null }
  | { keytype: 'NOOP' }
  /** A record of a kind Brook does not keep (MODE, CLEAR_SUBJECT, ...): read past. */
  | { keytype: 'OTHER'; name: string }

export function schemaKey(subject: string, version: number): string {
  return `{"keytype":"SCHEMA","subject":${JSON.stringify(subject)},"version":${version},"magic":1}`
}

export function schemaValue(v: SchemaValue): string {
  const type = v.schemaType === 'AVRO' ? '' : `"schemaType":${JSON.stringify(v.schemaType)},`
  return `{"subject":${JSON.stringify(v.subject)},"version":${v.version},"id":${v.id},${type}"schema":${JSON.stringify(v.schema)},"deleted":${v.deleted}}`
}

export function configKey(subject: string | null): string {
  return `{"keytype":"CONFIG","subject":${JSON.stringify(subject)},"magic":0}`
}

export function configValue(level: CompatibilityLevel): string {
  return `{"compatibilityLevel":"${level}"}`
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)
const isVersion = (x: unknown): x is number => Number.isInteger(x) && (x as number) > 0

/** Reads one record of the topic; a string saying what is wrong when it is not one the registry can use. */
export function decodeSchemasRecord(key: Buffer | null, value: Buffer | null): SchemasRecord | string {
  if (key === null) return 'a record without a key'
  let k: unknown
  let v: unknown = null
  try {
    k = JSON.parse(key.toString('utf8'))
    if (value !== null) v = JSON.parse(value.toString('utf8'))
  } catch (err) {
    return `not JSON (${(err as Error).message})`
  }
  if (!isObject(k) || typeof k.keytype !== 'string') return 'a key without keytype'
  switch (k.keytype) {
    case 'NOOP':
      return { keytype: 'NOOP' }
    case 'SCHEMA': {
      if (typeof k.subject !== 'string' || !isVersion(k.version)) return 'a SCHEMA key without subject and version'
      if (v === null) return { keytype: 'SCHEMA', subject: k.subject, version: k.version, value: null }
      if (!isObject(v) || v.subject !== k.subject || v.version !== k.version || !isVersion(v.id) || typeof v.schema !== 'string') {
        return `a SCHEMA value that does not match its key (subject ${k.subject}, version ${k.version})`
      }
      const schemaType = v.schemaType ?? 'AVRO'
      if (schemaType !== 'AVRO' && schemaType !== 'JSON' && schemaType !== 'PROTOBUF') return `schemaType ${String(schemaType)}`
      return {
        keytype: 'SCHEMA',
        subject: k.subject,
        version: k.version,
        value: { subject: k.subject, version: k.version, id: v.id, schema: v.schema, schemaType, deleted: v.deleted === true },
      }
    }
    case 'CONFIG': {
      const subject = k.subject ?? null
      if (subject !== null && typeof subject !== 'string') return 'a CONFIG key with a subject that is not a string'
      if (v === null) return { keytype: 'CONFIG', subject, value: null }
      const level = isObject(v) ? v.compatibilityLevel : undefined
      if (!COMPATIBILITY_LEVELS.includes(level as CompatibilityLevel)) return `compatibilityLevel ${String(level)}`
      return { keytype: 'CONFIG', subject, value: { compatibilityLevel: level as CompatibilityLevel } }
    }
    case 'DELETE_SUBJECT': {
      if (typeof k.subject !== 'string') return 'a DELETE_SUBJECT key without subject'
      if (v === null) return { keytype: 'DELETE_SUBJECT', subject: k.subject, value: null }
      if (!isObject(v) || !isVersion(v.version)) return 'a DELETE_SUBJECT value without version'
      return { keytype: 'DELETE_SUBJECT', subject: k.subject, value: { version: v.version } }
    }
    default:
      return { keytype: 'OTHER', name: k.keytype }
  }
}
