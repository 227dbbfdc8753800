// Proleptic Gregorian dates as days since 1970-01-01, both ways, exact for every day a number
// holds and without a Date (whose range ends at year 275760). SQL's date functions and the
// connectors' database date parsers share them.

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

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

/**
 * Date.UTC for every year: Date.UTC reads years 0-99 as 1900-1999, and setting the year afterwards
 * is wrong for 29 February of year 0 (a leap year; 1900 is not). Fields out of range roll over as
 * Date.UTC's do (Java's lenient calendar).
 */
export function utcMillis(year: number, month0: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const dt = new Date(0)
  dt.setUTCFullYear(year, month0, day)
  dt.setUTCHours(hour, minute, second, ms)
  return dt.getTime()
}
