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
    expect(() => f(0, 'cc')).toThrow('Invalid pattern "cc"')
  })
})

describe('F (aligned day of week in month), g (modified Julian day) and p (pad next)', () => {
  const f = scalarFn('FORMAT_TIMESTAMP', [TIMESTAMP, S])
  const fd = scalarFn('FORMAT_DATE', [DATE, S])
  const p = scalarFn('PARSE_DATE', [S, S])
  it('formats F as Java maps it (ALIGNED_DAY_OF_WEEK_IN_MONTH: days 1-7 are 1-7, day 8 is 1 again)', () => {
    expect(fd(day('2021-05-01'), 'd F')).toBe('1 1')
    expect(fd(day('2021-05-07'), 'd F')).toBe('7 7')
    expect(fd(day('2021-05-08'), 'd F')).toBe('8 1')
    expect(fd(day('2021-05-31'), 'd F')).toBe('31 3')
    expect(f(ts('2021-05-19T10:00:00'), 'yyyy-MM-dd F')).toBe('2021-05-19 5')
  })
  it('parses F, checked against the date', () => {
    expect(p('2021-05-19 5', 'yyyy-MM-dd F')).toBe(day('2021-05-19'))
    expect(() => p('2021-05-19 2', 'yyyy-MM-dd F')).toThrow('Conflict found')
  })
  it('formats and parses g, the modified Julian day (1858-11-17 is day 0), signed, zero-padded to the letter count', () => {
    expect(fd(day('1970-01-01'), 'g')).toBe('40587')
    expect(fd(day('1858-11-17'), 'g')).toBe('0')
    expect(fd(day('1858-11-16'), 'ggg')).toBe('-001')
    expect(fd(day('2000-01-01'), 'ggggggg')).toBe('0051544')
    expect(p('51544', 'g')).toBe(day('2000-01-01'))
    expect(p('-1', 'g')).toBe(day('1858-11-16'))
  })
  it('pads the next field with spaces (pN), refusing output wider than the pad, and parses it back', () => {
    expect(fd(day('2021-05-04'), "ppd'/'pppM")).toBe(' 4/  5')
    expect(fd(day('2021-05-14'), 'ppd')).toBe('14')
    expect(() => fd(day('2021-05-04'), 'pMMMM')).toThrow('Cannot print as output of 3 characters exceeds pad width of 1')
    expect(p(' 4/  5/2021', "ppd'/'pppM'/'yyyy")).toBe(day('2021-05-04'))
    expect(p('14/ 12/2021', "ppd'/'pppM'/'yyyy")).toBe(day('2021-12-14'))
    expect(() => p('4/5/2021', "ppd'/'M'/'yyyy")).toThrow('could not be parsed')
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
  it('takes negated POSIX classes inside a character class, negated or not, with quantifiers', () => {
    const extract = scalarFn('REGEXP_EXTRACT', [S, S])
    // not a letter, or x
    expect(extract('[\\P{Alpha}x]+', 'abx1-xyz')).toBe('x1-x')
    expect(extract('[\\P{Alpha}]+', 'ab12cd')).toBe('12')
    // neither a non-letter nor x: letters but x
    expect(extract('[^\\P{Alpha}x]+', 'x1abcxd')).toBe('abc')
    // not a digit or not lower case: everything but lower-case digits... i.e. any character (no character is both)
    expect(extract('[\\P{Digit}\\P{Lower}]+', 'a1B')).toBe('a1B')
    // in both sets (a letter and a hex digit) but not 'e'
    expect(extract('[^\\P{Alpha}\\P{XDigit}e]+', 'xyzabcdefg')).toBe('abcd')
    expect(scalarFn('REGEXP_REPLACE', [S, S, S])('a1 b2-c', '[\\P{Alnum}1]', '_')).toBe('a__b2_c')
    expect(scalarFn('REGEXP_SPLIT_TO_ARRAY', [S, S])('a1b22c', '[\\P{Alpha}]+')).toEqual(['a', 'b', 'c'])
  })
})
