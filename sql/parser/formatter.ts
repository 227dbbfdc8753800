// AST -> SQL text. parse(format(ast)) gives back the same tree (the round-trip tests hold it to that).
// Identifiers are back-quoted when they would not read back the same unquoted.
import type { Expression, Literal } from './ast/expressions.js'
import type { Duration, Select, SelectItem, WindowExpression } from './ast/query.js'
import type { ColumnDefinition, Property, Statement } from './ast/statements.js'
import type { TypeNode } from './ast/types.js'

const KEYWORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'WINDOW', 'PARTITION', 'EMIT', 'LIMIT', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL',
  'OUTER', 'ON', 'WITHIN', 'AS', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'LIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'TRUE', 'FALSE', 'CAST', 'DISTINCT', 'ESCAPE', 'WITH', 'GRACE', 'CREATE', 'INSERT', 'INTO', 'VALUES', 'ARRAY', 'MAP', 'STRUCT',
  'KEY', 'PRIMARY', 'HEADERS', 'HEADER', 'EXTENDED', 'DELETE', 'TOPIC', 'ORDER', 'ASC', 'DESC',
])

export function formatIdentifier(name: string): string {
  if (/^[A-Z_][A-Z0-9_@$]*$/.test(name) && !KEYWORDS.has(name)) return name
  return '`' + name + '`'
}

function str(s: string): string {
  return `'${s.replace(/'/g, "''")}'`
}

export function formatType(t: TypeNode): string {
  switch (t.kind) {
    case 'PrimitiveType':
      return t.name
    case 'DecimalType':
      return `DECIMAL(${t.precision}, ${t.scale})`
    case 'ArrayType':
      return `ARRAY<${formatType(t.element)}>`
    case 'MapType':
      return `MAP<${formatType(t.key)}, ${formatType(t.value)}>`
    case 'StructType':
      return `STRUCT<${t.fields.map((f) => `${formatIdentifier(f.name)} ${formatType(f.type)}`).join(', ')}>`
    case 'NamedType':
      return formatIdentifier(t.name)
  }
}

function literal(l: Literal): string {
  return l.type === 'STRING' ? str(l.value) : l.value
}

/** Expressions are fully parenthesized below the top, so precedence never changes on a round trip. */
export function formatExpression(e: Expression): string {
  switch (e.kind) {
    case 'Literal':
      return literal(e)
    case 'ColumnRef':
      return e.source === null ? formatIdentifier(e.name) : `${formatIdentifier(e.source)}.${formatIdentifier(e.name)}`
    case 'Dereference':
      return `${sub(e.base)}->${formatIdentifier(e.field)}`
    case 'Subscript':
      return `${sub(e.base)}[${formatExpression(e.index)}]`
    case 'FunctionCall':
      return `${/^[A-Z_][A-Z0-9_]*$/.test(e.name) ? e.name : formatIdentifier(e.name)}(${e.star ? '*' : e.args.map(formatExpression).join(', ')})`
    case 'Arithmetic':
    case 'Comparison':
    case 'Logical':
      return `${sub(e.left)} ${e.op} ${sub(e.right)}`
    case 'Not':
      return `NOT ${sub(e.operand)}`
    case 'Negate':
      return `-${sub(e.operand)}`
    case 'IsNull':
      return `${sub(e.operand)} IS ${e.negated ? 'NOT ' : ''}NULL`
    case 'IsDistinctFrom':
      return `${sub(e.left)} IS ${e.negated ? 'NOT ' : ''}DISTINCT FROM ${sub(e.right)}`
    case 'Between':
      return `${sub(e.operand)} ${e.negated ? 'NOT ' : ''}BETWEEN ${sub(e.low)} AND ${sub(e.high)}`
    case 'InList':
      return `${sub(e.operand)} ${e.negated ? 'NOT ' : ''}IN (${e.items.map(formatExpression).join(', ')})`
    case 'Like':
      return `${sub(e.operand)} ${e.negated ? 'NOT ' : ''}LIKE ${sub(e.pattern)}${e.escape === null ? '' : ` ESCAPE ${str(e.escape)}`}`
    case 'Case':
      return `CASE${e.operand === null ? '' : ' ' + formatExpression(e.operand)}${e.whens.map((w) => ` WHEN ${formatExpression(w.when)} THEN ${formatExpression(w.then)}`).join('')}${e.otherwise === null ? '' : ' ELSE ' + formatExpression(e.otherwise)} END`
    case 'Cast':
      return `CAST(${formatExpression(e.operand)} AS ${formatType(e.type)})`
    case 'ArrayConstructor':
      return `ARRAY[${e.items.map(formatExpression).join(', ')}]`
    case 'MapConstructor':
      return `MAP(${e.entries.map((x) => `${formatExpression(x.key)} := ${formatExpression(x.value)}`).join(', ')})`
    case 'StructConstructor':
      return `STRUCT(${e.fields.map((x) => `${formatIdentifier(x.name)} := ${formatExpression(x.value)}`).join(', ')})`
    case 'Lambda':
      return `(${e.params.map(formatIdentifier).join(', ')}) => ${formatExpression(e.body)}`
  }
}

function sub(e: Expression): string {
  switch (e.kind) {
    case 'Literal':
      return e.value.startsWith('-') ? `(${literal(e)})` : literal(e)
    case 'ColumnRef':
    case 'FunctionCall':
    case 'Dereference':
    case 'Subscript':
    case 'Case':
    case 'Cast':
    case 'ArrayConstructor':
    case 'MapConstructor':
    case 'StructConstructor':
      return formatExpression(e)
    default:
      return `(${formatExpression(e)})`
  }
}

function duration(d: Duration): string {
  return `${d.value} ${d.unit}`
}

function properties(props: readonly Property[]): string {
  return props.length === 0 ? '' : ` WITH (${props.map((p) => `${p.name}=${literal(p.value)}`).join(', ')})`
}

function column(c: ColumnDefinition): string {
  const k = c.constraint
  const suffix = k === null ? '' : k.kind === 'KEY' ? ' KEY' : k.kind === 'PRIMARY_KEY' ? ' PRIMARY KEY' : k.kind === 'HEADERS' ? ' HEADERS' : ` HEADER(${str(k.key)})`
  return `${formatIdentifier(c.name)} ${formatType(c.type)}${suffix}`
}

function selectItem(i: SelectItem): string {
  if (i.kind === 'AllColumns') return i.source === null ? '*' : `${formatIdentifier(i.source)}.*`
  return formatExpression(i.expression) + (i.alias === null ? '' : ` AS ${formatIdentifier(i.alias)}`)
}

function windowExpr(w: WindowExpression): string {
  const parts = [w.kind === 'SESSION' ? duration(w.size) : `SIZE ${duration(w.size)}`]
  if (w.advanceBy !== null) parts.push(`ADVANCE BY ${duration(w.advanceBy)}`)
  if (w.retention !== null) parts.push(`RETENTION ${duration(w.retention)}`)
  if (w.grace !== null) parts.push(`GRACE PERIOD ${duration(w.grace)}`)
  return `${w.kind} (${parts.join(', ')})`
}

export function formatSelect(q: Select): string {
  let s = `SELECT ${q.items.map(selectItem).join(', ')}\nFROM ${formatIdentifier(q.from.name)}${q.from.alias === null ? '' : ' ' + formatIdentifier(q.from.alias)}`
  for (const j of q.joins) {
    s += `\n${j.type} JOIN ${formatIdentifier(j.right.name)}${j.right.alias === null ? '' : ' ' + formatIdentifier(j.right.alias)}`
    if (j.within !== null) {
      s += j.within.symmetric ? ` WITHIN ${duration(j.within.before)}` : ` WITHIN (${duration(j.within.before)}, ${duration(j.within.after)})`
      if (j.within.grace !== null) s += ` GRACE PERIOD ${duration(j.within.grace)}`
    }
    s += ` ON ${formatExpression(j.on)}`
  }
  if (q.window !== null) s += `\nWINDOW ${windowExpr(q.window)}`
  if (q.where !== null) s += `\nWHERE ${formatExpression(q.where)}`
  if (q.groupBy.length > 0) s += `\nGROUP BY ${q.groupBy.map(formatExpression).join(', ')}`
  if (q.partitionBy.length > 0) s += `\nPARTITION BY ${q.partitionBy.map(formatExpression).join(', ')}`
  if (q.having !== null) s += `\nHAVING ${formatExpression(q.having)}`
  if (q.emit !== null) s += `\nEMIT ${q.emit}`
  if (q.orderBy.length > 0) s += `\nORDER BY ${q.orderBy.map((o) => formatExpression(o.expression) + (o.descending ? ' DESC' : '')).join(', ')}`
  if (q.limit !== null) s += `\nLIMIT ${q.limit}`
  return s
}

/** The statement as SQL text, without the terminating semicolon. */
export function formatStatement(st: Statement): string {
  switch (st.kind) {
    case 'CreateSource':
      return `CREATE ${st.orReplace ? 'OR REPLACE ' : ''}${st.isSource ? 'SOURCE ' : ''}${st.sourceKind} ${st.ifNotExists ? 'IF NOT EXISTS ' : ''}${formatIdentifier(st.name)}${st.columns.length > 0 ? ` (${st.columns.map(column).join(', ')})` : ''}${properties(st.properties)}`
    case 'CreateAsSelect':
      return `CREATE ${st.orReplace ? 'OR REPLACE ' : ''}${st.sourceKind} ${st.ifNotExists ? 'IF NOT EXISTS ' : ''}${formatIdentifier(st.name)}${properties(st.properties)} AS ${formatSelect(st.query)}`
    case 'InsertInto':
      return `INSERT INTO ${formatIdentifier(st.target)}${properties(st.properties)} ${formatSelect(st.query)}`
    case 'InsertValues':
      return `INSERT INTO ${formatIdentifier(st.target)}${st.columns.length > 0 ? ` (${st.columns.map(formatIdentifier).join(', ')})` : ''} VALUES (${st.values.map(formatExpression).join(', ')})`
    case 'Query':
      return formatSelect(st.query)
    case 'DropSource':
      return `DROP ${st.sourceKind} ${st.ifExists ? 'IF EXISTS ' : ''}${formatIdentifier(st.name)}${st.deleteTopic ? ' DELETE TOPIC' : ''}`
    case 'CreateType':
      return `CREATE TYPE ${st.ifNotExists ? 'IF NOT EXISTS ' : ''}${formatIdentifier(st.name)} AS ${formatType(st.type)}`
    case 'DropType':
      return `DROP TYPE ${st.ifExists ? 'IF EXISTS ' : ''}${formatIdentifier(st.name)}`
    case 'List':
      return `${st.verb} ${st.what}${st.extended ? ' EXTENDED' : ''}`
    case 'DescribeSource':
      return `DESCRIBE ${st.extended ? 'EXTENDED ' : ''}${formatIdentifier(st.name)}`
    case 'DescribeFunction':
      return `DESCRIBE FUNCTION ${formatIdentifier(st.name)}`
    case 'Explain':
      return `EXPLAIN ${st.queryId !== null ? formatIdentifier(st.queryId) : formatStatement(st.statement!)}`
    case 'Print':
      return `PRINT ${str(st.topic)}${st.fromBeginning ? ' FROM BEGINNING' : ''}${st.interval !== null ? ` INTERVAL ${st.interval}` : ''}${st.limit !== null ? ` LIMIT ${st.limit}` : ''}`
    case 'Terminate':
      return `TERMINATE ${st.queryId === null ? 'ALL' : formatIdentifier(st.queryId)}`
    case 'PauseResume':
      return `${st.action} ${st.queryId === null ? 'ALL' : formatIdentifier(st.queryId)}`
    case 'SetProperty':
      return `SET ${str(st.name)}=${str(st.value)}`
    case 'UnsetProperty':
      return `UNSET ${str(st.name)}`
    case 'DefineVariable':
      return `DEFINE ${st.name}=${str(st.value)}`
    case 'UndefineVariable':
      return `UNDEFINE ${st.name}`
    case 'RunScript':
      return `RUN SCRIPT ${str(st.path)}`
    case 'CreateConnector':
      return `CREATE ${st.connectorType} CONNECTOR ${st.ifNotExists ? 'IF NOT EXISTS ' : ''}${formatIdentifier(st.name)} WITH (${st.properties.map((p) => `${str(p.key)}=${str(p.value)}`).join(', ')})`
    case 'ListConnectors':
      return `SHOW ${st.connectorType === null ? '' : `${st.connectorType} `}CONNECTORS`
    case 'DescribeConnector':
      return `DESCRIBE CONNECTOR ${formatIdentifier(st.name)}`
    case 'DropConnector':
      return `DROP CONNECTOR ${st.ifExists ? 'IF EXISTS ' : ''}${formatIdentifier(st.name)}`
  }
}
