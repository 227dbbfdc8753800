// String and bytes scalar functions (ksqlDB's string UDFs), with Java's semantics where they
// differ from JavaScript's: String.trim's notion of whitespace, UTF-16 lengths, Java regex.
import { createHash, randomUUID } from 'node:crypto'
import { SqlTypes } from '../types/sql-type.js'
import { BIGINT, BYTES, DOUBLE, INTEGER, STRING, nullSafe, param, scalar, sig, sigWith } from './define.js'
import { bytesToText, encodingOf, textToBytes } from './encodings.js'
import { FunctionError } from './errors.js'
import { groupCount, parseJavaReplacement, regexCache, replaceAllJava } from './java-regex.js'
import type { ScalarFunction } from './registry-types.js'

const CATEGORY = 'STRING'
const STRING_ARRAY = SqlTypes.array(STRING)

export const CONCAT = scalar('CONCAT', CATEGORY, 'Concatenate an arbitrary number of string or bytes fields together. NULL inputs are skipped.', [
  sig([param('inputs', STRING, 'the strings to join; NULLs count as empty')], STRING, (...parts: (string | null)[]) => {
    let out = ''
    for (const p of parts) if (p !== null) out += p
    return out
  }, { variadic: true }),
  sig([param('inputs', BYTES, 'the byte arrays to join; NULLs count as empty')], BYTES, (...parts: (Buffer | null)[]) => {
    const present: Buffer[] = []
    for (const p of parts) if (p !== null) present.push(p)
    return Buffer.concat(present)
  }, { variadic: true }),
])

export const CONCAT_WS = scalar('CONCAT_WS', CATEGORY, 'Concatenates two or more string or bytes expressions, inserting a separator between each. If the separator is NULL, returns NULL; NULL expressions are skipped.', [
  sig([param('separator', STRING), param('input', STRING), param('inputs', STRING)], STRING, (sep: string | null, ...parts: (string | null)[]) => {
    if (sep === null) return null
    return parts.filter((p) => p !== null).join(sep)
  }, { variadic: true }),
  sig([param('separator', BYTES), param('input', BYTES), param('inputs', BYTES)], BYTES, (sep: Buffer | null, ...parts: (Buffer | null)[]) => {
    if (sep === null) return null
    const out: Buffer[] = []
    for (const p of parts) {
      if (p === null) continue
      if (out.length > 0) out.push(sep)
      out.push(p)
    }
    return Buffer.concat(out)
  }, { variadic: true }),
])

// ---- case, length, trimming ------------------------------------------------------------------

export const UCASE = scalar('UCASE', CATEGORY, 'Returns the input string with all characters converted to upper case.', [
  sig([param('input', STRING)], STRING, nullSafe((s: string) => s.toUpperCase())),
])

export const LCASE = scalar('LCASE', CATEGORY, 'Returns the input string with all characters converted to lower case.', [
  sig([param('input', STRING)], STRING, nullSafe((s: string) => s.toLowerCase())),
])

export const INITCAP = scalar('INITCAP', CATEGORY, 'Returns the string with the first letter of each word capitalized and the rest lowercased. Words are delimited by whitespace.', [
  sig([param('str', STRING, 'The source string. If null, then function returns null.')], STRING, nullSafe((s: string) => {
    let out = ''
    // As ksqlDB: every run of non-whitespace with the whitespace after it; leading whitespace is dropped.
    for (const m of s.toLowerCase().matchAll(/\S+\s*/gu)) out += m[0].charAt(0).toUpperCase() + m[0].slice(1)
    return out
  })),
])

export const LEN = scalar('LEN', CATEGORY, 'Returns the length of a string in characters (UTF-16 code units, as Java counts), or of a bytes value in bytes.', [
  sig([param('input', STRING)], INTEGER, nullSafe((s: string) => s.length)),
  sig([param('input', BYTES)], INTEGER, nullSafe((b: Buffer) => b.length)),
])

/** Java's String.trim: strips every character <= U+0020 from the ends. */
const isJavaSpace = (c: number): boolean => c <= 0x20
function trimStart(s: string): string {
  let i = 0
  while (i < s.length && isJavaSpace(s.charCodeAt(i))) i++
  return s.slice(i)
}
function trimEnd(s: string): string {
  let j = s.length
  while (j > 0 && isJavaSpace(s.charCodeAt(j - 1))) j--
  return s.slice(0, j)
}

export const TRIM = scalar('TRIM', CATEGORY, 'Removes the spaces (and control characters) from the beginning and end of a string.', [
  sig([param('input', STRING, 'The string to trim')], STRING, nullSafe((s: string) => trimEnd(trimStart(s)))),
])
export const LTRIM = scalar('LTRIM', CATEGORY, 'Removes the spaces (and control characters) from the beginning of a string.', [
  sig([param('input', STRING, 'The string to trim')], STRING, nullSafe(trimStart)),
])
export const RTRIM = scalar('RTRIM', CATEGORY, 'Removes the spaces (and control characters) from the end of a string.', [
  sig([param('input', STRING, 'The string to trim')], STRING, nullSafe(trimEnd)),
])

// ---- padding, substrings, searching ----------------------------------------------------------

function padString(left: boolean) {
  return (input: string | null, targetLen: number | null, padding: string | null): string | null => {
    if (input === null || padding === null || padding === '' || targetLen === null || targetLen < 0) return null
    if (input.length >= targetLen) return input.slice(0, targetLen)
    const need = targetLen - input.length
    const pad = padding.repeat(Math.ceil(need / padding.length)).slice(0, need)
    return left ? pad + input : input + pad
  }
}

function padBytes(left: boolean) {
  return (input: Buffer | null, targetLen: number | null, padding: Buffer | null): Buffer | null => {
    if (input === null || padding === null || padding.length === 0 || targetLen === null || targetLen < 0) return null
    if (input.length >= targetLen) return input.subarray(0, targetLen)
    const out = Buffer.alloc(targetLen)
    const need = targetLen - input.length
    for (let i = 0; i < need; i++) out[left ? i : input.length + i] = padding[i % padding.length]!
    input.copy(out, left ? need : 0)
    return out
  }
}

function padFunction(name: string, left: boolean): ScalarFunction {
  const side = left ? 'left' : 'right'
  return scalar(name, CATEGORY, `Pads the input string or bytes, starting from the ${side}, with the specified padding to the target length. If the input is longer than the target length it is truncated. NULL when the padding is NULL or empty or the length is NULL or negative.`, [
    sig([param('input', STRING), param('length', INTEGER), param('padding', STRING)], STRING, padString(left)),
    sig([param('input', BYTES), param('length', INTEGER), param('padding', BYTES)], BYTES, padBytes(left)),
  ])
}

export const LPAD = padFunction('LPAD', true)
export const RPAD = padFunction('RPAD', false)

/** 1-based `pos`, negative counting from the end, clamped to the value. */
const startIndex = (length: number, pos: number): number => (pos < 0 ? Math.max(length + pos, 0) : Math.max(Math.min(pos - 1, length), 0))
const endIndex = (length: number, start: number, len: number): number => Math.max(Math.min(start + len, length), start)

export const SUBSTRING = scalar('SUBSTRING', CATEGORY, 'Returns the portion of the string or bytes from pos (1-based; negative counts from the end), to the end or for len characters.', [
  sig([param('str', STRING), param('pos', INTEGER)], STRING, nullSafe((s: string, pos: number) => s.slice(startIndex(s.length, pos))), 'Returns the portion of str from pos to the end of str'),
  sig([param('str', STRING), param('pos', INTEGER), param('len', INTEGER)], STRING, nullSafe((s: string, pos: number, len: number) => {
    const start = startIndex(s.length, pos)
    return s.slice(start, endIndex(s.length, start, len))
  }), 'Returns the portion of str that starts at pos and is of length len'),
  sig([param('bytes', BYTES), param('pos', INTEGER)], BYTES, nullSafe((b: Buffer, pos: number) => Buffer.from(b.subarray(startIndex(b.length, pos))))),
  sig([param('bytes', BYTES), param('pos', INTEGER), param('len', INTEGER)], BYTES, nullSafe((b: Buffer, pos: number, len: number) => {
    const start = startIndex(b.length, pos)
    return Buffer.from(b.subarray(start, endIndex(b.length, start, len)))
  })),
])

/** Index of the n-th (1-based) occurrence of sub in s, overlapping occurrences counted; -1 if none. */
function ordinalIndexOf(s: string, sub: string, n: number): number {
  if (n <= 0) return -1
  let i = -1
  for (let k = 0; k < n; k++) {
    i = s.indexOf(sub, i + 1)
    if (i < 0) return -1
  }
  return i
}

const reverse = (s: string): string => [...s].reverse().join('')

function instr(str: string | null, sub: string | null, position: number | null = 1, occurrence: number | null = 1): number {
  if (str === null || sub === null) return 0
  const pos = position ?? 1
  const occ = occurrence ?? 1
  if (Math.abs(pos) > str.length) return 0
  if (pos < 0) {
    const p = -pos
    const i = ordinalIndexOf(reverse(str).slice(p - 1), reverse(sub), occ)
    return i < 0 ? 0 : str.length - p - i - sub.length + 2
  }
  const i = ordinalIndexOf(str.slice(Math.max(pos - 1, 0)), sub, occ)
  return i < 0 ? 0 : i + Math.max(pos, 1)
}

export const INSTR = scalar('INSTR', CATEGORY, 'Returns the 1-based position of the occurrence-th occurrence of substring in str, searching from position (negative: backwards from the end); 0 when not found or when an argument is NULL.', [
  sig([param('str', STRING), param('substring', STRING)], INTEGER, (s: string | null, t: string | null) => instr(s, t)),
  sig([param('str', STRING), param('substring', STRING), param('position', INTEGER)], INTEGER, (s: string | null, t: string | null, p: number | null) => instr(s, t, p)),
  sig([param('str', STRING), param('substring', STRING), param('position', INTEGER), param('occurrence', INTEGER)], INTEGER, instr),
])

export const REPLACE = scalar('REPLACE', CATEGORY, 'Returns a new string with all occurrences of oldStr in str replaced with newStr.', [
  sig([param('str', STRING, 'The source string. If null, then function returns null.'), param('oldStr', STRING, 'The substring to replace.'), param('newStr', STRING, 'The replacement.')], STRING,
    nullSafe((s: string, o: string, n: string) => (o === '' ? javaReplaceEmpty(s, n) : s.split(o).join(n)))),
])

/** Java's "abc".replace("", "-") is "-a-b-c-". */
function javaReplaceEmpty(s: string, n: string): string {
  return n + [...s].join(n) + (s === '' ? '' : n)
}

// ---- regular expressions ---------------------------------------------------------------------

export const REGEXP_EXTRACT = scalar('REGEXP_EXTRACT', CATEGORY, 'Returns the first substring of the input that matches the regex pattern (Java syntax), or the given capturing group of that match; NULL when nothing matches or the group does not exist.', [
  sigWith([param('pattern', STRING), param('input', STRING)], STRING, () => {
    const compile = regexCache('REGEXP_EXTRACT', false)
    return nullSafe((p: string, s: string) => compile(p).exec(s)?.[0] ?? null)
  }),
  sigWith([param('pattern', STRING), param('input', STRING), param('group', INTEGER)], STRING, () => {
    const compile = regexCache('REGEXP_EXTRACT', false)
    return nullSafe((p: string, s: string, g: number) => {
      const re = compile(p)
      if (g > groupCount(re)) return null
      return re.exec(s)?.[g] ?? null
    })
  }),
])

function extractAll(re: RegExp, s: string, g: number): (string | null)[] | null {
  if (g > groupCount(re)) return null
  const out: (string | null)[] = []
  for (const m of s.matchAll(re)) out.push(m[g] ?? null)
  return out
}

export const REGEXP_EXTRACT_ALL = scalar('REGEXP_EXTRACT_ALL', CATEGORY, 'Returns all substrings of the input that match the regex pattern (Java syntax), or the given capturing group of each match.', [
  sigWith([param('pattern', STRING), param('input', STRING)], STRING_ARRAY, () => {
    const compile = regexCache('REGEXP_EXTRACT_ALL', true)
    return nullSafe((p: string, s: string) => extractAll(compile(p), s, 0))
  }),
  sigWith([param('pattern', STRING), param('input', STRING), param('group', INTEGER)], STRING_ARRAY, () => {
    const compile = regexCache('REGEXP_EXTRACT_ALL', true)
    return nullSafe((p: string, s: string, g: number) => extractAll(compile(p), s, g))
  }),
])

export const REGEXP_REPLACE = scalar('REGEXP_REPLACE', CATEGORY, 'Returns a new string with all matches of regexp (Java syntax) in str replaced with newStr ($1 and ${name} refer to groups).', [
  sigWith([param('str', STRING), param('regexp', STRING), param('newStr', STRING)], STRING, () => {
    const compile = regexCache('REGEXP_REPLACE', true)
    let lastReplacement: string | null = null
    let parts: ReturnType<typeof parseJavaReplacement> = []
    return nullSafe((s: string, p: string, n: string) => {
      if (n !== lastReplacement) {
        parts = parseJavaReplacement(n, 'REGEXP_REPLACE')
        lastReplacement = n
      }
      return replaceAllJava(s, compile(p), parts, 'REGEXP_REPLACE')
    })
  }),
])

/** Splits like Java: separators that match the empty string split between characters, and then trailing empty strings go (Pattern.split). */
function regexSplit(s: string, re: RegExp): string[] {
  if (new RegExp(re.source, re.flags.replace('g', '')).exec('') !== null) {
    const parts = s.split(new RegExp(re.source, re.flags.replace('g', '')))
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
    return parts.length === 0 ? [''] : parts
  }
  const out: string[] = []
  let from = 0
  re.lastIndex = 0
  for (const m of s.matchAll(re)) {
    out.push(s.slice(from, m.index))
    from = m.index + m[0].length
  }
  out.push(s.slice(from))
  return out
}

export const REGEXP_SPLIT_TO_ARRAY = scalar('REGEXP_SPLIT_TO_ARRAY', CATEGORY, 'Splits a string into an array of substrings based on a regexp (Java syntax). Empty strings between matches are kept.', [
  sigWith([param('string', STRING, 'The string to be split. If NULL, then function returns NULL.'), param('regexp', STRING, 'The regular expression to split the string by.')], STRING_ARRAY, () => {
    const compile = regexCache('REGEXP_SPLIT_TO_ARRAY', true)
    return nullSafe((s: string, p: string) => regexSplit(s, compile(p)))
  }),
])

// ---- splitting -------------------------------------------------------------------------------

function splitBytes(b: Buffer, d: Buffer): Buffer[] {
  if (d.length === 0) return [...b].map((x) => Buffer.from([x]))
  const out: Buffer[] = []
  let from = 0
  for (let i = b.indexOf(d); i >= 0; i = b.indexOf(d, from)) {
    out.push(Buffer.from(b.subarray(from, i)))
    from = i + d.length
  }
  out.push(Buffer.from(b.subarray(from)))
  return out
}

export const SPLIT = scalar('SPLIT', CATEGORY, 'Splits a string (or bytes) into an array of substrings based on a delimiter; an empty delimiter splits into characters. Empty strings between delimiters are kept.', [
  sig([param('string', STRING, 'The string to be split. If NULL, then function returns NULL.'), param('delimiter', STRING, 'The delimiter to split a string by. If NULL, then function returns NULL.')], STRING_ARRAY,
    nullSafe((s: string, d: string) => (d === '' ? (s === '' ? [''] : [...s]) : s.split(d)))),
  sig([param('bytes', BYTES), param('delimiter', BYTES)], SqlTypes.array(BYTES), nullSafe(splitBytes)),
])

export const SPLIT_TO_MAP = scalar('SPLIT_TO_MAP', CATEGORY, 'Splits a string into key-value pairs and creates a map from them: entries are split by entryDelimiter, each entry into key and value by kvDelimiter. Entries without kvDelimiter are skipped; a repeated key keeps its last value.', [
  sig([param('input', STRING), param('entryDelimiter', STRING), param('kvDelimiter', STRING)], SqlTypes.map(STRING, STRING), nullSafe((s: string, ed: string, kd: string) => {
    if (ed === '' || kd === '' || ed === kd) return null
    const out = new Map<string, string>()
    for (const entry of s.split(ed)) {
      if (entry === '' || !entry.includes(kd)) continue
      const parts = entry.split(kd)
      out.set(parts[0]!, parts[1]!)
    }
    return out
  })),
])

// ---- masking ---------------------------------------------------------------------------------

interface Masks {
  readonly upper: number | null
  readonly lower: number | null
  readonly digit: number | null
  readonly other: number | null
}

const defaultMasks: Masks = { upper: 0x58 /* X */, lower: 0x78 /* x */, digit: 0x6e /* n */, other: 0x2d /* - */ }

function maskChar(s: string | null, fn: string): number | null {
  if (s === null) return null
  if ([...s].length !== 1) throw new FunctionError('FUNCTION_ERROR', `Invalid mask character. Must be only single character, but was '${s}'`, fn)
  return s.codePointAt(0)!
}

function maskText(s: string, m: Masks): string {
  let out = ''
  for (const ch of s) {
    const kind = /\p{Lu}/u.test(ch) ? m.upper : /\p{Ll}/u.test(ch) ? m.lower : /\p{Nd}/u.test(ch) ? m.digit : m.other
    out += kind === null ? ch : String.fromCodePoint(kind)
  }
  return out
}

function checkCount(n: number, fn: string): void {
  if (n < 0) throw new FunctionError('FUNCTION_ERROR', `function ${fn} requires a non-negative number of characters to mask or skip`, fn)
}

/** UTF-16 prefix/suffix cuts, as Java's substring. */
type Cut = (s: string, n: number, mask: (t: string) => string) => string
const cuts: Record<string, Cut> = {
  MASK_LEFT: (s, n, mask) => mask(s.slice(0, Math.min(n, s.length))) + s.slice(Math.min(n, s.length)),
  MASK_RIGHT: (s, n, mask) => s.slice(0, Math.max(s.length - n, 0)) + mask(s.slice(Math.max(s.length - n, 0))),
  MASK_KEEP_LEFT: (s, n, mask) => s.slice(0, Math.min(n, s.length)) + mask(s.slice(Math.min(n, s.length))),
  MASK_KEEP_RIGHT: (s, n, mask) => mask(s.slice(0, Math.max(s.length - n, 0))) + s.slice(Math.max(s.length - n, 0)),
}

const maskCharParams = [
  param('upper', STRING, 'the character replacing upper-case letters; NULL keeps them'),
  param('lower', STRING, 'the character replacing lower-case letters; NULL keeps them'),
  param('digit', STRING, 'the character replacing digits; NULL keeps them'),
  param('other', STRING, 'the character replacing other characters; NULL keeps them'),
]

const masksOf = (fn: string, u: string | null, l: string | null, d: string | null, o: string | null): Masks => ({
  upper: maskChar(u, fn), lower: maskChar(l, fn), digit: maskChar(d, fn), other: maskChar(o, fn),
})

export const MASK = scalar('MASK', CATEGORY, "Returns a masked version of the input string: upper-case letters become 'X', lower-case 'x', digits 'n' and anything else '-', unless other masking characters are given.", [
  sig([param('input', STRING)], STRING, nullSafe((s: string) => maskText(s, defaultMasks))),
  sig([param('input', STRING), ...maskCharParams], STRING, (s: string | null, u: string | null, l: string | null, d: string | null, o: string | null) => {
    const masks = masksOf('MASK', u, l, d, o)
    return s === null ? null : maskText(s, masks)
  }),
])

function partialMask(name: string, description: string): ScalarFunction {
  const cut = cuts[name]!
  return scalar(name, CATEGORY, description, [
    sig([param('input', STRING), param('numChars', INTEGER)], STRING, (s: string | null, n: number | null) => {
      if (n === null) return null
      checkCount(n, name.toLowerCase())
      return s === null ? null : cut(s, n, (t) => maskText(t, defaultMasks))
    }),
    sig([param('input', STRING), param('numChars', INTEGER), ...maskCharParams], STRING, (s: string | null, n: number | null, u: string | null, l: string | null, d: string | null, o: string | null) => {
      if (n === null) return null
      checkCount(n, name.toLowerCase())
      const masks = masksOf(name, u, l, d, o)
      return s === null ? null : cut(s, n, (t) => maskText(t, masks))
    }),
  ])
}

export const MASK_LEFT = partialMask('MASK_LEFT', 'Returns a version of the input string with the first numChars characters masked (default rules as MASK).')
export const MASK_RIGHT = partialMask('MASK_RIGHT', 'Returns a version of the input string with the last numChars characters masked (default rules as MASK).')
export const MASK_KEEP_LEFT = partialMask('MASK_KEEP_LEFT', 'Returns a masked version of the input string, except for the first numChars characters.')
export const MASK_KEEP_RIGHT = partialMask('MASK_KEEP_RIGHT', 'Returns a masked version of the input string, except for the last numChars characters.')

// ---- encodings, characters, identifiers ------------------------------------------------------

export const ENCODE = scalar('ENCODE', CATEGORY, "Returns the string re-encoded from inputEncoding to outputEncoding; the encodings are 'hex', 'utf8', 'ascii' and 'base64'.", [
  sig([param('str', STRING, 'The source string. If null, then function returns null.'), param('inputEncoding', STRING), param('outputEncoding', STRING)], STRING,
    nullSafe((s: string, from: string, to: string) => {
      const a = from.toLowerCase()
      const b = to.toLowerCase()
      const known = ['hex', 'utf8', 'ascii', 'base64']
      if (!known.includes(a) || !known.includes(b) || a === b) {
        throw new FunctionError('FUNCTION_ERROR', 'Supported input and output encodings are: hex, utf8, ascii and base64', 'ENCODE')
      }
      return bytesToText(textToBytes(s, encodingOf(a, 'ENCODE'), 'ENCODE'), encodingOf(b, 'ENCODE'))
    })),
])

export const TO_BYTES = scalar('TO_BYTES', CATEGORY, "Converts a STRING value in the specified encoding to BYTES. The accepted encoders are 'hex', 'utf8', 'ascii', and 'base64'.", [
  sig([param('value', STRING), param('encoding', STRING)], BYTES, nullSafe((s: string, e: string) => textToBytes(s, encodingOf(e, 'TO_BYTES'), 'TO_BYTES'))),
])

export const FROM_BYTES = scalar('FROM_BYTES', CATEGORY, "Converts a BYTES value to STRING in the specified encoding. The accepted encoders are 'hex', 'utf8', 'ascii', and 'base64'.", [
  sig([param('value', BYTES), param('encoding', STRING)], STRING, nullSafe((b: Buffer, e: string) => bytesToText(b, encodingOf(e, 'FROM_BYTES')))),
])

export const CHR = scalar('CHR', CATEGORY, "Returns a single-character string for a Unicode code point given as a decimal number or as a UTF-16 escape such as '\\u004b'; NULL for an invalid one.", [
  sig([param('decimalCode', INTEGER, 'Decimal codepoint')], STRING, nullSafe((c: number) => (c >= 0 && c <= 0x10ffff ? String.fromCodePoint(c) : null))),
  sig([param('utf16Code', STRING, "UTF16 code for the desired character e.g. '\\u004b'")], STRING, nullSafe((s: string) => {
    if (s.length < 6 || !s.startsWith('\\u')) return null
    return s.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
  })),
])

function uuidFromBytes(b: Buffer): string | null {
  if (b.length !== 16) return null
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export const UUID = scalar('UUID', CATEGORY, 'Returns a new random (version 4) UUID string, or the UUID string of 16 bytes.', [
  sig([], STRING, () => randomUUID(), 'A random UUID.'),
  sig([param('bytes', BYTES, 'the 16 bytes of the UUID')], STRING, nullSafe(uuidFromBytes), 'The UUID string of 16 bytes; NULL for any other length.'),
], { nondeterministic: true })

export const MD5 = scalar('MD5', CATEGORY, 'Returns the hex-encoded MD5 hash of the input string (UTF-8).', [
  sig([param('s', STRING)], STRING, nullSafe((s: string) => createHash('md5').update(s, 'utf8').digest('hex'))),
])

export const ELT = scalar('ELT', CATEGORY, 'Returns the n-th (1-based) element of the list of strings; NULL if n is less than 1 or greater than the number of strings. The complement of FIELD.', [
  sig([param('n', INTEGER), param('args', STRING)], STRING, (n: number | null, ...args: (string | null)[]) => (n === null || n < 1 || n > args.length ? null : args[n - 1] ?? null), { variadic: true }),
])

export const FIELD = scalar('FIELD', CATEGORY, 'Returns the 1-based position of str in args, or 0 if not found; a NULL str gives 0. The complement of ELT.', [
  sig([param('str', STRING), param('args', STRING)], INTEGER, (s: string | null, ...args: (string | null)[]) => (s === null ? 0 : args.indexOf(s) + 1), { variadic: true }),
])

// ---- numbers from bytes ----------------------------------------------------------------------

function byteOrder(order: string | null, fn: string): boolean {
  const o = (order ?? 'BIG_ENDIAN').toUpperCase()
  if (o === 'BIG_ENDIAN') return false
  if (o === 'LITTLE_ENDIAN') return true
  throw new FunctionError('FUNCTION_ERROR', `Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte order '${order ?? ''}'.`, fn)
}

function fromBytes(name: string, size: number, read: (b: Buffer, little: boolean) => number, type: typeof INTEGER): ScalarFunction {
  const impl = (b: Buffer | null, order: string | null = null): number | null => {
    if (b === null) return null
    const little = byteOrder(order, name)
    if (b.length !== size) throw new FunctionError('FUNCTION_ERROR', `Number of bytes must be equal to ${size}, but found ${b.length}`, name)
    return read(b, little)
  }
  const what = type.kind === 'INTEGER' ? 'an INT' : type.kind === 'BIGINT' ? 'a BIGINT' : 'a DOUBLE'
  return scalar(name, 'CONVERSIONS', `Converts a BYTES value to ${what} value using the given byte order (BIG_ENDIAN unless LITTLE_ENDIAN is given). BYTES must be ${size} bytes long.`, [
    sig([param('value', BYTES, 'The BYTES value to convert.')], type, (b: Buffer | null) => impl(b)),
    sig([param('value', BYTES), param('byteOrder', STRING, "'BIG_ENDIAN' or 'LITTLE_ENDIAN'")], type, impl),
  ])
}

export const INT_FROM_BYTES = fromBytes('INT_FROM_BYTES', 4, (b, le) => (le ? b.readInt32LE(0) : b.readInt32BE(0)), INTEGER)
export const BIGINT_FROM_BYTES = fromBytes('BIGINT_FROM_BYTES', 8, (b, le) => Number(le ? b.readBigInt64LE(0) : b.readBigInt64BE(0)), BIGINT)
export const DOUBLE_FROM_BYTES = fromBytes('DOUBLE_FROM_BYTES', 8, (b, le) => (le ? b.readDoubleLE(0) : b.readDoubleBE(0)), DOUBLE)

export const stringFunctions: readonly ScalarFunction[] = [
  CONCAT, CONCAT_WS, UCASE, LCASE, INITCAP, LEN, TRIM, LTRIM, RTRIM, LPAD, RPAD, SUBSTRING, INSTR, REPLACE,
  REGEXP_EXTRACT, REGEXP_EXTRACT_ALL, REGEXP_REPLACE, REGEXP_SPLIT_TO_ARRAY, SPLIT, SPLIT_TO_MAP,
  MASK, MASK_LEFT, MASK_RIGHT, MASK_KEEP_LEFT, MASK_KEEP_RIGHT, ENCODE, TO_BYTES, FROM_BYTES, CHR, UUID, MD5, ELT, FIELD,
  INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES,
]
