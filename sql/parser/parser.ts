// Recursive-descent parser of ksqlDB statements. Errors name the line and column and what
// was expected there.
import { SqlError, type SourcePosition } from '../errors.js'
import { tokenize, type Token } from './lexer.js'
import type { Expression, Literal, WhenClause, ArithmeticOp, ComparisonOp } from './ast/expressions.js'
import type { AliasedSource, Duration, JoinClause, JoinType, OrderItem, Select, SelectItem, TimeUnit, WindowExpression, WindowKind, WithinClause } from './ast/query.js'
import type { ColumnConstraint, ColumnDefinition, ListWhat, Property, SourceKind, Statement } from './ast/statements.js'
import type { PrimitiveTypeName, TypeNode } from './ast/types.js'
import type { ConnectorProperty, ConnectorStatement, ConnectorType } from './ast/connectors.js'

/** Words that end an expression or a select item, so they are never taken as an alias. */
const RESERVED = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'WINDOW', 'PARTITION', 'EMIT', 'LIMIT', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL',
  'OUTER', 'ON', 'WITHIN', 'AS', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'LIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'TRUE', 'FALSE', 'CAST', 'DISTINCT', 'ESCAPE', 'WITH', 'GRACE', 'CREATE', 'INSERT', 'INTO', 'VALUES', 'ORDER', 'ASC', 'DESC',
])

const TIME_UNITS: Record<string, TimeUnit> = {
  MILLISECOND: 'MILLISECONDS', MILLISECONDS: 'MILLISECONDS', SECOND: 'SECONDS', SECONDS: 'SECONDS', MINUTE: 'MINUTES', MINUTES: 'MINUTES',
  HOUR: 'HOURS', HOURS: 'HOURS', DAY: 'DAYS', DAYS: 'DAYS',
}

const PRIMITIVES: Record<string, PrimitiveTypeName> = {
  BOOLEAN: 'BOOLEAN', INT: 'INTEGER', INTEGER: 'INTEGER', BIGINT: 'BIGINT', DOUBLE: 'DOUBLE', STRING: 'STRING', VARCHAR: 'STRING',
  BYTES: 'BYTES', DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP',
}

export interface ParsedStatement {
  readonly statement: Statement
  /** The statement's text without the terminating semicolon. */
  readonly text: string
}

/** Parses every statement of a script; each must end in `;` (the last may omit it). */
export function parseStatements(text: string): ParsedStatement[] {
  const p = new Parser(tokenize(text), text)
  const out: ParsedStatement[] = []
  while (!p.atEof()) {
    if (p.acceptOp(';')) continue
    out.push(p.parseOne())
  }
  return out
}

/** Parses exactly one statement (a trailing `;` is optional). */
export function parseStatement(text: string): Statement {
  const all = parseStatements(text)
  if (all.length !== 1) throw new SqlError('PARSE_ERROR', all.length === 0 ? 'expected a statement' : `expected one statement, got ${all.length}`, { position: { line: 1, column: 1 } })
  return all[0]!.statement
}

/** Parses one expression (tests, DEFINE-free contexts). */
export function parseExpression(text: string): Expression {
  const p = new Parser(tokenize(text), text)
  const e = p.expression()
  p.expectEof()
  return e
}

/** Splits a script into statement texts at top-level semicolons, with the position each starts at. */
export function splitStatements(text: string): Array<{ text: string; line: number; column: number }> {
  const out: Array<{ text: string; line: number; column: number }> = []
  let start = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === "'") {
      i++
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1
      i++
    } else if (c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1)
      i = end < 0 ? text.length : end + 1
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 2
    } else if (c === ';') {
      push(start, i)
      i++
      start = i
    } else i++
  }
  push(start, text.length)
  return out

  function push(from: number, to: number): void {
    const piece = text.slice(from, to)
    if (stripComments(piece).trim() === '') return
    const before = text.slice(0, from)
    const lines = before.split('\n')
    out.push({ text: piece, line: lines.length, column: lines[lines.length - 1]!.length + 1 })
  }
}

function stripComments(s: string): string {
  return s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '')
}

/** Replaces `${name}` by the variable's value (DEFINE); unknown names are an error. */
export function substituteVariables(text: string, variables: ReadonlyMap<string, string>): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const at = text.indexOf('${', i)
    if (at < 0) break
    const end = text.indexOf('}', at + 2)
    if (end < 0) break
    const name = text.slice(at + 2, end)
    const value = variables.get(name) ?? variables.get(name.toUpperCase()) ?? variables.get(name.toLowerCase())
    if (value === undefined) {
      const lines = text.slice(0, at).split('\n')
      throw new SqlError('PARSE_ERROR', `Variable '${name}' is not defined`, { position: { line: lines.length, column: lines[lines.length - 1]!.length + 1 } })
    }
    out += text.slice(i, at) + value
    i = end + 1
  }
  return out + text.slice(i)
}

class Parser {
  private i = 0
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  // ---- token helpers

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)]!
  }
  private next(): Token {
    const t = this.peek()
    if (t.kind !== 'eof') this.i++
    return t
  }
  private pos(t: Token = this.peek()): SourcePosition {
    return { line: t.line, column: t.column }
  }
  atEof(): boolean {
    return this.peek().kind === 'eof'
  }
  private isKeyword(word: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t.kind === 'ident' && t.text === word
  }
  private acceptKeyword(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKeyword(words[k]!, k)) return false
    this.i += words.length
    return true
  }
  private expectKeyword(...words: string[]): void {
    for (const w of words) {
      if (!this.isKeyword(w)) this.fail(`'${w}'`)
      this.i++
    }
  }
  private isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead)
    return t.kind === 'op' && t.text === op
  }
  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false
    this.i++
    return true
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`'${op}'`)
  }
  expectEof(): void {
    if (!this.atEof()) this.fail('end of input')
  }
  private fail(expected: string, t: Token = this.peek()): never {
    const got = t.kind === 'eof' ? 'end of input' : `'${t.raw}'`
    throw new SqlError('PARSE_ERROR', `mismatched input ${got}: expecting ${expected}`, { position: this.pos(t) })
  }

  /** An identifier: unquoted (upper-cased) or back-quoted (as written). */
  private identifier(what = 'an identifier'): string {
    const t = this.peek()
    if (t.kind === 'ident' || t.kind === 'quotedIdent') {
      this.i++
      return t.text
    }
    return this.fail(what)
  }
  private stringLiteral(what = 'a string literal'): string {
    const t = this.peek()
    if (t.kind !== 'string') this.fail(what)
    this.i++
    return t.text
  }
  private integer(what = 'an integer'): number {
    const t = this.peek()
    if (t.kind !== 'integer') this.fail(what)
    this.i++
    return Number(t.text)
  }

  // ---- statements

  parseOne(): { statement: Statement; text: string } {
    const first = this.peek()
    const statement = this.statement()
    const last = this.tokens[this.i - 1]!
    const text = this.source.slice(first.offset, last.offset + last.raw.length)
    if (!this.acceptOp(';') && !this.atEof()) this.fail("';'")
    return { statement, text }
  }

  private statement(): Statement {
    const t = this.peek()
    const pos = this.pos(t)
    if (t.kind !== 'ident') return this.fail('a statement (CREATE, SELECT, INSERT, SHOW, DESCRIBE, DROP, ...)')
    if (['CREATE', 'SHOW', 'LIST', 'DESCRIBE', 'DROP'].includes(t.text) && (this.isKeyword('CONNECTOR', 1) || this.isKeyword('CONNECTORS', 1) || ((this.isKeyword('SOURCE', 1) || this.isKeyword('SINK', 1)) && (this.isKeyword('CONNECTOR', 2) || this.isKeyword('CONNECTORS', 2))))) {
      return this.connectorStatement()
    }
    switch (t.text) {
      case 'CREATE':
        return this.create()
      case 'INSERT':
        return this.insert()
      case 'SELECT':
        return { kind: 'Query', query: this.select(), pos }
      case 'SHOW':
      case 'LIST':
        return this.list()
      case 'DESCRIBE':
        return this.describe()
      case 'EXPLAIN': {
        this.next()
        const n = this.peek()
        if (n.kind === 'quotedIdent' || (n.kind === 'ident' && !['SELECT', 'CREATE', 'INSERT'].includes(n.text))) {
          return { kind: 'Explain', queryId: this.identifier(), statement: null, pos }
        }
        return { kind: 'Explain', queryId: null, statement: this.statement(), pos }
      }
      case 'PRINT':
        return this.print()
      case 'DROP':
        return this.drop()
      case 'TERMINATE': {
        this.next()
        if (this.acceptKeyword('ALL')) return { kind: 'Terminate', queryId: null, pos }
        return { kind: 'Terminate', queryId: this.identifier('a query id or ALL'), pos }
      }
      case 'PAUSE':
      case 'RESUME': {
        this.next()
        const action = t.text
        if (this.acceptKeyword('ALL')) return { kind: 'PauseResume', action, queryId: null, pos }
        return { kind: 'PauseResume', action, queryId: this.identifier('a query id or ALL'), pos }
      }
      case 'SET': {
        this.next()
        const name = this.stringLiteral('a property name in quotes')
        this.expectOp('=')
        return { kind: 'SetProperty', name, value: this.stringLiteral('a property value in quotes'), pos }
      }
      case 'UNSET':
        this.next()
        return { kind: 'UnsetProperty', name: this.stringLiteral('a property name in quotes'), pos }
      case 'DEFINE': {
        this.next()
        const name = this.peek().raw.replace(/^`|`$/g, '')
        this.identifier('a variable name')
        this.expectOp('=')
        return { kind: 'DefineVariable', name, value: this.stringLiteral('a variable value in quotes'), pos }
      }
      case 'UNDEFINE': {
        this.next()
        const name = this.peek().raw.replace(/^`|`$/g, '')
        this.identifier('a variable name')
        return { kind: 'UndefineVariable', name, pos }
      }
      case 'RUN':
        this.next()
        this.expectKeyword('SCRIPT')
        return { kind: 'RunScript', path: this.stringLiteral('a script path in quotes'), pos }
      default:
        return this.fail('a statement (CREATE, SELECT, INSERT, SHOW, DESCRIBE, DROP, ...)')
    }
  }

  /** CREATE SOURCE|SINK CONNECTOR [IF NOT EXISTS] name WITH ('k'='v', ...); SHOW|LIST [SOURCE|SINK] CONNECTORS; DESCRIBE CONNECTOR name; DROP CONNECTOR [IF EXISTS] name. */
  private connectorStatement(): ConnectorStatement {
    const pos = this.pos()
    const verb = this.next().text
    const type: ConnectorType | null = this.acceptKeyword('SOURCE') ? 'SOURCE' : this.acceptKeyword('SINK') ? 'SINK' : null
    if ((verb === 'SHOW' || verb === 'LIST') && this.acceptKeyword('CONNECTORS')) return { kind: 'ListConnectors', connectorType: type, pos }
    this.expectKeyword('CONNECTOR')
    if (verb === 'DESCRIBE' && type === null) return { kind: 'DescribeConnector', name: this.identifier('a connector name'), pos }
    if (verb === 'DROP' && type === null) {
      const ifExists = this.acceptKeyword('IF', 'EXISTS')
      return { kind: 'DropConnector', ifExists, name: this.identifier('a connector name'), pos }
    }
    if (verb !== 'CREATE' || type === null) return this.fail('a statement (CREATE SOURCE|SINK CONNECTOR, SHOW CONNECTORS, DESCRIBE CONNECTOR, DROP CONNECTOR)', this.tokens[this.i - 1]!)
    const ifNotExists = this.acceptKeyword('IF', 'NOT', 'EXISTS')
    const name = this.identifier('a connector name')
    this.expectKeyword('WITH')
    this.expectOp('(')
    const properties: ConnectorProperty[] = []
    do {
      const kpos = this.pos()
      const key = this.stringLiteral("a config key in quotes ('connector.class')")
      this.expectOp('=')
      const v = this.literal()
      if (v.type === 'NULL') this.fail('a config value', this.tokens[this.i - 1]!)
      properties.push({ key, value: v.type === 'BOOLEAN' ? v.value.toLowerCase() : v.value, pos: kpos })
    } while (this.acceptOp(','))
    this.expectOp(')')
    return { kind: 'CreateConnector', connectorType: type, ifNotExists, name, properties, pos }
  }

  private sourceKind(): SourceKind {
    if (this.acceptKeyword('STREAM')) return 'STREAM'
    if (this.acceptKeyword('TABLE')) return 'TABLE'
    return this.fail("'STREAM' or 'TABLE'")
  }

  private create(): Statement {
    const pos = this.pos()
    this.expectKeyword('CREATE')
    const orReplace = this.acceptKeyword('OR', 'REPLACE')
    if (this.acceptKeyword('TYPE')) {
      const ifNotExists = this.acceptKeyword('IF', 'NOT', 'EXISTS')
      const name = this.identifier('a type name')
      this.expectKeyword('AS')
      return { kind: 'CreateType', ifNotExists, name, type: this.type(), pos }
    }
    const isSource = this.acceptKeyword('SOURCE')
    const sourceKind = this.sourceKind()
    const ifNotExists = this.acceptKeyword('IF', 'NOT', 'EXISTS')
    const name = this.identifier(`a ${sourceKind.toLowerCase()} name`)
    const columns: ColumnDefinition[] = []
    if (this.acceptOp('(')) {
      do columns.push(this.columnDefinition())
      while (this.acceptOp(','))
      this.expectOp(')')
    }
    const properties = this.isKeyword('WITH') ? this.properties() : []
    if (this.acceptKeyword('AS')) {
      if (columns.length > 0 || isSource) throw new SqlError('PARSE_ERROR', `CREATE ${sourceKind} AS SELECT cannot declare columns${isSource ? ' or be a SOURCE' : ''}`, { position: pos })
      return { kind: 'CreateAsSelect', sourceKind, orReplace, ifNotExists, name, properties, query: this.select(), pos }
    }
    return { kind: 'CreateSource', sourceKind, orReplace, isSource, ifNotExists, name, columns, properties, pos }
  }

  private columnDefinition(): ColumnDefinition {
    const pos = this.pos()
    const name = this.identifier('a column name')
    const type = this.type()
    let constraint: ColumnConstraint | null = null
    if (this.acceptKeyword('PRIMARY', 'KEY')) constraint = { kind: 'PRIMARY_KEY' }
    else if (this.acceptKeyword('KEY')) constraint = { kind: 'KEY' }
    else if (this.acceptKeyword('HEADERS')) constraint = { kind: 'HEADERS' }
    else if (this.acceptKeyword('HEADER')) {
      this.expectOp('(')
      const key = this.stringLiteral('a header key in quotes')
      this.expectOp(')')
      constraint = { kind: 'HEADER', key }
    }
    return { name, type, constraint, pos }
  }

  private properties(): Property[] {
    this.expectKeyword('WITH')
    this.expectOp('(')
    const out: Property[] = []
    do {
      const pos = this.pos()
      const name = this.identifier('a property name').toUpperCase()
      this.expectOp('=')
      const value = this.literal()
      out.push({ name, value, pos })
    } while (this.acceptOp(','))
    this.expectOp(')')
    return out
  }

  private literal(): Literal {
    const t = this.peek()
    const pos = this.pos(t)
    let negative = false
    if (this.isOp('-') && ['integer', 'decimal', 'double'].includes(this.peek(1).kind)) {
      this.next()
      negative = true
    }
    const n = this.peek()
    switch (n.kind) {
      case 'string':
        this.next()
        return { kind: 'Literal', type: 'STRING', value: n.text, pos }
      case 'integer':
      case 'decimal':
      case 'double':
        this.next()
        return numberLiteral((negative ? '-' : '') + n.text, n.kind, pos)
      case 'ident':
        if (n.text === 'TRUE' || n.text === 'FALSE') {
          this.next()
          return { kind: 'Literal', type: 'BOOLEAN', value: n.text, pos }
        }
        if (n.text === 'NULL') {
          this.next()
          return { kind: 'Literal', type: 'NULL', value: 'NULL', pos }
        }
    }
    return this.fail('a literal')
  }

  private insert(): Statement {
    const pos = this.pos()
    this.expectKeyword('INSERT', 'INTO')
    const target = this.identifier('a stream or table name')
    const columns: string[] = []
    if (this.isOp('(')) {
      this.next()
      do columns.push(this.identifier('a column name'))
      while (this.acceptOp(','))
      this.expectOp(')')
    }
    if (this.acceptKeyword('VALUES')) {
      this.expectOp('(')
      const values: Expression[] = []
      do values.push(this.expression())
      while (this.acceptOp(','))
      this.expectOp(')')
      return { kind: 'InsertValues', target, columns, values, pos }
    }
    if (columns.length > 0) this.fail("'VALUES'")
    const properties = this.isKeyword('WITH') ? this.properties() : []
    if (!this.isKeyword('SELECT')) this.fail("'SELECT' or 'VALUES'")
    return { kind: 'InsertInto', target, properties, query: this.select(), pos }
  }

  private list(): Statement {
    const pos = this.pos()
    const verb = this.next().text as 'SHOW' | 'LIST'
    const t = this.peek()
    const whats: ListWhat[] = ['STREAMS', 'TABLES', 'TOPICS', 'QUERIES', 'PROPERTIES', 'FUNCTIONS', 'TYPES', 'VARIABLES']
    const what = whats.find((w) => t.kind === 'ident' && t.text === w)
    if (what === undefined) return this.fail(whats.map((w) => `'${w}'`).join(', '))
    this.next()
    const extended = this.acceptKeyword('EXTENDED')
    return { kind: 'List', what, extended, verb, pos }
  }

  private describe(): Statement {
    const pos = this.pos()
    this.expectKeyword('DESCRIBE')
    if (this.acceptKeyword('FUNCTION')) return { kind: 'DescribeFunction', name: this.identifier('a function name'), pos }
    if (this.isKeyword('STREAMS') || this.isKeyword('TABLES')) {
      const what = this.next().text as 'STREAMS' | 'TABLES'
      this.acceptKeyword('EXTENDED')
      // DESCRIBE STREAMS / TABLES lists them with their details: SHOW ... EXTENDED
      return { kind: 'List', what, extended: true, verb: 'SHOW', pos }
    }
    const extended = this.acceptKeyword('EXTENDED')
    return { kind: 'DescribeSource', name: this.identifier('a stream or table name'), extended, pos }
  }

  private print(): Statement {
    const pos = this.pos()
    this.expectKeyword('PRINT')
    const t = this.peek()
    let topic: string
    if (t.kind === 'string') topic = this.stringLiteral()
    else if (t.kind === 'quotedIdent') topic = this.identifier()
    else {
      this.identifier('a topic name')
      topic = t.raw
    }
    const fromBeginning = this.acceptKeyword('FROM', 'BEGINNING')
    const interval = this.acceptKeyword('INTERVAL') ? this.integer() : null
    const limit = this.acceptKeyword('LIMIT') ? this.integer() : null
    return { kind: 'Print', topic, fromBeginning, interval, limit, pos }
  }

  private drop(): Statement {
    const pos = this.pos()
    this.expectKeyword('DROP')
    if (this.acceptKeyword('TYPE')) {
      const ifExists = this.acceptKeyword('IF', 'EXISTS')
      return { kind: 'DropType', ifExists, name: this.identifier('a type name'), pos }
    }
    const sourceKind = this.sourceKind()
    const ifExists = this.acceptKeyword('IF', 'EXISTS')
    const name = this.identifier(`a ${sourceKind.toLowerCase()} name`)
    const deleteTopic = this.acceptKeyword('DELETE', 'TOPIC')
    return { kind: 'DropSource', sourceKind, ifExists, name, deleteTopic, pos }
  }

  // ---- types

  type(): TypeNode {
    const t = this.peek()
    if (t.kind === 'quotedIdent') return { kind: 'NamedType', name: this.identifier() }
    if (t.kind !== 'ident') return this.fail('a type')
    this.next()
    if (t.text === 'DECIMAL') {
      this.expectOp('(')
      const precision = this.integer('the precision')
      this.expectOp(',')
      const scale = this.integer('the scale')
      this.expectOp(')')
      return { kind: 'DecimalType', precision, scale }
    }
    if (t.text === 'ARRAY') {
      this.expectOp('<')
      const element = this.type()
      this.expectOp('>')
      return { kind: 'ArrayType', element }
    }
    if (t.text === 'MAP') {
      this.expectOp('<')
      const key = this.type()
      this.expectOp(',')
      const value = this.type()
      this.expectOp('>')
      return { kind: 'MapType', key, value }
    }
    if (t.text === 'STRUCT') {
      this.expectOp('<')
      const fields: Array<{ name: string; type: TypeNode }> = []
      if (!this.isOp('>')) {
        do {
          const name = this.identifier('a field name')
          fields.push({ name, type: this.type() })
        } while (this.acceptOp(','))
      }
      this.expectOp('>')
      return { kind: 'StructType', fields }
    }
    const prim = PRIMITIVES[t.text]
    if (prim !== undefined) return { kind: 'PrimitiveType', name: prim }
    return { kind: 'NamedType', name: t.text }
  }

  // ---- queries

  select(): Select {
    const pos = this.pos()
    this.expectKeyword('SELECT')
    const items: SelectItem[] = []
    do items.push(this.selectItem())
    while (this.acceptOp(','))
    this.expectKeyword('FROM')
    const from = this.aliasedSource()
    const joins: JoinClause[] = []
    for (;;) {
      const jpos = this.pos()
      let type: JoinType | null = null
      if (this.acceptKeyword('JOIN') || this.acceptKeyword('INNER', 'JOIN')) type = 'INNER'
      else if (this.acceptKeyword('LEFT', 'OUTER', 'JOIN') || this.acceptKeyword('LEFT', 'JOIN')) type = 'LEFT'
      else if (this.acceptKeyword('RIGHT', 'OUTER', 'JOIN') || this.acceptKeyword('RIGHT', 'JOIN')) type = 'RIGHT'
      else if (this.acceptKeyword('FULL', 'OUTER', 'JOIN') || this.acceptKeyword('FULL', 'JOIN') || this.acceptKeyword('OUTER', 'JOIN')) type = 'FULL'
      if (type === null) break
      const right = this.aliasedSource()
      const within = this.acceptKeyword('WITHIN') ? this.within() : null
      this.expectKeyword('ON')
      joins.push({ kind: 'Join', type, right, within, on: this.expression(), pos: jpos })
    }
    const window = this.acceptKeyword('WINDOW') ? this.windowExpression() : null
    const where = this.acceptKeyword('WHERE') ? this.expression() : null
    const groupBy = this.acceptKeyword('GROUP', 'BY') ? this.expressionList() : []
    const partitionBy = this.acceptKeyword('PARTITION', 'BY') ? this.expressionList() : []
    const having = this.acceptKeyword('HAVING') ? this.expression() : null
    let emit: 'CHANGES' | 'FINAL' | null = null
    if (this.acceptKeyword('EMIT')) {
      if (this.acceptKeyword('CHANGES')) emit = 'CHANGES'
      else if (this.acceptKeyword('FINAL')) emit = 'FINAL'
      else this.fail("'CHANGES' or 'FINAL'")
    }
    const orderBy: OrderItem[] = []
    if (this.acceptKeyword('ORDER', 'BY')) {
      do {
        const expression = this.expression()
        const descending = this.acceptKeyword('DESC')
        if (!descending) this.acceptKeyword('ASC')
        orderBy.push({ expression, descending })
      } while (this.acceptOp(','))
    }
    const limit = this.acceptKeyword('LIMIT') ? this.integer('a row count') : null
    return { kind: 'Select', items, from, joins, window, where, groupBy, partitionBy, having, emit, orderBy, limit, pos }
  }

  private expressionList(): Expression[] {
    const out: Expression[] = []
    const paren = this.isOp('(') && this.parenthesizedListAhead()
    if (paren) this.next()
    do out.push(this.expression())
    while (this.acceptOp(','))
    if (paren) this.expectOp(')')
    return out
  }

  /** GROUP BY (a, b): a parenthesized list at top level (not a parenthesized single expression followed by more). */
  private parenthesizedListAhead(): boolean {
    let depth = 0
    for (let k = this.i; k < this.tokens.length; k++) {
      const t = this.tokens[k]!
      if (t.kind === 'op' && (t.text === '(' || t.text === '[')) depth++
      else if (t.kind === 'op' && (t.text === ')' || t.text === ']')) {
        depth--
        if (depth === 0) return false
      } else if (t.kind === 'op' && t.text === ',' && depth === 1) return true
      else if (t.kind === 'eof') return false
    }
    return false
  }

  private selectItem(): SelectItem {
    const pos = this.pos()
    if (this.acceptOp('*')) return { kind: 'AllColumns', source: null, pos }
    if ((this.peek().kind === 'ident' || this.peek().kind === 'quotedIdent') && this.isOp('.', 1) && this.isOp('*', 2)) {
      const source = this.identifier()
      this.i += 2
      return { kind: 'AllColumns', source, pos }
    }
    const expression = this.expression()
    let alias: string | null = null
    if (this.acceptKeyword('AS')) alias = this.identifier('an alias')
    else if (this.peek().kind === 'quotedIdent' || (this.peek().kind === 'ident' && !RESERVED.has(this.peek().text))) alias = this.identifier()
    return { kind: 'SingleColumn', expression, alias, pos }
  }

  private aliasedSource(): AliasedSource {
    const pos = this.pos()
    const name = this.identifier('a stream or table name')
    let alias: string | null = null
    if (this.acceptKeyword('AS')) alias = this.identifier('an alias')
    else if (this.peek().kind === 'quotedIdent' || (this.peek().kind === 'ident' && !RESERVED.has(this.peek().text))) alias = this.identifier()
    return { kind: 'AliasedSource', name, alias, pos }
  }

  private duration(): Duration {
    const value = this.integer('a duration')
    const t = this.peek()
    const unit = t.kind === 'ident' ? TIME_UNITS[t.text] : undefined
    if (unit === undefined) return this.fail('a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS)')
    this.next()
    return { value, unit }
  }

  private within(): WithinClause {
    let before: Duration
    let after: Duration
    let symmetric = true
    if (this.acceptOp('(')) {
      before = this.duration()
      this.expectOp(',')
      after = this.duration()
      this.expectOp(')')
      symmetric = false
    } else {
      before = after = this.duration()
    }
    const grace = this.acceptKeyword('GRACE', 'PERIOD') ? this.duration() : null
    return { before, after, symmetric, grace }
  }

  private windowExpression(): WindowExpression {
    const t = this.peek()
    const kinds: WindowKind[] = ['TUMBLING', 'HOPPING', 'SESSION', 'SLIDING']
    const kind = kinds.find((k) => t.kind === 'ident' && t.text === k)
    if (kind === undefined) return this.fail("'TUMBLING', 'HOPPING', 'SESSION' or 'SLIDING'")
    this.next()
    this.expectOp('(')
    let size: Duration | null = null
    let advanceBy: Duration | null = null
    let retention: Duration | null = null
    let grace: Duration | null = null
    if (kind === 'SESSION') size = this.duration()
    else {
      this.expectKeyword('SIZE')
      size = this.duration()
    }
    while (this.acceptOp(',')) {
      if (this.acceptKeyword('ADVANCE', 'BY')) advanceBy = this.duration()
      else if (this.acceptKeyword('RETENTION')) retention = this.duration()
      else if (this.acceptKeyword('GRACE', 'PERIOD')) grace = this.duration()
      else this.fail("'ADVANCE BY', 'RETENTION' or 'GRACE PERIOD'")
    }
    this.expectOp(')')
    if (kind === 'HOPPING' && advanceBy === null) throw new SqlError('PARSE_ERROR', 'HOPPING windows need ADVANCE BY', { position: this.pos(t) })
    if (kind !== 'HOPPING' && advanceBy !== null) throw new SqlError('PARSE_ERROR', `${kind} windows take no ADVANCE BY`, { position: this.pos(t) })
    return { kind, size, advanceBy, retention, grace }
  }

  // ---- expressions, lowest precedence first

  expression(): Expression {
    return this.or()
  }

  private or(): Expression {
    let left = this.and()
    while (this.isKeyword('OR')) {
      const pos = this.pos()
      this.next()
      left = { kind: 'Logical', op: 'OR', left, right: this.and(), pos }
    }
    return left
  }

  private and(): Expression {
    let left = this.not()
    while (this.isKeyword('AND')) {
      const pos = this.pos()
      this.next()
      left = { kind: 'Logical', op: 'AND', left, right: this.not(), pos }
    }
    return left
  }

  private not(): Expression {
    if (this.isKeyword('NOT')) {
      const pos = this.pos()
      this.next()
      return { kind: 'Not', operand: this.not(), pos }
    }
    return this.predicate()
  }

  private predicate(): Expression {
    const left = this.additive()
    const pos = left.pos
    const t = this.peek()
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next()
      const op = (t.text === '!=' ? '<>' : t.text) as ComparisonOp
      return { kind: 'Comparison', op, left, right: this.additive(), pos }
    }
    if (this.isKeyword('IS')) {
      this.next()
      const negated = this.acceptKeyword('NOT')
      if (this.acceptKeyword('NULL')) return { kind: 'IsNull', operand: left, negated, pos }
      if (this.acceptKeyword('DISTINCT', 'FROM')) return { kind: 'IsDistinctFrom', left, right: this.additive(), negated, pos }
      return this.fail("'NULL' or 'DISTINCT FROM'")
    }
    const negated = this.isKeyword('NOT') && (this.isKeyword('BETWEEN', 1) || this.isKeyword('IN', 1) || this.isKeyword('LIKE', 1))
    if (negated) this.next()
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.additive()
      this.expectKeyword('AND')
      return { kind: 'Between', operand: left, low, high: this.additive(), negated, pos }
    }
    if (this.acceptKeyword('IN')) {
      this.expectOp('(')
      const items: Expression[] = []
      do items.push(this.expression())
      while (this.acceptOp(','))
      this.expectOp(')')
      return { kind: 'InList', operand: left, items, negated, pos }
    }
    if (this.acceptKeyword('LIKE')) {
      const pattern = this.additive()
      let escape: string | null = null
      if (this.acceptKeyword('ESCAPE')) {
        const epos = this.peek()
        escape = this.stringLiteral('an escape character in quotes')
        if (escape.length !== 1) throw new SqlError('PARSE_ERROR', `ESCAPE takes one character, got '${escape}'`, { position: this.pos(epos) })
      }
      return { kind: 'Like', operand: left, pattern, escape, negated, pos }
    }
    return left
  }

  private additive(): Expression {
    let left = this.multiplicative()
    for (;;) {
      const t = this.peek()
      if (t.kind !== 'op' || (t.text !== '+' && t.text !== '-' && t.text !== '||')) return left
      this.next()
      left = { kind: 'Arithmetic', op: t.text as ArithmeticOp, left, right: this.multiplicative(), pos: left.pos }
    }
  }

  private multiplicative(): Expression {
    let left = this.unary()
    for (;;) {
      const t = this.peek()
      if (t.kind !== 'op' || (t.text !== '*' && t.text !== '/' && t.text !== '%')) return left
      this.next()
      left = { kind: 'Arithmetic', op: t.text as ArithmeticOp, left, right: this.unary(), pos: left.pos }
    }
  }

  private unary(): Expression {
    const pos = this.pos()
    if (this.isOp('-')) {
      this.next()
      const operand = this.unary()
      if (operand.kind === 'Literal' && (operand.type === 'INTEGER' || operand.type === 'BIGINT' || operand.type === 'DECIMAL' || operand.type === 'DOUBLE') && !operand.value.startsWith('-')) {
        return numberLiteral('-' + operand.value, operand.type === 'DECIMAL' ? 'decimal' : operand.type === 'DOUBLE' ? 'double' : 'integer', pos)
      }
      return { kind: 'Negate', operand, pos }
    }
    if (this.acceptOp('+')) return this.unary()
    return this.postfix()
  }

  private postfix(): Expression {
    let e = this.primary()
    for (;;) {
      if (this.isOp('->')) {
        this.next()
        e = { kind: 'Dereference', base: e, field: this.identifier('a field name'), pos: e.pos }
      } else if (this.isOp('[')) {
        this.next()
        const index = this.expression()
        this.expectOp(']')
        e = { kind: 'Subscript', base: e, index, pos: e.pos }
      } else return e
    }
  }

  private lambdaAhead(): boolean {
    // x => ...   or   (x, y) => ...
    const t = this.peek()
    if ((t.kind === 'ident' || t.kind === 'quotedIdent') && this.isOp('=>', 1)) return true
    if (!this.isOp('(')) return false
    let k = 1
    for (;;) {
      const a = this.peek(k)
      if (a.kind !== 'ident' && a.kind !== 'quotedIdent') return false
      k++
      if (this.isOp(')', k)) return this.isOp('=>', k + 1)
      if (!this.isOp(',', k)) return false
      k++
    }
  }

  private primary(): Expression {
    const t = this.peek()
    const pos = this.pos(t)
    if (this.lambdaAhead()) {
      const params: string[] = []
      if (this.acceptOp('(')) {
        do params.push(this.identifier())
        while (this.acceptOp(','))
        this.expectOp(')')
      } else params.push(this.identifier())
      this.expectOp('=>')
      return { kind: 'Lambda', params, body: this.expression(), pos }
    }
    switch (t.kind) {
      case 'string':
      case 'integer':
      case 'decimal':
      case 'double':
        return this.literal()
      case 'op':
        if (t.text === '(') {
          this.next()
          const e = this.expression()
          this.expectOp(')')
          return e
        }
        return this.fail('an expression')
      case 'quotedIdent':
        return this.columnOrCall()
      case 'ident':
        break
      default:
        return this.fail('an expression')
    }
    switch (t.text) {
      case 'TRUE':
      case 'FALSE':
      case 'NULL':
        return this.literal()
      case 'CASE':
        return this.caseExpression()
      case 'CAST': {
        this.next()
        this.expectOp('(')
        const operand = this.expression()
        this.expectKeyword('AS')
        const type = this.type()
        this.expectOp(')')
        return { kind: 'Cast', operand, type, pos }
      }
      case 'ARRAY':
        if (this.isOp('[', 1)) {
          this.next()
          this.next()
          const items: Expression[] = []
          if (!this.isOp(']')) {
            do items.push(this.expression())
            while (this.acceptOp(','))
          }
          this.expectOp(']')
          return { kind: 'ArrayConstructor', items, pos }
        }
        break
      case 'MAP':
        if (this.isOp('(', 1)) {
          this.next()
          this.next()
          const entries: Array<{ key: Expression; value: Expression }> = []
          if (!this.isOp(')')) {
            do {
              const key = this.expression()
              this.expectOp(':=')
              entries.push({ key, value: this.expression() })
            } while (this.acceptOp(','))
          }
          this.expectOp(')')
          return { kind: 'MapConstructor', entries, pos }
        }
        break
      case 'STRUCT':
        if (this.isOp('(', 1)) {
          this.next()
          this.next()
          const fields: Array<{ name: string; value: Expression }> = []
          if (!this.isOp(')')) {
            do {
              const name = this.identifier('a field name')
              this.expectOp(':=')
              fields.push({ name, value: this.expression() })
            } while (this.acceptOp(','))
          }
          this.expectOp(')')
          return { kind: 'StructConstructor', fields, pos }
        }
        break
    }
    if (RESERVED.has(t.text) && !this.isOp('(', 1)) return this.fail('an expression')
    return this.columnOrCall()
  }

  private columnOrCall(): Expression {
    const t = this.peek()
    const pos = this.pos(t)
    const first = this.identifier()
    if (this.isOp('(')) {
      this.next()
      if (this.acceptOp('*')) {
        this.expectOp(')')
        return { kind: 'FunctionCall', name: first, args: [], star: true, pos }
      }
      const args: Expression[] = []
      if (!this.isOp(')')) {
        do args.push(this.expression())
        while (this.acceptOp(','))
      }
      this.expectOp(')')
      return { kind: 'FunctionCall', name: t.kind === 'quotedIdent' ? first : first.toUpperCase(), args, star: false, pos }
    }
    if (this.isOp('.') && (this.peek(1).kind === 'ident' || this.peek(1).kind === 'quotedIdent')) {
      this.next()
      return { kind: 'ColumnRef', source: first, name: this.identifier(), pos }
    }
    return { kind: 'ColumnRef', source: null, name: first, pos }
  }

  private caseExpression(): Expression {
    const pos = this.pos()
    this.expectKeyword('CASE')
    const operand = this.isKeyword('WHEN') ? null : this.expression()
    const whens: WhenClause[] = []
    while (this.acceptKeyword('WHEN')) {
      const when = this.expression()
      this.expectKeyword('THEN')
      whens.push({ when, then: this.expression() })
    }
    if (whens.length === 0) this.fail("'WHEN'")
    const otherwise = this.acceptKeyword('ELSE') ? this.expression() : null
    this.expectKeyword('END')
    return { kind: 'Case', operand, whens, otherwise, pos }
  }
}

function numberLiteral(text: string, kind: 'integer' | 'decimal' | 'double', pos: SourcePosition): Literal {
  if (kind === 'double') return { kind: 'Literal', type: 'DOUBLE', value: text, pos }
  if (kind === 'decimal') return { kind: 'Literal', type: 'DECIMAL', value: text, pos }
  const n = Number(text)
  if (n >= -2147483648 && n <= 2147483647) return { kind: 'Literal', type: 'INTEGER', value: text, pos }
  return { kind: 'Literal', type: 'BIGINT', value: text, pos }
}
