// Rejected statements: what is wrong and where, and nothing created.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlError } from '../../sql/errors.js'

async function engine(): Promise<{ e: KsqlEngine; rt: DriverRuntime }> {
  const rt = new DriverRuntime()
  const e = await KsqlEngine.create({ runtime: rt })
  await e.execute(`
    CREATE STREAM orders (id INT KEY, item STRING, amount DOUBLE, qty INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=2);
    CREATE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
    CREATE STREAM clicks (id INT KEY, url STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
  `)
  return { e, rt }
}

async function rejection(sql: string): Promise<SqlError> {
  const { e, rt } = await engine()
  const sourcesBefore = e.listSources().map((s) => s.name).sort()
  const topicsBefore = await rt.listTopics()
  let err: unknown = null
  try {
    await e.execute(sql)
  } catch (x) {
    err = x
  }
  expect(err, sql).toBeInstanceOf(SqlError)
  // a rejected statement changes nothing
  expect(e.listSources().map((s) => s.name).sort()).toEqual(sourcesBefore)
  expect(e.listQueries()).toEqual([])
  expect(await rt.listTopics()).toEqual(topicsBefore)
  await e.close()
  return err as SqlError
}

describe('analyzer errors', () => {
  it('names an unknown column, where it is, and the columns available', async () => {
    const err = await rejection('CREATE STREAM s2 AS SELECT id,\n  itme FROM orders;')
    expect(err.code).toBe('UNKNOWN_COLUMN')
    expect(err.message).toContain("Column 'ITME' cannot be resolved. Available columns: ORDERS.ID, ORDERS.ITEM, ORDERS.AMOUNT, ORDERS.QTY, ORDERS.ROWTIME")
    expect(err.position).toEqual({ line: 2, column: 3 })
  })

  it('names both types in a type error', async () => {
    const err = await rejection("CREATE STREAM s2 AS SELECT id, amount + item AS x FROM orders;")
    expect(err.code).toBe('TYPE_ERROR')
    expect(err.message).toMatch(/Unsupported arithmetic types\. DOUBLE STRING/)
    const where = await rejection("CREATE STREAM s2 AS SELECT id FROM orders WHERE qty = 'many';")
    expect(where.message).toContain('(INTEGER) to ')
    expect(where.message).toContain('(STRING)')
  })

  it('lists the function signatures that exist', async () => {
    const err = await rejection("CREATE STREAM s2 AS SELECT id, UCASE(qty) AS x FROM orders;")
    expect(err.code).toBe('FUNCTION_ERROR')
    expect(err.message).toMatch(/UCASE/)
    expect(err.message).toMatch(/STRING/)
    const unknown = await rejection('CREATE STREAM s2 AS SELECT id, NOPE(qty) AS x FROM orders;')
    expect(unknown.message).toContain("Can't find any functions with the name 'NOPE'")
  })

  it('rejects an unknown source and a missing key in the projection', async () => {
    expect((await rejection('CREATE STREAM s2 AS SELECT * FROM nowhere;')).message).toContain('NOWHERE does not exist.')
    expect((await rejection('CREATE STREAM s2 AS SELECT item FROM orders;')).message).toContain('Key missing from projection')
    expect((await rejection('CREATE TABLE t AS SELECT COUNT(*) AS n FROM orders GROUP BY item;')).message).toContain('Key missing from projection')
  })

  it('rejects non-aggregated columns, HAVING without GROUP BY, CSAS producing a table', async () => {
    expect((await rejection('CREATE TABLE t AS SELECT item, qty, COUNT(*) FROM orders GROUP BY item;')).message).toContain('Non-aggregate SELECT expression(s) not part of GROUP BY: QTY')
    expect((await rejection('CREATE STREAM s2 AS SELECT id FROM orders HAVING qty > 1;')).message).toContain('HAVING clause requires a GROUP BY clause.')
    expect((await rejection('CREATE STREAM s2 AS SELECT item, COUNT(*) FROM orders GROUP BY item;')).message).toContain('Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead.')
  })

  it('applies ksqlDB join rules: WITHIN for stream-stream, table keys, join order, co-partitioning', async () => {
    expect((await rejection('CREATE STREAM j AS SELECT o.id, c.url FROM orders o JOIN clicks c ON o.id = c.id;')).message).toContain('Stream-Stream joins must have a WITHIN clause specified')
    expect((await rejection('CREATE STREAM j AS SELECT o.id, u.name FROM orders o JOIN users u ON o.qty = u.name;')).message).toContain("types don't match")
    expect((await rejection('CREATE STREAM j AS SELECT o.id, u.id AS uid FROM orders o JOIN users u ON o.id = u.id;')).message).toContain("Can't join `O` with `U` since the number of partitions don't match. `O` partitions = 2; `U` partitions = 1.")
    expect((await rejection('CREATE TABLE j AS SELECT u.id, o.item FROM users u JOIN orders o ON u.id = o.id;')).message).toContain('Invalid join order: table-stream joins are not supported; only stream-table joins.')
    expect((await rejection('CREATE STREAM j AS SELECT c.id, u.name FROM clicks c FULL OUTER JOIN users u ON c.id = u.id;')).message).toContain('full-outer join not supported for stream-table join')
  })

  it('refuses CREATE TABLE without a PRIMARY KEY and streams with PRIMARY KEY, naming the column', async () => {
    expect((await rejection("CREATE TABLE t (a INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');")).message).toContain('Tables require a PRIMARY KEY')
    expect((await rejection("CREATE STREAM t (a INT PRIMARY KEY, b INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON');")).message).toContain("Column `A` is a 'PRIMARY KEY' column: please use 'KEY' for streams.")
    expect((await rejection("CREATE STREAM t (a INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', FOO=1);")).message).toContain('Invalid config variable(s) in the WITH clause: FOO')
    expect((await rejection("CREATE STREAM t (a INT, b STRING) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='KAFKA');")).message).toContain("The 'KAFKA' format only supports a single field.")
  })

  it('refuses DROP while queries use the source and names them; TERMINATE then DROP works', async () => {
    const { e } = await engine()
    const [r] = await e.execute('CREATE STREAM big AS SELECT id, item FROM orders WHERE qty > 1;')
    expect(r!.queryId).toBe('CSAS_BIG_3')
    await expect(e.execute('DROP STREAM orders;')).rejects.toThrow('Cannot drop ORDERS.\nThe following queries read from this source: [CSAS_BIG_3].\nThe following queries write into this source: [].\nYou need to terminate them before dropping ORDERS.')
    await expect(e.execute('DROP STREAM big;')).rejects.toThrow('The following queries write into this source: [CSAS_BIG_3]')
    await e.execute('TERMINATE CSAS_BIG_3; DROP STREAM big; DROP STREAM orders;')
    expect(e.listSources().map((s) => s.name).sort()).toEqual(['CLICKS', 'KSQL_PROCESSING_LOG', 'USERS'])
    await e.close()
  })

  it('allows CREATE OR REPLACE that keeps the state, refuses one that would orphan it', async () => {
    const { e } = await engine()
    await e.execute('CREATE TABLE t AS SELECT item, COUNT(*) AS n FROM orders GROUP BY item;')
    const id = e.listQueries()[0]!.id
    await e.execute('CREATE OR REPLACE TABLE t AS SELECT item, COUNT(*) AS n FROM orders WHERE qty > 0 GROUP BY item;')
    expect(e.listQueries().map((q) => q.id)).toEqual([id])
    await expect(e.execute('CREATE OR REPLACE TABLE t AS SELECT item, SUM(qty) AS n FROM orders GROUP BY item;')).rejects.toThrow(/state stores and internal topics would be orphaned/)
    await e.close()
  })

  it('explains a query: logical plan, topology and Mermaid', async () => {
    const { e } = await engine()
    const [r] = await e.execute('EXPLAIN CREATE TABLE t AS SELECT item, COUNT(*) AS n FROM orders WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY item EMIT FINAL;')
    expect(r!.message).toContain('[ AGGREGATE ] | GROUP BY ITEM (repartition) | COUNT(*) | WINDOW TUMBLING')
    expect(r!.message).toContain('[ SOURCE ]')
    expect(r!.message).toContain('flowchart TD')
    expect(r!.message).toContain('Sub-topology')
    await e.close()
  })
})
