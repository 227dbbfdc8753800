import { describe, expect, it } from 'vitest'
import { Decimal, Schemas } from '../../connectors/api/schema.js'
import { JsonConverter, StringConverter } from '../../connectors/index.js'
import { decimalFromBytes, decimalToBytes } from '../../connectors/converters/decimal.js'
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
