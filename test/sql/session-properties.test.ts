// SET / UNSET: validated by name and value, applied to the queries started after them (and to the
// same queries when a restarted engine replays them), shown by SHOW PROPERTIES.
import { describe, expect, it } from 'vitest'
import { KsqlEngine, type Command, type CommandLog } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import type { QueryStartOptions, RunningQuery } from '../../sql/engine/runtime.js'
import type { Topology } from '../../streams/processor/topology.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { SqlError } from '../../sql/errors.js'
import { tmpDir } from '../helpers/tmp.js'
import { engineOn, waitFor } from './engine-harness.js'

/** A driver runtime that remembers the options each query was started with. */
class RecordingRuntime extends DriverRuntime {
  readonly started: Array<{ queryId: string; options: QueryStartOptions }> = []
  override async start(queryId: string, applicationId: string, topology: Topology, options: QueryStartOptions = {}): Promise<RunningQuery> {
    const { logger: _logger, ...rest } = options
    this.started.push({ queryId, options: rest })
    return super.start(queryId, applicationId, topology, options)
  }
}

class MemoryCommandLog implements CommandLog {
  readonly commands: Command[] = []
  async append(c: Command): Promise<void> {
    this.commands.push(JSON.parse(JSON.stringify(c)) as Command)
  }
  async readAll(): Promise<Command[]> {
    return [...this.commands]
  }
}

const DDL = "CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);"

describe('SET / UNSET', () => {
  it('applies auto.offset.reset to queries started after it: latest (the default) skips what is there, earliest reads it', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute(`${DDL} INSERT INTO s (id, v) VALUES (1, 1);`)
    await e.execute('CREATE STREAM late AS SELECT id, v FROM s;')
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM early AS SELECT id, v FROM s;")
    expect(rt.records('LATE')).toHaveLength(0)
    expect(rt.records('EARLY')).toHaveLength(1)
    await e.execute("UNSET 'auto.offset.reset'; CREATE STREAM late2 AS SELECT id, v FROM s;")
    expect(rt.records('LATE2')).toHaveLength(0)
    await e.execute('INSERT INTO s (id, v) VALUES (1, 2);')
    expect([rt.records('LATE').length, rt.records('EARLY').length, rt.records('LATE2').length]).toEqual([1, 2, 1])
    await e.close()
  })

  it('passes commit interval, cache size and processing guarantee (with or without ksql.streams.) to the queries started after them, and again on replay', async () => {
    const rt = new RecordingRuntime()
    const log = new MemoryCommandLog()
    const e = await KsqlEngine.create({ runtime: rt, commandLog: log })
    await e.execute(DDL)
    await e.execute("SET 'ksql.streams.commit.interval.ms'='250'; SET 'cache.max.bytes.buffering'='0'; SET 'processing.guarantee'='exactly_once_v2';")
    await e.execute('CREATE STREAM a AS SELECT * FROM s;')
    await e.execute("UNSET 'ksql.streams.commit.interval.ms'; SET 'commit.interval.ms'='500'; SET 'ksql.streams.statestore.cache.max.bytes'='1024';")
    await e.execute('CREATE STREAM b AS SELECT * FROM s;')
    await e.execute("UNSET 'commit.interval.ms'; UNSET 'cache.max.bytes.buffering'; UNSET 'ksql.streams.statestore.cache.max.bytes'; UNSET 'processing.guarantee';")
    await e.execute('CREATE STREAM c AS SELECT * FROM s;')
    const expected = [
      { queryId: 'CSAS_A_1', options: { autoOffsetReset: 'latest', commitIntervalMs: 250, cacheMaxBytes: 0, processingGuarantee: 'exactly_once_v2', paused: false } },
      { queryId: 'CSAS_B_2', options: { autoOffsetReset: 'latest', commitIntervalMs: 500, cacheMaxBytes: 1024, processingGuarantee: 'exactly_once_v2', paused: false } },
      { queryId: 'CSAS_C_3', options: { autoOffsetReset: 'latest', paused: false } },
    ]
    expect(rt.started).toEqual(expected)
    await e.close()
    // a restarted engine runs each query with the properties it was created under
    const rt2 = new RecordingRuntime()
    const e2 = await KsqlEngine.create({ runtime: rt2, commandLog: log })
    expect(rt2.started).toEqual(expected.map((x) => ({ ...x, options: { ...x.options, paused: true } })))
    expect(e2.listQueries().map((q) => q.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING'])
    await e2.close()
  })

  it('shows what is set in SHOW PROPERTIES', async () => {
    const e = await KsqlEngine.create({ runtime: new DriverRuntime() })
    const props = async (): Promise<Record<string, unknown>> => Object.fromEntries(((await e.execute('SHOW PROPERTIES;'))[0]!.rows ?? []).map((r) => [r[0], r[1]]))
    expect(await props()).toMatchObject({ 'auto.offset.reset': 'latest', 'ksql.service.id': 'default_' })
    await e.execute("SET 'ksql.streams.commit.interval.ms'='250'; SET 'auto.offset.reset'='earliest';")
    expect(await props()).toMatchObject({ 'auto.offset.reset': 'earliest', 'ksql.streams.commit.interval.ms': '250' })
    await e.execute("UNSET 'ksql.streams.commit.interval.ms';")
    expect(await props()).not.toHaveProperty('ksql.streams.commit.interval.ms')
    await e.close()
  })

  it('refuses an unknown property or a bad value, naming it and where', async () => {
    const e = await KsqlEngine.create({ runtime: new DriverRuntime() })
    const fail = async (sql: string): Promise<SqlError> => {
      const err = await e.execute(sql).catch((x: unknown) => x)
      expect(err).toBeInstanceOf(SqlError)
      return err as SqlError
    }
    const unknown = await fail("SHOW STREAMS;\n  SET 'auto.offset.rest'='earliest';")
    expect(unknown.code).toBe('INVALID_PROPERTY')
    expect(unknown.field).toBe('auto.offset.rest')
    expect(unknown.position).toEqual({ line: 2, column: 3 })
    expect(unknown.message).toContain("Not recognizable as ksql, streams, consumer, or producer property: 'auto.offset.rest'")
    const bad = await fail("SET 'auto.offset.reset'='sometimes';")
    expect(bad.message).toContain('Invalid value sometimes for configuration auto.offset.reset: String must be one of: earliest, latest')
    expect((await fail("SET 'commit.interval.ms'='-5';")).field).toBe('commit.interval.ms')
    expect((await fail("UNSET 'no.such.thing';")).field).toBe('no.such.thing')
    expect((await fail("SET 'ksql.service.id'='x_';")).message).toContain("Cannot override property 'ksql.service.id'")
    // nothing changed
    expect(((await e.execute('SHOW PROPERTIES;'))[0]!.rows ?? []).find((r) => r[0] === 'auto.offset.reset')?.[1]).toBe('latest')
    await e.close()
  })
})

describe('auto.offset.reset on KafkaStreams queries (embedded log)', () => {
  it('latest starts a new query at the end of its source, earliest at the beginning', async () => {
    const dir = tmpDir()
    const client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    const e = await engineOn(client, `${dir}/state`)
    await e.execute(`${DDL} INSERT INTO s (id, v) VALUES (1, 1); INSERT INTO s (id, v) VALUES (1, 2);`)
    await e.execute('CREATE STREAM late AS SELECT id, v FROM s;')
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM early AS SELECT id, v FROM s;")
    await e.execute('INSERT INTO s (id, v) VALUES (1, 3);')
    const read = async (t: string): Promise<string[]> => (await e.runtime.read(t, true, 100, 200)).map((r) => r.value?.toString() ?? 'null')
    expect(await waitFor(() => read('EARLY'), (r) => r.length >= 3)).toEqual(['{"V":1}', '{"V":2}', '{"V":3}'])
    expect(await waitFor(() => read('LATE'), (r) => r.length >= 1)).toEqual(['{"V":3}'])
    await e.close()
    await client.close()
  }, 60_000)
})
