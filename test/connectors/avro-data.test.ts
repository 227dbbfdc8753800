// Connect ↔ Avro as Confluent's AvroData maps them: the Avro schema of every Connect type (the
// expected schemas are written out from Confluent's documented mapping, not taken from the code),
// the Connect schema read back, Avro schemas other producers write, and values both ways. The
// bytes are checked against avsc, an Avro implementation independent of the converter's own.
import avro from 'avsc'
import { describe, expect, it } from 'vitest'
import { Decimal, Schemas, type Schema } from '../../connectors/api/schema.js'
import { AvroReader, AvroWriter } from '../../connectors/converters/avro/avro-binary.js'
import { DEFAULT_AVRO_DATA_CONFIG, fromConnectSchema, parseAvroNode, toConnectSchema, type AvroDataConfig } from '../../connectors/converters/avro/avro-data.js'
import { compileDecoder, compileEncoder } from '../../connectors/converters/avro/avro-values.js'
import { DataException } from '../../connectors/errors.js'

const DECIMAL = 'org.apache.kafka.connect.data.Decimal'
const TIMESTAMP = 'org.apache.kafka.connect.data.Timestamp'
const DATE = 'org.apache.kafka.connect.data.Date'
const TIME = 'org.apache.kafka.connect.data.Time'

const avroOf = (s: Schema | null, cfg: Partial<AvroDataConfig> = {}): unknown => fromConnectSchema(s, { ...DEFAULT_AVRO_DATA_CONFIG, ...cfg })
const connectOf = (json: unknown, cfg: Partial<AvroDataConfig> = {}, version?: number): Schema | null => toConnectSchema(parseAvroNode(json), { ...DEFAULT_AVRO_DATA_CONFIG, ...cfg }, version)

/** avsc reading longs as BigInt, so values beyond 2^53 can be checked exactly. */
const bigLongs = avro.types.LongType.__with({
  fromBuffer: (b: Buffer) => b.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const b = Buffer.alloc(8)
    b.writeBigInt64LE(BigInt(n))
    return b
  },
  fromJSON: (x: unknown) => BigInt(x as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
})
const avscType = (json: unknown, wrapUnions: 'auto' | 'always' = 'auto'): avro.Type =>
  avro.Type.forSchema(json as avro.Schema, {
    wrapUnions,
    // Every long, also those written as {"type": "long", ...} with properties.
    typeHook: (s: unknown) => (s === 'long' || (typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long') ? bigLongs : undefined),
  } as Partial<avro.ForSchemaOptions>)

/** Encodes with the converter's encoder; returns the bytes, what avsc reads of them, and the Connect schema and value read back. */
function roundTrip(schema: Schema | null, value: unknown): { bytes: Buffer; avsc: unknown; schema: Schema | null; value: unknown } {
  const json = fromConnectSchema(schema)
  const node = parseAvroNode(json)
  const w = new AvroWriter()
  w.begin()
  compileEncoder(node, schema)(w, value)
  const bytes = Buffer.from(w.finish())
  const back = toConnectSchema(node)
  return { bytes, avsc: avscType(json).fromBuffer(bytes), schema: back, value: compileDecoder(node, back)(new AvroReader(bytes, 0)) }
}

/** Reads bytes avsc wrote with a writer schema of another producer. */
function readForeign(json: unknown, value: unknown): { schema: Schema | null; value: unknown } {
  const bytes = avscType(json, 'always').toBuffer(value)
  const node = parseAvroNode(json)
  const schema = toConnectSchema(node)
  return { schema, value: compileDecoder(node, schema)(new AvroReader(bytes, 0)) }
}

const meta = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ 'connect.version': 1, 'connect.name': name, ...extra })

describe('Connect schema → Avro schema (AvroData)', () => {
  it('maps each primitive type, INT8/INT16 as int marked with connect.type', () => {
    expect(avroOf(Schemas.int8(false))).toEqual({ type: 'int', 'connect.type': 'int8' })
    expect(avroOf(Schemas.int16(false))).toEqual({ type: 'int', 'connect.type': 'int16' })
    expect(avroOf(Schemas.int32(false))).toBe('int')
    expect(avroOf(Schemas.int64(false))).toBe('long')
    expect(avroOf(Schemas.float32(false))).toBe('float')
    expect(avroOf(Schemas.float64(false))).toBe('double')
    expect(avroOf(Schemas.boolean(false))).toBe('boolean')
    expect(avroOf(Schemas.string(false))).toBe('string')
    expect(avroOf(Schemas.bytes(false))).toBe('bytes')
  })

  it('makes optional types unions with null first, the type first when it has a default', () => {
    expect(avroOf(Schemas.string(true))).toEqual(['null', 'string'])
    expect(avroOf({ type: 'int32', optional: true, defaultValue: 7 })).toEqual([{ type: 'int', 'connect.default': 7 }, 'null'])
    const rec = avroOf(Schemas.struct('r', [{ name: 'a', schema: Schemas.string(true) }, { name: 'b', schema: { type: 'int64', optional: false, defaultValue: 3 } }])) as { fields: unknown[] }
    expect(rec.fields).toEqual([
      { name: 'a', type: ['null', 'string'], default: null },
      { name: 'b', type: { type: 'long', 'connect.default': 3 }, default: 3 },
    ])
  })

  it('maps logical types to Avro logical types with Connect metadata: Decimal (precision from connect.decimal.precision, else 64), Date, Time, Timestamp', () => {
    expect(avroOf(Decimal.schema(2, false, 12))).toEqual({
      type: 'bytes', scale: 2, precision: 12, logicalType: 'decimal', ...meta(DECIMAL, { 'connect.parameters': { scale: '2', 'connect.decimal.precision': '12' } }),
    })
    expect(avroOf(Decimal.schema(3, false))).toEqual({ type: 'bytes', scale: 3, precision: 64, logicalType: 'decimal', ...meta(DECIMAL, { 'connect.parameters': { scale: '3' } }) })
    expect(avroOf(Schemas.date(false))).toEqual({ type: 'int', logicalType: 'date', ...meta(DATE) })
    expect(avroOf(Schemas.time(false))).toEqual({ type: 'int', logicalType: 'time-millis', ...meta(TIME) })
    expect(avroOf(Schemas.timestamp(false))).toEqual({ type: 'long', logicalType: 'timestamp-millis', ...meta(TIMESTAMP) })
  })

  it('names records after the Connect name (namespace before the last dot), else ConnectDefault in io.confluent.connect.avro', () => {
    expect(avroOf(Schemas.struct('inventory.customers.Value', [{ name: 'id', schema: Schemas.int32(false) }]))).toEqual({
      type: 'record', name: 'Value', namespace: 'inventory.customers', fields: [{ name: 'id', type: 'int' }], 'connect.name': 'inventory.customers.Value',
    })
    expect(avroOf(Schemas.struct(undefined, [{ name: 'x', schema: Schemas.boolean(false) }]))).toEqual({
      type: 'record', name: 'ConnectDefault', namespace: 'io.confluent.connect.avro', fields: [{ name: 'x', type: 'boolean' }],
    })
  })

  it('maps arrays, maps with string keys to Avro maps and other maps to arrays of MapEntry records', () => {
    expect(avroOf({ type: 'array', optional: false, valueSchema: Schemas.int32(false) })).toEqual({ type: 'array', items: 'int' })
    expect(avroOf({ type: 'map', optional: false, keySchema: Schemas.string(false), valueSchema: Schemas.int64(false) })).toEqual({ type: 'map', values: 'long' })
    expect(avroOf({ type: 'map', optional: false, keySchema: Schemas.int32(false), valueSchema: Schemas.string(true) })).toEqual({
      type: 'array',
      items: { type: 'record', name: 'MapEntry', namespace: 'io.confluent.connect.avro', fields: [{ name: 'key', type: 'int' }, { name: 'value', type: ['null', 'string'], default: null }] },
    })
  })

  it('writes connect.doc, connect.version and connect.parameters, and none of them with connect.meta.data=false', () => {
    const s: Schema = { type: 'string', optional: false, name: 'io.debezium.data.Enum', version: 1, doc: 'colour', parameters: { allowed: 'red,green' } }
    expect(avroOf(s)).toEqual({ type: 'string', 'connect.doc': 'colour', 'connect.version': 1, 'connect.parameters': { allowed: 'red,green' }, 'connect.name': 'io.debezium.data.Enum' })
    expect(avroOf(s, { connectMetaData: false })).toBe('string')
    expect(avroOf(Schemas.int16(false), { connectMetaData: false })).toBe('int')
    // Without metadata the logical types stay Avro logical types.
    expect(avroOf(Schemas.timestamp(false), { connectMetaData: false })).toEqual({ type: 'long', logicalType: 'timestamp-millis' })
  })

  it('defines a struct used twice once (before/after of a change event) and refers to it by name after; avsc accepts the schema', () => {
    const row = Schemas.struct('db.t.Value', [{ name: 'id', schema: Schemas.int32(false) }], true)
    const envelope = Schemas.struct('db.t.Envelope', [{ name: 'before', schema: row }, { name: 'after', schema: row }, { name: 'op', schema: Schemas.string(false) }])
    const json = avroOf(envelope) as { fields: Array<{ name: string; type: unknown }> }
    expect(json.fields[0]!.type).toEqual(['null', { type: 'record', name: 'Value', fields: [{ name: 'id', type: 'int' }], 'connect.name': 'db.t.Value' }])
    expect(json.fields[1]!.type).toEqual(['null', 'db.t.Value'])
    expect(() => avro.Type.forSchema(json as avro.Schema)).not.toThrow()
  })

  it('numbers unnamed structs of different shapes (ConnectDefault, ConnectDefault2) and refuses two different structs of one name', () => {
    const a = Schemas.struct(undefined, [{ name: 'x', schema: Schemas.int32(false) }])
    const b = Schemas.struct(undefined, [{ name: 'y', schema: Schemas.string(false) }])
    const json = avroOf(Schemas.struct('outer', [{ name: 'a', schema: a }, { name: 'b', schema: b }, { name: 'c', schema: a }])) as { fields: Array<{ type: unknown }> }
    expect(json.fields.map((f) => (typeof f.type === 'string' ? f.type : (f.type as { name: string }).name))).toEqual(['ConnectDefault', 'ConnectDefault2', 'io.confluent.connect.avro.ConnectDefault'])
    expect(() => avro.Type.forSchema(json as avro.Schema)).not.toThrow()
    const clash = Schemas.struct('outer', [{ name: 'a', schema: Schemas.struct('same', [{ name: 'x', schema: Schemas.int32(false) }]) }, { name: 'b', schema: Schemas.struct('same', [{ name: 'y', schema: Schemas.int32(false) }]) }])
    expect(() => avroOf(clash)).toThrow(DataException)
  })

  it('keeps the record doc and field docs from AvroData\'s parameters, and schemaless data as the Anything record', () => {
    const s: Schema = { ...Schemas.struct('r', [{ name: 'f', schema: Schemas.int32(false) }]), parameters: { 'io.confluent.connect.avro.record.doc': 'a row', 'io.confluent.connect.avro.field.doc.f': 'the f' } }
    const json = avroOf(s) as Record<string, unknown>
    expect(json.doc).toBe('a row')
    expect(json.fields).toEqual([{ name: 'f', type: 'int', doc: 'the f' }])
    const anything = avroOf(null) as { name: string; fields: Array<{ name: string }> }
    expect(anything.name).toBe('io.confluent.connect.avro.Anything')
    expect(anything.fields.map((f) => f.name)).toEqual(['boolean', 'bytes', 'double', 'float', 'int', 'long', 'string', 'array', 'map'])
  })

  it('with scrub.invalid.names, replaces the characters Avro names may not hold', () => {
    const s = Schemas.struct('order-lines', [{ name: 'unit price', schema: Schemas.int32(false) }, { name: '2nd', schema: Schemas.int32(false) }])
    const json = avroOf(s, { scrubInvalidNames: true }) as { name: string; fields: Array<{ name: string }> }
    expect(json.name).toBe('order_lines')
    expect(json.fields.map((f) => f.name)).toEqual(['unit_price', '_2nd'])
    expect(() => avro.Type.forSchema(json as avro.Schema)).not.toThrow()
  })
})

describe('Avro schema → Connect schema', () => {
  it('reads back every Connect schema it wrote', () => {
    const schemas: Schema[] = [
      Schemas.int8(false), Schemas.int16(true), Schemas.int32(false), Schemas.int64(true), Schemas.float32(false), Schemas.float64(true),
      Schemas.boolean(false), Schemas.string(true), Schemas.bytes(false), Decimal.schema(2, true, 12), Decimal.schema(0, false),
      Schemas.date(true), Schemas.time(false), Schemas.timestamp(true),
      { type: 'array', optional: true, valueSchema: Schemas.string(false) },
      { type: 'map', optional: false, keySchema: Schemas.string(false), valueSchema: Schemas.int32(true) },
      { type: 'map', optional: false, keySchema: Schemas.int64(false), valueSchema: Schemas.string(false) },
      { type: 'string', optional: false, name: 'io.debezium.data.Enum', version: 1, doc: 'colour', parameters: { allowed: 'red,green' } },
      { type: 'string', optional: true, defaultValue: 'none' },
      Schemas.struct('db.t.Value', [
        { name: 'id', schema: Schemas.int64(false) },
        { name: 'price', schema: Decimal.schema(3, true, 10) },
        { name: 'qty', schema: { type: 'int32', optional: false, defaultValue: 1 } },
        { name: 'nested', schema: Schemas.struct('db.t.Inner', [{ name: 'at', schema: Schemas.timestamp(false) }], true) },
      ]),
    ]
    for (const s of schemas) expect(connectOf(avroOf(s)), JSON.stringify(s)).toEqual(s)
  })

  it('takes the registry version when the schema has no connect.version, and schemaless data from the Anything record', () => {
    expect(connectOf({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'int' }] }, {}, 4)).toMatchObject({ name: 'r', version: 4 })
    expect(connectOf({ type: 'record', name: 'r', fields: [], 'connect.version': 2 }, {}, 4)).toMatchObject({ version: 2 })
    expect(connectOf(avroOf(null))).toBeNull()
  })

  it('reads schemas other producers write: enums as strings with their symbols, unions as io.confluent.connect.avro.Union structs, fixed as bytes, docs and field defaults', () => {
    const json = {
      type: 'record', name: 'Order', namespace: 'shop', doc: 'an order',
      fields: [
        { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
        { name: 'amount', type: ['int', 'string'] },
        { name: 'maybe', type: ['null', 'long', 'string'], default: null },
        { name: 'hash', type: { type: 'fixed', name: 'MD5', size: 2 } },
        { name: 'micros', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'qty', type: 'int', default: 1, doc: 'how many' },
        { name: 'labels', type: { type: 'map', values: 'string' } },
      ],
    }
    const s = connectOf(json)!
    expect(s).toMatchObject({ type: 'struct', name: 'shop.Order', parameters: { 'io.confluent.connect.avro.record.doc': 'an order', 'io.confluent.connect.avro.field.doc.qty': 'how many' } })
    const f = Object.fromEntries(s.fields!.map((x) => [x.name, x.schema]))
    expect(f.status).toEqual({ type: 'string', optional: false, name: 'shop.Status', parameters: { 'io.confluent.connect.avro.Enum': 'shop.Status', 'io.confluent.connect.avro.Enum.NEW': 'NEW', 'io.confluent.connect.avro.Enum.PAID': 'PAID' } })
    expect(f.amount).toMatchObject({ type: 'struct', optional: false, name: 'io.confluent.connect.avro.Union', fields: [{ name: 'int', schema: { type: 'int32', optional: true } }, { name: 'string', schema: { type: 'string', optional: true } }] })
    expect(f.maybe).toMatchObject({ type: 'struct', optional: true, name: 'io.confluent.connect.avro.Union' })
    expect(f.hash).toEqual({ type: 'bytes', optional: false })
    expect(f.micros).toEqual({ type: 'int64', optional: false })
    // An Avro field default becomes the Connect default, flagged so that no connect.default is written back.
    expect(f.qty).toEqual({ type: 'int32', optional: false, defaultValue: 1, parameters: { 'io.confluent.connect.avro.field.default': 'true' } })
    expect(avroOf(f.qty!)).toBe('int')
    expect(f.labels).toEqual({ type: 'map', optional: false, keySchema: { type: 'string', optional: false }, valueSchema: { type: 'string', optional: false } })
    const read = readForeign(json, { status: 'PAID', amount: { string: 'ten' }, maybe: { long: 5n }, hash: Buffer.from([1, 2]), micros: 7n, qty: 3, labels: { a: 'b' } })
    expect(read.value).toEqual({
      status: 'PAID', amount: { int: null, string: 'ten' }, maybe: { long: 5, string: null }, hash: Buffer.from([1, 2]), micros: 7, qty: 3, labels: { a: 'b' },
    })
  })

  it('refuses what Connect cannot hold: a recursive record, a standalone null', () => {
    expect(() => connectOf({ type: 'record', name: 'Node', fields: [{ name: 'next', type: ['null', 'Node'] }] })).toThrow(/refers to itself/)
    expect(() => connectOf('null')).toThrow(/null/)
  })
})

describe('Connect values ↔ Avro binary', () => {
  const row = Schemas.struct('db.accounts.Value', [
    { name: 'id', schema: Schemas.int64(false) },
    { name: 'tiny', schema: Schemas.int8(false) },
    { name: 'name', schema: Schemas.string(true) },
    { name: 'balance', schema: Decimal.schema(2, true, 20) },
    { name: 'opened', schema: Schemas.date(true) },
    { name: 'at', schema: Schemas.time(true) },
    { name: 'updated', schema: Schemas.timestamp(true) },
    { name: 'ratio', schema: Schemas.float64(true) },
    { name: 'small', schema: Schemas.float32(false) },
    { name: 'ok', schema: Schemas.boolean(false) },
    { name: 'blob', schema: Schemas.bytes(true) },
    { name: 'tags', schema: { type: 'array', optional: false, valueSchema: Schemas.string(false) } },
    { name: 'attrs', schema: { type: 'map', optional: true, keySchema: Schemas.string(false), valueSchema: Schemas.int32(true) } },
    { name: 'byId', schema: { type: 'map', optional: false, keySchema: Schemas.int32(false), valueSchema: Schemas.string(false) } },
    { name: 'address', schema: Schemas.struct('db.accounts.Address', [{ name: 'city', schema: Schemas.string(false) }, { name: 'zip', schema: Schemas.string(true) }], true) },
  ])
  const full = {
    id: 9_007_199_254_740_993n.toString(), tiny: -128, name: 'Ann “A” Ünal', balance: '-123456789012345678.90', opened: 19782, at: 45_296_789, updated: 1_709_164_800_123,
    ratio: 0.1, small: 1.5, ok: true, blob: Buffer.from([0, 255, 7]), tags: ['a', 'bc'], attrs: JSON.parse('{"x":1,"y":null,"__proto__":2}') as Record<string, unknown>,
    byId: new Map([[1, 'one'], [-2, 'minus two']]), address: { city: 'Oslo', zip: null },
  }

  it('round-trips every type exactly: int64 beyond 2^53, long decimals, logical types, nested structs, maps of both kinds; avsc reads the same values', () => {
    const r = roundTrip(row, full)
    expect(r.schema).toEqual(row)
    expect(r.value).toEqual(full)
    expect(Object.keys((r.value as { attrs: object }).attrs)).toEqual(['x', 'y', '__proto__'])
    // avsc, reading the bytes independently: the unscaled decimal, days, milliseconds, the exact long.
    const a = r.avsc as Record<string, unknown>
    expect(a.id).toBe(9_007_199_254_740_993n)
    expect(a.tiny).toBe(-128)
    expect(Buffer.from(a.balance as Buffer).equals(bigintBytes(-12345678901234567890n))).toBe(true)
    expect([a.opened, a.at, a.updated, a.ok]).toEqual([19782, 45_296_789, 1_709_164_800_123n, true])
    expect((a.byId as Array<{ key: number; value: string }>).map((e) => [e.key, e.value])).toEqual([[1, 'one'], [-2, 'minus two']])
    expect({ ...(a.address as object) }).toEqual({ city: 'Oslo', zip: null })
  })

  it('round-trips nulls of optional fields and of an optional nested struct', () => {
    const nulls = { ...full, name: null, balance: null, opened: null, at: null, updated: null, ratio: null, blob: null, attrs: null, address: null }
    const r = roundTrip(row, nulls)
    expect(r.value).toEqual(nulls)
    expect(r.avsc).toMatchObject({ name: null, balance: null, address: null })
  })

  it('refuses a null for a required field, a value of the wrong type, a decimal with more digits than its scale, naming where', () => {
    expect(() => roundTrip(row, { ...full, ok: null })).toThrow(/null value for non-optional schema at 'db.accounts.Value.ok'/)
    expect(() => roundTrip(row, { ...full, tiny: 'x' })).toThrow(/db\.accounts\.Value\.tiny/)
    expect(() => roundTrip(row, { ...full, tiny: 128 })).toThrow(/db\.accounts\.Value\.tiny/)
    expect(() => roundTrip(row, { ...full, balance: '1.234' })).toThrow(DataException)
  })

  it('reads int64 values from avsc exactly (digits beyond 2^53), and decimals and timestamps other producers wrote', () => {
    const json = {
      type: 'record', name: 'r', fields: [
        { name: 'big', type: 'long' }, { name: 'neg', type: 'long' },
        { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 3 } },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    }
    const read = readForeign(json, { big: 2n ** 62n + 1n, neg: -(2n ** 63n), price: bigintBytes(-1500n), at: 1_600_000_000_000n })
    expect(read.value).toEqual({ big: (2n ** 62n + 1n).toString(), neg: (-(2n ** 63n)).toString(), price: '-1.500', at: 1_600_000_000_000 })
    expect(read.schema!.fields!.map((f) => f.schema.name)).toEqual([undefined, undefined, DECIMAL, TIMESTAMP])
  })

  it('writes and reads schemaless values through the Anything record', () => {
    const value = { a: [1, 'two', true, null], b: { c: 2.5 }, d: Buffer.from('x') }
    const r = roundTrip(null, value)
    expect(r.schema).toBeNull()
    expect(r.value).toEqual(value)
  })

  it('writes an io.confluent.connect.avro.Union struct as the branch of its field that is set', () => {
    const json = { type: 'record', name: 'r', fields: [{ name: 'u', type: ['null', 'int', 'string'] }] }
    const node = parseAvroNode(json)
    const schema = toConnectSchema(node)!
    const w = new AvroWriter()
    w.begin()
    compileEncoder(node, schema)(w, { u: { int: null, string: 'hi' } })
    expect(avscType(json).fromBuffer(Buffer.from(w.finish()))).toMatchObject({ u: 'hi' })
  })
})

/** Minimal big-endian two's complement of n, computed here independently of the converter. */
function bigintBytes(n: bigint): Buffer {
  let hex = (n < 0n ? (1n << BigInt(8 * byteLength(n))) + n : n).toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  const b = Buffer.from(hex, 'hex')
  return n >= 0n && (b[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), b]) : b
}

function byteLength(n: bigint): number {
  let bytes = 1
  while (n < -(1n << BigInt(8 * bytes - 1)) || n >= 1n << BigInt(8 * bytes - 1)) bytes++
  return bytes
}
