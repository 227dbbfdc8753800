// The snapshot's fast paths give what the general paths give: COPY fields read in place equal
// their column converter applied to the field's text, timestamps read straight to milliseconds
// equal the microsecond reading floored, and generated struct writers (constant name bytes,
// null written with the name) write the bytes JSON.stringify writes for the same struct.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Schemas, type Schema } from '../../connectors/api/schema.js'
import { JsonConverter } from '../../connectors/index.js'
import { CopyTextParser } from '../../connectors/jdbc/postgres/copy-text.js'
import { copyField, mapColumn, Oid } from '../../connectors/jdbc/postgres/types.js'
import type { ColumnDef } from '../../connectors/mysql-cdc/ddl.js'
import { columnMapping, datetimeTextToMicros } from '../../connectors/mysql-cdc/types.js'
import { utcMillis as utc } from '../../core/common/civil-date.js'
import { plainDateTimeMicros, plainTimestampMs, timestampTextToMs } from '../../connectors/jdbc/temporal.js'

const pad = (n: number, w: number): string => String(n).padStart(w, '0')

/** Timestamp text as databases print it, mostly valid, sometimes with an out-of-range part or a stray character. */
const timestampText = fc
  .record({
    y: fc.integer({ min: 0, max: 9999 }),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 24 }),
    mi: fc.integer({ min: 0, max: 60 }),
    s: fc.integer({ min: 0, max: 60 }),
    sep: fc.constantFrom(' ', 'T', '_'),
    frac: fc.stringMatching(/^[0-9]{0,9}$/),
    dot: fc.boolean(),
    tail: fc.constantFrom('', '', '', '+00', 'x', ' BC'),
  })
  .map((t) => `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}${t.sep}${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}${t.dot || t.frac !== '' ? `.${t.frac}` : ''}${t.tail}`)

describe('timestamps straight to milliseconds', () => {
  it('plainTimestampMs reads what plainDateTimeMicros reads (NaN alike), to the exact millisecond, in place or whole', () => {
    fc.assert(
      fc.property(timestampText, fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), (t, before, after) => {
        const micros = t.length >= 19 ? plainDateTimeMicros(t) : NaN
        // Past year 2255 microseconds exceed 2^53 and their floor is off: Date.UTC (exact to the ms) is the reference.
        const [y, mo, d, h, mi, sec] = [0, 5, 8, 11, 14, 17].map((i) => Number(t.slice(i, i + (i === 0 ? 4 : 2))))
        const ms = Number((t.slice(20).match(/^\d*/)![0] + '000').slice(0, 3))
        const want = Number.isNaN(micros) ? NaN : utc(y!, mo! - 1, d!, h!, mi!, sec!, ms)
        if (Math.abs(micros) < 2 ** 53) expect(want).toBe(Math.floor(micros / 1000))
        const whole = plainTimestampMs(t)
        const inPlace = plainTimestampMs(before + t + after, before.length, before.length + t.length)
        expect(Number.isNaN(whole)).toBe(Number.isNaN(want))
        if (!Number.isNaN(want)) {
          expect(whole).toBe(want)
          expect(inPlace).toBe(want)
        } else expect(inPlace).toBeNaN()
      }),
      { numRuns: 3000 },
    )
  })

  it('refuses a year with a non-digit in its last two places (19ab is not the year 2000)', () => {
    for (const t of ['19ab-01-01 00:00:00', '20x4-01-01 00:00:00', '2a24-01-01 00:00:00.5']) {
      expect(plainTimestampMs(t)).toBeNaN()
      expect(plainDateTimeMicros(t)).toBeNaN()
    }
    expect(plainTimestampMs('2024-01-01 00:00:00')).toBe(Date.UTC(2024, 0, 1))
  })

  it('agrees with Date.UTC across dates (the day cache changes with the date)', () => {
    for (const t of ['1970-01-01 00:00:00', '2024-02-29 23:59:59.999', '2024-03-01 00:00:00.5', '1900-01-01 12:00:00.123456', '2024-02-29 01:02:03']) {
      const [date, time] = t.split(' ') as [string, string]
      const [y, mo, d] = date.split('-').map(Number) as [number, number, number]
      const [hms, frac = ''] = time.split('.')
      const [h, mi, s] = hms!.split(':').map(Number) as [number, number, number]
      expect(timestampTextToMs(t)).toBe(Date.UTC(y, mo - 1, d, h, mi, s, Number(frac.padEnd(3, '0').slice(0, 3))))
    }
  })
})

describe('MySQL DATETIME(0-3) straight to milliseconds', () => {
  it('equals the microseconds floored, zero dates and other spellings included', () => {
    const convert = columnMapping({ name: 'at', type: 'datetime(3)' } as ColumnDef, true).convert
    // Years whose microseconds stay below 2^53 (1685-2255), where the microsecond reading is exact.
    const serverForm = fc.tuple(fc.integer({ min: 1700, max: 2250 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 86_399 }), fc.stringMatching(/^[0-9]{0,6}$/))
      .map(([y, mo, d, s, f]) => `${y}-${pad(mo, 2)}-${pad(d, 2)} ${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}${f === '' ? '' : `.${f}`}`)
    fc.assert(
      fc.property(fc.oneof(serverForm, fc.constantFrom('0000-00-00 00:00:00', '2024-01-02T03:04:05.5', '2024-01-02', '-0001-01-01 00:00:00')), (t) => {
        const us = datetimeTextToMicros(t)
        expect(convert(t)).toBe(us === null ? null : Math.floor(us / 1000))
      }),
      { numRuns: 1000 },
    )
    // Beyond them milliseconds stay exact where microseconds would not.
    expect(convert('1000-01-01 00:00:00.000998')).toBe(utc(1000, 0, 1, 0, 0, 0, 0))
    expect(convert('9999-12-31 23:59:59.999999')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59, 999))
  })
})

describe('COPY fields read in place', () => {
  /** Values of columns of `type` read by a CopyTextParser with copyField, and by convert(text) of each field. */
  function both(type: number, scale: number, texts: string[]): { fast: unknown[]; general: unknown[] } {
    const mapping = mapColumn({ name: 'c', type, scale }, true)
    const fast: unknown[] = []
    const p = new CopyTextParser('t', [copyField(type, mapping)], (v) => fast.push(v[0]))
    p.push(texts.map((t) => `${t}\n`).join(''))
    p.end()
    return { fast, general: texts.map((t) => mapping.convert(t)) }
  }

  it('integers of every size and sign equal the converter of their text', () => {
    const ints = fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer({ min: -99, max: 99 }))
    fc.assert(
      fc.property(fc.array(ints.map(String), { minLength: 1, maxLength: 20 }), fc.constantFrom(Oid.int2, Oid.int4, Oid.int8), (texts, type) => {
        const { fast, general } = both(type, -1, texts)
        expect(fast).toEqual(general)
      }),
    )
  })

  it('timestamps (with and without zone) equal the converter of their text', () => {
    const valid = timestampText.filter((t) => !Number.isNaN(Date.parse(t.replace(' ', 'T').replace(/\+00$/, 'Z'))) && !t.endsWith('x') && !t.endsWith('BC'))
    fc.assert(
      fc.property(fc.array(valid, { minLength: 1, maxLength: 10 }), fc.constantFrom(Oid.timestamp, Oid.timestamptz), (texts, type) => {
        let general: unknown[]
        try {
          general = texts.map((t) => mapColumn({ name: 'c', type, scale: -1 }, true).convert(t))
        } catch {
          return // text the converter itself rejects is not what this compares
        }
        expect(both(type, -1, texts).fast).toEqual(general)
      }),
      { numRuns: 500 },
    )
  })

  it('text, numeric and other columns equal the converter of their text', () => {
    const numeric = fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 99 })).map(([i, f]) => `${i}.${pad(f, 2)}`)
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).filter((s) => !/[\t\n\\]/.test(s)), { minLength: 1, maxLength: 10 }), (texts) => {
        for (const type of [Oid.text, Oid.varchar, Oid.json, Oid.uuid]) {
          const { fast, general } = both(type, -1, texts)
          expect(fast).toEqual(general)
        }
      }),
    )
    fc.assert(
      fc.property(fc.array(numeric, { minLength: 1, maxLength: 10 }), (texts) => {
        const { fast, general } = both(Oid.numeric, ((12 << 16) | 2) + 4, texts)
        expect(fast).toEqual(general)
      }),
    )
  })
})

describe('generated struct writers', () => {
  // Field names: short and long (past the inlined constant length), quotes, backslashes, non-ASCII.
  const fieldName = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ minLength: 40, maxLength: 80 }), fc.constantFrom('a"b', 'c\\d', 'ü', '日本', 'x\ny')).filter((n) => n !== '__proto__')
  const leaf = fc.constantFrom<Schema['type']>('string', 'int32', 'int64', 'float64', 'boolean')
  const valueOf = (type: Schema['type']): fc.Arbitrary<unknown> =>
    type === 'string' ? fc.string({ unit: 'grapheme', maxLength: 20 }) : type === 'boolean' ? fc.boolean() : type === 'float64' ? fc.double({ noNaN: true, noDefaultInfinity: true }) : fc.integer()
  const struct = fc.uniqueArray(fc.tuple(fieldName, leaf), { selector: ([n]) => n, minLength: 0, maxLength: 8 })

  it('write what JSON.stringify writes, nulls included, with and without schemas', () => {
    fc.assert(
      fc.property(
        struct.chain((fields) =>
          fc.tuple(
            fc.constant(fields),
            fc.tuple(...fields.map(([, t]) => fc.option(valueOf(t), { nil: null }))),
          ),
        ),
        ([fields, values]) => {
          const inner = Schemas.struct('inner', fields.map(([name, type]) => ({ name, schema: { type, optional: true } })), true)
          const schema = Schemas.struct('outer', [{ name: 'before', schema: inner }, { name: 'after', schema: inner }, { name: 'op', schema: Schemas.string(false) }])
          const row: Record<string, unknown> = {}
          fields.forEach(([name], i) => Object.defineProperty(row, name, { value: values[i], enumerable: true, writable: true }))
          const value = { before: null, after: row, op: 'r' }
          // In schema order (an object puts integer-like keys first, the schema does not).
          const rowJson = `{${fields.map(([name], i) => `${JSON.stringify(name)}:${JSON.stringify(values[i])}`).join(',')}}`
          const want = `{"before":null,"after":${rowJson},"op":"r"}`
          for (const schemasEnable of ['false', 'true']) {
            const c = new JsonConverter()
            c.configure({ 'schemas.enable': schemasEnable }, false)
            const bytes = c.fromConnectData('t', schema, value)!
            const text = bytes.toString()
            if (schemasEnable === 'true') expect(text.slice(text.indexOf(',"payload":', 10) + 11)).toBe(`${want}}`)
            else expect(text).toBe(want)
          }
        },
      ),
      { numRuns: 300 },
    )
  })
})
