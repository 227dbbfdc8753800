import { describe, expect, it } from 'vitest'
import { tokenize } from '../../sql/parser/lexer.js'
import { SqlError } from '../../sql/errors.js'

describe('lexer', () => {
  it('upper-cases unquoted identifiers, keeps quoted ones, unescapes strings', () => {
    const t = tokenize("select `MixedCase`, 'it''s' from s")
    expect(t.map((x) => [x.kind, x.text])).toEqual([
      ['ident', 'SELECT'],
      ['quotedIdent', 'MixedCase'],
      ['op', ','],
      ['string', "it's"],
      ['ident', 'FROM'],
      ['ident', 'S'],
      ['eof', '<EOF>'],
    ])
  })

  it('tells integers, decimals and doubles apart', () => {
    expect(tokenize('1 1.50 2e3 .5').slice(0, 4).map((x) => x.kind)).toEqual(['integer', 'decimal', 'double', 'decimal'])
  })

  it('reads multi-character operators and skips comments, tracking lines and columns', () => {
    const t = tokenize('a -> b -- comment\n /* block\n */ x => y <> z')
    expect(t.map((x) => x.text)).toEqual(['A', '->', 'B', 'X', '=>', 'Y', '<>', 'Z', '<EOF>'])
    const x = t[3]!
    expect([x.line, x.column]).toEqual([3, 5])
  })

  it('reports an unterminated string with its position', () => {
    try {
      tokenize("select\n  'abc")
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(SqlError)
      expect((e as SqlError).position).toEqual({ line: 2, column: 3 })
      expect((e as SqlError).message).toContain('unterminated string')
    }
  })
})
