// Pull queries over materialized tables (driver runtime): key lookups, IN, LIKE, BETWEEN on any
// column, ORDER BY, LIMIT, windowed tables bounded by WINDOWSTART / WINDOWEND.
import { beforeAll, describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlDecimal } from '../../sql/types/decimal.js'

let engine: KsqlEngine

async function rows(sql: string): Promise<unknown[][]> {
  return ((await engine.execute(sql))[0]!.rows ?? []).map((r) => r.map((v) => (v instanceof SqlDecimal ? v.toString() : v)))
}

beforeAll(async () => {
  const rt = new DriverRuntime()
  engine = await KsqlEngine.create({ runtime: rt })
  await engine.execute(`
    SET 'auto.offset.reset'='earliest';
    CREATE STREAM sales (id INT KEY, shop STRING, amount DECIMAL(8, 2)) WITH (KAFKA_TOPIC='sales', VALUE_FORMAT='JSON', PARTITIONS=1);
    CREATE TABLE per_shop AS SELECT shop, COUNT(*) AS n, SUM(amount) AS total FROM sales GROUP BY shop;
    CREATE TABLE per_shop_min AS SELECT shop, COUNT(*) AS n FROM sales WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY shop;
    INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (1000, 1, 'alpha', 10.50);
    INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (2000, 2, 'beta', 3.25);
    INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (3000, 3, 'alpha', 1.00);
    INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (61000, 4, 'gamma', 7.00);
    INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (62000, 5, 'alpha', 2.00);
  `)
})

describe('pull queries', () => {
  it('looks up a key, and keys IN a list', async () => {
    expect(await rows("SELECT * FROM per_shop WHERE shop = 'alpha';")).toEqual([['alpha', 3, '13.50']])
    expect(await rows("SELECT shop, n FROM per_shop WHERE shop IN ('beta', 'gamma', 'nope') ORDER BY shop;")).toEqual([['beta', 1], ['gamma', 1]])
  })

  it('filters on any column with LIKE and BETWEEN, orders and limits', async () => {
    expect(await rows("SELECT shop FROM per_shop WHERE shop LIKE '%a' AND total BETWEEN 3 AND 10 ORDER BY total DESC;")).toEqual([['gamma'], ['beta']])
    expect(await rows('SELECT shop, total FROM per_shop ORDER BY total DESC LIMIT 2;')).toEqual([['alpha', '13.50'], ['gamma', '7.00']])
  })

  it('bounds windowed tables by WINDOWSTART and WINDOWEND', async () => {
    expect(await rows("SELECT shop, n, WINDOWSTART, WINDOWEND FROM per_shop_min WHERE shop = 'alpha' ORDER BY WINDOWSTART;")).toEqual([['alpha', 2, 0, 60000], ['alpha', 1, 60000, 120000]])
    expect(await rows('SELECT shop, n FROM per_shop_min WHERE WINDOWSTART >= 60000 ORDER BY shop;')).toEqual([['alpha', 1], ['gamma', 1]])
  })

  it('refuses pull queries on streams and on tables nothing materializes', async () => {
    await expect(engine.execute('SELECT * FROM sales;')).rejects.toThrow('Pull queries are only supported on tables')
    await expect(engine.execute('CREATE STREAM x AS SELECT id, shop FROM sales ORDER BY shop;')).rejects.toThrow('ORDER BY is only supported in pull queries')
  })

  it('copies a key into the value with AS_VALUE', async () => {
    await engine.execute('CREATE TABLE shops2 AS SELECT shop, AS_VALUE(shop) AS shop_name, COUNT(*) AS n FROM sales GROUP BY shop;')
    expect(await rows("SELECT * FROM shops2 WHERE shop = 'beta';")).toEqual([['beta', 'beta', 1]])
  })
})

describe('pull query key ranges', () => {
  it('answers key ranges (pushed into the store for STRING keys) with the same rows as a scan', async () => {
    expect(await rows("SELECT shop FROM per_shop WHERE shop BETWEEN 'b' AND 'gz' ORDER BY shop;")).toEqual([['beta'], ['gamma']])
    expect(await rows("SELECT shop FROM per_shop WHERE shop > 'alpha' AND shop < 'gamma';")).toEqual([['beta']])
    expect(await rows("SELECT shop FROM per_shop WHERE shop >= 'alpha' AND n > 1;")).toEqual([['alpha']])
    await engine.execute("INSERT INTO sales (ROWTIME, id, shop, amount) VALUES (70000, 6, 'beta!', 1.00);")
    // 'beta!' > 'beta' as strings although its JSON key sorts before the JSON of 'beta'
    expect(await rows("SELECT shop FROM per_shop WHERE shop >= 'beta' AND shop < 'c' ORDER BY shop;")).toEqual([['beta'], ['beta!']])
  })
})

describe('pull queries on tables derived without aggregation', () => {
  it('materializes a filtered, projected table', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute(`
      CREATE TABLE users (id INT PRIMARY KEY, name STRING, age INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE adults AS SELECT id, UCASE(name) AS name FROM users WHERE age >= 18;
      INSERT INTO users (id, name, age) VALUES (1, 'ann', 30);
      INSERT INTO users (id, name, age) VALUES (2, 'bob', 12);
      INSERT INTO users (id, name, age) VALUES (3, 'cy', 40);
      INSERT INTO users (id, name, age) VALUES (3, 'cy', 17);
    `)
    expect((await e.execute('SELECT * FROM adults ORDER BY id;'))[0]!.rows).toEqual([[1, 'ANN']])
    expect((await e.execute('SELECT name FROM adults WHERE id = 1;'))[0]!.rows).toEqual([['ANN']])
    await e.close()
  })
})
