import { describe, expect, it } from 'vitest'
import { Decimal, Schemas } from '../../connectors/api/schema.js'
import { JsonConverter, StringConverter } from '../../connectors/index.js'
import { decimalFromBytes, decimalToBase64, decimalToBytes, decimalWithScale } from '../../connectors/converters/decimal.js'
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

  it('a converter configured again writes the same schema object by its new settings', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    const s = Schemas.struct('d', [{ name: 'amount', schema: Decimal.schema(2) }])
    expect(c.fromConnectData('t', s, { amount: '1.50' })!.toString()).toBe('{"amount":"AJY="}')
    expect(c.fromConnectData('t', s, { amount: '1.50' })!.toString()).toBe('{"amount":"AJY="}')
    c.configure({ 'schemas.enable': 'true', 'decimal.format': 'NUMERIC' }, false)
    expect(JSON.parse(c.fromConnectData('t', s, { amount: '1.50' })!.toString()).payload).toEqual({ amount: 1.5 })
  })

  it('fromConnectDataRange points at the bytes fromConnectData returns, kept intact across slabs; null as false', () => {
    for (const schemas of ['true', 'false']) {
      const byRange = new JsonConverter()
      byRange.configure({ 'schemas.enable': schemas }, false)
      const byBuffer = new JsonConverter()
      byBuffer.configure({ 'schemas.enable': schemas }, false)
      const ranges: Array<{ buffer: Buffer; start: number; end: number }> = []
      const want: Buffer[] = []
      for (let i = 0; i < 30; i++) {
        const value = { id: i, note: i % 3 === 0 ? 'x'.repeat(40_000) : `n${i}`, amount: '2.25', src: { db: 'd' } }
        const r = { buffer: Buffer.alloc(0), start: -1, end: -1 }
        expect(byRange.fromConnectDataRange('t', schema, value, r)).toBe(true)
        ranges.push(r)
        want.push(Buffer.from(byBuffer.fromConnectData('t', schema, value)!))
      }
      ranges.forEach((r, i) => expect(r.buffer.subarray(r.start, r.end).equals(want[i]!), `record ${i}`).toBe(true))
      const r = { buffer: Buffer.alloc(0), start: 0, end: 0 }
      expect(byRange.fromConnectDataRange('t', schema, null, r)).toBe(schemas === 'true')
      if (schemas === 'true') expect(r.buffer.subarray(r.start, r.end)).toEqual(byBuffer.fromConnectData('t', schema, null))
      expect(byRange.fromConnectDataRange('t', null, null, r)).toBe(false)
    }
  })

  it('a frozen struct shared by records is written once it repeats and reused; a mutable one is written each time', () => {
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

  it('numbers are written as JSON.stringify writes them: safe integers digit by digit, the rest as their text', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    const s = Schemas.struct('n', [{ name: 'i', schema: Schemas.int64() }, { name: 'f', schema: Schemas.float64() }])
    const ints = [0, -0, 7, -7, 10, 99_999_999, 100_000_000, -100_000_001, 1_764_412_345_678, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, -(2 ** 53 - 1)]
    for (const i of ints) expect(c.fromConnectData('t', s, { i, f: null })!.toString()).toBe(`{"i":${JSON.stringify(i)},"f":null}`)
    for (const f of [1.5, -0.25, 1e21, 2 ** 53 + 2, 5e-7]) expect(JSON.parse(c.fromConnectData('t', s, { i: null, f })!.toString()).f).toBe(f)
    // Large numbers repeated, alternating, with either sign and of other lengths (the last one's digits are reused).
    const pool = [1_764_412_345_678, -1_764_412_345_678, 1_764_412_345_679, 100_000_000, 2 ** 53 - 1, 123_456_789_012, 5]
    for (let k = 0; k < 200; k++) {
      const i = pool[(k * 7 + (k >> 2)) % pool.length]!
      const f = pool[(k * 3) % pool.length]!
      expect(c.fromConnectData('t', s, { i, f })!.toString()).toBe(JSON.stringify({ i, f }))
    }
  })

  it('decimals of every byte length and sign read back exactly from the minimal two\'s complement', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    const s = Schemas.struct('d', [{ name: 'a', schema: Decimal.schema(2) }])
    for (let bits = 0; bits <= 52; bits++) {
      for (const sign of [1, -1]) {
        for (const v of [2 ** bits - 1, 2 ** bits]) {
          const unscaled = sign * v
          const text = `${unscaled < 0 ? '-' : ''}${Math.floor(Math.abs(unscaled) / 100)}.${String(Math.abs(unscaled) % 100).padStart(2, '0')}`
          const b64 = (JSON.parse(c.fromConnectData('t', s, { a: text })!.toString()) as { a: string }).a
          const bytes = Buffer.from(b64, 'base64')
          expect(decimalFromBytes(bytes, 2)).toBe(text === '-0.00' ? '0.00' : text)
          // Minimal: the first byte is not a mere sign extension of the second.
          if (bytes.length > 1) expect((bytes[0] === 0 && bytes[1]! < 0x80) || (bytes[0] === 0xff && bytes[1]! >= 0x80)).toBe(false)
        }
      }
    }
  })

  it('decimal text already at its scale passes through; other spellings are normalized', () => {
    expect(decimalWithScale('12.50', 2)).toBe('12.50')
    expect(decimalWithScale('-0.00', 2)).toBe('0.00')
    expect(decimalWithScale('007.50', 2)).toBe('7.50')
    expect(decimalWithScale('1.5', 2)).toBe('1.50')
    expect(decimalWithScale('+3.10', 2)).toBe('3.10')
    expect(decimalWithScale('-0', 0)).toBe('0')
    expect(decimalWithScale('42', 0)).toBe('42')
    expect(decimalWithScale(' 1.00', 2)).toBe('1.00')
  })

  it('field names that need escaping are written as JSON, and per-record schemas of one shape share one writer', () => {
    const c = new JsonConverter()
    c.configure({ 'schemas.enable': 'false' }, false)
    for (let i = 0; i < 3; i++) {
      // A new schema object per record, as transforms that add or rename fields make them.
      const s = Schemas.struct('odd', [{ name: 'quote"back\\slash', schema: Schemas.string() }, { name: "it's`${x}`", schema: Schemas.int32() }])
      expect(JSON.parse(c.fromConnectData('t', s, { 'quote"back\\slash': `v${i}`, "it's`${x}`": i })!.toString())).toEqual({ 'quote"back\\slash': `v${i}`, "it's`${x}`": i })
    }
    const empty = Schemas.struct('empty', [])
    expect(c.fromConnectData('t', empty, {})!.toString()).toBe('{}')
  })

  it('timestamps without a zone are read as UTC, with or without fractions', () => {
    expect(timestampTextToMs('2024-01-02 03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(timestampTextToMs('2024-01-02T03:04:05.123456')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123))
    expect(timestampTextToMs('2024-01-02 03:04:05.5+02')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5, 500))
    expect(timestampTextToMs('0099-01-02 00:00:00')).toBe(new Date('0099-01-02T00:00:00Z').getTime())
    expect(timestampTextToMs('0099-01-02')).toBe(new Date('0099-01-02T00:00:00Z').getTime())
    expect(timestampTextToMs('2024-02-29 23:59:59.999')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999))
    expect(timestampTextToMs('1969-12-31 23:59:59')).toBe(-1000)
    expect(timestampTextToMs('0001-01-01 00:00:00')).toBe(new Date('0001-01-01T00:00:00Z').getTime())
    expect(timestampTextToMs('9999-12-31 23:59:59')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59))
  })
})
