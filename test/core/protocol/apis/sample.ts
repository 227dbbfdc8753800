// Sample messages derived from the same definitions the codecs were generated from:
// fast-check arbitraries per message and version, fields absent in that version at their
// default (what decoding yields for them).

import fc from 'fast-check'
import { messageSchemas, type FieldSchema, type MessageSchema } from '../../../../core/protocol/apis/generated/schema.js'

type Value = unknown
type Obj = Record<string, Value>

const inRange = (r: [number, number] | null, v: number): boolean => r !== null && v >= r[0] && v <= r[1]

export function schemaOf(name: string): MessageSchema {
  const s = messageSchemas[name]
  if (!s) throw new Error(`No schema for ${name}`)
  return s
}

export function versionsOf(name: string): number[] {
  const [min, max] = schemaOf(name).validVersions!
  const out: number[] = []
  for (let v = min; v <= max; v++) out.push(v)
  return out
}

function defaultOf(msg: MessageSchema, f: FieldSchema): Value {
  if (f.defaultIsNull) return null
  const t = f.type
  if (typeof t === 'string') {
    if (t === 'bytes') return Buffer.alloc(0)
    if (t === 'records') return null
    return f.default
  }
  if ('array' in t) return []
  return defaultStruct(msg, t.struct)
}

export function defaultStruct(msg: MessageSchema, name: string): Obj {
  const out: Obj = {}
  for (const f of msg.structs[name]!) out[f.name] = defaultOf(msg, f)
  return out
}

const buf = (a: Uint8Array): Buffer => Buffer.from(a)

function primArb(t: string): fc.Arbitrary<Value> {
  switch (t) {
    case 'int8':
      return fc.integer({ min: -128, max: 127 })
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 })
    case 'int32':
      return fc.integer()
    case 'uint16':
      return fc.integer({ min: 0, max: 0xffff })
    case 'uint32':
      return fc.integer({ min: 0, max: 0xffffffff })
    case 'int64':
      return fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-1, 0, Number.MAX_SAFE_INTEGER))
    case 'float64':
      return fc.double({ noNaN: true })
    case 'bool':
      return fc.boolean()
    case 'string':
      return fc.string({ maxLength: 6, unit: 'grapheme' })
    case 'bytes':
      return fc.uint8Array({ maxLength: 6 }).map(buf)
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => buf(b).toString('base64url'))
    case 'records':
      return fc.uint8Array({ maxLength: 300 }).map(buf)
    default:
      throw new Error(`Unknown type ${t}`)
  }
}

function typeArb(msg: MessageSchema, t: FieldSchema['type'], v: number): fc.Arbitrary<Value> {
  if (typeof t === 'string') return primArb(t)
  if ('array' in t) return fc.array(typeArb(msg, t.array, v), { maxLength: 2 })
  return structArb(msg, t.struct, v)
}

export function structArb(msg: MessageSchema, name: string, v: number): fc.Arbitrary<Obj> {
  const parts: Record<string, fc.Arbitrary<Value>> = {}
  for (const f of msg.structs[name]!) {
    if (!inRange(f.versions, v)) {
      parts[f.name] = fc.constant(defaultOf(msg, f))
      continue
    }
    const base = typeArb(msg, f.type, v)
    parts[f.name] = inRange(f.nullableVersions, v) ? fc.option(base, { nil: null, freq: 4 }) : base
  }
  return fc.record(parts) as fc.Arbitrary<Obj>
}

/** Arbitrary for a whole message (e.g. 'ProduceRequest') at one version. */
export function messageArb(name: string, v: number): fc.Arbitrary<Obj> {
  const msg = schemaOf(name)
  return structArb(msg, name, v)
}
