// ksqlDB's default text for DATE, TIME and TIMESTAMP values (as TO_JSON_STRING and CAST to
// STRING write them): yyyy-MM-dd, LocalTime.toString (HH:mm, HH:mm:ss or HH:mm:ss.SSS) and
// yyyy-MM-dd'T'HH:mm:ss.SSS in UTC.

import { civilFromDays } from '../../core/common/civil-date.js'

export const MS_PER_DAY = 86_400_000

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

function isoYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4)
  return year < 0 ? `-${pad(-year, 4)}` : `+${year}`
}

export function formatIsoDate(days: number): string {
  const { year, month, day } = civilFromDays(days)
  return `${isoYear(year)}-${pad(month)}-${pad(day)}`
}

/** LocalTime.toString of whole seconds (ksqlDB drops the milliseconds here): HH:mm or HH:mm:ss. */
export function formatIsoTime(msOfDay: number): string {
  const s = Math.floor(msOfDay / 1000)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  return sec === 0 ? `${pad(h)}:${pad(m)}` : `${pad(h)}:${pad(m)}:${pad(sec)}`
}

export function formatIsoTimestamp(ms: number): string {
  const days = Math.floor(ms / MS_PER_DAY)
  const rem = ms - days * MS_PER_DAY
  const h = Math.floor(rem / 3_600_000)
  const m = Math.floor((rem % 3_600_000) / 60_000)
  const s = Math.floor((rem % 60_000) / 1000)
  return `${formatIsoDate(days)}T${pad(h)}:${pad(m)}:${pad(s)}.${pad(rem % 1000, 3)}`
}
