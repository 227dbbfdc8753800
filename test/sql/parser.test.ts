import { describe, expect, it } from 'vitest'
import { parseStatement, parseStatements, parseExpression, splitStatements, substituteVariables } from '../../sql/parser/parser.js'
import { formatStatement } from '../../sql/parser/formatter.js'
import { SqlError } from '../../sql/errors.js'

/** The tree without source positions, for comparing a statement with its formatted-and-reparsed self. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip)
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (k !== 'pos') out[k] = strip(x)
    return out
  }
  return v
}

const STATEMENTS = [
  "CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR KEY, pageid STRING) WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON', PARTITIONS=1)",
  "CREATE OR REPLACE SOURCE TABLE users (id STRING PRIMARY KEY, regionid STRING, tags ARRAY<STRING>, props MAP<STRING, INT>, addr STRUCT<street STRING, `Zip` INT>, price DECIMAL(10, 2), h BYTES HEADER('trace'), hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) WITH (KAFKA_TOPIC='users', FORMAT='JSON')",
  "CREATE STREAM IF NOT EXISTS s2 WITH (KAFKA_TOPIC='x') AS SELECT a, b * 2 AS c, UCASE(d) e FROM s1 WHERE a > 10 AND NOT (b IS NULL) PARTITION BY b EMIT CHANGES",
  'CREATE TABLE counts AS SELECT region, COUNT(*) AS cnt, SUM(amount) total FROM orders WINDOW TUMBLING (SIZE 1 HOUR, RETENTION 2 DAYS, GRACE PERIOD 10 MINUTES) GROUP BY region HAVING COUNT(*) > 1 EMIT FINAL',
  'CREATE TABLE h AS SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY k EMIT CHANGES',
  'CREATE TABLE h AS SELECT k, COUNT(*) FROM s WINDOW SESSION (5 MINUTES) GROUP BY k, j',
  'CREATE TABLE h AS SELECT k, COUNT(*) FROM s WINDOW SLIDING (SIZE 5 MINUTES, GRACE PERIOD 0 SECONDS) GROUP BY k',
  'SELECT o.id, c.name FROM orders o LEFT JOIN shipments s WITHIN (1 HOUR, 2 HOURS) GRACE PERIOD 5 MINUTES ON o.id = s.order_id FULL OUTER JOIN customers AS c ON o.cid = c.id EMIT CHANGES LIMIT 10',
  "SELECT * FROM t WHERE k = 'a' OR k IN ('b', 'c') OR v BETWEEN 1 AND 5 OR s LIKE 'a%' ESCAPE '\\' OR s NOT LIKE '%x' OR a IS NOT DISTINCT FROM b",
  "SELECT CASE WHEN a < 0 THEN 'neg' WHEN a = 0 THEN 'zero' ELSE 'pos' END, CASE a WHEN 1 THEN 'one' END, CAST(a AS DECIMAL(5, 2)) FROM t",
  "SELECT s->street, arr[1], m['k'], ARRAY[1, 2, 3], MAP('a' := 1, 'b' := 2), STRUCT(x := 1, y := 'z'), TRANSFORM(arr, x => x + 1), REDUCE(arr, 0, (s, x) => s + x), -a, 'a' || 'b', a % 3 FROM t",
  'SELECT * FROM t WHERE ROWTIME >= 1000 AND WINDOWSTART < 5 LIMIT 3',
  'SELECT k, n FROM t WHERE n > 1 ORDER BY n DESC, k LIMIT 2',
  "INSERT INTO s1 SELECT * FROM s2",
  "INSERT INTO s1 (a, b) VALUES (1, 'x')",
  "INSERT INTO s1 VALUES (1.5, 2e3, -4, TRUE, NULL)",
  'SHOW STREAMS', 'LIST TABLES EXTENDED', 'SHOW TOPICS', 'SHOW QUERIES', 'SHOW PROPERTIES', 'SHOW FUNCTIONS', 'SHOW TYPES', 'SHOW VARIABLES',
  'DESCRIBE users', 'DESCRIBE EXTENDED users', 'DESCRIBE FUNCTION SUBSTRING',
  'EXPLAIN CSAS_S2_0', 'EXPLAIN SELECT * FROM t EMIT CHANGES',
  "PRINT 'pageviews' FROM BEGINNING LIMIT 3",
  'DROP STREAM IF EXISTS s DELETE TOPIC', 'DROP TABLE t',
  'TERMINATE CTAS_X_1', 'TERMINATE ALL', 'PAUSE ALL', 'RESUME q1',
  "SET 'auto.offset.reset'='earliest'", "UNSET 'auto.offset.reset'",
  "DEFINE topic='abc'", 'UNDEFINE topic',
  'CREATE TYPE IF NOT EXISTS address AS STRUCT<number INT, street STRING>', 'DROP TYPE IF EXISTS address',
  "RUN SCRIPT '/tmp/x.sql'",
]

describe('parser', () => {
  it.each(STATEMENTS)('round-trips %s', (sql) => {
    const ast = parseStatement(sql)
    const again = parseStatement(formatStatement(ast))
    expect(strip(again)).toEqual(strip(ast))
  })

  it('builds the tree ksqlDB would for a CSAS', () => {
    const st = parseStatement("create stream big as select id, amount from orders where amount > 100.50 emit changes;")
    expect(st.kind).toBe('CreateAsSelect')
    if (st.kind !== 'CreateAsSelect') return
    expect(st.name).toBe('BIG')
    expect(st.sourceKind).toBe('STREAM')
    expect(st.query.where).toMatchObject({ kind: 'Comparison', op: '>', left: { kind: 'ColumnRef', name: 'AMOUNT' }, right: { kind: 'Literal', type: 'DECIMAL', value: '100.50' } })
    expect(st.query.emit).toBe('CHANGES')
  })

  it('gives AND precedence over OR and multiplication over addition', () => {
    expect(strip(parseExpression('a OR b AND c'))).toMatchObject({ op: 'OR', right: { op: 'AND' } })
    expect(strip(parseExpression('1 + 2 * 3'))).toMatchObject({ op: '+', right: { op: '*' } })
    expect(strip(parseExpression('NOT a = b'))).toMatchObject({ kind: 'Not', operand: { kind: 'Comparison' } })
  })

  it('types integer literals INTEGER within 32 bits and BIGINT beyond', () => {
    expect(parseExpression('2147483647')).toMatchObject({ type: 'INTEGER' })
    expect(parseExpression('2147483648')).toMatchObject({ type: 'BIGINT' })
  })

  it('parses a script into statements with their text', () => {
    const all = parseStatements('SHOW STREAMS;\n-- c\nSELECT * FROM t;  ')
    expect(all.map((s) => s.text)).toEqual(['SHOW STREAMS', 'SELECT * FROM t'])
  })

  it('reports line, column and what was expected', () => {
    const cases: Array<[string, number, number, string]> = [
      ['SELECT a FROM', 1, 14, 'expecting a stream or table name'],
      ['CREATE STREAM s (a INT,\n  b) WITH (x=1)', 2, 4, 'expecting a type'],
      ['SELECT a FROM s WINDOW ROLLING (SIZE 1 SECOND)', 1, 24, "'TUMBLING', 'HOPPING', 'SESSION' or 'SLIDING'"],
      ['CREATE TABLE t AS SELECT * FROM s WINDOW TUMBLING (SIZE 10 FORTNIGHTS)', 1, 60, 'a time unit'],
      ['SELEC * FROM t', 1, 1, 'a statement'],
    ]
    for (const [sql, line, column, expected] of cases) {
      let err: unknown
      try {
        parseStatement(sql)
      } catch (e) {
        err = e
      }
      expect(err, sql).toBeInstanceOf(SqlError)
      expect((err as SqlError).position, sql).toEqual({ line, column })
      expect((err as SqlError).message, sql).toContain(expected)
    }
  })

  it('splits scripts at top-level semicolons only', () => {
    const parts = splitStatements("SELECT ';' FROM t; -- a;b\nSHOW STREAMS;")
    expect(parts.map((p) => [p.text.trim(), p.line])).toEqual([
      ["SELECT ';' FROM t", 1],
      ['-- a;b\nSHOW STREAMS', 1],
    ])
  })

  it('substitutes ${variables} and rejects unknown ones', () => {
    expect(substituteVariables("SELECT * FROM ${src} WHERE x = '${v}'", new Map([['src', 'T'], ['v', '1']]))).toBe("SELECT * FROM T WHERE x = '1'")
    expect(() => substituteVariables('SELECT ${nope}', new Map())).toThrow(/Variable 'nope' is not defined/)
  })
})
