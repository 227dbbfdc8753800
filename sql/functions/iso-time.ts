// ksqlDB's default text for DATE, TIME and TIMESTAMP values (as TO_JSON_STRING and CAST to
// STRING write them): yyyy-MM-dd, LocalTime.toString (HH:mm, HH:mm:ss or HH:mm:ss.SSS) and
// yyyy-MM-dd'T'HH:mm:ss.SSS in UTC.

export const MS_PER_DAY = 86_400_000

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** The proleptic Gregorian year, month (1-12) and day of an epoch day. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  // Howard Hinnant's days-from-civil inverse, exact for every epoch day.
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return { year, month, day }
}

export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

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
