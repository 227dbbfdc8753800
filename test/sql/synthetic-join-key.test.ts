// FULL OUTER joins get ksqlDB's synthetic key column: ROWKEY (ROWKEY_n when a source already has a
// ROWKEY), the first non-null join key; a persistent query must project it.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlError } from '../../sql/errors.js'

const DDL = `
  CREATE STREAM l (id INT KEY, k INT, a STRING) WITH (KAFKA_TOPIC='l', VALUE_FORMAT='JSON', PARTITIONS=1);
  CREATE STREAM r (id INT KEY, k INT, b STRING) WITH (KAFKA_TOPIC='r', VALUE_FORMAT='JSON', PARTITIONS=1);
  CREATE TABLE ta (id INT PRIMARY KEY, x STRING) WITH (KAFKA_TOPIC='ta', VALUE_FORMAT='JSON', PARTITIONS=1);
  CREATE TABLE tc (id INT PRIMARY KEY, y STRING) WITH (KAFKA_TOPIC='tc', VALUE_FORMAT='JSON', PARTITIONS=1);
  CREATE TABLE tb (id INT PRIMARY KEY, rowkey STRING) WITH (KAFKA_TOPIC='tb', VALUE_FORMAT='JSON', PARTITIONS=1);`

async function engine(): Promise<KsqlEngine> {
  const e = await KsqlEngine.create({ runtime: new DriverRuntime() })
  await e.execute(DDL)
  return e
}

describe('synthetic join key of FULL OUTER joins', () => {
  it('is the key column ROWKEY of the result, typed as the join keys', async () => {
    const e = await engine()
    await e.execute('CREATE STREAM fj AS SELECT ROWKEY, l.a, r.b FROM l FULL OUTER JOIN r WITHIN 10 SECONDS ON l.k = r.k;')
    expect((await e.execute('DESCRIBE fj;'))[0]!.rows).toEqual([['ROWKEY', 'INTEGER  (key)'], ['A', 'STRING'], ['B', 'STRING']])
    await e.execute('CREATE TABLE ft AS SELECT ROWKEY AS id, ta.x FROM ta FULL OUTER JOIN tc ON ta.id = tc.id;')
    expect((await e.execute('DESCRIBE ft;'))[0]!.rows).toEqual([['ID', 'INTEGER  (primary key)'], ['X', 'STRING']])
    await e.close()
  })

  it('is named ROWKEY_1 when a source already has a ROWKEY column', async () => {
    const e = await engine()
    await e.execute('CREATE TABLE ft AS SELECT ROWKEY_1, tb.rowkey, ta.x FROM ta FULL OUTER JOIN tb ON ta.id = tb.id;')
    expect((await e.execute('DESCRIBE ft;'))[0]!.rows).toEqual([['ROWKEY_1', 'INTEGER  (primary key)'], ['ROWKEY', 'STRING'], ['X', 'STRING']])
    await e.close()
  })

  it('must be projected by a persistent query: either side of the criteria is not the key', async () => {
    const e = await engine()
    const err = (await e.execute('CREATE STREAM fj AS SELECT l.k, l.a, r.b FROM l FULL OUTER JOIN r WITHIN 10 SECONDS ON l.k = r.k;').catch((x: unknown) => x)) as SqlError
    expect(err).toBeInstanceOf(SqlError)
    expect(err.message).toContain('Key missing from projection (ie, SELECT). The query used to build the result must include the join expression ROWKEY in its projection (eg, SELECT ROWKEY...)')
    expect(e.source('FJ')).toBeUndefined()
    // LEFT joins keep their rule: either side of the criteria is the key
    await e.execute('CREATE STREAM lj AS SELECT r.k AS k, l.a FROM l LEFT JOIN r WITHIN 10 SECONDS ON l.k = r.k;')
    expect((await e.execute('DESCRIBE lj;'))[0]!.rows![0]).toEqual(['K', 'INTEGER  (key)'])
    await e.close()
  })
})
