// Java's DateTimeFormatter patterns (as ksqlDB's FORMAT_* / PARSE_* functions take them), for
// formatting and parsing: the letters G u y D M L d Q q E F g a h K k H m s S n N A V z O X x Z,
// the pad modifier p, quoted literals ('' for a quote) and [optional] sections. English text (month
// and day names, AM/PM). Week-based fields Y w W e c follow the US week (Java's WeekFields for
// en_US: weeks start on Sunday, week 1 is the one holding January 1st). F is what Java's
// DateTimeFormatter maps it to, ChronoField.ALIGNED_DAY_OF_WEEK_IN_MONTH ((day-of-month - 1) % 7 + 1),
// g the modified Julian day, and pN pads the next field with spaces to width N.
import { FunctionError } from './errors.js'
import { daysFromCivil } from '../../core/common/civil-date.js'

type Token =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number; readonly pad?: number }
  | { readonly kind: 'optional'; readonly tokens: readonly Token[] }

/** Values a formatter prints; absent parts make the corresponding letters fail as Java's do. */
export interface TemporalValue {
  readonly date?: { readonly year: number; readonly month: number; readonly day: number; readonly dayOfWeek: number; readonly dayOfYear: number }
  readonly time?: { readonly hour: number; readonly minute: number; readonly second: number; readonly millis: number }
  readonly zone?: { readonly id: string; readonly offsetMs: number }
}

/** What a parse found, before resolving into a date, time or timestamp. */
export interface ParsedFields {
  year?: number
  yearOfEra?: number
  era?: number
  reducedYear?: number
  month?: number
  day?: number
  dayOfYear?: number
  dayOfWeek?: number
  quarter?: number
  amPm?: number
  hourOfDay?: number
  clockHourOfAmPm?: number
  hourOfAmPm?: number
  clockHourOfDay?: number
  minute?: number
  second?: number
  nanoOfSecond?: number
  milliOfDay?: number
  nanoOfDay?: number
  offsetMs?: number
  zoneId?: string
  /** Y, w, W, e / c: week-based-year, week of that year, week of month, day of week counted from Sunday (1-7). */
  weekBasedYear?: number
  weekOfWeekBasedYear?: number
  weekOfMonth?: number
  localDayOfWeek?: number
  /** F: day of the aligned week of the month (1-7), checked against the date. */
  alignedDayOfWeekInMonth?: number
  /** g: modified Julian day (days since 1858-11-17). */
  modifiedJulianDay?: number
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const QUARTERS = ['1st quarter', '2nd quarter', '3rd quarter', '4th quarter']

/** Java's name for the field behind a letter, as its "Unsupported field" errors say. */
const FIELD_NAMES: Record<string, string> = {
  G: 'Era', u: 'Year', y: 'YearOfEra', D: 'DayOfYear', M: 'MonthOfYear', L: 'MonthOfYear', d: 'DayOfMonth', Q: 'QuarterOfYear', q: 'QuarterOfYear',
  E: 'DayOfWeek', a: 'AmPmOfDay', h: 'ClockHourOfAmPm', K: 'HourOfAmPm', k: 'ClockHourOfDay', H: 'HourOfDay', m: 'MinuteOfHour', s: 'SecondOfMinute',
  S: 'NanoOfSecond', n: 'NanoOfSecond', N: 'NanoOfDay', A: 'MilliOfDay', V: 'ZoneId', z: 'ZoneId', O: 'OffsetSeconds', X: 'OffsetSeconds', x: 'OffsetSeconds', Z: 'OffsetSeconds',
  F: 'AlignedDayOfWeekInMonth', g: 'ModifiedJulianDay',
  Y: 'WeekBasedYear[WeekFields[SUNDAY,1]]', w: 'WeekOfWeekBasedYear[WeekFields[SUNDAY,1]]', W: 'WeekOfMonth[WeekFields[SUNDAY,1]]', e: 'DayOfWeek[WeekFields[SUNDAY,1]]', c: 'DayOfWeek[WeekFields[SUNDAY,1]]',
}

const DATE_LETTERS = new Set('GuyDMLdQqEFgYwWec')
const TIME_LETTERS = new Set('ahKkHmsSnNA')
const ZONE_LETTERS = new Set('VzOXxZ')
const MAX_COUNT: Record<string, number> = {
  Y: 19, w: 2, W: 1, e: 5, c: 5, F: 1, g: 19,
  G: 5, u: 19, y: 19, D: 3, M: 5, L: 5, d: 2, Q: 5, q: 5, E: 5, a: 1, h: 2, K: 2, k: 2, H: 2, m: 2, s: 2, S: 9, n: 19, N: 19, A: 19, V: 2, z: 4, O: 4, X: 5, x: 5, Z: 5,
}

function patternError(pattern: string, message: string): FunctionError {
  return new FunctionError('INVALID_ARGUMENT', `Invalid format pattern '${pattern}': ${message}`)
}

function tokenize(pattern: string): Token[] {
  const stack: Token[][] = [[]]
  let i = 0
  let pad: number | undefined
  const top = (): Token[] => stack[stack.length - 1]!
  while (i < pattern.length) {
    const c = pattern[i]!
    if (/[A-Za-z]/.test(c)) {
      let j = i
      while (j < pattern.length && pattern[j] === c) j++
      const count = j - i
      if (c === 'p') {
        // pN: the next field is padded with spaces to width N
        if (pad !== undefined || !/[A-Za-z]/.test(pattern[j] ?? '')) throw patternError(pattern, `Pad letter 'p' must be followed by valid pad pattern: ${pattern}`)
        pad = count
        i = j
        continue
      }
      if (!(c in MAX_COUNT)) throw patternError(pattern, `Unknown pattern letter: ${c}`)
      if (count > MAX_COUNT[c]!) throw patternError(pattern, `Too many pattern letters: ${c}`)
      if (c === 'V' && count !== 2) throw patternError(pattern, 'Pattern letter count must be 2: V')
      if (c === 'O' && count !== 1 && count !== 4) throw patternError(pattern, 'Pattern letter count must be 1 or 4: O')
      if (c === 'c' && count === 2) throw patternError(pattern, 'Invalid pattern "cc"')
      top().push(pad === undefined ? { kind: 'field', letter: c, count } : { kind: 'field', letter: c, count, pad })
      pad = undefined
      i = j
    } else if (c === "'") {
      let j = i + 1
      let text = ''
      for (;;) {
        if (j >= pattern.length) throw patternError(pattern, `Pattern ends with an incomplete string literal: ${pattern}`)
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            text += "'"
            j += 2
            continue
          }
          break
        }
        text += pattern[j]
        j++
      }
      top().push({ kind: 'literal', text: j === i + 1 ? "'" : text })
      i = j + 1
    } else if (c === '[') {
      stack.push([])
      i++
    } else if (c === ']') {
      if (stack.length === 1) throw patternError(pattern, 'Pattern invalid as it contains ] without previous [')
      const inner = stack.pop()!
      top().push({ kind: 'optional', tokens: inner })
      i++
    } else if (c === '{' || c === '}' || c === '#') {
      throw patternError(pattern, `Pattern includes reserved character: '${c}'`)
    } else {
      top().push({ kind: 'literal', text: c })
      i++
    }
  }
  while (stack.length > 1) {
    const inner = stack.pop()!
    top().push({ kind: 'optional', tokens: inner })
  }
  return stack[0]!
}

const pad = (n: number, width: number): string => {
  const s = String(Math.abs(n))
  return (n < 0 ? '-' : '') + (s.length < width ? '0'.repeat(width - s.length) + s : s)
}

function formatOffset(offsetMs: number, letter: string, count: number): string {
  const total = Math.round(offsetMs / 1000)
  const sign = total < 0 ? '-' : '+'
  const abs = Math.abs(total)
  const h = Math.floor(abs / 3600)
  const m = Math.floor((abs % 3600) / 60)
  const s = abs % 60
  const hh = pad(h, 2)
  const mm = pad(m, 2)
  const ss = pad(s, 2)
  if (letter === 'O') {
    if (total === 0) return 'GMT'
    return count === 1 ? `GMT${sign}${h}${m !== 0 || s !== 0 ? `:${mm}` : ''}${s !== 0 ? `:${ss}` : ''}` : `GMT${sign}${hh}:${mm}${s !== 0 ? `:${ss}` : ''}`
  }
  if (letter === 'Z') {
    if (count <= 3) return `${sign}${hh}${mm}`
    if (count === 4) return total === 0 ? 'GMT' : `GMT${sign}${hh}:${mm}${s !== 0 ? `:${ss}` : ''}`
    return total === 0 ? 'Z' : `${sign}${hh}:${mm}${s !== 0 ? `:${ss}` : ''}`
  }
  // X (Z for zero) and x
  if (total === 0 && letter === 'X') return 'Z'
  switch (count) {
    case 1:
      return `${sign}${hh}${m !== 0 ? mm : ''}`
    case 2:
      return `${sign}${hh}${mm}`
    case 3:
      return `${sign}${hh}:${mm}`
    case 4:
      return `${sign}${hh}${mm}${s !== 0 ? ss : ''}`
    default:
      return `${sign}${hh}:${mm}${s !== 0 ? `:${ss}` : ''}`
  }
}

function zoneName(id: string, atMs: number, long: boolean): string {
  if (id === 'Z' || /^[+-]/.test(id)) return id
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: id, timeZoneName: long ? 'long' : 'short' }).formatToParts(atMs)
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? id
  } catch {
    return id
  }
}

function yearText(year: number, count: number): string {
  if (count === 2) return pad(((year % 100) + 100) % 100, 2)
  if (count < 4) return pad(year, count)
  return year > 9999 ? `+${year}` : pad(year, count)
}

export class JavaDateTimeFormatter {
  private readonly tokens: readonly Token[]

  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern)
  }

  /** Whether the pattern prints or parses any field of a kind (date, time or zone letters). */
  uses(kind: 'date' | 'time' | 'zone'): boolean {
    const set = kind === 'date' ? DATE_LETTERS : kind === 'time' ? TIME_LETTERS : ZONE_LETTERS
    const walk = (ts: readonly Token[]): boolean => ts.some((t) => (t.kind === 'field' ? set.has(t.letter) : t.kind === 'optional' ? walk(t.tokens) : false))
    return walk(this.tokens)
  }

  format(value: TemporalValue, atMs = 0): string {
    let out = ''
    const emit = (tokens: readonly Token[], optional: boolean): boolean => {
      for (const t of tokens) {
        if (t.kind === 'literal') out += t.text
        else if (t.kind === 'optional') {
          const mark = out.length
          if (!emit(t.tokens, true)) out = out.slice(0, mark)
        } else {
          const text = this.formatField(t.letter, t.count, value, atMs)
          if (text === null) {
            if (optional) return false
            throw new FunctionError('FUNCTION_ERROR', `Unsupported field: ${FIELD_NAMES[t.letter] ?? t.letter}`)
          }
          if (t.pad !== undefined && text.length > t.pad) throw new FunctionError('FUNCTION_ERROR', `Cannot print as output of ${text.length} characters exceeds pad width of ${t.pad}`)
          out += t.pad === undefined ? text : text.padStart(t.pad, ' ')
        }
      }
      return true
    }
    emit(this.tokens, false)
    return out
  }

  private formatField(letter: string, count: number, v: TemporalValue, atMs: number): string | null {
    const d = v.date
    const t = v.time
    const z = v.zone
    if (DATE_LETTERS.has(letter) && d === undefined) return null
    if (TIME_LETTERS.has(letter) && t === undefined) return null
    if (ZONE_LETTERS.has(letter) && z === undefined) return null
    switch (letter) {
      case 'G': {
        const ad = d!.year > 0
        return count === 4 ? (ad ? 'Anno Domini' : 'Before Christ') : count === 5 ? (ad ? 'A' : 'B') : ad ? 'AD' : 'BC'
      }
      case 'u':
        return count === 2 ? yearText(d!.year, 2) : count >= 4 && d!.year > 9999 ? `+${d!.year}` : pad(d!.year, count === 2 ? 2 : count)
      case 'y':
        return yearText(d!.year > 0 ? d!.year : 1 - d!.year, count)
      case 'D':
        return pad(d!.dayOfYear, count)
      case 'M':
      case 'L':
        return count <= 2 ? pad(d!.month, count) : count === 3 ? MONTHS[d!.month - 1]!.slice(0, 3) : count === 4 ? MONTHS[d!.month - 1]! : MONTHS[d!.month - 1]!.charAt(0)
      case 'd':
        return pad(d!.day, count)
      case 'F':
        return String(((d!.day - 1) % 7) + 1)
      case 'g':
        return pad(daysFromCivil(d!.year, d!.month, d!.day) + MJD_EPOCH_DAY, count)
      case 'Q':
      case 'q': {
        const q = Math.floor((d!.month - 1) / 3) + 1
        return count <= 2 ? pad(q, count) : count === 3 ? `Q${q}` : count === 4 ? QUARTERS[q - 1]! : String(q)
      }
      case 'E': {
        const name = DAYS[d!.dayOfWeek - 1]!
        return count <= 3 ? name.slice(0, 3) : count === 4 ? name : name.charAt(0)
      }
      case 'Y': {
        const y = usWeek(d!).weekBasedYear
        return count === 2 ? yearText(y, 2) : count >= 4 && y > 9999 ? `+${y}` : pad(y, count)
      }
      case 'w':
        return pad(usWeek(d!).week, count)
      case 'W':
        return String(Math.floor((d!.day - 1 + sundayIndex(d!.dayOfWeek - (d!.day - 1))) / 7) + 1)
      case 'e':
      case 'c': {
        if (count <= 2) return pad(sundayIndex(d!.dayOfWeek) + 1, count)
        const name = DAYS[d!.dayOfWeek - 1]!
        return count === 3 ? name.slice(0, 3) : count === 4 ? name : name.charAt(0)
      }
      case 'a':
        return t!.hour < 12 ? 'AM' : 'PM'
      case 'h':
        return pad(t!.hour % 12 === 0 ? 12 : t!.hour % 12, count)
      case 'K':
        return pad(t!.hour % 12, count)
      case 'k':
        return pad(t!.hour === 0 ? 24 : t!.hour, count)
      case 'H':
        return pad(t!.hour, count)
      case 'm':
        return pad(t!.minute, count)
      case 's':
        return pad(t!.second, count)
      case 'S':
        return pad(t!.millis, 3).padEnd(9, '0').slice(0, count)
      case 'n':
        return pad(t!.millis * 1_000_000, count)
      case 'N':
        return pad(((t!.hour * 60 + t!.minute) * 60 + t!.second) * 1e9 + t!.millis * 1e6, count)
      case 'A':
        return pad(((t!.hour * 60 + t!.minute) * 60 + t!.second) * 1000 + t!.millis, count)
      case 'V':
        return z!.id
      case 'z':
        return zoneName(z!.id, atMs, count === 4)
      default:
        return formatOffset(z!.offsetMs, letter, count)
    }
  }

  /** Parses the whole text (case-insensitively); throws a FunctionError naming where it failed. */
  parse(text: string): ParsedFields {
    const fields: ParsedFields = {}
    const end = this.parseTokens(this.tokens, text, 0, fields, false)
    if (end === null) throw new FunctionError('FUNCTION_ERROR', `Text '${text}' could not be parsed at index 0`)
    if (end < text.length) throw new FunctionError('FUNCTION_ERROR', `Text '${text}' could not be parsed, unparsed text found at index ${end}`)
    return fields
  }

  private parseTokens(tokens: readonly Token[], text: string, pos: number, fields: ParsedFields, optional: boolean): number | null {
    let i = pos
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k]!
      if (t.kind === 'literal') {
        if (text.slice(i, i + t.text.length).toLowerCase() !== t.text.toLowerCase()) return this.failAt(text, i, optional)
        i += t.text.length
      } else if (t.kind === 'optional') {
        const saved = { ...fields }
        const r = this.parseTokens(t.tokens, text, i, fields, true)
        if (r === null) {
          for (const key of Object.keys(fields)) delete (fields as Record<string, unknown>)[key]
          Object.assign(fields, saved)
        } else {
          i = r
        }
      } else {
        const next = tokens[k + 1]
        const adjacentNumber = next?.kind === 'field' && isNumeric(next.letter, next.count)
        if (t.pad !== undefined) {
          // exactly pad characters: leading spaces, then the field, ending at the pad width
          const end = i + t.pad
          if (end > text.length) return this.failAt(text, i, optional)
          let from = i
          while (from < end && text[from] === ' ') from++
          const r = this.parseField(t.letter, t.count, text.slice(0, end), from, fields, false)
          if (r !== end) return this.failAt(text, r === null ? from : i, optional)
          i = r
          continue
        }
        const r = this.parseField(t.letter, t.count, text, i, fields, adjacentNumber)
        if (r === null) return this.failAt(text, i, optional)
        i = r
      }
    }
    return i
  }

  private failAt(text: string, i: number, optional: boolean): null {
    if (optional) return null
    throw new FunctionError('FUNCTION_ERROR', `Text '${text}' could not be parsed at index ${i}`)
  }

  private parseField(letter: string, count: number, text: string, i: number, f: ParsedFields, adjacent: boolean): number | null {
    const num = (min: number, max: number, signed = false): [number, number] | null => {
      const m = (signed ? /^[+-]?\d+/ : /^\d+/).exec(text.slice(i, i + max + 1))
      if (m === null) return null
      let digits = m[0]
      const unsigned = digits.replace(/^[+-]/, '')
      if (unsigned.length < min) return null
      if (unsigned.length > max) digits = digits.slice(0, digits.length - (unsigned.length - max))
      return [Number(digits), i + digits.length]
    }
    const width = (fixed: boolean, n: number, max: number): [number, number] => (fixed ? [n, n] : [n, max])
    const text3 = (names: readonly string[], len?: number): [number, number] | null => {
      const lower = text.slice(i).toLowerCase()
      // Longest name first, so "June" wins over "Jun".
      const options = names.map((n, idx) => [len === undefined ? n : n.slice(0, len), idx] as const).sort((a, b) => b[0].length - a[0].length)
      for (const [n, idx] of options) if (lower.startsWith(n.toLowerCase())) return [idx, i + n.length]
      return null
    }
    const take = (r: [number, number] | null, set: (v: number) => void): number | null => {
      if (r === null) return null
      set(r[0])
      return r[1]
    }
    switch (letter) {
      case 'G': {
        const r = text3(count === 4 ? ['Before Christ', 'Anno Domini'] : count === 5 ? ['B', 'A'] : ['BC', 'AD'])
        return take(r, (v) => (f.era = v))
      }
      case 'u':
      case 'y': {
        if (count === 2) return take(num(2, 2), (v) => (f.reducedYear = v))
        const [min, max] = width(adjacent, Math.max(count, count === 1 ? 1 : count), adjacent ? count : 10)
        const r = num(min, max, letter === 'u')
        return take(r, (v) => (letter === 'u' ? (f.year = v) : (f.yearOfEra = v)))
      }
      case 'D':
        return take(num(count, adjacent ? Math.max(count, 3) : 3), (v) => (f.dayOfYear = v))
      case 'M':
      case 'L':
        if (count <= 2) return take(num(count, adjacent || count === 2 ? 2 : 2), (v) => (f.month = v))
        return take(count === 5 ? text3(MONTHS, 1) : text3(MONTHS, count === 3 ? 3 : undefined), (v) => (f.month = v + 1))
      case 'd':
        return take(num(count, 2), (v) => (f.day = v))
      case 'F':
        return take(num(1, adjacent ? 1 : 19), (v) => (f.alignedDayOfWeekInMonth = v))
      case 'g':
        return take(num(count, 19, true), (v) => (f.modifiedJulianDay = v))
      case 'Q':
      case 'q':
        if (count <= 2) return take(num(count, 2), (v) => (f.quarter = v))
        if (count === 3) return take(text3(['Q1', 'Q2', 'Q3', 'Q4']), (v) => (f.quarter = v + 1))
        return take(count === 4 ? text3(QUARTERS) : num(1, 1), (v) => (f.quarter = count === 4 ? v + 1 : v))
      case 'E':
        return take(count === 5 ? text3(DAYS, 1) : text3(DAYS, count === 4 ? undefined : 3), (v) => (f.dayOfWeek = v + 1))
      case 'Y': {
        if (count === 2) return take(num(2, 2), (v) => (f.weekBasedYear = 2000 + v))
        return take(num(Math.max(count, 1), adjacent ? count : 10, true), (v) => (f.weekBasedYear = v))
      }
      case 'w':
        return take(num(count, 2), (v) => (f.weekOfWeekBasedYear = v))
      case 'W':
        return take(num(1, 1), (v) => (f.weekOfMonth = v))
      case 'e':
      case 'c':
        if (count <= 2) return take(num(count, count), (v) => (f.localDayOfWeek = v))
        return take(count === 5 ? text3(DAYS, 1) : text3(DAYS, count === 4 ? undefined : 3), (v) => (f.localDayOfWeek = ((v + 1) % 7) + 1))
      case 'a':
        return take(text3(['AM', 'PM']), (v) => (f.amPm = v))
      case 'h':
        return take(num(count, 2), (v) => (f.clockHourOfAmPm = v))
      case 'K':
        return take(num(count, 2), (v) => (f.hourOfAmPm = v))
      case 'k':
        return take(num(count, 2), (v) => (f.clockHourOfDay = v))
      case 'H':
        return take(num(count, 2), (v) => (f.hourOfDay = v))
      case 'm':
        return take(num(count, 2), (v) => (f.minute = v))
      case 's':
        return take(num(count, 2), (v) => (f.second = v))
      case 'S': {
        const m = new RegExp(`^\\d{${count}}`).exec(text.slice(i))
        if (m === null) return null
        f.nanoOfSecond = Number(m[0].padEnd(9, '0'))
        return i + count
      }
      case 'n':
        return take(num(count, adjacent ? count : 9), (v) => (f.nanoOfSecond = v))
      case 'N':
        return take(num(count, adjacent ? count : 14), (v) => (f.nanoOfDay = v))
      case 'A':
        return take(num(count, adjacent ? count : 8), (v) => (f.milliOfDay = v))
      case 'V': {
        const m = /^[A-Za-z][A-Za-z0-9~/._+-]*/.exec(text.slice(i))
        if (m === null) return null
        f.zoneId = m[0]
        return i + m[0].length
      }
      case 'z': {
        const m = /^[A-Za-z][A-Za-z0-9~/._+-]*/.exec(text.slice(i))
        if (m === null) return null
        f.zoneId = m[0]
        return i + m[0].length
      }
      default:
        return parseOffset(letter, count, text, i, f)
    }
  }
}

/** Day of week counted from Sunday = 0, from an ISO day of week (Monday = 1 .. Sunday = 7; any integer, taken mod 7). */
function sundayIndex(isoDayOfWeek: number): number {
  return (((isoDayOfWeek % 7) + 7) % 7)
}

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/**
 * Week-based year and week of a date with the US week (WeekFields.of(Locale.US): Sunday first, week 1
 * is the week holding January 1st), so the last days of December can be week 1 of the next year.
 */
function usWeek(d: NonNullable<TemporalValue['date']>): { weekBasedYear: number; week: number } {
  const jan1 = sundayIndex(d.dayOfWeek - (d.dayOfYear - 1))
  const daysInYear = isLeapYear(d.year) ? 366 : 365
  const weekEnd = d.dayOfYear + (6 - sundayIndex(d.dayOfWeek))
  if (weekEnd > daysInYear) return { weekBasedYear: d.year + 1, week: 1 }
  return { weekBasedYear: d.year, week: Math.floor((d.dayOfYear - 1 + jan1) / 7) + 1 }
}

/** The modified Julian day of 1970-01-01. */
export const MJD_EPOCH_DAY = 40587

function isNumeric(letter: string, count: number): boolean {
  if ('uyDdFghKkHmsSnNAYwW'.includes(letter)) return true
  if ((letter === 'e' || letter === 'c') && count <= 2) return true
  return (letter === 'M' || letter === 'L' || letter === 'Q' || letter === 'q') && count <= 2
}

function parseOffset(letter: string, count: number, text: string, i: number, f: ParsedFields): number | null {
  const rest = text.slice(i)
  if (letter === 'O' || (letter === 'Z' && count === 4)) {
    if (!rest.toUpperCase().startsWith('GMT')) return null
    const m = /^([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?/.exec(rest.slice(3))
    if (m === null) {
      f.offsetMs = 0
      return i + 3
    }
    f.offsetMs = offsetValue(m[1]!, m[2]!, m[3], m[4])
    return i + 3 + m[0].length
  }
  if ((letter === 'X' || (letter === 'Z' && count === 5)) && (rest[0] === 'Z' || rest[0] === 'z')) {
    f.offsetMs = 0
    return i + 1
  }
  const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(rest)
  if (m === null) return null
  f.offsetMs = offsetValue(m[1]!, m[2]!, m[3], m[4])
  return i + m[0].length
}

function offsetValue(sign: string, h: string, m: string | undefined, s: string | undefined): number {
  return (sign === '-' ? -1 : 1) * ((Number(h) * 60 + Number(m ?? 0)) * 60 + Number(s ?? 0)) * 1000
}

/** Formatters by pattern, compiled once (ksqlDB caches them the same way). */
const cache = new Map<string, JavaDateTimeFormatter>()

export function formatterFor(pattern: string, fn: string): JavaDateTimeFormatter {
  let f = cache.get(pattern)
  if (f === undefined) {
    try {
      f = new JavaDateTimeFormatter(pattern)
    } catch (e) {
      if (e instanceof FunctionError) throw new FunctionError(e.code, e.message, fn)
      throw e
    }
    if (cache.size > 1000) cache.clear()
    cache.set(pattern, f)
  }
  return f
}
