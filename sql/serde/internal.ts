// Serdes of internal topics and stores (repartition, aggregate state, materialized rows):
// an array of typed values as JSON text, DECIMALs exact.
import type { Serde } from '../../streams/serdes.js'
import type { SqlType } from '../types/sql-type.js'
import { fromJson, toJsonText } from './formats.js'
import { parseLosslessJson } from './json-text.js'

function needsLossless(t: SqlType): boolean {
  switch (t.kind) {
    case 'DECIMAL':
      return true
    case 'ARRAY':
      return needsLossless(t.element)
    case 'MAP':
      return needsLossless(t.key) || needsLossless(t.value)
    case 'STRUCT':
      return t.fields.some((f) => needsLossless(f.type))
    default:
      return false
  }
}

/**
 * Raw key bytes standing for a key: range bounds of pull queries that are no key's text (DOUBLE
 * keys, sql/engine/key-ranges.ts). The serializer of rows that are not plain hands them out as they are.
 */
export class RawKeyBytes {
  constructor(readonly bytes: Buffer) {}
}

const PLAIN = new Set(['BOOLEAN', 'INTEGER', 'BIGINT', 'STRING', 'DATE', 'TIME', 'TIMESTAMP', 'NULL'])

/** Rows up to this many values are remembered by the serializer of plain rows. */
const MEMO_WIDTH = 8

/** Same length and the same primitive values (plain rows hold only strings, numbers, booleans and nulls). */
function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function internalRowSerde(types: readonly SqlType[]): Serde<unknown[]> {
  const lossless = types.some(needsLossless)
  const n = types.length
  if (types.every((t) => PLAIN.has(t.kind))) {
    // values JSON carries as they are: JSON.stringify / JSON.parse directly, no per-value conversion.
    // The last row serialized is remembered (a copy of its primitive values): an aggregation's store get
    // and put, after the repartition sink, serialize one key three times. Buffers are never written
    // after serialization, so one can be handed out again.
    let lastRow: unknown[] = []
    let lastBytes: Buffer | null = null
    return {
      serialize: (_topic, row) => {
        if (row === null || row === undefined) return null
        if (lastBytes !== null && sameValues(row, lastRow)) return lastBytes
        const bytes = Buffer.from(JSON.stringify(row), 'utf8')
        if (row.length <= MEMO_WIDTH) {
          lastRow = row.slice()
          lastBytes = bytes
        }
        return bytes
      },
      deserialize: (_topic, bytes) => (bytes === null || bytes === undefined ? null : (JSON.parse(bytes.toString('utf8')) as unknown[])),
    }
  }
  return {
    serialize(_topic, row) {
      if (row === null || row === undefined) return null
      if (row instanceof RawKeyBytes) return row.bytes
      let s = '['
      for (let i = 0; i < n; i++) {
        if (i > 0) s += ','
        s += toJsonText(row[i] ?? null, types[i]!)
      }
      return Buffer.from(s + ']', 'utf8')
    },
    deserialize(_topic, bytes) {
      if (bytes === null || bytes === undefined) return null
      const text = bytes.toString('utf8')
      const arr = (lossless ? parseLosslessJson(text) : JSON.parse(text)) as unknown[]
      const out = new Array<unknown>(n)
      for (let i = 0; i < n; i++) out[i] = fromJson(arr[i] ?? null, types[i]!)
      return out
    },
  }
}
