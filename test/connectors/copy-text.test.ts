// The COPY text format parser: rows split anywhere across pieces, NULL, every escape PostgreSQL writes, and malformed input named by row.
import { describe, expect, it } from 'vitest'
import { CopyTextParser, TEXT_FIELD } from '../../connectors/jdbc/postgres/copy-text.js'
import { DataException } from '../../connectors/errors.js'

function parseAll(columns: number, pieces: string[]): unknown[][] {
  const rows: unknown[][] = []
  const p = new CopyTextParser('t', new Array(columns).fill(TEXT_FIELD), (f) => rows.push([...f]))
  for (const x of pieces) p.push(x)
  p.end()
  return rows
}

describe('CopyTextParser', () => {
  const text = '1\tplain\t\\N\n2\ttab\\there\\nnew\\\\back\\rcr\t\\\\x0aff\n3\t\t\\b\\f\\v\\101\\x42\n'
  const expected = [
    ['1', 'plain', null],
    ['2', 'tab\there\nnew\\back\rcr', '\\x0aff'],
    ['3', '', '\b\f\vAB'],
  ]

  it('parses fields, NULL and escapes', () => {
    expect(parseAll(3, [text])).toEqual(expected)
  })

  it('gives the same rows when a row spans three pieces or more', () => {
    for (let a = 1; a < text.length - 1; a += 3) {
      for (let b = a + 1; b < text.length; b += 2) {
        expect(parseAll(3, [text.slice(0, a), text.slice(a, b), text.slice(b)])).toEqual(expected)
      }
    }
    expect(parseAll(3, [...text].map((c) => c))).toEqual(expected)
  })

  it('gives the same rows however the text is split into pieces', () => {
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseAll(3, [text.slice(0, cut), text.slice(cut)])).toEqual(expected)
    }
    expect(parseAll(3, text.split(''))).toEqual(expected)
  })

  it('keeps a field that is only a backslash-N inside other text', () => {
    expect(parseAll(2, ['\\\\N\tx\\N\n'])).toEqual([['\\N', 'xN']])
  })

  it('names the row of malformed input', () => {
    expect(() => parseAll(3, ['1\t2\t3\n1\t2\n'])).toThrow(/row 2: 2 columns, expected 3/)
    expect(() => parseAll(2, ['1\t2\t3\n'])).toThrow(/row 1: more than 2 columns/)
    expect(() => parseAll(2, ['1\t2\n3\t4'])).toThrow(DataException)
    expect(() => parseAll(2, ['1\t2\n3\t4'])).toThrow(/row 2: incomplete last row/)
    // The row is judged whole even when the chunk ends right after its extra or missing field.
    expect(() => parseAll(2, ['1\t2\t', '3\n'])).toThrow(/row 1: more than 2 columns/)
    expect(() => parseAll(3, ['1\t2\n', '3\t4\t5\n'])).toThrow(/row 1: 2 columns, expected 3/)
  })

  it('reads a table without columns (one empty line per row)', () => {
    expect(parseAll(0, ['\n\n', '\n'])).toEqual([[], [], []])
    expect(() => parseAll(0, ['\nx\n'])).toThrow(/row 2: more than 0 columns/)
  })
})
