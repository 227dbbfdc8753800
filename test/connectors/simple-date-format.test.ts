// TimestampConverter's `format` takes Java SimpleDateFormat patterns, in UTC as Kafka's does.
import { describe, expect, it } from 'vitest'
import type { SourceRecord } from '../../connectors/api/record.js'
import { Schemas } from '../../connectors/api/schema.js'
import { buildChain } from '../../connectors/transforms/index.js'
import { SimpleDateFormat } from '../../connectors/transforms/simple-date-format.js'

const at = Date.UTC(2024, 0, 2, 3, 4, 5, 67) // Tuesday 2 January 2024, 03:04:05.067 UTC

describe('SimpleDateFormat patterns', () => {
  it.each([
    ['yyyy-MM-dd HH:mm:ss.SSS', '2024-01-02 03:04:05.067'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", '2024-01-02T03:04:05.067Z'],
    ['dd/MMM/yyyy:HH:mm:ss.SSS Z', '02/Jan/2024:03:04:05.067 +0000'],
    ["yyyyMMdd'T'HHmmssSSS", '20240102T030405067'],
    ['EEE, d MMM yyyy hh:mm:ss.SSS a', 'Tue, 2 Jan 2024 03:04:05.067 AM'],
    ['EEEE d MMMM yy, k:mm:ss.SSS', 'Tuesday 2 January 24, 3:04:05.067'],
    ["yyyy-DDD HH:mm:ss.SSS XXX", '2024-002 03:04:05.067 Z'],
    ["h:mm:ss.SSS 'o''clock' a, yyyy-M-d", "3:04:05.067 o'clock AM, 2024-1-2"],
  ])('%s writes and reads back %s', (pattern, text) => {
    const f = new SimpleDateFormat(pattern)
    expect(f.format(at)).toBe(text)
    expect(f.parse(text)).toBe(at)
  })

  it('reads zones, afternoon hours and days of the year', () => {
    expect(new SimpleDateFormat('dd/MMM/yyyy:HH:mm:ss Z').parse('02/Jan/2024:05:04:05 +0200')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssXXX").parse('2024-01-02T03:04:05-05:30')).toBe(Date.UTC(2024, 0, 2, 8, 34, 5))
    expect(new SimpleDateFormat('MM/dd/yyyy hh:mm a').parse('12/31/1999 11:59 PM')).toBe(Date.UTC(1999, 11, 31, 23, 59))
    expect(new SimpleDateFormat('MM/dd/yyyy hh:mm a').parse('01/01/2000 12:00 AM')).toBe(Date.UTC(2000, 0, 1, 0, 0))
    expect(new SimpleDateFormat('yyyy-DDD').parse('2024-060')).toBe(Date.UTC(2024, 1, 29))
    expect(new SimpleDateFormat('yyyy-MM-dd').format(new Date('0099-03-04T00:00:00Z').getTime())).toBe('0099-03-04')
  })

  it('names the letter it cannot handle and where the text does not match', () => {
    expect(() => new SimpleDateFormat("yyyy-'W'ww")).toThrow(/'format': pattern letter 'w' in 'yyyy-'W'ww' is not supported/)
    expect(() => new SimpleDateFormat("yyyy-MM-dd'T")).toThrow(/unterminated quote/)
    expect(() => new SimpleDateFormat('yyyy-MM-dd').parse('2024/01/02')).toThrow(/'2024\/01\/02' does not match the format 'yyyy-MM-dd' \(expected '-' at position 4\)/)
  })
})

describe('TimestampConverter with format', () => {
  const schema = Schemas.struct('t', [{ name: 'id', schema: Schemas.int64(false) }, { name: 'at', schema: Schemas.timestamp() }, { name: 'seen', schema: Schemas.string() }])
  const rec = (value: Record<string, unknown>): SourceRecord => ({
    sourcePartition: {}, sourceOffset: {}, topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: schema, value, timestamp: null, headers: [],
  })

  it('writes a Timestamp field as text in the pattern and reads text in the pattern into a Timestamp', () => {
    const toText = buildChain({ transforms: 'ts', 'transforms.ts.type': 'org.apache.kafka.connect.transforms.TimestampConverter$Value', 'transforms.ts.field': 'at', 'transforms.ts.target.type': 'string', 'transforms.ts.format': 'yyyy-MM-dd HH:mm:ss.SSS' }, 'c')
    const out = toText.apply(rec({ id: 1, at, seen: null }))!
    expect((out.value as { at: string }).at).toBe('2024-01-02 03:04:05.067')
    expect(out.valueSchema!.fields!.find((f) => f.name === 'at')!.schema.type).toBe('string')
    const fromText = buildChain({ transforms: 'ts', 'transforms.ts.type': 'TimestampConverter$Value', 'transforms.ts.field': 'seen', 'transforms.ts.target.type': 'Timestamp', 'transforms.ts.format': 'dd/MMM/yyyy:HH:mm:ss Z' }, 'c')
    expect((fromText.apply(rec({ id: 1, at: null, seen: '02/Jan/2024:05:04:05 +0200' }))!.value as { seen: number }).seen).toBe(Date.UTC(2024, 0, 2, 3, 4, 5))
    expect(() => fromText.apply(rec({ id: 1, at: null, seen: 'yesterday' }))).toThrow(/transform 'ts' failed .*'yesterday' does not match the format/)
  })

  it('a pattern it cannot handle fails the config, naming the transform key', () => {
    expect(() => buildChain({ transforms: 'ts', 'transforms.ts.type': 'TimestampConverter$Value', 'transforms.ts.field': 'at', 'transforms.ts.target.type': 'string', 'transforms.ts.format': 'YYYY-ww' }, 'c'))
      .toThrow(/Connector 'c': Invalid value for configuration 'transforms.ts.format': pattern letter 'Y'/)
  })
})
