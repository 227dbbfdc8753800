// Java pattern features the functions accept beyond JavaScript's own: week-based date letters
// (Y w W e c, US weeks as Java's en_US) and POSIX / Is-prefixed classes in regular expressions.
import { describe, expect, it } from 'vitest'
import { DATE, STRING, TIMESTAMP, scalarFn } from './helpers.js'

const S = STRING
const ts = (iso: string): number => Date.parse(`${iso}Z`)
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`) / 86_400_000

describe('week-based pattern letters (US weeks: Sunday first, week 1 holds January 1st)', () => {
  const f = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S])
  const fd = scalarFn('FORMAT_DATE', [DATE, S])
  it('formats the week-based year, the week of the year and of the month, the day of the week from Sunday', () => {
    // 2021-05-04 is a Tuesday; 2021-01-01 a Friday, so week 1 of 2021 is Dec 27 - Jan 2 and May 2 - 8 is week 19
    expect(f(ts('2021-05-04T10:00:00'), "YYYY-'W'ww-e")).toBe('2021-W19-3')
    expect(fd(day('2021-05-04'), 'W eee eeee c ccc')).toBe('2 Tue Tuesday 3 Tue')
    // the last days of December belong to week 1 of the next week-based year
    expect(fd(day('2020-12-31'), 'YYYY ww yyyy')).toBe('2021 01 2020')
    expect(fd(day('2020-12-26'), 'YYYY ww')).toBe('2020 52')
    expect(fd(day('2021-01-03'), 'Y w e')).toBe('2021 2 1')
    expect(fd(day('1970-01-01'), 'YY-ww-ee uuuu')).toBe('70-01-05 1970')
  })
  it('parses a week-based year, week and day of the week into a date', () => {
    const p = scalarFn('PARSE_DATE', [S, S])
    expect(p('2021-19-3', 'YYYY-ww-e')).toBe(day('2021-05-04'))
    expect(p('2021-01-6', 'YYYY-ww-e')).toBe(day('2021-01-01'))
    expect(p('2021-01-Sun', 'YYYY-ww-EEE')).toBe(day('2020-12-27'))
    expect(() => p('2021-19', 'YYYY-ww')).toThrow('need a day of the week')
  })
  it('refuses the letters it does not support', () => {
    expect(() => f(0, 'FF')).toThrow("the pattern letter 'F'")
    expect(() => f(0, 'cc')).toThrow('Invalid pattern "cc"')
  })
})

describe('POSIX and Unicode property classes in regular expressions (Java syntax)', () => {
  it('matches US-ASCII POSIX classes as Java does, inside and outside character classes', () => {
    const extract = scalarFn('REGEXP_EXTRACT', [S, S])
    expect(extract('\\p{Alpha}+', '12abc34')).toBe('abc')
    expect(extract('\\p{Alpha}+', 'éa')).toBe('a')
    expect(extract('\\p{Upper}\\p{Lower}+', 'x Hello')).toBe('Hello')
    expect(extract('\\P{Alnum}+', 'ab--cd')).toBe('--')
    expect(extract('[\\p{XDigit}_]+', 'zz_0fA9g')).toBe('_0fA9')
    expect(extract('[^\\p{Space}\\p{Punct}]+', ' ,;hello, world')).toBe('hello')
    expect(scalarFn('REGEXP_REPLACE', [S, S, S])('a1 b2', '\\p{Digit}', '#')).toBe('a# b#')
    expect(scalarFn('REGEXP_SPLIT_TO_ARRAY', [S, S])('a, b;c', '[\\p{Punct}\\p{Blank}]+')).toEqual(['a', 'b', 'c'])
  })
  it('maps Is-prefixed properties and scripts and java* classes to Unicode properties', () => {
    const extract = scalarFn('REGEXP_EXTRACT', [S, S])
    expect(extract('\\p{IsAlphabetic}+', '1héllo2')).toBe('héllo')
    expect(extract('\\p{IsLatin}+', 'αβγ abc')).toBe('abc')
    expect(extract('\\p{IsGreek}+', 'abc αβγ')).toBe('αβγ')
    expect(extract('\\p{javaUpperCase}+', 'abcÉCOLEdef')).toBe('ÉCOLE')
    expect(extract('\\p{L}+', '12ünï')).toBe('ünï')
  })
  it('refuses a negated POSIX class inside a character class', () => {
    expect(() => scalarFn('REGEXP_EXTRACT', [S, S])('[\\P{Alpha}x]', 'a')).toThrow('inside a character class is not supported')
  })
})
