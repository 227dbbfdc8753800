// ksqlDB's regular-expression functions take Java patterns and Java replacement strings. The
// common syntax is the same in JavaScript; this module maps the differences users meet:
// leading inline flags ((?i), (?s), (?m), (?x) is refused), \A and \z / \Z anchors,
// possessive quantifiers and atomic groups (refused with a clear error), and Java's
// replacement syntax ($1, ${name}, \$ escapes) for REGEXP_REPLACE, and Java's POSIX classes
// (\p{Alpha}, \p{Digit}, ... US-ASCII as in Java) and Is-prefixed Unicode properties.
import { FunctionError } from './errors.js'

/**
 * Compiles a Java pattern to a RegExp (`g` when asked). The `u` flag is only added for \\p{...}
 * classes: without it JavaScript, like Java, accepts escapes such as `\\-` outside classes.
 */
export function compileJavaRegex(pattern: string, fn: string, global = false): RegExp {
  let source = javaPropertyClasses(pattern, fn)
  let flags = /\\[pP]\{/.test(source) ? 'u' : ''
  const inline = /^\(\?([imsx]+)\)/.exec(source)
  if (inline !== null) {
    const letters = inline[1]!
    if (letters.includes('x')) throw invalid(pattern, fn, 'the COMMENTS flag (?x) is not supported')
    for (const l of letters) if (!flags.includes(l)) flags += l
    source = source.slice(inline[0].length)
  }
  // a quantifier (*, +, ?, {n,m}) followed by + is possessive; \p{...}+ is not
  if (/(?<!\\)(?:[*+?]|\{\d+(?:,\d*)?\})\+/.test(source)) throw invalid(pattern, fn, 'possessive quantifiers are not supported')
  if (source.includes('(?>')) throw invalid(pattern, fn, 'atomic groups are not supported')
  source = source.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$')
  try {
    return new RegExp(source, global ? `${flags}g` : flags)
  } catch (e) {
    throw invalid(pattern, fn, e instanceof Error ? e.message : String(e))
  }
}

/** Java's POSIX character classes (US-ASCII, as Java's default): the body of a character class. */
const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: 'a-zA-Z0-9!-\\/:-@\\[-`{-~', Print: 'a-zA-Z0-9!-\\/:-@\\[-`{-~ ', Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F', Space: ' \\t\\n\\x0B\\f\\r',
}
/** Java's java.lang.Character classes and Is-prefixed binary properties, as JavaScript Unicode properties. */
const UNICODE: Record<string, string> = {
  javaLowerCase: 'Lowercase', javaUpperCase: 'Uppercase', javaWhitespace: 'White_Space', javaAlphabetic: 'Alphabetic', javaLetter: 'L', javaDigit: 'Nd', javaLetterOrDigit: 'L\\p{Nd}',
  IsAlphabetic: 'Alphabetic', IsLetter: 'L', IsDigit: 'Nd', IsUppercase: 'Uppercase', IsLowercase: 'Lowercase', IsWhite_Space: 'White_Space', IsWhiteSpace: 'White_Space',
  IsPunctuation: 'P', IsControl: 'Cc', IsIdeographic: 'Ideographic', IsEmoji: 'Emoji',
}

/**
 * Rewrites Java's \p{Posix} classes into ranges JavaScript knows (inside or outside [...]), \p{IsLatin}
 * scripts into \p{Script=Latin}, and java* / Is* properties into JavaScript's Unicode properties.
 * A character class holding negated POSIX classes ([\P{Alpha}x]) has no JavaScript class form: it
 * becomes a group matching one character, `(?:[x]|[^a-zA-Z])`, and negated, `(?:(?![x])[a-zA-Z])`.
 */
function javaPropertyClasses(pattern: string, fn: string): string {
  if (!/\\[pP]/.test(pattern)) return pattern
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\') {
      const next = pattern[i + 1]
      if ((next === 'p' || next === 'P') && pattern[i + 2] === '{') {
        const end = familyEnd(pattern, i, fn)
        const name = pattern.slice(i + 3, end)
        const posix = posixOf(name)
        out += posix !== undefined ? `[${next === 'P' ? '^' : ''}${posix}]` : unicodeFamily(pattern, i, end)
        i = end
        continue
      }
      out += c + (next ?? '')
      i++
      continue
    }
    if (c === '[') {
      const cls = characterClass(pattern, i, fn)
      out += cls.text
      i = cls.end
      continue
    }
    out += c
  }
  return out
}

function posixOf(name: string): string | undefined {
  return POSIX[name] ?? POSIX[name.replace(/^Is/, '')]
}

/** The index of the `}` closing the \p{...} at `i`. */
function familyEnd(pattern: string, i: number, fn: string): number {
  const end = pattern.indexOf('}', i + 3)
  if (end < 0) throw invalid(pattern, fn, `unclosed character family near index ${i}`)
  return end
}

/** A \p{...} / \P{...} family that is no POSIX class, as JavaScript writes it. */
function unicodeFamily(pattern: string, i: number, end: number): string {
  const next = pattern[i + 1]!
  const name = pattern.slice(i + 3, end)
  if (UNICODE[name] !== undefined) return `\\${next}{${UNICODE[name]}}`
  if (/^Is[A-Z][a-z]+$/.test(name)) return `\\${next}{Script=${name.slice(2)}}`
  return pattern.slice(i, end + 1)
}

/** The character class opening at `start`, rewritten, and the index of its closing `]`. */
function characterClass(pattern: string, start: number, fn: string): { text: string; end: number } {
  let i = start + 1
  const negated = pattern[i] === '^'
  if (negated) i++
  let body = ''
  const excluded: string[] = []
  for (; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === ']') break
    if (c === '\\') {
      const next = pattern[i + 1]
      if ((next === 'p' || next === 'P') && pattern[i + 2] === '{') {
        const end = familyEnd(pattern, i, fn)
        const posix = posixOf(pattern.slice(i + 3, end))
        if (posix === undefined) body += unicodeFamily(pattern, i, end)
        else if (next === 'P') excluded.push(posix)
        else body += posix
        i = end
        continue
      }
      body += c + (next ?? '')
      i++
      continue
    }
    body += c
  }
  if (i >= pattern.length) return { text: pattern.slice(start), end: pattern.length - 1 }
  if (excluded.length === 0) return { text: `[${negated ? '^' : ''}${body}]`, end: i }
  // one character: in the listed ones or outside a negated class's set; negated: outside the listed ones and inside every such set
  if (!negated) return { text: `(?:${[...(body === '' ? [] : [`[${body}]`]), ...excluded.map((x) => `[^${x}]`)].join('|')})`, end: i }
  const inside = excluded.map((x, k) => (k < excluded.length - 1 ? `(?=[${x}])` : `[${x}]`)).join('')
  return { text: `(?:${body === '' ? '' : `(?![${body}])`}${inside})`, end: i }
}

function invalid(pattern: string, fn: string, why: string): FunctionError {
  return new FunctionError('FUNCTION_ERROR', `Invalid regular expression pattern: ${pattern} (${why})`, fn)
}

type ReplacementPart = string | number | { readonly name: string }

/** Parses a Java replacement string: `$n` and `${name}` refer to groups, `\x` is a literal x. */
export function parseJavaReplacement(replacement: string, fn: string): readonly ReplacementPart[] {
  const parts: ReplacementPart[] = []
  let literal = ''
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!
    if (c === '\\') {
      i++
      if (i >= replacement.length) throw new FunctionError('FUNCTION_ERROR', 'character to be escaped is missing', fn)
      literal += replacement[i]
    } else if (c === '$') {
      if (literal !== '') parts.push(literal)
      literal = ''
      if (replacement[i + 1] === '{') {
        const end = replacement.indexOf('}', i)
        if (end < 0) throw new FunctionError('FUNCTION_ERROR', "named capturing group is missing trailing '}'", fn)
        parts.push({ name: replacement.slice(i + 2, end) })
        i = end
      } else {
        let j = i + 1
        while (j < replacement.length && /[0-9]/.test(replacement[j]!)) j++
        if (j === i + 1) throw new FunctionError('FUNCTION_ERROR', 'Illegal group reference', fn)
        parts.push(Number(replacement.slice(i + 1, j)))
        i = j - 1
      }
    } else {
      literal += c
    }
  }
  if (literal !== '') parts.push(literal)
  return parts
}

/** Replaces every match of `re` (compiled with `g`) in `input` using a parsed Java replacement. */
export function replaceAllJava(input: string, re: RegExp, parts: readonly ReplacementPart[], fn: string): string {
  return input.replace(re, (...args: unknown[]) => {
    const last = args[args.length - 1]
    const named = typeof last === 'object' && last !== null ? (last as Record<string, string | undefined>) : undefined
    const groupCount = args.length - (named === undefined ? 3 : 4)
    let out = ''
    for (const p of parts) {
      if (typeof p === 'string') out += p
      else if (typeof p === 'number') {
        if (p > groupCount) throw new FunctionError('FUNCTION_ERROR', `No group ${p}`, fn)
        out += (args[p] as string | undefined) ?? ''
      } else {
        if (named === undefined || !(p.name in named)) throw new FunctionError('FUNCTION_ERROR', `No group with name {${p.name}}`, fn)
        out += named[p.name] ?? ''
      }
    }
    return out
  })
}

/** Keeps the last compiled pattern: call sites nearly always pass one literal pattern. */
export function regexCache(fn: string, global: boolean): (pattern: string) => RegExp {
  let lastPattern: string | null = null
  let last: RegExp | null = null
  return (pattern) => {
    if (pattern !== lastPattern || last === null) {
      last = compileJavaRegex(pattern, fn, global)
      lastPattern = pattern
    }
    last.lastIndex = 0
    return last
  }
}

/** The number of capturing groups in a compiled pattern. */
export function groupCount(re: RegExp): number {
  return new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('')!.length - 1
}
