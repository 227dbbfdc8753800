// A Select pulled again runs its prepared plan (no analysis, no compilation per call) while the
// catalog it was prepared against holds; catalog changes prepare it again.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { createBuiltinRegistry } from '../../sql/functions/builtin.js'
import type { FunctionRegistry } from '../../sql/functions/registry-types.js'
import { parseStatement } from '../../sql/parser/parser.js'
import type { Select } from '../../sql/parser/ast/query.js'

/** The builtin registry, counting how often the compiler resolves a function. */
function countingRegistry(): { registry: FunctionRegistry; resolved: () => number } {
  const inner = createBuiltinRegistry()
  let n = 0
  const registry: FunctionRegistry = {
    get: (name) => inner.get(name),
    list: () => inner.list(),
    resolve: (name, args) => {
      n++
      return inner.resolve(name, args)
    },
    register: (fn) => inner.register(fn),
  }
  return { registry, resolved: () => n }
}

function select(sql: string): Select {
  const st = parseStatement(sql)
  if (st.kind !== 'Query') throw new Error(`not a query: ${sql}`)
  return st.query
}

describe('prepared pull queries', () => {
  it('compiles a Select once however often it is pulled, and gives the current rows each time', async () => {
    const { registry, resolved } = countingRegistry()
    const e = await KsqlEngine.create({ runtime: new DriverRuntime(), registry })
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM s (id INT KEY, shop STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE t AS SELECT shop, COUNT(*) AS n FROM s GROUP BY shop;")
    await e.execute("INSERT INTO s (id, shop) VALUES (1, 'alpha');")
    const q = select("SELECT shop, n, UCASE(shop) AS up FROM t WHERE shop = LCASE('ALPHA');")
    expect(await e.pull(q)).toEqual({ header: ['SHOP', 'N', 'UP'], rows: [['alpha', 1, 'ALPHA']] })
    const after = resolved()
    expect(after).toBeGreaterThan(0)
    await e.execute("INSERT INTO s (id, shop) VALUES (2, 'alpha');")
    for (let i = 0; i < 5; i++) expect((await e.pull(q)).rows).toEqual([['alpha', 2, 'ALPHA']])
    expect(resolved()).toBe(after)
    await e.close()
  })

  it('reuses the plan of a pull query executed again as the same text', async () => {
    const { registry, resolved } = countingRegistry()
    const e = await KsqlEngine.create({ runtime: new DriverRuntime(), registry })
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM s (id INT KEY, shop STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE t AS SELECT shop, COUNT(*) AS n FROM s GROUP BY shop;")
    await e.execute("INSERT INTO s (id, shop) VALUES (1, 'alpha');")
    const text = "SELECT shop, UCASE(shop) AS up, n FROM t WHERE shop = 'alpha';"
    expect((await e.execute(text))[0]!.rows).toEqual([['alpha', 'ALPHA', 1]])
    const after = resolved()
    await e.execute("INSERT INTO s (id, shop) VALUES (2, 'alpha');")
    expect((await e.execute(text))[0]!.rows).toEqual([['alpha', 'ALPHA', 2]])
    expect(resolved()).toBe(after)
    await e.close()
  })

  it('prepares again after the catalog changes: a dropped table is an error, a recreated one answers', async () => {
    const e = await KsqlEngine.create({ runtime: new DriverRuntime() })
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM s (id INT KEY, shop STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE t AS SELECT shop, COUNT(*) AS n FROM s GROUP BY shop;")
    await e.execute("INSERT INTO s (id, shop) VALUES (1, 'alpha');")
    const q = select("SELECT * FROM t WHERE shop = 'alpha';")
    expect((await e.pull(q)).rows).toEqual([['alpha', 1]])
    await e.execute(`TERMINATE ${e.listQueries()[0]!.id}; DROP TABLE t;`)
    await expect(e.pull(q)).rejects.toThrow(/T does not exist/)
    await e.execute('CREATE TABLE t AS SELECT shop, COUNT(*) AS n, COUNT(*) * 10 AS tens FROM s GROUP BY shop;')
    expect(await e.pull(q)).toEqual({ header: ['SHOP', 'N', 'TENS'], rows: [['alpha', 1, 10]] })
    await e.close()
  })
})
