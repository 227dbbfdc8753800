// URL functions (ksqlDB's url UDFs), with java.net.URI's reading of a URL: components are
// percent-decoded, an opaque URI (mailto:x) has no host, path or query, and a malformed URL
// is an error.
import { INTEGER, STRING, nullSafe, param, scalar, sig } from './define.js'
import { FunctionError } from './errors.js'
import type { ScalarFunction } from './registry-types.js'

const CATEGORY = 'URL'

interface UriParts {
  scheme: string | null
  host: string | null
  port: number | null
  path: string | null
  query: string | null
  fragment: string | null
}

/** Characters java.net.URI never accepts unescaped. */
const ILLEGAL = /[\s"<>\\^`{|}]|%(?![0-9A-Fa-f]{2})/

function decode(s: string | undefined): string | null {
  if (s === undefined) return null
  try {
    return decodeURIComponent(s)
  } catch {
    // Invalid UTF-8 in escapes: decode byte-wise as Java does, replacing bad sequences.
    return Buffer.from(s.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
  }
}

function parseUri(url: string, fn: string): UriParts {
  const invalid = (): never => {
    throw new FunctionError('FUNCTION_ERROR', `URL input has invalid syntax: ${url}`, fn)
  }
  if (ILLEGAL.test(url) || url.length === 0) invalid()
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(url)
  if (m === null) return invalid()
  const [, scheme, , authority, path, query, fragment] = m
  if (scheme === undefined && /^[^/?#]*:/.test(url)) invalid()
  const opaque = scheme !== undefined && m[2] === undefined && !(path ?? '').startsWith('/')
  if (opaque) {
    if ((path ?? '') === '' && query === undefined) invalid()
    const hash = url.indexOf('#')
    return { scheme: scheme ?? null, host: null, port: null, path: null, query: null, fragment: hash >= 0 ? decode(url.slice(hash + 1)) : null }
  }
  let host: string | null = null
  let port: number | null = null
  if (authority !== undefined && authority !== '') {
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1)
    const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*)(?::(\d*))?$/.exec(hostPort)
    if (hp !== null && hp[1] !== '') {
      host = hp[1]!
      port = hp[2] === undefined || hp[2] === '' ? null : Number(hp[2])
    } else if (scheme === undefined || /[[\]]/.test(hostPort)) {
      invalid()
    }
  }
  return { scheme: scheme ?? null, host, port, path: decode(path), query: decode(query), fragment: decode(fragment) }
}

function extractor(name: string, description: string, pick: (u: UriParts) => string | number | null, returns = STRING): ScalarFunction {
  return scalar(name, CATEGORY, description, [
    sig([param('input', STRING, 'a valid URL')], returns, nullSafe((url: string) => pick(parseUri(url, name)))),
  ])
}

export const URL_EXTRACT_FRAGMENT = extractor('URL_EXTRACT_FRAGMENT', 'Extracts the decoded fragment of a URL (after #); NULL if there is none.', (u) => u.fragment)
export const URL_EXTRACT_HOST = extractor('URL_EXTRACT_HOST', 'Extracts the host of a URL; NULL if there is none.', (u) => u.host)
export const URL_EXTRACT_PATH = extractor('URL_EXTRACT_PATH', 'Extracts the decoded path of a URL; empty if the path is empty.', (u) => u.path)
export const URL_EXTRACT_PORT = extractor('URL_EXTRACT_PORT', 'Extracts the port of a URL; NULL if it has none.', (u) => u.port, INTEGER)
export const URL_EXTRACT_PROTOCOL = extractor('URL_EXTRACT_PROTOCOL', 'Extracts the protocol (scheme) of a URL; NULL if it has none.', (u) => u.scheme)
export const URL_EXTRACT_QUERY = extractor('URL_EXTRACT_QUERY', 'Extracts the decoded query string of a URL (after ?); NULL if there is none.', (u) => u.query)

export const URL_EXTRACT_PARAMETER = scalar('URL_EXTRACT_PARAMETER', CATEGORY, 'Extracts the decoded value of the first query parameter with the given name; an empty string for a parameter without a value, NULL if absent.', [
  sig([param('input', STRING, 'a valid URL'), param('paramToFind', STRING, 'the name of the parameter')], STRING, (url: string | null, name: string | null) => {
    if (url === null) return null
    const query = parseUri(url, 'URL_EXTRACT_PARAMETER').query
    if (query === null) return null
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=')
      if (eq < 0 && pair === name) return ''
      if (eq >= 0 && pair.slice(0, eq) === name) return pair.slice(eq + 1)
    }
    return null
  }),
])

/** Guava's form-parameter escaper: letters, digits and -_.* stay; space is '+'; the rest %XX of UTF-8. */
function encodeParam(s: string): string {
  let out = ''
  for (const ch of s) {
    if (/[A-Za-z0-9\-_.*]/.test(ch)) out += ch
    else if (ch === ' ') out += '+'
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

/** java.net.URLDecoder: '+' is a space, %XX are UTF-8 bytes; a malformed escape is an error. */
function decodeParam(s: string): string {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) {
    throw new FunctionError('FUNCTION_ERROR', `URLDecoder: Illegal hex characters in escape (%) pattern in: ${s}`, 'URL_DECODE_PARAM')
  }
  const bytes: number[] = []
  let out = ''
  const flush = (): void => {
    if (bytes.length > 0) out += Buffer.from(bytes).toString('utf8')
    bytes.length = 0
  }
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (c === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16))
      i += 2
      continue
    }
    flush()
    out += c === '+' ? ' ' : c
  }
  flush()
  return out
}

export const URL_ENCODE_PARAM = scalar('URL_ENCODE_PARAM', CATEGORY, 'Escapes a value for use in a URL query (application/x-www-form-urlencoded): spaces become +, other unsafe characters %XX.', [
  sig([param('input', STRING, 'the value to encode')], STRING, nullSafe(encodeParam)),
])

export const URL_DECODE_PARAM = scalar('URL_DECODE_PARAM', CATEGORY, 'Unescapes a URL query value (application/x-www-form-urlencoded): + becomes a space, %XX are decoded as UTF-8.', [
  sig([param('input', STRING, 'the value to decode')], STRING, nullSafe(decodeParam)),
])

export const urlFunctions: readonly ScalarFunction[] = [
  URL_DECODE_PARAM, URL_ENCODE_PARAM, URL_EXTRACT_FRAGMENT, URL_EXTRACT_HOST, URL_EXTRACT_PARAMETER, URL_EXTRACT_PATH, URL_EXTRACT_PORT,
  URL_EXTRACT_PROTOCOL, URL_EXTRACT_QUERY,
]
