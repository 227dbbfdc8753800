// DECIMAL(p, s) never holds a value with more than p digits: a CAST or arithmetic result that does not
// fit is an error of that record (processing log, NULL result), a value that would be written too
// wide is not written (serialization error), and an INSERT VALUES literal that does not fit is a
// statement error at its position.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlError } from '../../sql/errors.js'
import { createBuiltinRegistry, scalar, sig, param, STRING } from '../../sql/functions/index.js'
import { SqlTypes } from '../../sql/types/sql-type.js'
import { SqlDecimal } from '../../sql/types/decimal.js'

const values = (rt: DriverRuntime, topic: string): string[] => rt.records(topic).map((r) => r.value?.toString() ?? 'null')
const key1 = Buffer.from([0, 0, 0, 1])

describe('DECIMAL precision overflow', () => {
  it('a CAST that does not fit is an error of that record: logged, NULL, and the query and the others go on', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, d DECIMAL(4, 2)) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, CAST(d * 10 AS DECIMAL(4, 2)) AS c, d FROM s; CREATE TABLE t AS SELECT id, SUM(d) AS total FROM s GROUP BY id;")
    for (const v of ['{"d": 1.5}', '{"d": 12.34}', '{"d": 2.25}']) await rt.produce('s', key1, Buffer.from(v), 0, [])
    expect(values(rt, 'O')).toEqual(['{"C":15.00,"D":1.50}', '{"C":null,"D":12.34}', '{"C":22.50,"D":2.25}'])
    expect(values(rt, 'T')).toEqual(['{"TOTAL":1.50}', '{"TOTAL":13.84}', '{"TOTAL":16.09}'])
    const log = e.processingLog.list()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ type: 'RECORD_PROCESSING_ERROR', queryId: 'CSAS_O_1', topic: 's', partition: 0, offset: 1 })
    expect(log[0]!.message).toBe('Error computing expression CAST(D * 10 AS DECIMAL(4, 2)): Numeric field overflow: 123.40 does not fit DECIMAL(4, 2)')
    await e.close()
  })

  it('arithmetic whose result type is capped at 38 digits: a result that does not fit is an error, not a wrong value', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, a DECIMAL(38, 0), b DECIMAL(38, 0)) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, a + b AS c FROM s;")
    expect((await e.execute('DESCRIBE o;'))[0]!.rows).toContainEqual(['C', 'DECIMAL(38, 0)'])
    const nines = '9'.repeat(38)
    await rt.produce('s', key1, Buffer.from(`{"a": 1, "b": 2}`), 0, [])
    await rt.produce('s', key1, Buffer.from(`{"a": ${nines}, "b": 1}`), 0, [])
    await rt.produce('s', key1, Buffer.from(`{"a": ${nines}, "b": -1}`), 0, [])
    expect(values(rt, 'O')).toEqual(['{"C":3}', '{"C":null}', `{"C":${'9'.repeat(37)}8}`])
    expect(e.processingLog.list().map((x) => x.message)).toEqual([`Error computing expression A + B: Numeric field overflow: 1${'0'.repeat(38)} does not fit DECIMAL(38, 0)`])
    await e.close()
  })

  it('never writes a value wider than its column: the record is dropped as a serialization error', async () => {
    const registry = createBuiltinRegistry()
    // a user function declaring DECIMAL(3, 1) that returns wider values
    registry.register(scalar('WIDE', 'USER', 'Returns its argument as a decimal', [sig([param('v', STRING)], SqlTypes.decimal(3, 1), (v: unknown) => SqlDecimal.parse(v as string))]))
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt, registry })
    await e.execute("CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, WIDE(v) AS w FROM s;")
    for (const v of ['12.5', '123.4', '1.25']) await rt.produce('s', key1, Buffer.from(JSON.stringify({ v })), 0, [])
    expect(values(rt, 'O')).toEqual(['{"W":12.5}', '{"W":1.3}'])
    const log = e.processingLog.list()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ type: 'SERIALIZATION_ERROR', queryId: 'CSAS_O_1', topic: 's', offset: 1, sinkTopic: 'O', target: 'value' })
    expect(log[0]!.message).toContain('Numeric field overflow: 123.4 does not fit DECIMAL(3, 1) of column W')
    await e.close()
  })

  it('refuses an INSERT VALUES literal that does not fit, at its position, and writes nothing', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, d DECIMAL(4, 2)) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);")
    for (const [lit, col] of [['123.456', 34], ['CAST(1000 AS DOUBLE)', 34], ['100', 34]] as const) {
      const err = (await e.execute(`INSERT INTO s (id, d) VALUES (1, ${lit});`).catch((x: unknown) => x)) as SqlError
      expect(err, lit).toBeInstanceOf(SqlError)
      expect(err.position, lit).toEqual({ line: 1, column: col })
      expect(err.field).toBe('D')
      expect(err.message).toMatch(/does not fit DECIMAL\(4, 2\)/)
    }
    expect(rt.records('s')).toHaveLength(0)
    // what fits is written, rounded to the scale
    await e.execute('INSERT INTO s (id, d) VALUES (1, 99.994); INSERT INTO s (id, d) VALUES (1, -12);')
    expect(values(rt, 's')).toEqual(['{"D":99.99}', '{"D":-12.00}'])
    await e.close()
  })
})
