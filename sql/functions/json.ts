// JSON functions (ksqlDB's json UDFs): they read JSON text with numbers kept as written.
import { SqlDecimal } from '../types/decimal.js'
import { SqlTypes, type SqlType } from '../types/sql-type.js'
import { BOOLEAN, INTEGER, STRING, T, nullSafe, param, scalar, sig, sigWith } from './define.js'
import { FunctionError } from './errors.js'
import { formatIsoDate, formatIsoTime, formatIsoTimestamp } from './iso-time.js'
import { JsonSyntaxError, parseJson, tokenizeJsonPath, writeJson, type JsonNode } from './json-node.js'
import type { ScalarFunction } from './registry-types.js'
import { javaDoubleToString } from './values.js'

const CATEGORY = 'JSON'

/** Parses or throws ksqlDB's "Invalid JSON format" function error. */
function parse(text: string, fn: string): JsonNode | null {
  try {
    return parseJson(text)
  } catch (e) {
    throw new FunctionError('FUNCTION_ERROR', `Invalid JSON format:${text}`, fn, { cause: e })
  }
}

/** Text values unquoted, everything else as JSON. */
const textOf = (node: JsonNode): string => (node.kind === 'string' ? node.value : writeJson(node))

export const EXTRACTJSONFIELD = scalar('EXTRACTJSONFIELD', CATEGORY, "Given a STRING that contains JSON data, extract the value at the specified JSONPath ('$.a.b[0]'): text values unquoted, anything else as JSON text; NULL when the path does not exist.", [
  sigWith([param('input', STRING, 'the JSON text'), param('path', STRING, "the JSONPath, e.g. '$.log.cloud'")], STRING, () => {
    let lastPath: string | null = null
    let tokens: string[] = []
    return nullSafe((input: string, path: string) => {
      if (path !== lastPath) {
        try {
          tokens = tokenizeJsonPath(path)
        } catch (e) {
          throw new FunctionError('FUNCTION_ERROR', e instanceof JsonSyntaxError ? e.message : String(e), 'EXTRACTJSONFIELD')
        }
        lastPath = path
      }
      let node = parse(input, 'EXTRACTJSONFIELD')
      for (const t of tokens) {
        if (node === null) return null
        if (node.kind === 'array') {
          if (!/^-?\d+$/.test(t)) return null
          node = node.items[Number(t)] ?? null
        } else if (node.kind === 'object') {
          node = node.fields.get(t) ?? null
        } else {
          return null
        }
      }
      return node === null ? null : textOf(node)
    })
  }),
])

export const JSON_ARRAY_LENGTH = scalar('JSON_ARRAY_LENGTH', CATEGORY, 'Given a STRING that contains a JSON array, returns the number of its elements; NULL if the string is not a JSON array.', [
  sig([param('jsonArray', STRING)], INTEGER, nullSafe((s: string) => {
    const node = parse(s, 'JSON_ARRAY_LENGTH')
    return node?.kind === 'array' ? node.items.length : null
  })),
])

export const JSON_KEYS = scalar('JSON_KEYS', CATEGORY, 'Given a STRING that contains a JSON object, returns an array of its top-level keys; NULL if it is not a JSON object.', [
  sig([param('jsonObj', STRING)], SqlTypes.array(STRING), nullSafe((s: string) => {
    const node = parse(s, 'JSON_KEYS')
    return node?.kind === 'object' ? [...node.fields.keys()] : null
  })),
])

export const JSON_RECORDS = scalar('JSON_RECORDS', CATEGORY, 'Given a STRING that contains a JSON object, returns a map of its top-level keys to their values as text (strings unquoted, other values as JSON); NULL if it is not a JSON object.', [
  sig([param('jsonObj', STRING)], SqlTypes.map(STRING, STRING), nullSafe((s: string) => {
    const node = parse(s, 'JSON_RECORDS')
    if (node?.kind !== 'object') return null
    return new Map([...node.fields].map(([k, v]) => [k, textOf(v)]))
  })),
])

export const JSON_ITEMS = scalar('JSON_ITEMS', CATEGORY, 'Given a STRING that contains a JSON array, returns an array of its elements as JSON text.', [
  sig([param('jsonItems', STRING)], SqlTypes.array(STRING), nullSafe((s: string) => {
    const node = parse(s, 'JSON_ITEMS')
    if (node?.kind !== 'array') throw new FunctionError('FUNCTION_ERROR', `Invalid JSON format:${s}`, 'JSON_ITEMS')
    return node.items.map(writeJson)
  })),
])

export const JSON_CONCAT = scalar('JSON_CONCAT', CATEGORY, 'Merges JSON objects (later keys win), or concatenates JSON arrays when any input is not an object (non-array values become one-element arrays). NULL if any input is NULL or empty.', [
  sig([param('jsonStrings', STRING)], STRING, (...texts: (string | null)[]) => {
    if (texts.length === 0) return null
    const nodes: JsonNode[] = []
    for (const t of texts) {
      if (t === null) return null
      const node = parse(t, 'JSON_CONCAT')
      if (node === null) return null
      nodes.push(node)
    }
    if (nodes.every((n) => n.kind === 'object')) {
      const fields = new Map<string, JsonNode>()
      for (const n of nodes) if (n.kind === 'object') for (const [k, v] of n.fields) fields.set(k, v)
      return writeJson({ kind: 'object', fields })
    }
    const items: JsonNode[] = []
    for (const n of nodes) {
      if (n.kind === 'array') items.push(...n.items)
      else items.push(n)
    }
    return writeJson({ kind: 'array', items })
  }, { variadic: true }),
])

export const IS_JSON_STRING = scalar('IS_JSON_STRING', CATEGORY, 'Returns true if the STRING can be parsed as valid JSON, false otherwise (and for NULL).', [
  sig([param('input', STRING, 'The input JSON string')], BOOLEAN, (s: string | null) => {
    if (s === null) return false
    try {
      return parseJson(s) !== null
    } catch {
      return false
    }
  }),
])

/** Whether a JSON scalar equals a SQL value: integer tokens match INT/BIGINT, decimal tokens DOUBLE, as ksqlDB compares. */
function jsonScalarEquals(node: JsonNode, value: unknown, type: SqlType): boolean {
  switch (node.kind) {
    case 'null':
      return value === null
    case 'boolean':
      return typeof value === 'boolean' && value === node.value
    case 'string':
      return typeof value === 'string' && value === node.value
    case 'number': {
      if (typeof value !== 'number') return false
      const integral = /^-?\d+$/.test(node.raw)
      if (integral) return (type.kind === 'INTEGER' || type.kind === 'BIGINT') && Number(node.raw) === value
      return type.kind === 'DOUBLE' && Number(node.raw) === value
    }
    default:
      return false
  }
}

export const JSON_ARRAY_CONTAINS = scalar('JSON_ARRAY_CONTAINS', CATEGORY, 'Parses a JSON array and determines whether or not the supplied value is contained within the array (top-level scalars only); false for invalid JSON.', [
  sigWith([param('jsonArray', STRING), param('val', T)], BOOLEAN, (types) => {
    const t = types[1] ?? SqlTypes.NULL
    return (s: string | null, v: unknown) => {
      if (s === null) return false
      let node: JsonNode | null
      try {
        node = parseJson(s)
      } catch {
        return false
      }
      return node?.kind === 'array' && node.items.some((item) => jsonScalarEquals(item, v, t))
    }
  }),
])

/** A value of a SQL type as JSON text: dates and times as ISO text, bytes as base64, struct fields and map keys sorted. */
export function toJsonText(value: unknown, type: SqlType): string {
  if (value === null) return 'null'
  switch (type.kind) {
    case 'BOOLEAN':
    case 'INTEGER':
    case 'BIGINT':
      return String(value)
    case 'DOUBLE':
      return Number.isFinite(value) ? javaDoubleToString(value as number) : JSON.stringify(javaDoubleToString(value as number))
    case 'DECIMAL':
      return (value as SqlDecimal).toString()
    case 'STRING':
      return JSON.stringify(value)
    case 'BYTES':
      return JSON.stringify((value as Buffer).toString('base64'))
    case 'DATE':
      return JSON.stringify(formatIsoDate(value as number))
    case 'TIME':
      return JSON.stringify(formatIsoTime(value as number))
    case 'TIMESTAMP':
      return JSON.stringify(formatIsoTimestamp(value as number))
    case 'ARRAY':
      return `[${(value as unknown[]).map((v) => toJsonText(v, type.element)).join(',')}]`
    case 'MAP': {
      const entries = [...(value as Map<unknown, unknown>)].map(([k, v]) => [k instanceof SqlDecimal ? k.toString() : String(k), v] as const)
      entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v, type.value)}`).join(',')}}`
    }
    case 'STRUCT': {
      const fields = [...type.fields].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      const obj = value as Record<string, unknown>
      return `{${fields.map((f) => `${JSON.stringify(f.name)}:${toJsonText(obj[f.name] ?? null, f.type)}`).join(',')}}`
    }
    case 'NULL':
      return 'null'
  }
}

export const TO_JSON_STRING = scalar('TO_JSON_STRING', CATEGORY, 'Given any ksqlDB type, returns the equivalent JSON string: dates and times as ISO text, bytes as base64, struct fields and map keys sorted.', [
  sigWith([param('input', T)], STRING, (types) => {
    const t = types[0] ?? SqlTypes.NULL
    return (v: unknown) => toJsonText(v, t)
  }),
])

export const jsonFunctions: readonly ScalarFunction[] = [
  EXTRACTJSONFIELD, JSON_ARRAY_LENGTH, JSON_KEYS, JSON_RECORDS, JSON_ITEMS, JSON_CONCAT, IS_JSON_STRING, JSON_ARRAY_CONTAINS, TO_JSON_STRING,
]
