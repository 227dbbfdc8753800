// INSERT INTO ... VALUES into windowed sources: WINDOWSTART (and WINDOWEND) give the key's window.
import { describe, expect, it } from 'vitest'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlError } from '../../sql/errors.js'
import { topicKeySerde } from '../../sql/planner/serdes.js'

async function engine(): Promise<{ e: KsqlEngine; rt: DriverRuntime }> {
  const rt = new DriverRuntime()
  const e = await KsqlEngine.create({ runtime: rt, properties: { 'auto.offset.reset': 'earliest' } })
  await e.execute(`
    CREATE STREAM tw (k STRING KEY, n INT) WITH (KAFKA_TOPIC='tw', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='TUMBLING', WINDOW_SIZE='10 SECONDS');
    CREATE STREAM sw (k STRING KEY, n INT) WITH (KAFKA_TOPIC='sw', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='SESSION');
    CREATE TABLE tt (k STRING PRIMARY KEY, n INT) WITH (KAFKA_TOPIC='tt', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='HOPPING', WINDOW_SIZE='1 MINUTE');
    CREATE STREAM tw_out AS SELECT k, n, WINDOWSTART AS ws, WINDOWEND AS we FROM tw;
    CREATE STREAM sw_out AS SELECT k, n, WINDOWSTART AS ws, WINDOWEND AS we FROM sw;`)
  return { e, rt }
}

const json = (rt: DriverRuntime, topic: string): unknown[] => rt.records(topic).map((r) => JSON.parse(r.value!.toString()) as unknown)

describe('INSERT VALUES into windowed sources', () => {
  it('writes the key in its window: time windows from WINDOWSTART and the size, session windows from both bounds', async () => {
    const { e, rt } = await engine()
    await e.execute("INSERT INTO tw (k, WINDOWSTART, n) VALUES ('a', 10000, 1);")
    await e.execute("INSERT INTO tw (WINDOWEND, k, n, WINDOWSTART) VALUES (30000, 'b', 2, 20000);")
    expect(json(rt, 'TW_OUT')).toEqual([{ N: 1, WS: 10000, WE: 20000 }, { N: 2, WS: 20000, WE: 30000 }])
    expect(rt.records('TW_OUT').map((r) => r.key?.subarray(0, 1).toString())).toEqual(['a', 'b'])
    await e.execute("INSERT INTO sw (k, n, WINDOWSTART, WINDOWEND) VALUES ('s', 3, 1000, 4500);")
    expect(json(rt, 'SW_OUT')).toEqual([{ N: 3, WS: 1000, WE: 4500 }])
    // a hopping-windowed table: the key in ksqlDB's windowed key format
    await e.execute("INSERT INTO tt (k, n, WINDOWSTART) VALUES ('h', 7, 60000);")
    const [rec] = rt.records('tt')
    expect(topicKeySerde(e.source('TT')!).deserialize('tt', rec!.key)).toEqual({ key: ['h'], window: { start: 60000, end: 120000 } })
    expect(rec!.key!.subarray(1).readBigInt64BE()).toBe(60000n)
    await e.close()
  })

  it('refuses missing or inconsistent window bounds, naming them, and writes nothing', async () => {
    const { e, rt } = await engine()
    const fail = async (sql: string): Promise<SqlError> => {
      const err = await e.execute(sql).catch((x: unknown) => x)
      expect(err, sql).toBeInstanceOf(SqlError)
      return err as SqlError
    }
    expect((await fail("INSERT INTO tw (k, n) VALUES ('a', 1);")).field).toBe('WINDOWSTART')
    const wrongEnd = await fail("INSERT INTO tw (k, n, WINDOWSTART, WINDOWEND) VALUES ('a', 1, 0, 5000);")
    expect(wrongEnd.field).toBe('WINDOWEND')
    expect(wrongEnd.message).toContain('WINDOWEND must be WINDOWSTART + 10000 = 10000, got 5000')
    expect((await fail("INSERT INTO sw (k, n, WINDOWSTART) VALUES ('a', 1, 0);")).field).toBe('WINDOWEND')
    expect((await fail("INSERT INTO sw (k, n, WINDOWSTART, WINDOWEND) VALUES ('a', 1, 10, 5);")).message).toContain('WINDOWEND 5 is before WINDOWSTART 10')
    const badType = await fail("INSERT INTO tw (k, n, WINDOWSTART) VALUES ('a', 1, 'soon');")
    expect(badType.code).toBe('TYPE_ERROR')
    expect(badType.position).toEqual({ line: 1, column: 52 })
    expect(rt.records('tw')).toHaveLength(0)
    expect(rt.records('sw')).toHaveLength(0)
    await e.close()
  })
})
