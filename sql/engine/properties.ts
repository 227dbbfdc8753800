// WITH (...) properties of CREATE statements: names, types, defaults, validation.
import { SqlError } from '../errors.js'
import type { Literal } from '../parser/ast/expressions.js'
import type { Property } from '../parser/ast/statements.js'

const KNOWN = new Set([
  'KAFKA_TOPIC', 'KEY_FORMAT', 'VALUE_FORMAT', 'FORMAT', 'PARTITIONS', 'REPLICAS', 'TIMESTAMP', 'TIMESTAMP_FORMAT', 'VALUE_DELIMITER',
  'KEY_DELIMITER', 'WRAP_SINGLE_VALUE', 'RETENTION_MS', 'WINDOW_TYPE', 'WINDOW_SIZE', 'KEY_SCHEMA_ID', 'VALUE_SCHEMA_ID', 'KEY_SCHEMA_FULL_NAME', 'VALUE_AVRO_SCHEMA_FULL_NAME',
])

export class WithProperties {
  private readonly map = new Map<string, Literal>()

  constructor(props: readonly Property[]) {
    const unknown = props.filter((p) => !KNOWN.has(p.name))
    if (unknown.length > 0) throw new SqlError('INVALID_PROPERTY', `Invalid config variable(s) in the WITH clause: ${unknown.map((p) => p.name).join(',')}`, { position: unknown[0]!.pos, field: unknown[0]!.name })
    for (const p of props) {
      if (this.map.has(p.name)) throw new SqlError('INVALID_PROPERTY', `Duplicate property ${p.name}`, { position: p.pos, field: p.name })
      this.map.set(p.name, p.value)
    }
  }

  has(name: string): boolean {
    return this.map.has(name)
  }

  string(name: string): string | null {
    const v = this.map.get(name)
    if (v === undefined || v.type === 'NULL') return null
    if (v.type !== 'STRING') throw new SqlError('INVALID_PROPERTY', `Invalid value for ${name}: expected a string in quotes, got ${v.value}`, { position: v.pos, field: name })
    return v.value
  }

  int(name: string): number | null {
    const v = this.map.get(name)
    if (v === undefined) return null
    const n = Number(v.value)
    if (!Number.isInteger(n) || n < 1) throw new SqlError('INVALID_PROPERTY', `Invalid value for ${name}: expected a positive integer, got ${v.value}`, { position: v.pos, field: name })
    return n
  }

  bool(name: string): boolean | null {
    const v = this.map.get(name)
    if (v === undefined) return null
    const s = v.value.toUpperCase()
    if (s !== 'TRUE' && s !== 'FALSE') throw new SqlError('INVALID_PROPERTY', `Invalid value for ${name}: expected true or false, got ${v.value}`, { position: v.pos, field: name })
    return s === 'TRUE'
  }

  /** KEY_FORMAT / VALUE_FORMAT, with FORMAT setting both (and conflicting with either). */
  formats(defaults: { key: string | null; value: string | null }): { key: string | null; value: string | null } {
    const both = this.string('FORMAT')
    const key = this.string('KEY_FORMAT')
    const value = this.string('VALUE_FORMAT')
    if (both !== null && (key !== null || value !== null)) {
      throw new SqlError('INVALID_PROPERTY', `Cannot supply both 'FORMAT' and '${key !== null ? 'KEY_FORMAT' : 'VALUE_FORMAT'}' properties, as 'FORMAT' sets both key and value formats. Either use just 'FORMAT', or use 'KEY_FORMAT' and 'VALUE_FORMAT'.`, { field: 'FORMAT' })
    }
    return { key: (both ?? key ?? defaults.key)?.toUpperCase() ?? null, value: (both ?? value ?? defaults.value)?.toUpperCase() ?? null }
  }
}

/** WINDOW_SIZE: '10 SECONDS' -> ms. */
export function parseWindowSize(text: string): number {
  const m = /^\s*(\d+)\s*(MILLISECOND|SECOND|MINUTE|HOUR|DAY)S?\s*$/i.exec(text)
  if (m === null) throw new SqlError('INVALID_PROPERTY', `Invalid WINDOW_SIZE '${text}': expected a number and a unit, e.g. '10 SECONDS'`, { field: 'WINDOW_SIZE' })
  const mult: Record<string, number> = { MILLISECOND: 1, SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 }
  return Number(m[1]) * mult[m[2]!.toUpperCase()]!
}
