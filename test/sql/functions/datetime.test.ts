import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BIGINT, DATE, INTEGER, STRING, TIME, TIMESTAMP, registry, scalarFn } from './helpers.js'

const S = STRING
const ts = (iso: string): number => Date.parse(`${iso}Z`)
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000
const time = (h: number, m: number, s = 0, ms = 0): number => ((h * 60 + m) * 60 + s) * 1000 + ms

describe('FORMAT_TIMESTAMP', () => {
  const f = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S])
  const fz = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S, S])
  it('formats in UTC by default (ksqlDB docs example)', () => {
    expect(f(ts('2021-05-04T12:34:56.789'), 'yyyy-MM-dd HH:mm:ss.SSS')).toBe('2021-05-04 12:34:56.789')
    expect(f(0, "yyyy-MM-dd'T'HH:mm:ssX")).toBe('1970-01-01T00:00:00Z')
    expect(f(null, 'yyyy')).toBe(null)
  })
  it('formats names, 12-hour clocks, quoted text and fractions', () => {
    expect(f(0, 'EEE, d MMM yyyy')).toBe('Thu, 1 Jan 1970')
    expect(f(0, 'EEEE d MMMM uuuu G')).toBe('Thursday 1 January 1970 AD')
    expect(f(ts('2021-06-30T13:05:09.120'), "hh:mm a 'o''clock' S SS SSSS")).toBe("01:05 PM o'clock 1 12 1200")
    expect(f(ts('2021-06-30T00:05:00'), 'h:m:s k K D Q yy')).toBe('12:5:0 24 0 181 2 21')
  })
  it('formats in a time zone, with offsets and zone ids', () => {
    const t = ts('2021-01-01T00:00:00')
    expect(fz(t, 'yyyy-MM-dd HH:mm XXX', 'Asia/Kolkata')).toBe('2021-01-01 05:30 +05:30')
    expect(fz(t, 'yyyy-MM-dd HH:mm Z VV', 'America/Los_Angeles')).toBe('2020-12-31 16:00 -0800 America/Los_Angeles')
    expect(fz(ts('2021-07-01T00:00:00'), 'HH:mm xxx', 'America/Los_Angeles')).toBe('17:00 -07:00')
    expect(fz(t, 'HH:mm O', '+02:00')).toBe('02:00 GMT+2')
    expect(() => fz(t, 'HH:mm', 'Mars/Olympus')).toThrow('Unknown time-zone ID: Mars/Olympus')
  })
  it('rejects bad patterns with Java\'s messages', () => {
    expect(() => f(0, 'yyyy-bb')).toThrow('Unknown pattern letter: b')
    expect(() => f(0, 'HHH')).toThrow('Too many pattern letters: H')
    expect(() => f(0, 'FF')).toThrow('Too many pattern letters: F')
    expect(() => f(0, 'yyyy p')).toThrow("Pad letter 'p' must be followed by valid pad pattern")
  })
})

describe('PARSE_TIMESTAMP', () => {
  const p = scalarFn('PARSE_TIMESTAMP', [S, S])
  const pz = scalarFn('PARSE_TIMESTAMP', [S, S, S])
  it('parses in UTC by default, or in the zone given (ksqlDB docs example)', () => {
    expect(p('2021-05-04 12:34:56.789', 'yyyy-MM-dd HH:mm:ss.SSS')).toBe(ts('2021-05-04T12:34:56.789'))
    expect(pz('2020-11-04 10:30:00', 'yyyy-MM-dd HH:mm:ss', 'America/Los_Angeles')).toBe(ts('2020-11-04T18:30:00'))
  })
  it('uses the zone in the text over the default', () => {
    expect(p('2021-01-01T10:00:00+0200', "yyyy-MM-dd'T'HH:mm:ssZ")).toBe(ts('2021-01-01T08:00:00'))
    expect(p('2021-01-01T10:00:00Z', "yyyy-MM-dd'T'HH:mm:ssX")).toBe(ts('2021-01-01T10:00:00'))
    expect(pz('2021-01-01 10:00 Europe/Paris', 'yyyy-MM-dd HH:mm VV', 'UTC')).toBe(ts('2021-01-01T09:00:00'))
  })
  it('defaults missing fields to 1970-01-01T00:00:00 and reads text case-insensitively', () => {
    expect(p('10:30', 'HH:mm')).toBe(ts('1970-01-01T10:30:00'))
    expect(p('2021', 'yyyy')).toBe(ts('2021-01-01T00:00:00'))
    expect(p('05 jAN 2021 01:02 pm', 'dd MMM yyyy hh:mm a')).toBe(ts('2021-01-05T13:02:00'))
    expect(p('2021-06-30', 'yyyy-MM-dd[ HH:mm]')).toBe(ts('2021-06-30T00:00:00'))
    expect(p('2021-06-30 07:15', 'yyyy-MM-dd[ HH:mm]')).toBe(ts('2021-06-30T07:15:00'))
    expect(p('20210630', 'yyyyMMdd')).toBe(ts('2021-06-30T00:00:00'))
  })
  it('resolves daylight-saving gaps forward and overlaps to the earlier offset, as Java does', () => {
    expect(pz('2021-03-14 02:30', 'yyyy-MM-dd HH:mm', 'America/Los_Angeles')).toBe(ts('2021-03-14T10:30:00'))
    expect(pz('2021-11-07 01:30', 'yyyy-MM-dd HH:mm', 'America/Los_Angeles')).toBe(ts('2021-11-07T08:30:00'))
  })
  it('fails with the text, the zone and the pattern in the message', () => {
    expect(() => p('2021-13-01', 'yyyy-MM-dd')).toThrow("Failed to parse timestamp '2021-13-01' at timezone 'GMT' with formatter 'yyyy-MM-dd'")
    expect(() => p('2021-01-01x', 'yyyy-MM-dd')).toThrow('unparsed text found at index 10')
    expect(() => p('hello', 'yyyy')).toThrow('could not be parsed at index 0')
  })
  it('round-trips FORMAT_TIMESTAMP (property)', () => {
    const f = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S, S])
    const pattern = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
    fc.assert(
      fc.property(fc.integer({ min: -2e12, max: 4e12 }), fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'), (t, zone) => {
        expect(pz(f(t, pattern, zone), pattern, 'UTC')).toBe(t)
      }),
    )
  })
})

describe('dates and times', () => {
  it('FORMAT_DATE and PARSE_DATE', () => {
    expect(scalarFn('FORMAT_DATE', [DATE, S])(day('2021-03-09'), 'dd/MM/yyyy EEE')).toBe('09/03/2021 Tue')
    expect(scalarFn('PARSE_DATE', [S, S])('2021-12-01', 'yyyy-MM-dd')).toBe(day('2021-12-01'))
    expect(scalarFn('PARSE_DATE', [S, S])('2020-02-31', 'yyyy-MM-dd')).toBe(day('2020-02-29'))
    expect(() => scalarFn('FORMAT_DATE', [DATE, S])(0, 'yyyy HH')).toThrow('Unsupported field: HourOfDay')
    expect(() => scalarFn('PARSE_DATE', [S, S])('2021-12-01 10', 'yyyy-MM-dd HH')).toThrow('Date format contains time field.')
  })
  it('FORMAT_TIME and PARSE_TIME', () => {
    expect(scalarFn('FORMAT_TIME', [TIME, S])(time(13, 5, 9, 7), 'HH:mm:ss.SSS')).toBe('13:05:09.007')
    expect(scalarFn('PARSE_TIME', [S, S])('10:11:12', 'HH:mm:ss')).toBe(time(10, 11, 12))
    expect(scalarFn('PARSE_TIME', [S, S])('12:00 AM', 'hh:mm a')).toBe(0)
    expect(() => scalarFn('FORMAT_TIME', [TIME, S])(0, 'yyyy')).toThrow('Unsupported field: YearOfEra')
    expect(() => scalarFn('PARSE_TIME', [S, S])('2021-01-01', 'yyyy-MM-dd')).toThrow('Time format contains date field.')
  })
  it('UNIX_TIMESTAMP, UNIX_DATE, FROM_UNIXTIME, FROM_DAYS', () => {
    const before = Date.now()
    const now = scalarFn('UNIX_TIMESTAMP', [])() as number
    expect(now).toBeGreaterThanOrEqual(before)
    expect(scalarFn('UNIX_TIMESTAMP', [TIMESTAMP])(1234)).toBe(1234)
    expect(scalarFn('UNIX_DATE', [DATE])(18000)).toBe(18000)
    expect(Math.abs((scalarFn('UNIX_DATE', [])() as number) - Math.floor(now / 86_400_000))).toBeLessThanOrEqual(1)
    expect(scalarFn('FROM_UNIXTIME', [BIGINT])(1234)).toBe(1234)
    expect(scalarFn('FROM_DAYS', [INTEGER])(19000)).toBe(19000)
    expect(registry.get('UNIX_TIMESTAMP')).toMatchObject({ nondeterministic: true })
  })
  it('CONVERT_TZ shifts by the difference of the offsets', () => {
    const f = scalarFn('CONVERT_TZ', [TIMESTAMP, S, S])
    expect(f(ts('2021-01-01T00:00:00'), 'UTC', 'America/Los_Angeles')).toBe(ts('2020-12-31T16:00:00'))
    expect(f(ts('2021-07-01T12:00:00'), 'America/Los_Angeles', 'Europe/London')).toBe(ts('2021-07-01T20:00:00'))
    expect(() => f(0, 'UTC', 'Nowhere/City')).toThrow('Unknown time-zone ID')
  })
})

describe('TIMESTAMPADD, DATEADD, TIMEADD and the SUB forms', () => {
  it('add and subtract in ksqlDB\'s units', () => {
    expect(scalarFn('TIMESTAMPADD', [S, INTEGER, TIMESTAMP])('MINUTES', 5, 0)).toBe(300_000)
    expect(scalarFn('TIMESTAMPADD', [S, INTEGER, TIMESTAMP])('day', 1, 0)).toBe(86_400_000)
    expect(scalarFn('TIMESTAMPSUB', [S, INTEGER, TIMESTAMP])('SECONDS', 2, 5000)).toBe(3000)
    expect(scalarFn('TIMESTAMPADD', [S, INTEGER, TIMESTAMP])('MICROSECONDS', 2500, 0)).toBe(2)
    expect(scalarFn('DATEADD', [S, INTEGER, DATE])('DAYS', 2, day('2021-02-27'))).toBe(day('2021-03-01'))
    expect(scalarFn('DATESUB', [S, INTEGER, DATE])('DAYS', 1, day('2021-03-01'))).toBe(day('2021-02-28'))
    expect(scalarFn('DATEADD', [S, INTEGER, DATE])('HOURS', 47, 0)).toBe(1)
    expect(scalarFn('TIMEADD', [S, INTEGER, TIME])('HOURS', 3, time(23, 0))).toBe(time(2, 0))
    expect(scalarFn('TIMESUB', [S, INTEGER, TIME])('MINUTES', 90, time(0, 30))).toBe(time(23, 0))
    expect(scalarFn('TIMESTAMPADD', [S, INTEGER, TIMESTAMP])('DAYS', null, 0)).toBe(null)
  })
  it('reject an unknown unit', () => {
    expect(() => scalarFn('TIMESTAMPADD', [S, INTEGER, TIMESTAMP])('FORTNIGHTS', 1, 0)).toThrow("Unknown time unit 'FORTNIGHTS'")
  })
})

describe('the deprecated string functions', () => {
  it('STRINGTODATE and DATETOSTRING work in epoch days', () => {
    expect(scalarFn('STRINGTODATE', [S, S])('2021-12-01', 'yyyy-MM-dd')).toBe(Date.UTC(2021, 11, 1) / 86_400_000)
    expect(() => scalarFn('STRINGTODATE', [S, S])('2021-12', 'yyyy-MM')).toThrow('Failed to parse date')
    expect(scalarFn('DATETOSTRING', [INTEGER, S])(18993, 'yyyy-MM-dd')).toBe('2022-01-01')
  })
  it('STRINGTOTIMESTAMP and TIMESTAMPTOSTRING with a time zone', () => {
    expect(scalarFn('STRINGTOTIMESTAMP', [S, S, S])('2021-01-01 01:00', 'yyyy-MM-dd HH:mm', 'Europe/Berlin')).toBe(ts('2021-01-01T00:00:00'))
    expect(scalarFn('TIMESTAMPTOSTRING', [BIGINT, S, S])(ts('2021-01-01T00:00:00'), 'yyyy-MM-dd HH:mm', 'Europe/Berlin')).toBe('2021-01-01 01:00')
  })
})
