// The administrative statements and the processing log, on the driver runtime.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { tmpDir } from '../helpers/tmp.js'

describe('statements', () => {
  it('SHOW, DESCRIBE, DESCRIBE FUNCTION, SET/UNSET, DEFINE, PRINT, RUN SCRIPT, CREATE/DROP TYPE', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    const dir = tmpDir()
    fs.writeFileSync(`${dir}/s.sql`, "CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\nINSERT INTO s (ROWTIME, id, v) VALUES (5, 1, 'x');")
    await e.execute(`RUN SCRIPT '${dir}/s.sql';`)
    expect((await e.execute('SHOW STREAMS;'))[0]!.rows).toEqual([['KSQL_PROCESSING_LOG', 'default_ksql_processing_log', 'NONE', 'JSON', false], ['S', 's', 'KAFKA', 'JSON', false]])
    expect((await e.execute('LIST TOPICS;'))[0]!.rows).toEqual([['default_ksql_processing_log', 1], ['s', 1]])
    const d = (await e.execute('DESCRIBE EXTENDED s;'))[0]!
    expect(d.rows).toEqual([['ID', 'INTEGER  (key)'], ['V', 'STRING']])
    expect(d.message).toContain('Kafka topic          : s (partitions: 1, replication: 1)')
    const f = (await e.execute('DESCRIBE FUNCTION ucase;'))[0]!
    expect(f.message).toContain('Name        : UCASE')
    expect(f.rows!.length).toBeGreaterThan(0)
    expect((await e.execute("SET 'auto.offset.reset'='earliest'; SHOW PROPERTIES;"))[1]!.rows).toContainEqual(['auto.offset.reset', 'earliest'])
    await e.execute("UNSET 'auto.offset.reset';")
    expect((await e.execute('SHOW PROPERTIES;'))[0]!.rows).toContainEqual(['auto.offset.reset', 'latest'])
    await e.execute("DEFINE t = 's'; CREATE TYPE pt AS STRUCT<x INT>;")
    expect((await e.execute('SHOW VARIABLES;'))[0]!.rows).toEqual([['t', 's']])
    expect((await e.execute('SHOW TYPES;'))[0]!.rows).toEqual([['PT', 'STRUCT<`X` INTEGER>']])
    await e.execute('DROP TYPE pt;')
    const printed = (await e.execute("PRINT '${t}' FROM BEGINNING LIMIT 5;"))[0]!
    expect(printed.rows).toEqual([['1970-01-01T00:00:00.005Z', 0, 0, '\u0000\u0000\u0000\u0001', '{"V":"x"}']])
    await e.close()
  })

  it('logs records that fail to deserialize and function errors with topic, partition and offset; the query goes on', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, v INT, t STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v + 1 AS w FROM s;")
    await rt.produce('s', Buffer.from([0, 0, 0, 1]), Buffer.from('{not json'), 0, [])
    await rt.produce('s', Buffer.from([0, 0, 0, 2]), Buffer.from('{"v": 41}'), 0, [])
    const log = e.processingLog.list()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ type: 'DESERIALIZATION_ERROR', queryId: 'CSAS_O_1', topic: 's', partition: 0, offset: 0 })
    expect(rt.records('O').map((r) => r.value?.toString())).toEqual(['{"W":42}'])
    await e.close()
  })
})

describe('EMIT FINAL on wall-clock idleness', () => {
  it('closes a quiet window when the wall clock moves, when idle advance is configured', async () => {
    const rt = new DriverRuntime(0, 1000)
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE TABLE t AS SELECT k, COUNT(*) AS n FROM s WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY k EMIT FINAL;")
    await rt.produce('s', Buffer.from('a'), Buffer.from('{"v":1}'), 1000, [])
    expect(rt.records('T')).toHaveLength(0)
    rt.advanceWallClock(5000)
    expect(rt.records('T')).toHaveLength(0)
    rt.advanceWallClock(10_000)
    expect(rt.records('T').map((r) => r.value?.toString())).toEqual(['{"N":1}'])
    await e.close()
  })
})

describe('brook sql test runner', () => {
  it('reports a failing statement with its line and column in the script', async () => {
    const { runTest } = await import('../../sql/testing/test-runner.js')
    const r = await runTest({ statements: "CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');\n\nCREATE STREAM o AS SELECT id, w FROM s;", input: null, output: '{"outputs": []}' })
    expect(r.passed).toBe(false)
    expect(r.failures[0]).toContain("line 3:31: Column 'W' cannot be resolved")
  })
})
