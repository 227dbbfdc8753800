// Epoch days <-> proleptic Gregorian dates, checked against Date.UTC (an independent reckoning)
// over the whole range Date covers, and as inverses of each other beyond it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { civilFromDays, daysFromCivil, utcMillis } from '../../../core/common/civil-date.js'

const MS_PER_DAY = 86_400_000
/** Date's range: ±100,000,000 days around the epoch. */
const DATE_DAYS = 100_000_000

/** Date.UTC's date of an epoch day (setUTCFullYear keeps years 0-99 from reading as 1900-1999). */
function viaDate(days: number): { year: number; month: number; day: number } {
  const d = new Date(days * MS_PER_DAY)
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

describe('civil dates', () => {
  it('civilFromDays gives the date Date gives, and daysFromCivil takes it back, across Date\'s range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -DATE_DAYS, max: DATE_DAYS }), (days) => {
        const civil = civilFromDays(days)
        expect(civil).toEqual(viaDate(days))
        expect(daysFromCivil(civil.year, civil.month, civil.day)).toBe(days)
      }),
      { numRuns: 2000 },
    )
  })

  it('knows the edges: the epoch, leap days, century rules and years before 1', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0)
    expect(civilFromDays(-1)).toEqual({ year: 1969, month: 12, day: 31 })
    // 2000 is a leap year (divisible by 400), 1900 is not (by 100 only).
    expect(civilFromDays(daysFromCivil(2000, 2, 28) + 1)).toEqual({ year: 2000, month: 2, day: 29 })
    expect(civilFromDays(daysFromCivil(1900, 2, 28) + 1)).toEqual({ year: 1900, month: 3, day: 1 })
    // Year 0 (1 BC) is a leap year in the proleptic calendar.
    expect(civilFromDays(daysFromCivil(0, 2, 28) + 1)).toEqual({ year: 0, month: 2, day: 29 })
    expect(daysFromCivil(0, 3, 1) - daysFromCivil(-1, 3, 1)).toBe(366)
  })

  it('round-trips far beyond Date\'s range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (days) => {
        const c = civilFromDays(days)
        expect(c.month).toBeGreaterThanOrEqual(1)
        expect(c.month).toBeLessThanOrEqual(12)
        expect(c.day).toBeGreaterThanOrEqual(1)
        expect(c.day).toBeLessThanOrEqual(31)
        expect(daysFromCivil(c.year, c.month, c.day)).toBe(days)
      }),
      { numRuns: 1000 },
    )
  })

  it('utcMillis is Date.UTC for every year, 0-99 and 29 February of year 0 included', () => {
    // Date.UTC alone reads years 0-99 as 1900-1999; the epoch-day arithmetic is the reference.
    const at = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number => (daysFromCivil(y, mo, d) * 86_400 + (h * 60 + mi) * 60 + s) * 1000 + ms
    expect(utcMillis(0, 1, 29, 0, 0, 0, 0)).toBe(at(0, 2, 29, 0, 0, 0, 0))
    expect(utcMillis(1900, 1, 29, 0, 0, 0, 0)).toBe(at(1900, 3, 1, 0, 0, 0, 0))
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 999 }),
        (y, mo, d, h, mi, s, ms) => {
          const last = civilFromDays(daysFromCivil(mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1) - 1).day
          fc.pre(d <= last)
          expect(utcMillis(y, mo - 1, d, h, mi, s, ms)).toBe(at(y, mo, d, h, mi, s, ms))
          if (y >= 100) expect(utcMillis(y, mo - 1, d, h, mi, s, ms)).toBe(Date.UTC(y, mo - 1, d, h, mi, s, ms))
        },
      ),
      { numRuns: 3000 },
    )
  })
})
