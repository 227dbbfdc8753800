// Tokens of ksqlDB's SQL. Identifiers and keywords share one token kind: the parser decides
// by the upper-cased text whether a word is a keyword. Back-quoted identifiers keep their case
// and are never keywords. Comments (`-- ...`, `/* ... */`) are skipped.
import { SqlError, type SourcePosition } from '../errors.js'

export type TokenKind = 'ident' | 'quotedIdent' | 'string' | 'integer' | 'decimal' | 'double' | 'op' | 'eof'

export interface Token {
  readonly kind: TokenKind
  /** Identifiers: upper-cased (unquoted) or as written (quoted); strings: the unescaped text; numbers and ops: as written. */
  readonly text: string
  /** The text as written in the statement. */
  readonly raw: string
  readonly line: number
  readonly column: number
  readonly offset: number
}

const OPERATORS = ['=>', '->', ':=', '<>', '!=', '<=', '>=', '||', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', ';', '.', ':']

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '@' || c === '$' || c > '\u007f'
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9')
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9'
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  let line = 1
  let lineStart = 0
  const pos = (at: number): SourcePosition => ({ line, column: at - lineStart + 1 })
  const advanceNewlines = (from: number, to: number): void => {
    for (let j = from; j < to; j++) {
      if (text[j] === '\n') {
        line++
        lineStart = j + 1
      }
    }
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (c === '\n') {
        line++
        lineStart = i + 1
      }
      i++
      continue
    }
    if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++
      continue
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) throw new SqlError('PARSE_ERROR', 'unterminated comment', { position: pos(i) })
      advanceNewlines(i, end + 2)
      i = end + 2
      continue
    }
    const start = i
    const column = i - lineStart + 1
    const startLine = line
    const push = (kind: TokenKind, value: string): void => {
      tokens.push({ kind, text: value, raw: text.slice(start, i), line: startLine, column, offset: start })
    }
    if (c === "'") {
      let value = ''
      i++
      for (;;) {
        if (i >= text.length) throw new SqlError('PARSE_ERROR', 'unterminated string literal', { position: { line: startLine, column } })
        const d = text[i]!
        if (d === "'") {
          if (text[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }
          i++
          break
        }
        if (d === '\n') {
          line++
          lineStart = i + 1
        }
        value += d
        i++
      }
      push('string', value)
      continue
    }
    if (c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1)
      if (end < 0) throw new SqlError('PARSE_ERROR', 'unterminated quoted identifier', { position: { line: startLine, column } })
      const value = text.slice(i + 1, end)
      i = end + 1
      push('quotedIdent', value)
      continue
    }
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1]))) {
      while (isDigit(text[i])) i++
      let kind: TokenKind = 'integer'
      if (text[i] === '.' && isDigit(text[i + 1])) {
        kind = 'decimal'
        i++
        while (isDigit(text[i])) i++
      } else if (text[i] === '.' && !isIdentStart(text[i + 1] ?? ' ')) {
        kind = 'decimal'
        i++
      }
      if ((text[i] === 'e' || text[i] === 'E') && (isDigit(text[i + 1]) || ((text[i + 1] === '+' || text[i + 1] === '-') && isDigit(text[i + 2])))) {
        kind = 'double'
        i += 2
        while (isDigit(text[i])) i++
      }
      if (i < text.length && isIdentStart(text[i]!)) {
        throw new SqlError('PARSE_ERROR', `invalid number '${text.slice(start, i + 1)}'`, { position: { line: startLine, column } })
      }
      push(kind, text.slice(start, i))
      continue
    }
    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text[i]!)) i++
      push('ident', text.slice(start, i).toUpperCase())
      continue
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i))
    if (op === undefined) throw new SqlError('PARSE_ERROR', `unexpected character '${c}'`, { position: { line: startLine, column } })
    i += op.length
    push('op', op)
  }
  tokens.push({ kind: 'eof', text: '<EOF>', raw: '', line, column: i - lineStart + 1, offset: i })
  return tokens
}
