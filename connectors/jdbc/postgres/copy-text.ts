// PostgreSQL's COPY text format (COPY ... TO STDOUT, the default FORMAT text): one row per line,
// columns separated by a tab, NULL spelled \N, and backslash escapes for backslash, tab, newline,
// carriage return, backspace, form feed, vertical tab, \digits (octal) and \xhex. Each unescaped
// field is exactly the column's text output, the same text a query returns in text mode, so the
// type mapping (types.ts) converts it as it converts query results.
//
// The parser takes the decoded text in pieces of any size (a row may span pieces) and hands each
// complete row to onRow in one reused array of values. Each column has a CopyField that makes
// its value: read in place from the piece when the field holds no escape (a number or a timestamp
// never becomes a string of its own), from its unescaped text otherwise.

import { DataException } from '../../errors.js'

/** Malformed COPY text: a DataException naming the row (1-based) and what was wrong. */
function copyError(message: string, row: number, table: string): DataException {
  return new DataException(`COPY text of ${table}, row ${row}: ${message}`, { field: table })
}

/** How one column's field becomes its value (\N is null and reaches neither). */
export interface CopyField {
  /** The value of a field without escapes: text[start, end) is the column's text output. */
  slice(text: string, start: number, end: number): unknown
  /** The value of a field's text, its escapes resolved. */
  text(text: string): unknown
}

/** A field whose value is its text. */
export const TEXT_FIELD: CopyField = {
  slice: (text, start, end) => text.slice(start, end),
  text: (text) => text,
}

export class CopyTextParser {
  private carry = ''
  private rows = 0
  private readonly columns: number
  private readonly values: unknown[]

  /** One CopyField per column; onRow gets the row's values (the array is reused: copy what you keep). `table` names errors. */
  constructor(
    private readonly table: string,
    private readonly fields: readonly CopyField[],
    private readonly onRow: (values: unknown[]) => void,
  ) {
    this.columns = fields.length
    this.values = new Array<unknown>(fields.length).fill(null)
  }

  /** Part of a row waits for the rest of its text. */
  get incomplete(): boolean {
    return this.carry.length > 0
  }

  /** Rows parsed so far. */
  get rowCount(): number {
    return this.rows
  }

  /** Parses the complete rows in `piece` (after what was left of the previous piece). */
  push(piece: string): void {
    let pos = 0
    if (this.carry.length > 0) {
      // Only the row that spans the pieces is joined: carry + piece whole would be flattened (copied) by the first indexOf.
      const nl = piece.indexOf('\n')
      if (nl < 0) {
        this.carry += piece
        return
      }
      const spanning = this.carry + piece.slice(0, nl + 1)
      this.carry = ''
      this.newText()
      this.row(spanning, 0, spanning.length - 1)
      pos = nl + 1
    }
    this.newText()
    for (;;) {
      const end = piece.indexOf('\n', pos)
      if (end < 0) break
      this.row(piece, pos, end)
      pos = end + 1
    }
    this.carry = pos < piece.length ? piece.slice(pos) : ''
  }

  /** The input ended: a row without its final newline is an error. */
  end(piece = ''): void {
    if (piece.length > 0) this.push(piece)
    if (this.carry.length > 0) throw copyError('incomplete last row (no line end)', this.rows + 1, this.table)
  }

  /**
   * The next tab and backslash at or after the read position of the text being parsed (its
   * length when there is none), found with indexOf and kept until the read position passes
   * them: each text is searched once for each, however many rows and fields it holds.
   */
  private nextTab = -1
  private nextBackslash = -1

  /** A new text is parsed from here on. */
  private newText(): void {
    this.nextTab = -1
    this.nextBackslash = -1
  }

  private tabFrom(text: string, p: number): number {
    let t = this.nextTab
    if (t < p) {
      t = text.indexOf('\t', p)
      this.nextTab = t = t < 0 ? text.length : t
    }
    return t
  }

  private row(text: string, start: number, end: number): void {
    const n = this.columns
    const values = this.values
    let p = start
    for (let c = 0; c < n; c++) {
      let stop: number
      if (c < n - 1) {
        stop = this.tabFrom(text, p)
        if (stop > end) throw copyError(`${c + 1} columns, expected ${n}`, this.rows + 1, this.table)
      } else {
        stop = end
        if (this.tabFrom(text, p) < end) throw copyError(`more than ${n} columns`, this.rows + 1, this.table)
      }
      values[c] = this.field(this.fields[c]!, text, p, stop)
      p = stop + 1
    }
    if (n === 0 && end > start) throw copyError('more than 0 columns', this.rows + 1, this.table)
    this.rows++
    this.onRow(values)
  }

  /** One field's value: null for \N, its CopyField's value of the text (escapes resolved) otherwise. */
  private field(f: CopyField, text: string, start: number, stop: number): unknown {
    // 92 = '\\', 78 = 'N'
    if (stop - start === 2 && text.charCodeAt(start) === 92 && text.charCodeAt(start + 1) === 78) return null
    let b = this.nextBackslash
    if (b < start) {
      b = text.indexOf('\\', start)
      this.nextBackslash = b = b < 0 ? text.length : b
    }
    return b < stop ? f.text(unescape(text, start, stop, b)) : f.slice(text, start, stop)
  }
}

function unescape(text: string, start: number, stop: number, firstBackslash: number): string {
  let out = text.slice(start, firstBackslash)
  let i = firstBackslash
  let from = i
  while (i < stop) {
    if (text.charCodeAt(i) !== 92) {
      i++
      continue
    }
    out += text.slice(from, i)
    const ch = i + 1 < stop ? text[i + 1] : undefined
    i += 2
    switch (ch) {
      case 'b': out += '\b'; break
      case 'f': out += '\f'; break
      case 'n': out += '\n'; break
      case 'r': out += '\r'; break
      case 't': out += '\t'; break
      case 'v': out += '\v'; break
      case 'x': {
        let v = 0
        let k = 0
        while (k < 2 && i < stop && isHex(text.charCodeAt(i))) {
          v = v * 16 + parseInt(text[i++]!, 16)
          k++
        }
        out += k === 0 ? 'x' : String.fromCharCode(v)
        break
      }
      case undefined: break // a lone backslash at the end of the row: nothing follows
      default:
        if (ch >= '0' && ch <= '7') {
          let v = ch.charCodeAt(0) - 48
          let k = 1
          while (k < 3 && i < stop && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 55) {
            v = v * 8 + text.charCodeAt(i++) - 48
            k++
          }
          out += String.fromCharCode(v)
        } else {
          out += ch // \\ and any other escaped character stand for themselves
        }
    }
    from = i
  }
  return out + text.slice(from, stop)
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
}
