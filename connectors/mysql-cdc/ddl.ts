// MySQL / MariaDB DDL → table definitions, for the schema history: binlog rows carry column
// types but no names, so the connector keeps every captured table's columns as of each binlog
// position by applying the DDL it reads (QUERY events) to its in-memory schema. Covers CREATE
// TABLE (columns, inline and table-level PRIMARY KEY, CHARACTER SET), CREATE TABLE ... LIKE,
// ALTER TABLE (ADD / DROP / MODIFY / CHANGE / RENAME COLUMN, ADD / DROP PRIMARY KEY, RENAME TO,
// CONVERT TO CHARACTER SET), DROP TABLE, RENAME TABLE, TRUNCATE and DROP DATABASE. A statement
// about a table that it cannot follow is reported as 'unparsed' so the caller can fall back to
// the server's catalog for that table.

export interface ColumnDef {
  name: string
  /** Lower-case column type as information_schema.COLUMNS.COLUMN_TYPE spells it: "decimal(20,4) unsigned", "enum('a','b')". */
  type: string
  /** Character set of a text column; null for binary and non-text columns. */
  charset: string | null
  nullable: boolean
}

export interface TableDef {
  db: string
  table: string
  columns: ColumnDef[]
  /** Primary-key column names in key order. */
  pk: string[]
  /** The table's default character set, when known. */
  charset: string | null
}

export type DdlEffect =
  | { kind: 'create' | 'alter'; db: string; table: string }
  | { kind: 'drop' | 'truncate'; db: string; table: string }
  | { kind: 'rename'; db: string; table: string; from: { db: string; table: string } }
  | { kind: 'unparsed'; db: string; table: string; reason: string }

export type Schemas = Map<string, TableDef>

export const tableKey = (db: string, table: string): string => `${db}.${table}`

// ---------------------------------------------------------------- tokenizer

type Tok = { t: 'id' | 'qid' | 'str' | 'num' | 'p'; v: string }

export function tokenize(sql: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { i++; continue }
    if (c === '#' || (c === '-' && sql[i + 1] === '-' && (sql[i + 2] === ' ' || sql[i + 2] === '\t' || sql[i + 2] === '\n' || i + 2 >= n))) {
      while (i < n && sql[i] !== '\n') i++
      continue
    }
    if (c === '/' && sql[i + 1] === '*') {
      // Executable comments (/*!40101 ... */, /*M! ... */) hold SQL the server runs: keep their body.
      const exec = /^\/\*(?:!|M!)(\d*)/.exec(sql.slice(i, i + 12))
      const end = sql.indexOf('*/', i + 2)
      const stop = end < 0 ? n : end
      if (exec !== null) out.push(...tokenize(sql.slice(i + exec[0].length, stop)))
      i = stop + 2
      continue
    }
    if (c === '`') {
      let v = ''
      i++
      while (i < n) {
        if (sql[i] === '`') { if (sql[i + 1] === '`') { v += '`'; i += 2; continue } i++; break }
        v += sql[i++]
      }
      out.push({ t: 'qid', v })
      continue
    }
    if (c === "'" || c === '"') {
      let v = ''
      i++
      while (i < n) {
        const d = sql[i]!
        if (d === '\\' && i + 1 < n) { v += d + sql[i + 1]; i += 2; continue }
        if (d === c) { if (sql[i + 1] === c) { v += d + d; i += 2; continue } i++; break }
        v += d
        i++
      }
      out.push({ t: 'str', v: `${c}${v}${c}` })
      continue
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      let j = i
      while (j < n && /[0-9.eE]/.test(sql[j]!)) j++
      if (j < n && /[A-Za-z_$]/.test(sql[j]!)) {
        while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++
        out.push({ t: 'id', v: sql.slice(i, j) })
      } else {
        out.push({ t: 'num', v: sql.slice(i, j) })
      }
      i = j
      continue
    }
    if (/[A-Za-z_$@\u0080-\uffff]/.test(c)) {
      let j = i
      while (j < n && /[A-Za-z0-9_$@\u0080-\uffff]/.test(sql[j]!)) j++
      out.push({ t: 'id', v: sql.slice(i, j) })
      i = j
      continue
    }
    out.push({ t: 'p', v: c })
    i++
  }
  return out
}

class Parser {
  i = 0
  constructor(readonly toks: Tok[]) {}
  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k]
  }
  /** The next token is the keyword (case-insensitive, unquoted). */
  is(kw: string, k = 0): boolean {
    const t = this.peek(k)
    return t !== undefined && t.t === 'id' && t.v.toUpperCase() === kw
  }
  isP(p: string, k = 0): boolean {
    const t = this.peek(k)
    return t !== undefined && t.t === 'p' && t.v === p
  }
  eat(...kws: string[]): boolean {
    for (let k = 0; k < kws.length; k++) if (!this.is(kws[k]!, k)) return false
    this.i += kws.length
    return true
  }
  eatP(p: string): boolean {
    if (!this.isP(p)) return false
    this.i++
    return true
  }
  expectP(p: string): void {
    if (!this.eatP(p)) throw new DdlParseError(`expected '${p}'`)
  }
  done(): boolean {
    return this.i >= this.toks.length || this.isP(';')
  }
  ident(): string {
    const t = this.peek()
    if (t === undefined || (t.t !== 'id' && t.t !== 'qid' && !(t.t === 'str' && t.v.startsWith('"')))) throw new DdlParseError('expected a name')
    this.i++
    return t.t === 'str' ? t.v.slice(1, -1) : t.v
  }
  /** db.table or table (default db). */
  qualified(defaultDb: string): { db: string; table: string } {
    const a = this.ident()
    if (this.isP('.')) {
      this.i++
      return { db: a, table: this.ident() }
    }
    return { db: defaultDb, table: a }
  }
  /** Skips a balanced (...) group; the cursor is on '('. Returns its tokens' text joined. */
  group(): Tok[] {
    this.expectP('(')
    const start = this.i
    let depth = 1
    while (this.i < this.toks.length) {
      const t = this.toks[this.i]!
      if (t.t === 'p' && t.v === '(') depth++
      else if (t.t === 'p' && t.v === ')' && --depth === 0) break
      this.i++
    }
    const inner = this.toks.slice(start, this.i)
    this.expectP(')')
    return inner
  }
  /** Skips to the next top-level ',' or ')' or the end (not consuming it). */
  skipItem(): void {
    while (!this.done() && !this.isP(',') && !this.isP(')')) {
      if (this.isP('(')) this.group()
      else this.i++
    }
  }
}

export class DdlParseError extends Error {}

// ---------------------------------------------------------------- column types

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'enum', 'set', 'json'])
const SYNONYMS: Record<string, string> = {
  integer: 'int', int1: 'tinyint', int2: 'smallint', int3: 'mediumint', int4: 'int', int8: 'bigint', middleint: 'mediumint',
  dec: 'decimal', numeric: 'decimal', fixed: 'decimal', real: 'double', float4: 'float', float8: 'double',
  character: 'char', nchar: 'char', nvarchar: 'varchar', varcharacter: 'varchar', long: 'mediumtext', bool: 'tinyint', boolean: 'tinyint',
}
const DEFAULT_ARGS: Record<string, string> = { decimal: '10,0', tinyint: '4', smallint: '6', mediumint: '9', int: '11', bigint: '20', bit: '1', char: '1', binary: '1', year: '4' }

function tokText(toks: Tok[]): string {
  let s = ''
  for (const t of toks) s += t.t === 'p' && t.v === ',' ? ',' : t.t === 'str' ? `'${t.v.slice(1, -1)}'` : t.v.toLowerCase()
  return s
}

/** Reads a column type at the cursor: base, (args), UNSIGNED/ZEROFILL, CHARACTER SET. */
function columnType(p: Parser): { type: string; charset: string | null; binaryText: boolean } {
  let base = p.ident().toLowerCase()
  if (base === 'double' && p.is('PRECISION')) p.i++
  if ((base === 'character' || base === 'char') && p.is('VARYING')) { p.i++; base = 'varchar' }
  if (base === 'national') base = p.ident().toLowerCase() === 'varchar' || p.is('VARYING') ? 'varchar' : 'char'
  if (base === 'long') {
    if (p.is('VARBINARY')) { p.i++; base = 'mediumblob' } else if (p.is('VARCHAR')) { p.i++; base = 'mediumtext' }
  }
  const isBool = base === 'bool' || base === 'boolean'
  if (base === 'serial') return { type: 'bigint(20) unsigned', charset: null, binaryText: false }
  base = SYNONYMS[base] ?? base
  let args: string | null = isBool ? '1' : null
  if (p.isP('(')) args = tokText(p.group())
  // MariaDB shows int types with display widths; MySQL 8 does not: keep what was written, default the common ones.
  if (args === null && DEFAULT_ARGS[base] !== undefined && base !== 'bit') args = base === 'decimal' ? DEFAULT_ARGS[base]! : null
  if (base === 'decimal' && args !== null && !args.includes(',')) args = `${args},0`
  let unsigned = false
  let zerofill = false
  let charset: string | null = null
  let binaryText = false
  for (;;) {
    if (p.eat('UNSIGNED')) unsigned = true
    else if (p.eat('SIGNED')) unsigned = false
    else if (p.eat('ZEROFILL')) { zerofill = true; unsigned = true }
    else if (p.eat('CHARACTER', 'SET') || p.eat('CHARSET')) { p.eatP('='); charset = p.ident().toLowerCase() }
    else if (p.eat('BINARY')) binaryText = true
    else if (p.eat('ASCII')) charset = 'latin1'
    else if (p.eat('UNICODE')) charset = 'ucs2'
    else break
  }
  if (base === 'char' && charset === 'binary') base = 'binary'
  if (base === 'varchar' && charset === 'binary') base = 'varbinary'
  let type = args === null ? base : `${base}(${args})`
  if (unsigned) type += ' unsigned'
  if (zerofill) type += ' zerofill'
  return { type, charset, binaryText }
}

function isTextType(type: string): boolean {
  return TEXT_TYPES.has(/^[a-z]+/.exec(type)?.[0] ?? '')
}

/** One column definition: name type [attributes...]; the cursor ends before ',' or ')'. */
function columnDef(p: Parser, tableCharset: string | null, name?: string): { col: ColumnDef; pk: boolean } {
  const colName = name ?? p.ident()
  const { type, charset } = columnType(p)
  let nullable = true
  let pk = false
  let explicitCharset = charset
  while (!p.done() && !p.isP(',') && !p.isP(')') && !p.is('FIRST') && !p.is('AFTER')) {
    if (p.eat('NOT', 'NULL')) nullable = false
    else if (p.eat('NULL')) nullable = true
    else if (p.eat('PRIMARY', 'KEY') || p.eat('PRIMARY')) { pk = true; nullable = false }
    else if (p.eat('COLLATE')) {
      p.eatP('=')
      const coll = p.ident().toLowerCase()
      explicitCharset ??= coll.split('_')[0]!
    }
    else if (p.eat('CHARACTER', 'SET') || p.eat('CHARSET')) { p.eatP('='); explicitCharset = p.ident().toLowerCase() }
    else if (p.isP('(')) p.group()
    else p.i++
  }
  const text = isTextType(type) && type !== 'json'
  const col: ColumnDef = { name: colName, type: type === 'json' ? 'json' : type, charset: text ? (explicitCharset ?? tableCharset ?? 'utf8mb4') : type === 'json' ? 'utf8mb4' : null, nullable }
  if (!nullable && pk) col.nullable = false
  return { col, pk }
}

/** The column list of a PRIMARY KEY (...): names, ignoring prefix lengths and ASC/DESC. */
function keyColumns(p: Parser): string[] {
  const inner = new Parser(p.group())
  const cols: string[] = []
  while (!inner.done()) {
    cols.push(inner.ident())
    inner.skipItem()
    if (!inner.eatP(',')) break
  }
  return cols
}

function tableOptionsCharset(p: Parser): string | null {
  let cs: string | null = null
  while (!p.done()) {
    if (p.eat('DEFAULT')) continue
    if (p.eat('CHARACTER', 'SET') || p.eat('CHARSET')) { p.eatP('='); cs = p.ident().toLowerCase(); continue }
    if (p.eat('COLLATE')) { p.eatP('='); const c = p.ident().toLowerCase(); cs ??= c.split('_')[0]!; continue }
    if (p.isP('(')) p.group()
    else p.i++
  }
  return cs
}

function copyTable(t: TableDef): TableDef {
  return { db: t.db, table: t.table, columns: t.columns.map((c) => ({ ...c })), pk: [...t.pk], charset: t.charset }
}

// ---------------------------------------------------------------- statements

/**
 * Applies one statement to the schemas (in place) and returns what it changed. Statements that
 * are not about tables (BEGIN, COMMIT, GRANT, CREATE INDEX, ...) return []. `defaultDb` is the
 * database the statement ran in (the QUERY event's schema).
 */
export function applyDdl(schemas: Schemas, defaultDb: string, sql: string): DdlEffect[] {
  let toks: Tok[]
  try {
    toks = tokenize(sql)
  } catch {
    return []
  }
  const p = new Parser(toks)
  try {
    if (p.eat('CREATE')) return create(p, schemas, defaultDb)
    if (p.eat('ALTER')) {
      p.eat('ONLINE')
      p.eat('IGNORE')
      if (!p.eat('TABLE')) return []
      return alter(p, schemas, defaultDb)
    }
    if (p.eat('DROP')) {
      p.eat('TEMPORARY')
      if (p.eat('DATABASE') || p.eat('SCHEMA')) {
        p.eat('IF', 'EXISTS')
        const db = p.ident()
        const out: DdlEffect[] = []
        for (const [k, t] of schemas) if (t.db === db) { schemas.delete(k); out.push({ kind: 'drop', db, table: t.table }) }
        return out
      }
      if (!p.eat('TABLE') && !p.eat('TABLES')) return []
      p.eat('IF', 'EXISTS')
      const out: DdlEffect[] = []
      do {
        const n = p.qualified(defaultDb)
        schemas.delete(tableKey(n.db, n.table))
        out.push({ kind: 'drop', ...n })
      } while (p.eatP(','))
      return out
    }
    if (p.eat('RENAME')) {
      if (!p.eat('TABLE') && !p.eat('TABLES')) return []
      const out: DdlEffect[] = []
      do {
        const from = p.qualified(defaultDb)
        if (!p.eat('TO')) throw new DdlParseError('expected TO')
        const to = p.qualified(defaultDb)
        out.push(...rename(schemas, from, to))
      } while (p.eatP(','))
      return out
    }
    if (p.eat('TRUNCATE')) {
      p.eat('TABLE')
      const n = p.qualified(defaultDb)
      return [{ kind: 'truncate', ...n }]
    }
  } catch (err) {
    const target = guessTable(toks, defaultDb)
    if (target === null) return []
    return [{ kind: 'unparsed', ...target, reason: err instanceof Error ? err.message : String(err) }]
  }
  return []
}

function rename(schemas: Schemas, from: { db: string; table: string }, to: { db: string; table: string }): DdlEffect[] {
  const t = schemas.get(tableKey(from.db, from.table))
  schemas.delete(tableKey(from.db, from.table))
  if (t !== undefined) schemas.set(tableKey(to.db, to.table), { ...t, db: to.db, table: to.table })
  return [{ kind: 'rename', db: to.db, table: to.table, from }]
}

function create(p: Parser, schemas: Schemas, defaultDb: string): DdlEffect[] {
  p.eat('OR', 'REPLACE')
  if (p.eat('TEMPORARY')) return []
  if (!p.eat('TABLE')) return []
  p.eat('IF', 'NOT', 'EXISTS')
  const n = p.qualified(defaultDb)
  if (p.eat('LIKE') || (p.isP('(') && p.is('LIKE', 1))) {
    const paren = p.eatP('(')
    p.eat('LIKE')
    const src = p.qualified(defaultDb)
    if (paren) p.eatP(')')
    const s = schemas.get(tableKey(src.db, src.table))
    if (s === undefined) return [{ kind: 'unparsed', ...n, reason: `CREATE TABLE ... LIKE ${src.db}.${src.table}, a table not in the schema history` }]
    schemas.set(tableKey(n.db, n.table), { ...copyTable(s), db: n.db, table: n.table })
    return [{ kind: 'create', ...n }]
  }
  if (!p.isP('(')) return [{ kind: 'unparsed', ...n, reason: 'CREATE TABLE without a column list (AS SELECT)' }]
  const body = new Parser(p.group())
  const tableCharset = tableOptionsCharset(p)
  if (p.toks.slice(p.i).some((t) => t.t === 'id' && t.v.toUpperCase() === 'SELECT')) return [{ kind: 'unparsed', ...n, reason: 'CREATE TABLE ... SELECT' }]
  const columns: ColumnDef[] = []
  let pk: string[] = []
  while (!body.done()) {
    if (body.eat('CONSTRAINT')) {
      if (!body.is('PRIMARY') && !body.is('UNIQUE') && !body.is('FOREIGN') && !body.is('CHECK')) body.ident()
    }
    if (body.eat('PRIMARY', 'KEY')) {
      while (!body.isP('(')) body.i++
      pk = keyColumns(body)
      body.skipItem()
    } else if (['KEY', 'INDEX', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CHECK', 'CONSTRAINT'].some((k) => body.is(k)) || (body.is('PERIOD') && body.is('FOR', 1))) {
      body.skipItem()
    } else {
      const { col, pk: inlinePk } = columnDef(body, tableCharset)
      columns.push(col)
      if (inlinePk) pk = [col.name]
    }
    if (!body.eatP(',')) break
  }
  for (const c of columns) if (pk.includes(c.name)) c.nullable = false
  schemas.set(tableKey(n.db, n.table), { db: n.db, table: n.table, columns, pk, charset: tableCharset })
  return [{ kind: 'create', ...n }]
}

function alter(p: Parser, schemas: Schemas, defaultDb: string): DdlEffect[] {
  const n = p.qualified(defaultDb)
  const key = tableKey(n.db, n.table)
  const current = schemas.get(key)
  if (current === undefined) return [{ kind: 'alter', ...n }] // not a table we know (not captured)
  const t = copyTable(current)
  let renamedTo: { db: string; table: string } | null = null
  const place = (col: ColumnDef, replacing: string | null): void => {
    const at = replacing === null ? -1 : t.columns.findIndex((c) => c.name.toLowerCase() === replacing.toLowerCase())
    if (at >= 0) t.columns.splice(at, 1)
    if (p.eat('FIRST')) t.columns.unshift(col)
    else if (p.eat('AFTER')) {
      const after = p.ident()
      const j = t.columns.findIndex((c) => c.name.toLowerCase() === after.toLowerCase())
      if (j < 0) throw new DdlParseError(`AFTER unknown column ${after}`)
      t.columns.splice(j + 1, 0, col)
    } else if (at >= 0) t.columns.splice(at, 0, col)
    else t.columns.push(col)
  }
  const find = (name: string): number => {
    const j = t.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase())
    if (j < 0) throw new DdlParseError(`unknown column ${name}`)
    return j
  }
  while (!p.done()) {
    if (p.eat('ADD')) {
      if (p.eat('CONSTRAINT') && !p.is('PRIMARY') && !p.is('UNIQUE') && !p.is('FOREIGN') && !p.is('CHECK')) p.ident()
      if (p.eat('PRIMARY', 'KEY')) {
        while (!p.isP('(')) p.i++
        t.pk = keyColumns(p)
        for (const c of t.columns) if (t.pk.includes(c.name)) c.nullable = false
        p.skipItem()
      } else if (['KEY', 'INDEX', 'UNIQUE', 'FULLTEXT', 'SPATIAL', 'FOREIGN', 'CHECK', 'PARTITION'].some((k) => p.is(k)) || (p.is('PERIOD') && p.is('FOR', 1)) || (p.is('SYSTEM') && p.is('VERSIONING', 1))) {
        p.skipItem()
      } else {
        p.eat('COLUMN')
        p.eat('IF', 'NOT', 'EXISTS')
        if (p.isP('(')) {
          const inner = new Parser(p.group())
          while (!inner.done()) {
            const { col, pk } = columnDef(inner, t.charset)
            t.columns.push(col)
            if (pk) t.pk = [col.name]
            if (!inner.eatP(',')) break
          }
        } else {
          const name = p.ident()
          if (t.columns.some((c) => c.name.toLowerCase() === name.toLowerCase())) {
            p.skipItem() // ADD COLUMN IF NOT EXISTS of an existing column
          } else {
            const { col, pk } = columnDef(p, t.charset, name)
            place(col, null)
            if (pk) t.pk = [col.name]
          }
        }
      }
    } else if (p.eat('DROP')) {
      if (p.eat('PRIMARY', 'KEY')) t.pk = []
      else if (['INDEX', 'KEY', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'PARTITION'].some((k) => p.is(k)) || (p.is('SYSTEM') && p.is('VERSIONING', 1)) || (p.is('PERIOD') && p.is('FOR', 1))) p.skipItem()
      else {
        p.eat('COLUMN')
        const ifExists = p.eat('IF', 'EXISTS')
        const name = p.ident()
        const j = t.columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase())
        if (j < 0 && !ifExists) throw new DdlParseError(`unknown column ${name}`)
        if (j >= 0) t.columns.splice(j, 1)
        t.pk = t.pk.filter((k) => k.toLowerCase() !== name.toLowerCase())
        p.skipItem()
      }
    } else if (p.eat('MODIFY')) {
      p.eat('COLUMN')
      p.eat('IF', 'EXISTS')
      const name = p.ident()
      const old = t.columns[find(name)]!
      const { col } = columnDef(p, t.charset, old.name)
      place(col, old.name)
    } else if (p.eat('CHANGE')) {
      p.eat('COLUMN')
      p.eat('IF', 'EXISTS')
      const oldName = p.ident()
      find(oldName)
      const { col } = columnDef(p, t.charset)
      place(col, oldName)
      t.pk = t.pk.map((k) => (k.toLowerCase() === oldName.toLowerCase() ? col.name : k))
    } else if (p.eat('RENAME')) {
      if (p.eat('COLUMN')) {
        const from = p.ident()
        if (!p.eat('TO')) throw new DdlParseError('expected TO')
        const to = p.ident()
        t.columns[find(from)]!.name = to
        t.pk = t.pk.map((k) => (k.toLowerCase() === from.toLowerCase() ? to : k))
      } else if (p.is('INDEX') || p.is('KEY')) {
        p.skipItem()
      } else {
        if (!p.eat('TO')) p.eat('AS')
        renamedTo = p.qualified(defaultDb)
      }
    } else if (p.eat('CONVERT', 'TO')) {
      if (!p.eat('CHARACTER', 'SET')) p.eat('CHARSET')
      const cs = p.ident().toLowerCase()
      t.charset = cs
      for (const c of t.columns) if (c.charset !== null && c.type !== 'json') c.charset = cs
      p.skipItem()
    } else if (p.eat('DEFAULT') || p.is('CHARACTER') || p.is('CHARSET')) {
      if (p.eat('CHARACTER', 'SET') || p.eat('CHARSET')) { p.eatP('='); t.charset = p.ident().toLowerCase() }
      p.skipItem()
    } else {
      p.skipItem() // ALTER COLUMN ... SET DEFAULT, ENGINE=, ALGORITHM=, LOCK=, FORCE, ORDER BY, ...
    }
    if (!p.eatP(',')) break
  }
  schemas.set(key, t)
  const out: DdlEffect[] = [{ kind: 'alter', ...n }]
  if (renamedTo !== null) out.push(...rename(schemas, n, renamedTo))
  return out
}

/** The table a statement is about, for reporting one the parser could not follow. */
function guessTable(toks: Tok[], defaultDb: string): { db: string; table: string } | null {
  const j = toks.findIndex((t) => t.t === 'id' && t.v.toUpperCase() === 'TABLE')
  if (j < 0) return null
  let k = j + 1
  while (toks[k] !== undefined && toks[k]!.t === 'id' && ['IF', 'NOT', 'EXISTS'].includes(toks[k]!.v.toUpperCase())) k++
  const a = toks[k]
  if (a === undefined || (a.t !== 'id' && a.t !== 'qid')) return null
  if (toks[k + 1]?.v === '.' && toks[k + 2] !== undefined) return { db: a.v, table: toks[k + 2]!.v }
  return { db: defaultDb, table: a.v }
}

/** Whether a QUERY event's statement may change a table definition (cheap pre-check before parsing). */
export function isSchemaStatement(sql: string): boolean {
  return /^\s*(?:\/\*.*?\*\/\s*)*(?:CREATE|ALTER|DROP|RENAME|TRUNCATE)\b/is.test(sql)
}
