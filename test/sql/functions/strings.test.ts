import { describe, expect, it } from 'vitest'
import { FunctionError } from '../../../sql/functions/errors.js'
import { BIGINT, BYTES, DOUBLE, INTEGER, STRING, registry, returnType, scalarFn } from './helpers.js'

const S = STRING
const I = INTEGER

describe('CONCAT and CONCAT_WS', () => {
  it('CONCAT joins strings, skipping NULLs', () => {
    expect(scalarFn('CONCAT', [S, S, S])('ksql', null, 'DB')).toBe('ksqlDB')
    expect(scalarFn('CONCAT', [S])(null)).toBe('')
  })
  it('CONCAT joins bytes', () => {
    expect(scalarFn('CONCAT', [BYTES, BYTES])(Buffer.from([1]), Buffer.from([2, 3]))).toEqual(Buffer.from([1, 2, 3]))
    expect(returnType('CONCAT', [BYTES, BYTES])).toEqual(BYTES)
  })
  it('CONCAT_WS puts the separator between non-NULL values; a NULL separator gives NULL', () => {
    const f = scalarFn('CONCAT_WS', [S, S, S, S, S])
    expect(f(', ', 'apple', 'banana', null, 'date')).toBe('apple, banana, date')
    expect(f(null, 'a', 'b', 'c', 'd')).toBe(null)
    expect(scalarFn('CONCAT_WS', [BYTES, BYTES, BYTES])(Buffer.from('-'), Buffer.from('a'), Buffer.from('b'))).toEqual(Buffer.from('a-b'))
    expect(() => registry.resolve('CONCAT_WS', [S])).toThrow(FunctionError)
  })
})

describe('case, length and trimming', () => {
  it('UCASE, LCASE, INITCAP', () => {
    expect(scalarFn('UCASE', [S])('Hello')).toBe('HELLO')
    expect(scalarFn('LCASE', [S])('Hello')).toBe('hello')
    expect(scalarFn('INITCAP', [S])('the   quICK brown FOX')).toBe('The   Quick Brown Fox')
    expect(scalarFn('UCASE', [S])(null)).toBe(null)
  })
  it('LEN counts UTF-16 units of strings and bytes of BYTES', () => {
    expect(scalarFn('LEN', [S])('hello')).toBe(5)
    expect(scalarFn('LEN', [S])('😀')).toBe(2)
    expect(scalarFn('LEN', [BYTES])(Buffer.from([1, 2, 3]))).toBe(3)
    expect(returnType('LEN', [S])).toEqual(I)
  })
  it('TRIM, LTRIM, RTRIM strip whitespace and control characters', () => {
    expect(scalarFn('TRIM', [S])('  \t hi \n')).toBe('hi')
    expect(scalarFn('LTRIM', [S])('  hi  ')).toBe('hi  ')
    expect(scalarFn('RTRIM', [S])('  hi  ')).toBe('  hi')
  })
})

describe('LPAD and RPAD', () => {
  it('pad to the length and truncate longer input', () => {
    expect(scalarFn('LPAD', [S, I, S])('Foo', 7, 'Bar')).toBe('BarBFoo')
    expect(scalarFn('RPAD', [S, I, S])('Foo', 7, 'Bar')).toBe('FooBarB')
    expect(scalarFn('LPAD', [S, I, S])('Foobar', 3, 'x')).toBe('Foo')
    expect(scalarFn('RPAD', [S, I, S])('Foobar', 3, 'x')).toBe('Foo')
  })
  it('give NULL for a NULL or empty padding or a negative length', () => {
    expect(scalarFn('LPAD', [S, I, S])('Foo', 7, '')).toBe(null)
    expect(scalarFn('LPAD', [S, I, S])('Foo', -1, 'x')).toBe(null)
    expect(scalarFn('RPAD', [S, I, S])(null, 3, 'x')).toBe(null)
  })
  it('pad bytes', () => {
    expect(scalarFn('LPAD', [BYTES, I, BYTES])(Buffer.from([1]), 4, Buffer.from([9, 8]))).toEqual(Buffer.from([9, 8, 9, 1]))
    expect(scalarFn('RPAD', [BYTES, I, BYTES])(Buffer.from([1]), 4, Buffer.from([9, 8]))).toEqual(Buffer.from([1, 9, 8, 9]))
  })
})

describe('SUBSTRING', () => {
  it('takes 1-based positions, negative from the end', () => {
    const from = scalarFn('SUBSTRING', [S, I])
    const fromLen = scalarFn('SUBSTRING', [S, I, I])
    expect(fromLen('abcdef', 2, 3)).toBe('bcd')
    expect(from('abcdef', -2)).toBe('ef')
    expect(from('abcdef', 0)).toBe('abcdef')
    expect(from('abcdef', 10)).toBe('')
    expect(fromLen('abcdef', -3, 2)).toBe('de')
    expect(fromLen('abcdef', 5, 10)).toBe('ef')
    expect(fromLen('abcdef', null, 2)).toBe(null)
    expect(scalarFn('SUBSTRING', [BYTES, I, I])(Buffer.from([1, 2, 3, 4]), 2, 2)).toEqual(Buffer.from([2, 3]))
  })
})

describe('INSTR', () => {
  it('finds occurrences from a position, backwards for a negative one (ksqlDB docs examples)', () => {
    expect(scalarFn('INSTR', [S, S])('CORPORATE FLOOR', 'OR')).toBe(2)
    expect(scalarFn('INSTR', [S, S, I])('CORPORATE FLOOR', 'OR', 3)).toBe(5)
    expect(scalarFn('INSTR', [S, S, I, I])('CORPORATE FLOOR', 'OR', 3, 2)).toBe(14)
    expect(scalarFn('INSTR', [S, S, I])('CORPORATE FLOOR', 'OR', -3)).toBe(5)
    expect(scalarFn('INSTR', [S, S, I, I])('CORPORATE FLOOR', 'OR', -3, 2)).toBe(2)
    expect(scalarFn('INSTR', [S, S])('CORPORATE FLOOR', 'MISSING')).toBe(0)
    expect(scalarFn('INSTR', [S, S])(null, 'OR')).toBe(0)
  })
})

describe('REPLACE and the REGEXP functions', () => {
  it('REPLACE replaces every occurrence', () => {
    expect(scalarFn('REPLACE', [S, S, S])('Hello World', 'o', '0')).toBe('Hell0 W0rld')
    expect(scalarFn('REPLACE', [S, S, S])('abc', '', '-')).toBe('-a-b-c-')
    expect(scalarFn('REPLACE', [S, S, S])('abc', null, '-')).toBe(null)
  })
  it('REGEXP_EXTRACT returns the first match or a group, NULL otherwise', () => {
    const f = scalarFn('REGEXP_EXTRACT', [S, S])
    const g = scalarFn('REGEXP_EXTRACT', [S, S, I])
    expect(f('.*(ksql).*', 'hello ksqldb')).toBe('hello ksqldb')
    expect(g('.*(ksql).*', 'hello ksqldb', 1)).toBe('ksql')
    expect(g('(x)', 'hello', 1)).toBe(null)
    expect(g('(e)', 'hello', 2)).toBe(null)
    expect(f('(?i)KSQL', 'hello ksqldb')).toBe('ksql')
  })
  it('REGEXP_EXTRACT_ALL returns every match', () => {
    expect(scalarFn('REGEXP_EXTRACT_ALL', [S, S])('\\d+', 'a1b22c333')).toEqual(['1', '22', '333'])
    expect(scalarFn('REGEXP_EXTRACT_ALL', [S, S, I])('(\\w)(\\d)', 'a1 b2', 2)).toEqual(['1', '2'])
    expect(scalarFn('REGEXP_EXTRACT_ALL', [S, S])('z', 'abc')).toEqual([])
  })
  it('REGEXP_REPLACE uses Java replacement syntax', () => {
    const f = scalarFn('REGEXP_REPLACE', [S, S, S])
    expect(f('quick brown fox', '\\s+', '_')).toBe('quick_brown_fox')
    expect(f('John Smith', '(\\w+) (\\w+)', '$2, $1')).toBe('Smith, John')
    expect(f('cost', 'cost', '\\$5')).toBe('$5')
    expect(() => f('x', '(', 'y')).toThrow('Invalid regular expression pattern: (')
  })
  it('REGEXP_SPLIT_TO_ARRAY keeps empty strings between matches', () => {
    const f = scalarFn('REGEXP_SPLIT_TO_ARRAY', [S, S])
    expect(f('aabcda', '(bc|d)')).toEqual(['aa', '', 'a'])
    expect(f('a,b,,c,', ',')).toEqual(['a', 'b', '', 'c', ''])
    expect(f('abc', '')).toEqual(['a', 'b', 'c'])
  })
})

describe('SPLIT and SPLIT_TO_MAP', () => {
  it('SPLIT keeps empty strings and splits characters on an empty delimiter', () => {
    const f = scalarFn('SPLIT', [S, S])
    expect(f('a,b,,c,', ',')).toEqual(['a', 'b', '', 'c', ''])
    expect(f('abc', '')).toEqual(['a', 'b', 'c'])
    expect(f(null, ',')).toBe(null)
    expect(returnType('SPLIT', [S, S])).toEqual({ kind: 'ARRAY', element: S })
    expect(scalarFn('SPLIT', [BYTES, BYTES])(Buffer.from('a-b'), Buffer.from('-'))).toEqual([Buffer.from('a'), Buffer.from('b')])
  })
  it('SPLIT_TO_MAP builds a map (docs example)', () => {
    const f = scalarFn('SPLIT_TO_MAP', [S, S, S])
    expect(f('apple:green/banana:yellow/cherry:red', '/', ':')).toEqual(new Map([['apple', 'green'], ['banana', 'yellow'], ['cherry', 'red']]))
    expect(f('a:1//b:2/c/a:3', '/', ':')).toEqual(new Map([['a', '3'], ['b', '2']]))
    expect(f('a:1', ':', ':')).toBe(null)
  })
})

describe('the MASK family (ksqlDB docs examples)', () => {
  const input = 'AbCd#$123xy Z'
  it('MASK masks every character', () => {
    expect(scalarFn('MASK', [S])(input)).toBe('XxXx--nnnxx-X')
    expect(scalarFn('MASK', [S, S, S, S, S])(input, '*', '-', '#', '$')).toBe('*-*-$$###--$*')
    expect(scalarFn('MASK', [S, S, S, S, S])(input, null, '-', null, null)).toBe('A-C-#$123-- Z')
  })
  it('MASK_LEFT, MASK_RIGHT, MASK_KEEP_LEFT, MASK_KEEP_RIGHT', () => {
    expect(scalarFn('MASK_LEFT', [S, I])(input, 5)).toBe('XxXx-$123xy Z')
    expect(scalarFn('MASK_RIGHT', [S, I])(input, 5)).toBe('AbCd#$12nxx-X')
    expect(scalarFn('MASK_KEEP_LEFT', [S, I])(input, 5)).toBe('AbCd#-nnnxx-X')
    expect(scalarFn('MASK_KEEP_RIGHT', [S, I])(input, 5)).toBe('XxXx--nn3xy Z')
    expect(scalarFn('MASK_LEFT', [S, I])('ab', 10)).toBe('xx')
  })
  it('reject a negative count and a mask of more than one character', () => {
    expect(() => scalarFn('MASK_LEFT', [S, I])(input, -1)).toThrow('requires a non-negative number')
    expect(() => scalarFn('MASK', [S, S, S, S, S])(input, '**', null, null, null)).toThrow('Invalid mask character')
  })
})

describe('encodings and bytes', () => {
  it('ENCODE converts between hex, utf8, ascii and base64', () => {
    const f = scalarFn('ENCODE', [S, S, S])
    expect(f('Hello', 'utf8', 'hex')).toBe('48656c6c6f')
    expect(f('48656c6c6f', 'hex', 'utf8')).toBe('Hello')
    expect(f('0x48656c6c6f', 'hex', 'ascii')).toBe('Hello')
    expect(f("X'48656c6c6f'", 'hex', 'base64')).toBe('SGVsbG8=')
    expect(f('SGVsbG8=', 'base64', 'utf8')).toBe('Hello')
    // UTF-8 bytes decoded as US-ASCII: each byte of é becomes U+FFFD; the other way é encodes as '?'
    expect(f('héllo', 'utf8', 'ascii')).toBe('h\uFFFD\uFFFDllo')
    expect(f('héllo', 'ascii', 'utf8')).toBe('h?llo')
    expect(() => f('x', 'utf8', 'utf8')).toThrow('Supported input and output encodings are: hex, utf8, ascii and base64')
    expect(f(null, 'utf8', 'hex')).toBe(null)
  })
  it('TO_BYTES and FROM_BYTES', () => {
    expect(scalarFn('TO_BYTES', [S, S])('AQID', 'base64')).toEqual(Buffer.from([1, 2, 3]))
    expect(scalarFn('FROM_BYTES', [BYTES, S])(Buffer.from([1, 2, 3]), 'hex')).toBe('010203')
    expect(scalarFn('FROM_BYTES', [BYTES, S])(Buffer.from('hi'), 'UTF8')).toBe('hi')
    expect(() => scalarFn('TO_BYTES', [S, S])('x', 'latin1')).toThrow('Supported encodings are')
  })
  it('INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES', () => {
    expect(scalarFn('INT_FROM_BYTES', [BYTES])(Buffer.from([0, 0, 1, 0]))).toBe(256)
    expect(scalarFn('INT_FROM_BYTES', [BYTES, S])(Buffer.from([0, 1, 0, 0]), 'LITTLE_ENDIAN')).toBe(256)
    expect(scalarFn('BIGINT_FROM_BYTES', [BYTES])(Buffer.from([0, 0, 0, 0, 0, 0, 0, 42]))).toBe(42)
    const b = Buffer.alloc(8)
    b.writeDoubleBE(1.5)
    expect(scalarFn('DOUBLE_FROM_BYTES', [BYTES])(b)).toBe(1.5)
    expect(() => scalarFn('INT_FROM_BYTES', [BYTES])(Buffer.from([1]))).toThrow('Number of bytes must be equal to 4')
    expect(returnType('BIGINT_FROM_BYTES', [BYTES])).toEqual(BIGINT)
    expect(returnType('DOUBLE_FROM_BYTES', [BYTES])).toEqual(DOUBLE)
  })
  it('CHR from a code point or a UTF-16 escape', () => {
    expect(scalarFn('CHR', [I])(75)).toBe('K')
    expect(scalarFn('CHR', [I])(128512)).toBe('😀')
    expect(scalarFn('CHR', [S])('\\u004b')).toBe('K')
    expect(scalarFn('CHR', [S])('K')).toBe(null)
    expect(scalarFn('CHR', [I])(-1)).toBe(null)
  })
  it('UUID makes random version-4 UUIDs and formats 16 bytes', () => {
    const u = scalarFn('UUID', [])() as string
    expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(scalarFn('UUID', [])()).not.toBe(u)
    expect(scalarFn('UUID', [BYTES])(Buffer.from('00112233445566778899aabbccddeeff', 'hex'))).toBe('00112233-4455-6677-8899-aabbccddeeff')
    expect(scalarFn('UUID', [BYTES])(Buffer.from([1]))).toBe(null)
  })
  it('MD5, ELT and FIELD', () => {
    expect(scalarFn('MD5', [S])('hello')).toBe('5d41402abc4b2a76b9719d911017c592')
    expect(scalarFn('ELT', [I, S, S])(2, 'a', 'b')).toBe('b')
    expect(scalarFn('ELT', [I, S, S])(3, 'a', 'b')).toBe(null)
    expect(scalarFn('FIELD', [S, S, S])('b', 'a', 'b')).toBe(2)
    expect(scalarFn('FIELD', [S, S, S])(null, 'a', 'b')).toBe(0)
  })
})
