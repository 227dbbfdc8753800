// Date and time functions (ksqlDB's datetime UDFs). DATE is days since the epoch, TIME ms of
// the day, TIMESTAMP ms since the epoch (UTC). Patterns are Java DateTimeFormatter patterns
// (java-time-format.ts); time zones are Java zone ids resolved through Intl (time-zones.ts).
import { BIGINT, DATE, INTEGER, STRING, TIME, TIMESTAMP, nullSafe, param, scalar, sig } from './define.js'
import { FunctionError } from './errors.js'
import { civilFromDays, daysFromCivil } from '../../core/common/civil-date.js'
import { MS_PER_DAY } from './iso-time.js'
import { MJD_EPOCH_DAY, formatterFor, type ParsedFields, type TemporalValue } from './java-time-format.js'
import type { ScalarFunction } from './registry-types.js'
import { systemZone, zoneOf, type Zone } from './time-zones.js'

const CATEGORY = 'DATE / TIME'
const NS_PER_DAY = 86_400_000_000_000

// ---- values for the formatter ----------------------------------------------------------------

function dateParts(days: number): NonNullable<TemporalValue['date']> {
  const { year, month, day } = civilFromDays(days)
  return { year, month, day, dayOfWeek: ((((days + 3) % 7) + 7) % 7) + 1, dayOfYear: days - daysFromCivil(year, 1, 1) + 1 }
}

function timeParts(msOfDay: number): NonNullable<TemporalValue['time']> {
  return { hour: Math.floor(msOfDay / 3_600_000), minute: Math.floor((msOfDay % 3_600_000) / 60_000), second: Math.floor((msOfDay % 60_000) / 1000), millis: msOfDay % 1000 }
}

function zonedValue(epochMs: number, zone: Zone): TemporalValue {
  const offsetMs = zone.offsetAt(epochMs)
  const local = epochMs + offsetMs
  const days = Math.floor(local / MS_PER_DAY)
  return { date: dateParts(days), time: timeParts(local - days * MS_PER_DAY), zone: { id: zone.id, offsetMs } }
}

// ---- resolving parsed fields -----------------------------------------------------------------

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new FunctionError('FUNCTION_ERROR', `Invalid value for ${name} (valid values ${min} - ${max}): ${value}`)
  }
  return value
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const monthLength = (y: number, m: number): number => (m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31)

const hasDate = (f: ParsedFields): boolean =>
  f.modifiedJulianDay !== undefined || f.alignedDayOfWeekInMonth !== undefined || f.weekBasedYear !== undefined || f.weekOfWeekBasedYear !== undefined || f.localDayOfWeek !== undefined ||
  f.year !== undefined || f.yearOfEra !== undefined || f.reducedYear !== undefined || f.month !== undefined || f.day !== undefined || f.dayOfYear !== undefined || f.dayOfWeek !== undefined || f.era !== undefined || f.quarter !== undefined

const hasTime = (f: ParsedFields): boolean =>
  f.hourOfDay !== undefined || f.clockHourOfDay !== undefined || f.clockHourOfAmPm !== undefined || f.hourOfAmPm !== undefined || f.amPm !== undefined ||
  f.minute !== undefined || f.second !== undefined || f.nanoOfSecond !== undefined || f.milliOfDay !== undefined || f.nanoOfDay !== undefined

/** Epoch day of the parsed date; missing parts default to 1970-01-01 (as ksqlDB's timestamp parser does). */
function resolveDays(f: ParsedFields, requireFull: boolean): number {
  const days = resolveDate(f, requireFull)
  // F is checked against the date, as Java's resolver does
  if (f.alignedDayOfWeekInMonth !== undefined) {
    const derived = ((dateParts(days).day - 1) % 7) + 1
    check('AlignedDayOfWeekInMonth', f.alignedDayOfWeekInMonth, 1, 7)
    if (derived !== f.alignedDayOfWeekInMonth) throw new FunctionError('FUNCTION_ERROR', `Conflict found: Field AlignedDayOfWeekInMonth ${derived} differs from AlignedDayOfWeekInMonth ${f.alignedDayOfWeekInMonth} derived from the date`)
  }
  return days
}

function resolveDate(f: ParsedFields, requireFull: boolean): number {
  if (f.modifiedJulianDay !== undefined) return f.modifiedJulianDay - MJD_EPOCH_DAY
  if (f.weekBasedYear !== undefined && f.weekOfWeekBasedYear !== undefined) return resolveWeekDate(f)
  let year = f.year
  if (year === undefined && f.yearOfEra !== undefined) year = f.era === 0 ? 1 - f.yearOfEra : f.yearOfEra
  if (year === undefined && f.reducedYear !== undefined) year = 2000 + f.reducedYear
  if (requireFull && (year === undefined || (f.dayOfYear === undefined && (f.month === undefined || f.day === undefined)))) {
    throw new FunctionError('FUNCTION_ERROR', 'Unable to obtain LocalDate from TemporalAccessor: the pattern does not give a full date')
  }
  const y = year ?? 1970
  if (f.dayOfYear !== undefined) {
    check('DayOfYear', f.dayOfYear, 1, isLeap(y) ? 366 : 365)
    return daysFromCivil(y, 1, 1) + f.dayOfYear - 1
  }
  const m = check('MonthOfYear', f.month ?? 1, 1, 12)
  // Java's SMART resolver clamps 29-31 to the month's last day.
  const d = Math.min(check('DayOfMonth', f.day ?? 1, 1, 31), monthLength(y, m))
  const days = daysFromCivil(y, m, d)
  if (f.dayOfWeek !== undefined && f.month !== undefined && f.day !== undefined && dateParts(days).dayOfWeek !== f.dayOfWeek) {
    throw new FunctionError('FUNCTION_ERROR', 'Conflict found: the day of the week does not match the date')
  }
  return days
}

/** A date from week-based year (Y), week (w) and day of week (e or E), with the US week: Sunday first, week 1 holds January 1st. */
function resolveWeekDate(f: ParsedFields): number {
  const isoDow = f.dayOfWeek
  const sundayDow = f.localDayOfWeek ?? (isoDow === undefined ? undefined : (isoDow % 7) + 1)
  if (sundayDow === undefined) throw new FunctionError('FUNCTION_ERROR', 'Unable to obtain LocalDate from TemporalAccessor: a week-based year and week need a day of the week (e or E)')
  check('DayOfWeek[WeekFields[SUNDAY,1]]', sundayDow, 1, 7)
  check('WeekOfWeekBasedYear[WeekFields[SUNDAY,1]]', f.weekOfWeekBasedYear!, 1, 53)
  const jan1 = daysFromCivil(f.weekBasedYear!, 1, 1)
  const weekOneStart = jan1 - (dateParts(jan1).dayOfWeek % 7)
  return weekOneStart + (f.weekOfWeekBasedYear! - 1) * 7 + (sundayDow - 1)
}

/** Milliseconds of the day of the parsed time; missing parts are 0. */
function resolveMsOfDay(f: ParsedFields): number {
  if (f.milliOfDay !== undefined) return check('MilliOfDay', f.milliOfDay, 0, MS_PER_DAY - 1)
  if (f.nanoOfDay !== undefined) return Math.floor(check('NanoOfDay', f.nanoOfDay, 0, NS_PER_DAY - 1) / 1e6)
  let hour = 0
  if (f.hourOfDay !== undefined) hour = check('HourOfDay', f.hourOfDay, 0, 23)
  else if (f.clockHourOfDay !== undefined) hour = check('ClockHourOfDay', f.clockHourOfDay, 1, 24) % 24
  else if (f.clockHourOfAmPm !== undefined) hour = (check('ClockHourOfAmPm', f.clockHourOfAmPm, 1, 12) % 12) + 12 * (f.amPm ?? 0)
  else if (f.hourOfAmPm !== undefined) hour = check('HourOfAmPm', f.hourOfAmPm, 0, 11) + 12 * (f.amPm ?? 0)
  else if (f.amPm !== undefined) hour = 12 * f.amPm
  const minute = check('MinuteOfHour', f.minute ?? 0, 0, 59)
  const second = check('SecondOfMinute', f.second ?? 0, 0, 59)
  return ((hour * 60 + minute) * 60 + second) * 1000 + Math.floor((f.nanoOfSecond ?? 0) / 1e6)
}

function parsedZone(f: ParsedFields, fallback: Zone, fn: string): Zone {
  if (f.zoneId !== undefined) return zoneOf(f.zoneId, fn)
  if (f.offsetMs !== undefined) return { id: 'offset', offsetAt: () => f.offsetMs!, toInstant: (local) => local - f.offsetMs! }
  return fallback
}

/** Wraps a failure the way ksqlDB's functions report it. */
function failing<R>(fn: string, what: () => string, body: () => R): R {
  try {
    return body()
  } catch (e) {
    const cause = e instanceof Error ? e.message : String(e)
    throw new FunctionError('FUNCTION_ERROR', `${what()}: ${cause}`, fn, { cause: e })
  }
}

export function parseTimestampText(text: string, pattern: string, zone: Zone, fn: string): number {
  const f = formatterFor(pattern, fn).parse(text)
  const local = resolveDays(f, false) * MS_PER_DAY + resolveMsOfDay(f)
  return parsedZone(f, zone, fn).toInstant(local)
}

export function formatTimestampText(epochMs: number, pattern: string, zone: Zone, fn: string): string {
  return formatterFor(pattern, fn).format(zonedValue(epochMs, zone), epochMs)
}

// ---- the functions ---------------------------------------------------------------------------

const tzParam = param('timeZone', STRING, 'a java.util.TimeZone ID, for example "UTC", "America/Los_Angeles", "Europe/London"')
const patternParam = param('formatPattern', STRING, 'a java.time.format.DateTimeFormatter pattern')

export const UNIX_TIMESTAMP = scalar('UNIX_TIMESTAMP', CATEGORY, 'Returns the current number of milliseconds since 1970-01-01 00:00:00 UTC, or the milliseconds of the given TIMESTAMP.', [
  sig([], BIGINT, () => Date.now(), 'The current time in milliseconds.'),
  sig([param('timestamp', TIMESTAMP)], BIGINT, (t: number | null) => t, 'The milliseconds of a TIMESTAMP.'),
], { nondeterministic: true })

export const UNIX_DATE = scalar('UNIX_DATE', CATEGORY, 'Returns the current number of days since 1970-01-01 (in the system time zone), or the days of the given DATE.', [
  sig([], INTEGER, () => Math.floor((Date.now() + systemZone().offsetAt(Date.now())) / MS_PER_DAY), 'The current date in days.'),
  sig([param('date', DATE)], INTEGER, (d: number | null) => d, 'The days of a DATE.'),
], { nondeterministic: true })

export const FROM_UNIXTIME = scalar('FROM_UNIXTIME', CATEGORY, 'Converts the number of milliseconds since 1970-01-01 00:00:00 UTC into a TIMESTAMP value.', [
  sig([param('epochMilli', BIGINT, 'Milliseconds since January 1, 1970, 00:00:00 UTC.')], TIMESTAMP, (ms: number | null) => ms),
])

export const FROM_DAYS = scalar('FROM_DAYS', CATEGORY, 'Converts a number of days since epoch to a DATE value.', [
  sig([param('days', INTEGER)], DATE, (d: number | null) => d),
])

export const FORMAT_TIMESTAMP = scalar('FORMAT_TIMESTAMP', CATEGORY, "Converts a TIMESTAMP value into the string representation of the timestamp in the given format, in UTC or the given time zone. Single quotes in the format can be escaped with '', for example: 'yyyy-MM-dd''T''HH:mm:ssX'.", [
  sig([param('timestamp', TIMESTAMP), patternParam], STRING, nullSafe((t: number, p: string) =>
    failing('FORMAT_TIMESTAMP', () => `Failed to format timestamp ${t} at timeZone 'GMT' with formatter '${p}'`, () => formatTimestampText(t, p, zoneOf('GMT', 'FORMAT_TIMESTAMP'), 'FORMAT_TIMESTAMP')))),
  sig([param('timestamp', TIMESTAMP), patternParam, tzParam], STRING, nullSafe((t: number, p: string, tz: string) =>
    failing('FORMAT_TIMESTAMP', () => `Failed to format timestamp ${t} at timeZone '${tz}' with formatter '${p}'`, () => formatTimestampText(t, p, zoneOf(tz, 'FORMAT_TIMESTAMP'), 'FORMAT_TIMESTAMP')))),
])

export const PARSE_TIMESTAMP = scalar('PARSE_TIMESTAMP', CATEGORY, "Converts a string representation of a date and time in the given format into a TIMESTAMP, in UTC or the given time zone unless the text carries its own zone. Fields the pattern lacks default to 1970-01-01T00:00:00.000.", [
  sig([param('formattedTimestamp', STRING), patternParam], TIMESTAMP, nullSafe((s: string, p: string) =>
    failing('PARSE_TIMESTAMP', () => `Failed to parse timestamp '${s}' at timezone 'GMT' with formatter '${p}'`, () => parseTimestampText(s, p, zoneOf('GMT', 'PARSE_TIMESTAMP'), 'PARSE_TIMESTAMP')))),
  sig([param('formattedTimestamp', STRING), patternParam, tzParam], TIMESTAMP, nullSafe((s: string, p: string, tz: string) =>
    failing('PARSE_TIMESTAMP', () => `Failed to parse timestamp '${s}' at timezone '${tz}' with formatter '${p}'`, () => parseTimestampText(s, p, zoneOf(tz, 'PARSE_TIMESTAMP'), 'PARSE_TIMESTAMP')))),
])

export const FORMAT_DATE = scalar('FORMAT_DATE', CATEGORY, 'Converts a DATE value into a string in the given format (time letters in the pattern are an error).', [
  sig([param('date', DATE), patternParam], STRING, nullSafe((d: number, p: string) =>
    failing('FORMAT_DATE', () => `Failed to format date ${d} with formatter '${p}'`, () => formatterFor(p, 'FORMAT_DATE').format({ date: dateParts(d) })))),
])

export const PARSE_DATE = scalar('PARSE_DATE', CATEGORY, 'Converts a string representation of a date in the given format into a DATE value; a pattern with time of day is an error.', [
  sig([param('formattedDate', STRING), patternParam], DATE, nullSafe((s: string, p: string) =>
    failing('PARSE_DATE', () => `Failed to parse date '${s}' with formatter '${p}'`, () => {
      const f = formatterFor(p, 'PARSE_DATE').parse(s)
      if (hasTime(f) && resolveMsOfDay(f) !== 0) throw new FunctionError('FUNCTION_ERROR', 'Date format contains time field.')
      return resolveDays(f, false)
    }))),
])

export const FORMAT_TIME = scalar('FORMAT_TIME', CATEGORY, 'Converts a TIME value into a string in the given format (date letters in the pattern are an error).', [
  sig([param('time', TIME), patternParam], STRING, nullSafe((t: number, p: string) =>
    failing('FORMAT_TIME', () => `Failed to format time ${t} with formatter '${p}'`, () => formatterFor(p, 'FORMAT_TIME').format({ time: timeParts(t) })))),
])

export const PARSE_TIME = scalar('PARSE_TIME', CATEGORY, 'Converts a string representation of a time in the given format into a TIME value; a pattern with date fields is an error.', [
  sig([param('formattedTime', STRING), patternParam], TIME, nullSafe((s: string, p: string) =>
    failing('PARSE_TIME', () => `Failed to parse time '${s}' with formatter '${p}'`, () => {
      const f = formatterFor(p, 'PARSE_TIME').parse(s)
      if (hasDate(f)) throw new FunctionError('FUNCTION_ERROR', 'Time format contains date field.')
      return resolveMsOfDay(f)
    }))),
])

export const CONVERT_TZ = scalar('CONVERT_TZ', CATEGORY, 'Converts a TIMESTAMP value from one time zone to another: shifts it by the difference of the two zones\' offsets at that instant.', [
  sig([param('timestamp', TIMESTAMP), param('fromTimeZone', STRING, tzParam.description), param('toTimeZone', STRING, tzParam.description)], TIMESTAMP, nullSafe((t: number, from: string, to: string) => {
    const offset = zoneOf(to, 'CONVERT_TZ').offsetAt(t) - zoneOf(from, 'CONVERT_TZ').offsetAt(t)
    return t + offset
  })),
])

// ---- arithmetic with ksqlDB's time units -----------------------------------------------------

/** Nanoseconds in one of a java.util.concurrent.TimeUnit, by the names ksqlDB's grammar accepts (singular or plural). */
const UNIT_NANOS: Record<string, number> = {
  NANOSECOND: 1, MICROSECOND: 1e3, MILLISECOND: 1e6, SECOND: 1e9, MINUTE: 6e10, HOUR: 3.6e12, DAY: 8.64e13,
}

/** The unit argument arrives as the unit's name (the analyzer passes the keyword as a STRING literal). */
function unitNanos(unit: string, fn: string): number {
  const u = unit.toUpperCase().replace(/S$/, '')
  const n = UNIT_NANOS[u]
  if (n === undefined) throw new FunctionError('INVALID_ARGUMENT', `Unknown time unit '${unit}': expected one of DAYS, HOURS, MINUTES, SECONDS, MILLISECONDS, MICROSECONDS, NANOSECONDS`, fn)
  return n
}

/** TimeUnit.toMillis: whole milliseconds, truncated towards zero. */
function unitMillis(unit: string, interval: number, fn: string): number {
  const n = unitNanos(unit, fn)
  return n >= 1e6 ? interval * (n / 1e6) : Math.trunc((interval * n) / 1e6)
}

const unitParam = param('unit', STRING, 'A unit of time, for example DAYS, HOURS or SECONDS')
const intervalParam = param('interval', INTEGER, 'An integer number of intervals')

function addFunctions(name: string, sign: 1 | -1): ScalarFunction[] {
  const verb = sign > 0 ? 'Adds' : 'Subtracts'
  const ts = scalar(`TIMESTAMP${name}`, CATEGORY, `${verb} a duration to a TIMESTAMP.`, [
    sig([unitParam, intervalParam, param('timestamp', TIMESTAMP)], TIMESTAMP, nullSafe((u: string, n: number, t: number) => t + sign * unitMillis(u, n, `TIMESTAMP${name}`))),
  ])
  const date = scalar(`DATE${name}`, CATEGORY, `${verb} a duration to a DATE (whole days of the result, truncated towards 1970-01-01 as Java's TimeUnit does).`, [
    sig([unitParam, intervalParam, param('date', DATE)], DATE, nullSafe((u: string, n: number, d: number) => Math.trunc((d * MS_PER_DAY + sign * unitMillis(u, n, `DATE${name}`)) / MS_PER_DAY))),
  ])
  const time = scalar(`TIME${name}`, CATEGORY, `${verb} a duration to a TIME, wrapping around midnight.`, [
    sig([unitParam, intervalParam, param('time', TIME)], TIME, nullSafe((u: string, n: number, t: number) => {
      const delta = (sign * n * unitNanos(u, `TIME${name}`)) % NS_PER_DAY
      const nanos = (((t * 1e6 + delta) % NS_PER_DAY) + NS_PER_DAY) % NS_PER_DAY
      return Math.floor(nanos / 1e6)
    })),
  ])
  return [ts, date, time]
}

export const [TIMESTAMPADD, DATEADD, TIMEADD] = addFunctions('ADD', 1) as [ScalarFunction, ScalarFunction, ScalarFunction]
export const [TIMESTAMPSUB, DATESUB, TIMESUB] = addFunctions('SUB', -1) as [ScalarFunction, ScalarFunction, ScalarFunction]

// ---- the deprecated string <-> number functions ----------------------------------------------

export const STRINGTODATE = scalar('STRINGTODATE', CATEGORY, 'Converts a string representation of a date in the given format into the number of days since 1970-01-01 (deprecated: use PARSE_DATE).', [
  sig([param('formattedDate', STRING), patternParam], INTEGER, nullSafe((s: string, p: string) =>
    failing('STRINGTODATE', () => `Failed to parse date '${s}' with formatter '${p}'`, () => resolveDays(formatterFor(p, 'STRINGTODATE').parse(s), true)))),
])

export const DATETOSTRING = scalar('DATETOSTRING', CATEGORY, 'Converts the number of days since 1970-01-01 into a date string in the given format (deprecated: use FORMAT_DATE).', [
  sig([param('epochDays', INTEGER), patternParam], STRING, nullSafe((d: number, p: string) =>
    failing('DATETOSTRING', () => `Failed to format date ${d} with formatter '${p}'`, () => formatterFor(p, 'DATETOSTRING').format({ date: dateParts(d) })))),
])

export const STRINGTOTIMESTAMP = scalar('STRINGTOTIMESTAMP', CATEGORY, 'Converts a string representation of a date and time in the given format into milliseconds since the epoch, in the system time zone or the given one (deprecated: use PARSE_TIMESTAMP).', [
  sig([param('formattedTimestamp', STRING), patternParam], BIGINT, nullSafe((s: string, p: string) =>
    failing('STRINGTOTIMESTAMP', () => `Failed to parse timestamp '${s}' with formatter '${p}'`, () => parseTimestampText(s, p, systemZone(), 'STRINGTOTIMESTAMP')))),
  sig([param('formattedTimestamp', STRING), patternParam, tzParam], BIGINT, nullSafe((s: string, p: string, tz: string) =>
    failing('STRINGTOTIMESTAMP', () => `Failed to parse timestamp '${s}' at timezone '${tz}' with formatter '${p}'`, () => parseTimestampText(s, p, zoneOf(tz, 'STRINGTOTIMESTAMP'), 'STRINGTOTIMESTAMP')))),
])

export const TIMESTAMPTOSTRING = scalar('TIMESTAMPTOSTRING', CATEGORY, 'Converts milliseconds since the epoch into a string in the given format, in the system time zone or the given one (deprecated: use FORMAT_TIMESTAMP).', [
  sig([param('epochMilli', BIGINT), patternParam], STRING, nullSafe((t: number, p: string) =>
    failing('TIMESTAMPTOSTRING', () => `Failed to format timestamp ${t} with formatter '${p}'`, () => formatTimestampText(t, p, systemZone(), 'TIMESTAMPTOSTRING')))),
  sig([param('epochMilli', BIGINT), patternParam, tzParam], STRING, nullSafe((t: number, p: string, tz: string) =>
    failing('TIMESTAMPTOSTRING', () => `Failed to format timestamp ${t} with formatter '${p}'`, () => formatTimestampText(t, p, zoneOf(tz, 'TIMESTAMPTOSTRING'), 'TIMESTAMPTOSTRING')))),
])

export const datetimeFunctions: readonly ScalarFunction[] = [
  UNIX_TIMESTAMP, UNIX_DATE, FROM_UNIXTIME, FROM_DAYS, FORMAT_TIMESTAMP, PARSE_TIMESTAMP, FORMAT_DATE, PARSE_DATE, FORMAT_TIME, PARSE_TIME,
  CONVERT_TZ, TIMESTAMPADD, TIMESTAMPSUB, DATEADD, DATESUB, TIMEADD, TIMESUB, STRINGTODATE, DATETOSTRING, STRINGTOTIMESTAMP, TIMESTAMPTOSTRING,
]
