import { describe, expect, it } from 'vitest'
import { STRING, scalarFn } from './helpers.js'

const S = STRING
const url = 'http://user:pw@www.test.com:8080/nested/p%20ath?query=x%26y&param=a+b&empty#frag%21'

describe('URL_EXTRACT_* (ksqlDB docs examples)', () => {
  it('extracts the parts, decoded', () => {
    expect(scalarFn('URL_EXTRACT_PROTOCOL', [S])(url)).toBe('http')
    expect(scalarFn('URL_EXTRACT_HOST', [S])(url)).toBe('www.test.com')
    expect(scalarFn('URL_EXTRACT_PORT', [S])(url)).toBe(8080)
    expect(scalarFn('URL_EXTRACT_PATH', [S])(url)).toBe('/nested/p ath')
    expect(scalarFn('URL_EXTRACT_QUERY', [S])(url)).toBe('query=x&y&param=a+b&empty')
    expect(scalarFn('URL_EXTRACT_FRAGMENT', [S])(url)).toBe('frag!')
    expect(scalarFn('URL_EXTRACT_HOST', [S])('https://docs.confluent.io/current/ksql/docs/syntax-reference.html#scalar-functions')).toBe('docs.confluent.io')
    expect(scalarFn('URL_EXTRACT_PATH', [S])('https://docs.confluent.io/current/ksql/docs/syntax-reference.html#scalar-functions')).toBe('/current/ksql/docs/syntax-reference.html')
  })
  it('gives NULL for absent parts', () => {
    expect(scalarFn('URL_EXTRACT_PORT', [S])('https://example.com/')).toBe(null)
    expect(scalarFn('URL_EXTRACT_QUERY', [S])('https://example.com/')).toBe(null)
    expect(scalarFn('URL_EXTRACT_FRAGMENT', [S])('https://example.com/')).toBe(null)
    expect(scalarFn('URL_EXTRACT_PATH', [S])('https://example.com')).toBe('')
    expect(scalarFn('URL_EXTRACT_PROTOCOL', [S])('/relative/path')).toBe(null)
    expect(scalarFn('URL_EXTRACT_HOST', [S])('mailto:someone@example.com')).toBe(null)
    expect(scalarFn('URL_EXTRACT_HOST', [S])(null)).toBe(null)
  })
  it('extracts one query parameter', () => {
    const f = scalarFn('URL_EXTRACT_PARAMETER', [S, S])
    expect(f(url, 'param')).toBe('a+b')
    expect(f(url, 'empty')).toBe('')
    expect(f(url, 'missing')).toBe(null)
    expect(f('https://example.com/?a=1&a=2', 'a')).toBe('1')
  })
  it('rejects malformed URLs', () => {
    expect(() => scalarFn('URL_EXTRACT_HOST', [S])('http://exa mple.com')).toThrow('URL input has invalid syntax: http://exa mple.com')
    expect(() => scalarFn('URL_EXTRACT_PATH', [S])('http://example.com/%zz')).toThrow('URL input has invalid syntax')
  })
})

describe('URL_ENCODE_PARAM and URL_DECODE_PARAM', () => {
  it('encode as a form parameter (ksqlDB docs example)', () => {
    expect(scalarFn('URL_ENCODE_PARAM', [S])('url encoded')).toBe('url+encoded')
    expect(scalarFn('URL_ENCODE_PARAM', [S])('a&b=c/d*~é')).toBe('a%26b%3Dc%2Fd*%7E%C3%A9')
  })
  it('decode a form parameter', () => {
    expect(scalarFn('URL_DECODE_PARAM', [S])('url%20encoded')).toBe('url encoded')
    expect(scalarFn('URL_DECODE_PARAM', [S])('a+b%C3%A9')).toBe('a bé')
    expect(() => scalarFn('URL_DECODE_PARAM', [S])('100%')).toThrow('Illegal hex characters')
    expect(scalarFn('URL_DECODE_PARAM', [S])(null)).toBe(null)
  })
})
