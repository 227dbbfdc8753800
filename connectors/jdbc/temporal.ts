// Date and time text as databases print it ↔ Connect's logical types (Date: days since the
// epoch, Time: milliseconds since midnight, Timestamp: milliseconds since the epoch). Times
// without a zone are read in UTC (the JDBC connector's db.timezone default).

import { daysFromCivil, utcMillis } from '../../core/common/civil-date.js'

const TS = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/


/** Two ASCII digits at i as a number; NaN-free: a non-digit gives a value out of every range checked. */
const d2 = (t: string, i: number): number => {
  const a = t.charCodeAt(i) - 48
  const b = t.charCodeAt(i + 1) - 48
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : 100
}

/** Four ASCII digits at i as a year; 10000 (out of range) for anything else ('19ab' is not 2000). */
const d4 = (t: string, i: number): number => {
  const hi = d2(t, i)
  const lo = d2(t, i + 2)
  return hi < 100 && lo < 100 ? hi * 100 + lo : 10000
}

/**
 * 'YYYY-MM-DD' or 'YYYY-MM-DD[ T]HH:MM:SS[.f...]' without a zone, as databases print it, read
 * without a regex or a Date: microseconds since the epoch (digits past the sixth are checked and
 * dropped); NaN for anything else. Callers narrow the forms they take before calling.
 */
export function plainDateTimeMicros(t: string): number {
  const n = t.length
  if ((n !== 10 && n < 19) || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45) return NaN
  const y = d4(t, 0)
  const mo = d2(t, 5)
  const d = d2(t, 8)
  if (y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN
  let secs = 0
  let micros = 0
  if (n > 10) {
    const sep = t.charCodeAt(10)
    if ((sep !== 32 && sep !== 84) || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return NaN
    const h = d2(t, 11)
    const mi = d2(t, 14)
    const sec = d2(t, 17)
    if (h > 23 || mi > 59 || sec > 59) return NaN
    secs = (h * 60 + mi) * 60 + sec
    if (n > 19) {
      if (t.charCodeAt(19) !== 46) return NaN
      let scale = 100_000
      for (let i = 20; i < n; i++) {
        const c = t.charCodeAt(i) - 48
        if (c < 0 || c > 9) return NaN
        micros += c * scale
        scale = scale >= 10 ? scale / 10 : 0
      }
    }
  }
  return (daysFromCivil(y, mo, d) * 86_400 + secs) * 1_000_000 + micros
}

/** The last date read by plainTimestampMs (y * 512 + month * 32 + day) and its day number: rows of one table often share dates. */
let lastDateKey = -1
let lastDateDays = 0

/**
 * 'YYYY-MM-DD[ T]HH:MM:SS[.f...]' without a zone, in t[start, end) (all of t by default):
 * milliseconds since the epoch, read without a regex, a Date or a microsecond product (fraction
 * digits past the third are checked and dropped, so this is Math.floor(plainDateTimeMicros / 1000));
 * NaN for anything else.
 */
export function plainTimestampMs(t: string, start = 0, end = t.length): number {
  const n = end - start
  const s = start
  if (n < 19 || t.charCodeAt(s + 4) !== 45 || t.charCodeAt(s + 7) !== 45) return NaN
  const y = d4(t, s)
  const mo = d2(t, s + 5)
  const d = d2(t, s + 8)
  if (y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN
  const sep = t.charCodeAt(s + 10)
  if ((sep !== 32 && sep !== 84) || t.charCodeAt(s + 13) !== 58 || t.charCodeAt(s + 16) !== 58) return NaN
  const h = d2(t, s + 11)
  const mi = d2(t, s + 14)
  const sec = d2(t, s + 17)
  if (h > 23 || mi > 59 || sec > 59) return NaN
  let ms = 0
  if (n > 19) {
    if (t.charCodeAt(s + 19) !== 46) return NaN
    let scale = 100
    for (let i = s + 20; i < end; i++) {
      const c = t.charCodeAt(i) - 48
      if (c < 0 || c > 9) return NaN
      ms += c * scale
      scale = scale >= 10 ? (scale / 10) | 0 : 0
    }
  }
  const key = y * 512 + mo * 32 + d
  if (key !== lastDateKey) {
    lastDateDays = daysFromCivil(y, mo, d)
    lastDateKey = key
  }
  return (lastDateDays * 86_400 + (h * 60 + mi) * 60 + sec) * 1000 + ms
}

export function timestampTextToMs(text: string): number {
  const fast = plainTimestampMs(text)
  if (fast === fast) return fast // not NaN
  const m = TS.exec(text.trim())
  if (m === null) {
    const t = Date.parse(text)
    if (Number.isNaN(t)) throw new Error(`'${text}' is not a timestamp`)
    return t
  }
  const ms = utcMillis(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), +((m[7] ?? '0') + '00').slice(0, 3))
  const zone = m[8]
  if (zone === undefined || zone === 'Z') return ms
  const sign = zone[0] === '-' ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const offsetMin = +digits.slice(0, 2) * 60 + +(digits.slice(2, 4) || '0')
  return ms - sign * offsetMin * 60_000
}

export function dateTextToDays(text: string): number {
  return Math.floor(timestampTextToMs(text.slice(0, 10)) / 86_400_000)
}

export function timeTextToMs(text: string): number {
  const m = /^(\d{1,3}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?/.exec(text.trim())
  if (m === null) throw new Error(`'${text}' is not a time`)
  return (+m[1]! * 3600 + +m[2]! * 60 + +(m[3] ?? 0)) * 1000 + +((m[4] ?? '0') + '00').slice(0, 3)
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC. */
export function msToTimestampText(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
}

export function daysToDateText(days: number): string {
  return msToTimestampText(days * 86_400_000).slice(0, 10)
}

export function msToTimeText(ms: number): string {
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Math.floor((ms % 60_000) / 1000)
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`
}
