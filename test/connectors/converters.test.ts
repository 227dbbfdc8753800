import { describe, expect, it } from 'vitest'
import { Decimal, Schemas } from '../../connectors/api/schema.js'
import { JsonConverter, StringConverter } from '../../connectors/index.js'
import { decimalFromBytes, decimalToBase64, decimalToBytes } from '../../connectors/converters/decimal.js'
import { timestampTextToMs } from '../../connectors/jdbc/temporal.js'
import { ConfigDef, NO_DEFAULT, Validators } from '../../connectors/api/config-def.js'
import { parseProperties } from '../../connectors/config/config-file.js'

describe('converters', () => {
  const schema = Schemas.struct('row', [
    { name: 'id', schema: Schemas.int64(false) },
    { name: 'amount', schema: Decimal.schema(2) },
    { name: 'raw', schema: Schemas.bytes() },
    { name: 'note', schema: Schemas.string() },
  ])

  it('JsonConverter writes Connect\'s envelope and reads it back, decimals exact (BASE64 and NUMERIC)', () => {
    const c = new JsonConverter()
    c.configure({}, false)
    const value = { id: 9007199254740993n.toString(), amount: '-123456789012345678.90', raw: Buffer.from([0, 255]), note: null }
    const bytes = c.fromConnectData('t', schema, value)!
    const env = JSON.parse(bytes.toString())
    expect(env.schema.fields[1]).toEqual({ type: 'bytes', optional: true, name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2' }, field: 'amount' })
    expect(bytes.toString()).toContain('"id":9007199254740993')
    const back = c.toConnectData('t', bytes)
    expect(back.value).toEqual({ id: '9007199254740993', amount: '-123456789012345678.90', raw: Buffer.from([0, 255]), note: null })
    const n = new JsonConverter()
    n.configure({ 'decimal.format': 'NUMERIC' }, false)
    const nb = n.fromConnectData('t', schema, value)!
    expect(nb.toString()).toContain('"amount":-123456789012345678.90')
    expect((n.toConnectData('t', nb).value as { amount: string }).amount).toBe('-123456789012345678.90')
  })

  it('decimal bytes are big-endian two\'s complement of the unscaled value (Connect\'s Decimal)', () => {
    expect([...decimalToBytes('1.00', 2)]).toEqual([0x64])
    expect([...decimalToBytes('2.50', 2)]).toEqual([0x00, 0xfa])
    expect([...decimalToBytes('-1.28', 2)]).toEqual([0x80])
    expect(decimalFromBytes(Buffer.from([0xff, 0x38]), 3)).toBe('-0.200')
  })

  it('JsonConverter without schemas and StringConverter', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    expect(c.fromConnectData('t', schema, { id: 1, amount: '2.50', raw: null, note: 'x' })!.toString()).toBe('{"id":1,"amount":"APo=","raw":null,"note":"x"}')
    expect(c.toConnectData('t', Buffer.from('{"a":[1,2]}'))).toEqual({ schema: null, value: { a: [1, 2] } })
    expect(() => new JsonConverter().toConnectData('t', Buffer.from('{"a":1}'))).toThrow(/requires "schema" and "payload" fields/)
    const s = new StringConverter()
    expect(s.fromConnectData('t', null, 'hi')!.toString()).toBe('hi')
    expect(s.toConnectData('t', Buffer.from('yo')).value).toBe('yo')
  })
})

describe('ConfigDef and config files', () => {
  const def = new ConfigDef()
    .define('a', 'INT', NO_DEFAULT, 'HIGH', 'an int', Validators.atLeast(1))
    .define('b', 'BOOLEAN', false, 'LOW', 'a flag')
    .define('c', 'LIST', 'x,y', 'LOW', 'a list')
  it('parses types and defaults, and names the key of a bad value', () => {
    const p = def.parse({ a: '3' })
    expect([p.getInt('a'), p.getBoolean('b'), p.getList('c')]).toEqual([3, false, ['x', 'y']])
    expect(() => def.parse({}, 'conn')).toThrow(/Connector 'conn': Invalid value for configuration 'a': Missing required configuration "a"/)
    expect(() => def.parse({ a: 'three' }, 'conn')).toThrow(/Connector 'conn': Invalid value for configuration 'a': "three" is not an integer/)
    expect(() => def.parse({ a: '0' }, 'conn')).toThrow(/Connector 'conn': Invalid value for configuration 'a': 0 must be at least 1/)
    expect(() => def.parse({ a: '1', b: 'yes' })).toThrow(/'b': "yes" is not a boolean/)
  })
  it('reads Java .properties with comments, separators, continuations and escapes', () => {
    expect(parseProperties('# c\n! c\nname = src\nk:v\nlong=a,\\\n   b\nre=db\\\\.t\n')).toEqual({ name: 'src', k: 'v', long: 'a,b', re: 'db\\.t' })
  })
})

describe('JsonConverter writes bytes directly', () => {
  const schema = Schemas.struct('row', [
    { name: 'id', schema: Schemas.int64(false) },
    { name: 'note', schema: Schemas.string() },
    { name: 'amount', schema: Decimal.schema(2) },
    { name: 'src', schema: Schemas.struct('src', [{ name: 'db', schema: Schemas.string() }]) },
  ])

  it('writes what JSON.stringify would for escapes, non-ASCII text and long strings, across slab boundaries', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    const notes = ['plain', 'quote " and \\ backslash', 'tab\tnewline\n', 'ünïcödé €', '😀 emoji', 'x'.repeat(70_000), '']
    const seen: Buffer[] = []
    // Enough records to fill several 256 KiB slabs; every earlier view must stay intact.
    for (let i = 0; i < 40; i++) {
      const note = notes[i % notes.length]!
      const bytes = c.fromConnectData('t', schema, { id: i, note, amount: '1.50', src: { db: 'd' } })!
      seen.push(bytes)
    }
    seen.forEach((bytes, i) => {
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ id: i, note: notes[i % notes.length], amount: 'AJY=', src: { db: 'd' } })
    })
  })

  it('a frozen struct shared by records is written once and reused; a mutable one is written each time', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    const frozen = Object.freeze({ db: 'a' })
    expect(c.fromConnectData('t', schema, { id: 1, note: null, amount: null, src: frozen })!.toString()).toBe('{"id":1,"note":null,"amount":null,"src":{"db":"a"}}')
    expect(c.fromConnectData('t', schema, { id: 2, note: null, amount: null, src: frozen })!.toString()).toBe('{"id":2,"note":null,"amount":null,"src":{"db":"a"}}')
    const mutable = { db: 'b' }
    expect(c.fromConnectData('t', schema, { id: 3, note: null, amount: null, src: mutable })!.toString()).toContain('"src":{"db":"b"}')
    mutable.db = 'c'
    expect(c.fromConnectData('t', schema, { id: 4, note: null, amount: null, src: mutable })!.toString()).toContain('"src":{"db":"c"}')
  })

  it('schema-less values with non-ASCII text stay valid JSON', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    expect(JSON.parse(c.fromConnectData('t', null, { a: 'é😀', b: [1, 'x'] })!.toString())).toEqual({ a: 'é😀', b: [1, 'x'] })
  })

  it('decimal base64 without BigInt equals the two\'s complement bytes for every length and sign', () => {
    for (const text of ['0', '-0.01', '1.28', '-1.28', '327.67', '-327.68', '9999999999999.99', '-9999999999999.99', '12345678901234567.89', '-0.5', '.5']) {
      expect(decimalToBase64(text, 2)).toBe(decimalToBytes(text, 2).toString('base64'))
    }
    expect(Buffer.from(decimalToBase64('-1.28', 2), 'base64')).toEqual(Buffer.from([0x80]))
  })

  it('timestamps without a zone are read as UTC, with or without fractions', () => {
    expect(timestampTextToMs('2024-01-02 03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(timestampTextToMs('2024-01-02T03:04:05.123456')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123))
    expect(timestampTextToMs('2024-01-02 03:04:05.5+02')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5, 500))
    expect(timestampTextToMs('0099-01-02 00:00:00')).toBe(new Date('0099-01-02T00:00:00Z').getTime())
    expect(timestampTextToMs('0099-01-02')).toBe(new Date('0099-01-02T00:00:00Z').getTime())
  })
})
