// Connect schemas ↔ Avro schemas as Confluent's AvroData maps them, so the schemas Brook
// registers are the ones Kafka Connect's AvroConverter registers for the same data, and schemas
// written by other Avro producers read as Connect schemas the same way:
//
//   STRUCT → record named after the Connect name (else io.confluent.connect.avro.ConnectDefault);
//   optional → ["null", T] with default null ([T, "null"] when it has a default); INT8/INT16 →
//   int with connect.type; INT32 int, INT64 long, FLOAT32 float, FLOAT64 double; MAP with string
//   keys → map, other keys → array of io.confluent.connect.avro.MapEntry records; Decimal → bytes
//   decimal(precision from connect.decimal.precision, else 64; scale), Date → int date, Time →
//   int time-millis, Timestamp → long timestamp-millis; connect.name / connect.version /
//   connect.doc / connect.parameters / connect.default on every type but unions (connect.meta.data);
//   schemaless data → the io.confluent.connect.avro.Anything record. Avro unions of more than null
//   and one type → a struct named io.confluent.connect.avro.Union, one optional field per branch;
//   enums → strings with io.confluent.connect.avro.Enum parameters.
//
// Avro schemas are handled as parsed trees (AvroNode): named references resolved, properties kept.
import { ConnectDate, ConnectTime, ConnectTimestamp, Decimal, decimalScale, type Field, type Schema } from '../../api/schema.js'
import { DataException } from '../../errors.js'
import { decimalFromBytes, decimalToBytes } from '../decimal.js'
import { schemaToJson } from '../json-converter.js'

export const NAMESPACE = 'io.confluent.connect.avro'
export const DEFAULT_SCHEMA_NAME = 'ConnectDefault'
export const MAP_ENTRY_NAME = 'MapEntry'
export const UNION_NAME = `${NAMESPACE}.Union`
export const ENUM_NAME = `${NAMESPACE}.Enum`
export const ANYTHING_NAME = `${NAMESPACE}.Anything`
const CONNECT_NAME = 'connect.name'
const CONNECT_DOC = 'connect.doc'
const CONNECT_VERSION = 'connect.version'
const CONNECT_DEFAULT = 'connect.default'
const CONNECT_PARAMETERS = 'connect.parameters'
const CONNECT_TYPE = 'connect.type'
const CONNECT_INTERNAL_TYPE = 'connect.internal.type'
const RECORD_DOC = `${NAMESPACE}.record.doc`
const FIELD_DOC_PREFIX = `${NAMESPACE}.field.doc.`
const ENUM_DOC_PREFIX = `${NAMESPACE}.enum.doc.`
const ENUM_DEFAULT_PREFIX = `${NAMESPACE}.enum.default.`
/** On a Connect schema read from Avro: its default came from the Avro field, so no connect.default is written back. */
const FIELD_DEFAULT_FLAG = `${NAMESPACE}.field.default`
const DECIMAL_PRECISION = 'connect.decimal.precision'
const DEFAULT_PRECISION = 64
const DEFAULT_NAME = /^io\.confluent\.connect\.avro\.ConnectDefault\d*$/

/** AvroData's settings (the converter's connect.meta.data, enhanced.avro.schema.support, scrub.invalid.names). */
export interface AvroDataConfig {
  /** Write (and read) connect.name, connect.version, connect.doc, connect.parameters, connect.default and docs. Default true. */
  connectMetaData: boolean
  /** Connect strings with io.confluent.connect.avro.Enum parameters become Avro enums; union fields are named by full names. Default false. */
  enhancedSchemaSupport: boolean
  /** Names Avro refuses (a table called order-lines) get '_' for each invalid character instead of failing. Default false. */
  scrubInvalidNames: boolean
}

export const DEFAULT_AVRO_DATA_CONFIG: AvroDataConfig = { connectMetaData: true, enhancedSchemaSupport: false, scrubInvalidNames: false }

/** An Avro schema as JSON (what the registry stores, as text). */
export type AvroSchemaJson = string | AvroSchemaJson[] | { [key: string]: unknown }

type Props = Record<string, unknown>
export type PrimitiveKind = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string'

export interface AvroField {
  name: string
  type: AvroNode
  doc: string | undefined
  /** The field's default as JSON; undefined when it has none. */
  default: unknown
}

/** A parsed Avro schema: named references resolved to their definition (a recursive schema is a cycle). */
export type AvroNode =
  | { kind: PrimitiveKind; props: Props }
  | { kind: 'record'; name: string; doc: string | undefined; fields: AvroField[]; props: Props }
  | { kind: 'enum'; name: string; doc: string | undefined; symbols: string[]; default: string | undefined; props: Props }
  | { kind: 'fixed'; name: string; size: number; props: Props }
  | { kind: 'array'; items: AvroNode; props: Props }
  | { kind: 'map'; values: AvroNode; props: Props }
  | { kind: 'union'; branches: AvroNode[] }

const PRIMITIVES = new Set<string>(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
const RESERVED = new Set(['type', 'name', 'namespace', 'fields', 'symbols', 'items', 'values', 'size', 'doc', 'aliases', 'default'])

/** The schema of schemaless Connect data: one optional field per kind of value. */
export const ANYTHING_SCHEMA: AvroSchemaJson = {
  type: 'record',
  name: ANYTHING_NAME,
  fields: [
    ...['boolean', 'bytes', 'double', 'float', 'int', 'long', 'string'].map((t) => ({ name: t, type: ['null', t], default: null })),
    { name: 'array', type: ['null', { type: 'array', items: ANYTHING_NAME }], default: null },
    {
      name: 'map',
      type: ['null', { type: 'array', items: { type: 'record', name: MAP_ENTRY_NAME, namespace: NAMESPACE, fields: [{ name: 'key', type: ANYTHING_NAME }, { name: 'value', type: ANYTHING_NAME }] } }],
      default: null,
    },
  ],
}

// --- Avro JSON → tree ---

/** Parses Avro schema JSON (already valid Avro) into a tree with named references resolved. */
export function parseAvroNode(json: unknown): AvroNode {
  const named = new Map<string, AvroNode>()
  const fullName = (name: string, ns: string | undefined): string => (name.includes('.') || ns === undefined ? name : `${ns}.${name}`)
  const parse = (j: unknown, ns: string | undefined): AvroNode => {
    if (typeof j === 'string') {
      if (PRIMITIVES.has(j)) return { kind: j as PrimitiveKind, props: {} }
      const found = named.get(fullName(j, ns)) ?? named.get(j)
      if (found === undefined) throw new DataException(`Avro schema refers to the unknown type '${j}'`)
      return found
    }
    if (Array.isArray(j)) return { kind: 'union', branches: j.map((b) => parse(b, ns)) }
    if (j === null || typeof j !== 'object') throw new DataException(`Not an Avro schema: ${JSON.stringify(j)}`)
    const o = j as Record<string, unknown>
    const props: Props = {}
    for (const k of Object.keys(o)) if (!RESERVED.has(k)) props[k] = o[k]
    const type = o.type
    if (typeof type !== 'string') return parse(type, ns)
    if (PRIMITIVES.has(type)) return { kind: type as PrimitiveKind, props }
    const doc = typeof o.doc === 'string' ? o.doc : undefined
    switch (type) {
      case 'array':
        return { kind: 'array', items: parse(o.items, ns), props }
      case 'map':
        return { kind: 'map', values: parse(o.values, ns), props }
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed': {
        const name = String(o.name)
        // A dotted name carries its namespace; "namespace": "" is the null namespace; else the enclosing one.
        const own = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : typeof o.namespace === 'string' ? o.namespace || undefined : ns
        const full = fullName(name, own)
        if (type === 'enum') {
          const node: AvroNode = { kind: 'enum', name: full, doc, symbols: (o.symbols as string[]).slice(), default: typeof o.default === 'string' ? o.default : undefined, props }
          named.set(full, node)
          return node
        }
        if (type === 'fixed') {
          const node: AvroNode = { kind: 'fixed', name: full, size: Number(o.size), props }
          named.set(full, node)
          return node
        }
        const node: AvroNode & { kind: 'record' } = { kind: 'record', name: full, doc, fields: [], props }
        // Registered before its fields: a field may refer to the record itself.
        named.set(full, node)
        for (const f of o.fields as Array<Record<string, unknown>>) {
          node.fields.push({ name: String(f.name), type: parse(f.type, own), doc: typeof f.doc === 'string' ? f.doc : undefined, default: 'default' in f ? f.default : undefined })
        }
        return node
      }
      default:
        throw new DataException(`Avro schema of unknown type '${type}'`)
    }
  }
  return parse(json, undefined)
}

// --- Connect → Avro ---

/** The Avro schema AvroData makes of a Connect schema (null: schemaless, the Anything record). */
export function fromConnectSchema(schema: Schema | null, config: AvroDataConfig = DEFAULT_AVRO_DATA_CONFIG): AvroSchemaJson {
  return new FromConnect(config).convert(schema, false, undefined)
}

class FromConnect {
  /** Named types defined so far in this schema: full name → the shape they were defined for (a second use of the same shape is a reference). */
  private readonly defined = new Map<string, string>()

  constructor(private readonly config: AvroDataConfig) {}

  convert(schema: Schema | null, ignoreOptional: boolean, enclosing: string | undefined): AvroSchemaJson {
    if (schema === null) return this.anything()
    const meta = this.config.connectMetaData
    let base: AvroSchemaJson
    const props: Props = {}
    let connectType: string | undefined
    switch (schema.type) {
      case 'int8':
      case 'int16':
        connectType = schema.type
        base = 'int'
        break
      case 'int32':
        base = 'int'
        break
      case 'int64':
        base = 'long'
        break
      case 'float32':
        base = 'float'
        break
      case 'float64':
        base = 'double'
        break
      case 'boolean':
        base = 'boolean'
        break
      case 'string':
        base = this.config.enhancedSchemaSupport && schema.parameters?.[ENUM_NAME] !== undefined ? this.enumeration(schema, enclosing) : 'string'
        break
      case 'bytes':
        base = 'bytes'
        if (schema.name === Decimal.LOGICAL_NAME) {
          props.scale = decimalScale(schema)
          props.precision = precisionOf(schema)
        }
        break
      case 'array':
        base = { type: 'array', items: this.convert(schema.valueSchema ?? null, false, enclosing) }
        break
      case 'map':
        base = this.map(schema, enclosing)
        break
      case 'struct':
        if (schema.name === UNION_NAME) {
          // Union branches carry no properties: a union of the fields' types, null first when optional.
          const branches = (schema.fields ?? []).map((f) => this.convert(required(f.schema), true, enclosing))
          return schema.optional ? ['null', ...branches] : branches
        }
        if (schema.optional && !ignoreOptional) return ['null', this.convert(required(schema), false, enclosing)]
        base = this.record(schema, enclosing)
        break
      default:
        throw new DataException(`Unknown Connect schema type: ${String((schema as Schema).type)}`)
    }
    if (typeof base === 'string' && !PRIMITIVES.has(base)) {
      // A reference to a named type defined earlier in this schema: no properties of its own.
    } else {
      if (meta) {
        if (schema.doc !== undefined) props[CONNECT_DOC] = schema.doc
        if (schema.version !== undefined) props[CONNECT_VERSION] = schema.version
        const params = schema.parameters === undefined ? [] : Object.entries(schema.parameters).filter(([k]) => k !== FIELD_DEFAULT_FLAG)
        if (params.length > 0) props[CONNECT_PARAMETERS] = Object.fromEntries(params)
        if (schema.defaultValue !== undefined && schema.defaultValue !== null && schema.parameters?.[FIELD_DEFAULT_FLAG] === undefined) {
          props[CONNECT_DEFAULT] = defaultToAvro(schema, schema.defaultValue)
        }
        if (schema.name !== undefined) props[CONNECT_NAME] = schema.name
        if (connectType !== undefined) props[CONNECT_TYPE] = connectType
      }
      const logical = logicalTypeOf(schema)
      if (logical !== undefined) props.logicalType = logical
      for (const [k, v] of Object.entries(schema.parameters ?? {})) if (k.startsWith('avro')) props[k] = v
      if (Object.keys(props).length > 0) base = typeof base === 'string' ? { type: base, ...props } : { ...base, ...props }
    }
    if (!schema.optional || ignoreOptional) return base
    // Avro takes a union's default from its first branch.
    return schema.defaultValue !== undefined && schema.defaultValue !== null ? [base, 'null'] : ['null', base]
  }

  private record(schema: Schema, enclosing: string | undefined): AvroSchemaJson {
    const named = this.claim(schema.name, required(schema), DEFAULT_SCHEMA_NAME)
    if (named.reference) return named.full
    const { namespace, name } = splitName(named.full)
    const params = schema.parameters ?? {}
    const out: Record<string, unknown> = { type: 'record', name }
    if (namespace !== enclosing) out.namespace = namespace ?? ''
    const doc = params[RECORD_DOC]
    if (doc !== undefined) out.doc = doc
    out.fields = (schema.fields ?? []).map((f) => this.field(f.name, f.schema, params[FIELD_DOC_PREFIX + f.name], namespace))
    return out
  }

  private field(fieldName: string, schema: Schema, doc: string | undefined, enclosing: string | undefined): Record<string, unknown> {
    const type = this.convert(schema, false, enclosing)
    const out: Record<string, unknown> = { name: this.scrub(fieldName), type }
    if (doc !== undefined) out.doc = doc
    const dflt = schema.defaultValue
    // A union's default is a value of its first branch: null for ["null", T], none for a Connect Union struct.
    if (Array.isArray(type) && type[0] === 'null') {
      if (schema.optional) out.default = null
    } else if (dflt !== undefined && dflt !== null && schema.name !== UNION_NAME) out.default = defaultToAvro(schema, dflt)
    return out
  }

  private map(schema: Schema, enclosing: string | undefined): AvroSchemaJson {
    const key = schema.keySchema ?? null
    if (key !== null && key.type === 'string' && !key.optional) return { type: 'map', values: this.convert(schema.valueSchema ?? null, false, enclosing) }
    // Avro maps have string keys only: other keys go as an array of key/value records.
    const shape = required(schema)
    const named = schema.name === undefined ? this.claim(`${NAMESPACE}.${MAP_ENTRY_NAME}`, shape, MAP_ENTRY_NAME) : this.claim(schema.name, shape, MAP_ENTRY_NAME)
    if (named.reference) return { type: 'array', items: named.full }
    const { namespace, name } = splitName(named.full)
    const entry: Record<string, unknown> = { type: 'record', name }
    if (namespace !== enclosing) entry.namespace = namespace ?? ''
    entry.fields = [this.field('key', key ?? nullSchema, undefined, namespace), this.field('value', schema.valueSchema ?? nullSchema, undefined, namespace)]
    if (schema.name !== undefined) entry[CONNECT_INTERNAL_TYPE] = MAP_ENTRY_NAME
    return { type: 'array', items: entry }
  }

  private enumeration(schema: Schema, enclosing: string | undefined): AvroSchemaJson {
    const params = schema.parameters ?? {}
    const full = params[ENUM_NAME]!
    const symbols = Object.entries(params).filter(([k]) => k.startsWith(`${ENUM_NAME}.`)).map(([, v]) => v)
    const named = this.claim(full, { type: 'string', optional: false, parameters: params }, full)
    if (named.reference) return named.full
    const { namespace, name } = splitName(named.full)
    const out: Record<string, unknown> = { type: 'enum', name }
    if (namespace !== enclosing) out.namespace = namespace ?? ''
    const doc = params[ENUM_DOC_PREFIX + name]
    if (doc !== undefined) out.doc = doc
    out.symbols = symbols
    const dflt = params[ENUM_DEFAULT_PREFIX + name]
    if (dflt !== undefined) out.default = dflt
    return out
  }

  /** The Anything record, defined at its first use and referred to after. */
  private anything(): AvroSchemaJson {
    if (this.defined.get(ANYTHING_NAME) === 'anything') return ANYTHING_NAME
    this.defined.set(ANYTHING_NAME, 'anything')
    this.defined.set(`${NAMESPACE}.${MAP_ENTRY_NAME}`, 'anything-entry')
    return ANYTHING_SCHEMA
  }

  /**
   * The full name a named type gets, and whether it was defined already with the same shape (then
   * the schema refers to it by name, as Avro requires). Unnamed structs are ConnectDefault, and
   * ConnectDefault2, 3... when one schema holds unnamed structs of different shapes.
   */
  private claim(connectName: string | undefined, shapeOf: Schema, defaultName: string): { full: string; reference: boolean } {
    const shape = JSON.stringify(schemaToJson(shapeOf))
    if (connectName === undefined) {
      for (let i = 1; ; i++) {
        const full = `${NAMESPACE}.${defaultName}${i === 1 ? '' : i}`
        const held = this.defined.get(full)
        if (held === shape) return { full, reference: true }
        if (held === undefined) {
          this.defined.set(full, shape)
          return { full, reference: false }
        }
      }
    }
    const full = this.scrubFullName(connectName)
    const held = this.defined.get(full)
    if (held === shape) return { full, reference: true }
    if (held !== undefined) throw new DataException(`Two different Connect schemas are named '${connectName}': an Avro schema can define a name once`)
    this.defined.set(full, shape)
    return { full, reference: false }
  }

  private scrub(name: string): string {
    if (!this.config.scrubInvalidNames || /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name
    const s = name.replace(/[^A-Za-z0-9_]/g, '_')
    return /^[0-9]/.test(s) ? `_${s}` : s
  }

  private scrubFullName(name: string): string {
    return this.config.scrubInvalidNames ? name.split('.').map((p) => this.scrub(p)).join('.') : name
  }
}

const nullSchema: Schema = { type: 'string', optional: true }

function required(schema: Schema): Schema {
  return schema.optional ? { ...schema, optional: false } : schema
}

function splitName(full: string): { namespace: string | undefined; name: string } {
  const dot = full.lastIndexOf('.')
  return dot < 0 ? { namespace: undefined, name: full } : { namespace: full.slice(0, dot), name: full.slice(dot + 1) }
}

function precisionOf(schema: Schema): number {
  const p = schema.parameters?.[DECIMAL_PRECISION]
  return p === undefined ? DEFAULT_PRECISION : Number(p)
}

function logicalTypeOf(schema: Schema): string | undefined {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: {
      // A scale Avro's decimal cannot express (negative, beyond the precision) leaves plain bytes; connect.name still says Decimal.
      const scale = decimalScale(schema)
      return scale >= 0 && scale <= precisionOf(schema) ? 'decimal' : undefined
    }
    case ConnectDate.LOGICAL_NAME:
      return 'date'
    case ConnectTime.LOGICAL_NAME:
      return 'time-millis'
    case ConnectTimestamp.LOGICAL_NAME:
      return 'timestamp-millis'
    default:
      return undefined
  }
}

/** A Connect default value as Avro's JSON default (bytes as ISO-8859-1 text, decimals as their unscaled bytes). */
export function defaultToAvro(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
    case 'float32':
    case 'float64':
      return value instanceof Date ? logicalNumber(schema, value) : Number(value)
    case 'boolean':
      return Boolean(value)
    case 'string':
      return String(value)
    case 'bytes': {
      const bytes = schema.name === Decimal.LOGICAL_NAME ? decimalToBytes(String(value), decimalScale(schema)) : Buffer.from(value as Uint8Array)
      return bytes.toString('latin1')
    }
    case 'array':
      return (value as unknown[]).map((v) => (schema.valueSchema === undefined ? v : defaultToAvro(schema.valueSchema, v)))
    case 'map': {
      const entries = value instanceof Map ? [...(value as Map<unknown, unknown>).entries()] : Object.entries(value as Record<string, unknown>)
      const vs = schema.valueSchema
      const key = schema.keySchema
      if (key !== undefined && key.type === 'string' && !key.optional) return Object.fromEntries(entries.map(([k, v]) => [String(k), vs === undefined ? v : defaultToAvro(vs, v)]))
      return entries.map(([k, v]) => ({ key: key === undefined ? k : defaultToAvro(key, k), value: vs === undefined ? v : defaultToAvro(vs, v) }))
    }
    case 'struct': {
      const o = value as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const f of schema.fields ?? []) out[f.name] = defaultToAvro(f.schema, o[f.name])
      return out
    }
  }
}

/** A Date as the number a Connect logical type holds: days (Date), milliseconds of the day (Time), else milliseconds. */
export function logicalNumber(schema: Schema, d: Date): number {
  const ms = d.getTime()
  if (schema.name === ConnectDate.LOGICAL_NAME) return Math.floor(ms / 86_400_000)
  if (schema.name === ConnectTime.LOGICAL_NAME) return ((ms % 86_400_000) + 86_400_000) % 86_400_000
  return ms
}

// --- Avro → Connect ---

const NO_DEFAULT = Symbol('no default')

interface ToConnectOptions {
  optional: boolean
  /** The Avro field's default (JSON), or NO_DEFAULT when the type is not a field's or the field has none. */
  fieldDefault: unknown
  /** The version of the top-level schema from the registry (connect.version wins). */
  version: number | undefined
}

/** The Connect schema AvroData makes of an Avro schema; null for the Anything record (schemaless data). */
export function toConnectSchema(node: AvroNode, config: AvroDataConfig = DEFAULT_AVRO_DATA_CONFIG, version?: number): Schema | null {
  if (node.kind === 'record' && node.name === ANYTHING_NAME) return null
  return new ToConnect(config).convert(node, { optional: false, fieldDefault: NO_DEFAULT, version })
}

class ToConnect {
  private readonly inProgress = new Set<AvroNode>()

  constructor(private readonly config: AvroDataConfig) {}

  convert(node: AvroNode, opts: ToConnectOptions): Schema {
    const meta = this.config.connectMetaData
    let s: Schema
    const params: Record<string, string> = {}
    switch (node.kind) {
      case 'null':
        throw new DataException('Standalone null schemas are not supported by this converter')
      case 'boolean':
        s = { type: 'boolean', optional: false }
        break
      case 'bytes':
      case 'fixed':
        if (node.props.logicalType === 'decimal') {
          const scale = node.props.scale ?? 0
          if (typeof scale !== 'number') throw new DataException('scale must be specified and must be a number.')
          s = { type: 'bytes', optional: false, name: Decimal.LOGICAL_NAME, version: 1 }
          params.scale = String(scale)
          const precision = node.props.precision
          if (precision !== undefined) {
            if (typeof precision !== 'number') throw new DataException('precision property must be a JSON Integer.')
            if (precision !== DEFAULT_PRECISION) params[DECIMAL_PRECISION] = String(precision)
          }
        } else s = { type: 'bytes', optional: false }
        break
      case 'double':
        s = { type: 'float64', optional: false }
        break
      case 'float':
        s = { type: 'float32', optional: false }
        break
      case 'int': {
        const connectType = node.props[CONNECT_TYPE]
        const logical = node.props.logicalType
        if (logical === 'date') s = { type: 'int32', optional: false, name: ConnectDate.LOGICAL_NAME, version: 1 }
        else if (logical === 'time-millis') s = { type: 'int32', optional: false, name: ConnectTime.LOGICAL_NAME, version: 1 }
        else if (logical !== undefined || connectType === undefined) s = { type: 'int32', optional: false }
        else if (connectType === 'int8' || connectType === 'int16') s = { type: connectType, optional: false }
        else throw new DataException(`Connect type annotation '${String(connectType)}' for an Avro int is not int8 or int16`)
        break
      }
      case 'long':
        s = node.props.logicalType === 'timestamp-millis' ? { type: 'int64', optional: false, name: ConnectTimestamp.LOGICAL_NAME, version: 1 } : { type: 'int64', optional: false }
        break
      case 'string':
        s = { type: 'string', optional: false }
        break
      case 'array': {
        const items = node.items
        if (isMapEntry(items)) {
          const key = items.fields.find((f) => f.name === 'key')
          const value = items.fields.find((f) => f.name === 'value')
          if (items.fields.length !== 2 || key === undefined || value === undefined) {
            throw new DataException('Found map encoded as array of key-value pairs, but array elements do not match the expected format.')
          }
          s = { type: 'map', optional: false, keySchema: this.top(key.type), valueSchema: this.top(value.type) }
        } else s = { type: 'array', optional: false, valueSchema: this.convert(items, { optional: false, fieldDefault: NO_DEFAULT, version: undefined }) }
        break
      }
      case 'map':
        s = { type: 'map', optional: false, keySchema: { type: 'string', optional: false }, valueSchema: this.convert(node.values, { optional: false, fieldDefault: NO_DEFAULT, version: undefined }) }
        break
      case 'record': {
        if (this.inProgress.has(node)) throw new DataException(`Avro schema '${node.name}' refers to itself: recursive schemas have no Connect equivalent here`)
        this.inProgress.add(node)
        if (meta && node.doc !== undefined) params[RECORD_DOC] = node.doc
        const fields: Field[] = node.fields.map((f, index) => {
          if (meta && f.doc !== undefined) params[FIELD_DOC_PREFIX + f.name] = f.doc
          return { name: f.name, index, schema: this.convert(f.type, { optional: false, fieldDefault: f.default === undefined ? NO_DEFAULT : f.default, version: undefined }) }
        })
        this.inProgress.delete(node)
        s = { type: 'struct', optional: false, fields }
        break
      }
      case 'enum': {
        s = { type: 'string', optional: false }
        const simple = node.name.slice(node.name.lastIndexOf('.') + 1)
        if (meta && node.doc !== undefined) params[ENUM_DOC_PREFIX + simple] = node.doc
        if (meta && node.default !== undefined) params[ENUM_DEFAULT_PREFIX + simple] = node.default
        params[ENUM_NAME] = node.name
        for (const sym of node.symbols) params[`${ENUM_NAME}.${sym}`] = sym
        break
      }
      case 'union': {
        const nonNull = node.branches.filter((b) => b.kind !== 'null')
        if (node.branches.length === 2 && nonNull.length === 1) {
          // An optional type; a field default that is not null (a [T, "null"] union) stays the default.
          const d = opts.fieldDefault === null ? NO_DEFAULT : opts.fieldDefault
          return this.convert(nonNull[0]!, { optional: true, fieldDefault: d, version: opts.version })
        }
        const names = new Set<string>()
        const fields: Field[] = nonNull.map((b, index) => {
          const name = this.unionFieldName(b)
          if (names.has(name)) throw new DataException(`Multiple union schemas map to the Connect union field name '${name}'`)
          names.add(name)
          return { name, index, schema: this.convert(b, { optional: true, fieldDefault: NO_DEFAULT, version: undefined }) }
        })
        s = { type: 'struct', optional: nonNull.length < node.branches.length, name: UNION_NAME, fields }
        if (opts.fieldDefault !== NO_DEFAULT && opts.fieldDefault !== null && node.branches[0]!.kind !== 'null') {
          const first = fields[0]!
          s.defaultValue = Object.fromEntries(fields.map((f) => [f.name, f === first ? defaultFromAvro(f.schema, node.branches[0]!, opts.fieldDefault) : null]))
        }
        if (opts.optional) s.optional = true
        return s
      }
    }
    const props = node.props
    if (meta && typeof props[CONNECT_DOC] === 'string') s.doc = props[CONNECT_DOC]
    const v = props[CONNECT_VERSION]
    if (v !== undefined) {
      if (typeof v !== 'number') throw new DataException(`Invalid Connect version found: ${JSON.stringify(v)}`)
      if (s.version !== undefined && s.version !== v) throw new DataException(`Mismatched versions: version already added to SchemaBuilder (${s.version}) differs from version in source schema (${v})`)
      s.version = v
    } else if (opts.version !== undefined && s.version === undefined) s.version = opts.version
    const connectParams = props[CONNECT_PARAMETERS]
    if (meta && connectParams !== undefined) {
      if (connectParams === null || typeof connectParams !== 'object') throw new DataException(`Expected JSON object for schema parameters but found: ${JSON.stringify(connectParams)}`)
      for (const [k, pv] of Object.entries(connectParams)) {
        if (typeof pv !== 'string') throw new DataException(`Expected schema parameter values to be strings but found: ${JSON.stringify(pv)}`)
        params[k] = pv
      }
    }
    for (const [k, pv] of Object.entries(props)) if (k.startsWith('avro')) params[k] = typeof pv === 'string' ? pv : JSON.stringify(pv)
    const connectDefault = props[CONNECT_DEFAULT]
    let dflt: unknown = opts.fieldDefault
    if (dflt === NO_DEFAULT) dflt = connectDefault
    else if (connectDefault === undefined && dflt !== null) params[FIELD_DEFAULT_FLAG] = 'true'
    if (Object.keys(params).length > 0) s.parameters = params
    if (dflt !== undefined && dflt !== null && dflt !== NO_DEFAULT) s.defaultValue = defaultFromAvro(s, node, dflt)
    const connectName = props[CONNECT_NAME]
    let name: string | undefined
    if (connectName !== undefined) {
      if (typeof connectName !== 'string') throw new DataException(`Invalid schema name: ${JSON.stringify(connectName)}`)
      name = connectName
    } else if (node.kind === 'record' || node.kind === 'enum') name = node.name
    if (name !== undefined && !DEFAULT_NAME.test(name)) {
      if (s.name !== undefined && s.name !== name) throw new DataException(`Mismatched names: name already added to SchemaBuilder (${s.name}) differs from name in source schema (${name})`)
      s.name = name
    }
    if (opts.optional) s.optional = true
    return s
  }

  /** A map entry's key or value schema, converted as a schema of its own. */
  private top(node: AvroNode): Schema {
    return this.convert(node, { optional: false, fieldDefault: NO_DEFAULT, version: undefined })
  }

  private unionFieldName(node: AvroNode): string {
    if (node.kind === 'record' || node.kind === 'enum') return this.config.enhancedSchemaSupport ? node.name : node.name.slice(node.name.lastIndexOf('.') + 1)
    return node.kind === 'union' ? 'union' : node.kind
  }
}

function isMapEntry(node: AvroNode): node is AvroNode & { kind: 'record' } {
  return node.kind === 'record' && (node.name === `${NAMESPACE}.${MAP_ENTRY_NAME}` || node.props[CONNECT_INTERNAL_TYPE] === MAP_ENTRY_NAME)
}

/** An Avro JSON default as the Connect value of `schema` (bytes from ISO-8859-1 text, decimals as exact text). */
export function defaultFromAvro(schema: Schema, node: AvroNode, json: unknown): unknown {
  if (json === null || json === undefined) return null
  switch (node.kind) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return Number(json)
    case 'boolean':
      return Boolean(json)
    case 'string':
    case 'enum':
      return String(json)
    case 'bytes':
    case 'fixed': {
      const bytes = Buffer.from(String(json), 'latin1')
      return schema.name === Decimal.LOGICAL_NAME ? decimalFromBytes(bytes, decimalScale(schema)) : bytes
    }
    case 'array':
      if (schema.type === 'map') {
        const out = new Map<unknown, unknown>()
        for (const e of json as Array<Record<string, unknown>>) out.set(defaultFromAvro(schema.keySchema!, fieldNode(node.items, 'key'), e.key), defaultFromAvro(schema.valueSchema!, fieldNode(node.items, 'value'), e.value))
        return out
      }
      return (json as unknown[]).map((v) => defaultFromAvro(schema.valueSchema!, node.items, v))
    case 'map': {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(json as Record<string, unknown>)) out[k] = defaultFromAvro(schema.valueSchema!, node.values, v)
      return out
    }
    case 'record': {
      const o = json as Record<string, unknown>
      const out: Record<string, unknown> = {}
      node.fields.forEach((f, i) => {
        const fs = schema.fields?.[i]
        if (fs !== undefined) out[fs.name] = defaultFromAvro(fs.schema, f.type, o[f.name])
      })
      return out
    }
    case 'union': {
      const first = node.branches[0]!
      return first.kind === 'null' ? null : defaultFromAvro(schema, first, json)
    }
    default:
      return null
  }
}

function fieldNode(record: AvroNode, name: string): AvroNode {
  const f = record.kind === 'record' ? record.fields.find((x) => x.name === name) : undefined
  if (f === undefined) throw new DataException(`Map entry record without a '${name}' field`)
  return f.type
}
