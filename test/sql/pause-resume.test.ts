// PAUSE / RESUME of persistent queries: nothing is processed while paused, the state shows in
// SHOW QUERIES / DESCRIBE / EXPLAIN, RESUME carries on where the query stopped, and a restarted
// engine brings the query back paused (the command topic keeps PAUSE / RESUME).
import { describe, expect, it } from 'vitest'
import { KsqlEngine, type Command, type CommandLog } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { SqlError } from '../../sql/errors.js'
import { tmpDir } from '../helpers/tmp.js'
import { engineOn, waitFor } from './engine-harness.js'

const values = (rt: DriverRuntime, topic: string): string[] => rt.records(topic).map((r) => r.value?.toString() ?? 'null')

describe('PAUSE / RESUME on the driver runtime', () => {
  it('holds records while paused and processes them in order on RESUME; state in SHOW QUERIES, DESCRIBE, EXPLAIN', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v * 10 AS w FROM s; CREATE TABLE c AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;")
    await e.execute('INSERT INTO s (id, v) VALUES (1, 1);')
    expect(values(rt, 'O')).toEqual(['{"W":10}'])
    await e.execute('PAUSE CSAS_O_1;')
    const status = async (): Promise<unknown[][]> => ((await e.execute('SHOW QUERIES;'))[0]!.rows ?? []).map((r) => [r[0], r[2]])
    expect(await status()).toEqual([['CSAS_O_1', 'PAUSED:1'], ['CTAS_C_2', 'RUNNING:1']])
    expect((await e.execute('DESCRIBE EXTENDED s;'))[0]!.message).toContain('CSAS_O_1 (PAUSED), CTAS_C_2 (RUNNING)')
    expect((await e.execute('EXPLAIN CSAS_O_1;'))[0]!.message).toContain('Status               : PAUSED')
    await e.execute('INSERT INTO s (id, v) VALUES (1, 2); INSERT INTO s (id, v) VALUES (1, 3);')
    // the other query went on; the paused one did not process anything
    expect(values(rt, 'C')).toEqual(['{"N":1}', '{"N":2}', '{"N":3}'])
    expect(values(rt, 'O')).toEqual(['{"W":10}'])
    await e.execute('RESUME CSAS_O_1;')
    expect(values(rt, 'O')).toEqual(['{"W":10}', '{"W":20}', '{"W":30}'])
    expect(await status()).toEqual([['CSAS_O_1', 'RUNNING:1'], ['CTAS_C_2', 'RUNNING:1']])
    // ALL
    await e.execute('PAUSE ALL;')
    expect(await status()).toEqual([['CSAS_O_1', 'PAUSED:1'], ['CTAS_C_2', 'PAUSED:1']])
    await e.execute('INSERT INTO s (id, v) VALUES (1, 4);')
    expect(values(rt, 'O')).toHaveLength(3)
    expect(values(rt, 'C')).toHaveLength(3)
    await e.execute('RESUME ALL;')
    expect(values(rt, 'O')).toEqual(['{"W":10}', '{"W":20}', '{"W":30}', '{"W":40}'])
    expect(values(rt, 'C').at(-1)).toBe('{"N":4}')
    await e.close()
  })

  it('CREATE OR REPLACE of a PAUSED query keeps it paused until RESUME (CSAS and CREATE SOURCE TABLE)', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v FROM s;")
    await e.execute('INSERT INTO s (id, v) VALUES (1, 1);')
    await e.execute('PAUSE CSAS_O_1;')
    await e.execute('CREATE OR REPLACE STREAM o AS SELECT id, v FROM s WHERE v > 1;')
    expect(e.listQueries().map((q) => [q.id, q.state])).toEqual([['CSAS_O_1', 'PAUSED']])
    expect(((await e.execute('SHOW QUERIES;'))[0]!.rows ?? []).map((r) => r[2])).toEqual(['PAUSED:1'])
    await e.execute('INSERT INTO s (id, v) VALUES (1, 2);')
    expect(values(rt, 'O')).toEqual(['{"V":1}'])
    await e.execute('RESUME CSAS_O_1;')
    expect(values(rt, 'O')).toEqual(['{"V":1}', '{"V":2}'])
    // a running query replaced stays running
    await e.execute('CREATE OR REPLACE STREAM o AS SELECT id, v FROM s WHERE v > 2;')
    expect(e.listQueries().map((q) => q.state)).toEqual(['RUNNING'])

    await e.execute("CREATE SOURCE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    const cst = e.listQueries().find((q) => q.sink === 'USERS')!.id
    await e.execute(`PAUSE ${cst};`)
    await e.execute("CREATE OR REPLACE SOURCE TABLE users (id INT PRIMARY KEY, name STRING, age INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);")
    expect(e.listQueries().find((q) => q.id === cst)!.state).toBe('PAUSED')
    await rt.produce('users', Buffer.from([0, 0, 0, 7]), Buffer.from('{"NAME":"gus","AGE":3}'), 0, [])
    expect((await e.execute('SELECT * FROM users;'))[0]!.rows).toEqual([])
    await e.execute(`RESUME ${cst};`)
    expect((await e.execute('SELECT * FROM users;'))[0]!.rows).toEqual([[7, 'gus', 3]])
    await e.close()
  })

  it('a replayed command log (CREATE, PAUSE, CREATE OR REPLACE) brings the replaced query back paused', async () => {
    const commands: Command[] = []
    const log: CommandLog = { append: async (c) => void commands.push(c), readAll: async () => [...commands] }
    const e1 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    await e1.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v FROM s; PAUSE CSAS_O_1; CREATE OR REPLACE STREAM o AS SELECT id, v FROM s WHERE v > 1;")
    await e1.close()
    const e2 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    expect(e2.listQueries().map((q) => [q.id, q.state])).toEqual([['CSAS_O_1', 'PAUSED']])
    await e2.execute('RESUME CSAS_O_1;')
    await e2.close()
    const e3 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    expect(e3.listQueries().map((q) => [q.id, q.state])).toEqual([['CSAS_O_1', 'RUNNING']])
    await e3.close()
  })

  it('refuses an unknown query id, naming it, and changes nothing', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v FROM s;")
    const err = await e.execute('PAUSE NOPE_9;').catch((x: unknown) => x)
    expect(err).toBeInstanceOf(SqlError)
    expect((err as SqlError).code).toBe('UNKNOWN_QUERY')
    expect((err as SqlError).message).toContain('NOPE_9')
    expect(e.listQueries().map((q) => q.state)).toEqual(['RUNNING'])
    await e.close()
  })
})

describe('PAUSE / RESUME on the embedded log', () => {
  it('processes nothing while paused, comes back paused after a restart, and resumes where it stopped', async () => {
    const dir = tmpDir()
    let client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    let e = await engineOn(client, `${dir}/state`)
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);")
    // o is paused and resumed; control runs throughout and shows when a record has been processable
    await e.execute('CREATE STREAM o AS SELECT id, v FROM s; CREATE TABLE control AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;')
    const o = e.listQueries().find((q) => q.sink === 'O')!.id
    const pullN = async (eng: KsqlEngine): Promise<unknown> => ((await eng.execute('SELECT n FROM control WHERE id = 1;'))[0]!.rows ?? [])[0]?.[0] ?? 0
    const readO = async (): Promise<string[]> => (await e.runtime.read('O', true, 100, 300)).map((r) => r.value?.toString() ?? 'null')
    await e.execute('INSERT INTO s (id, v) VALUES (1, 1);')
    await waitFor(readO, (r) => r.length === 1)
    await e.execute(`PAUSE ${o};`)
    await e.execute('INSERT INTO s (id, v) VALUES (1, 2);')
    await waitFor(() => pullN(e), (n) => n === 2)
    expect(await readO()).toEqual(['{"V":1}'])
    await e.close()
    await client.close()

    // restart: o comes back PAUSED and still processes nothing
    client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    e = await engineOn(client, `${dir}/state`)
    expect(e.listQueries().map((q) => [q.id, q.state]).sort()).toEqual([[o, 'PAUSED'], [e.listQueries().find((q) => q.sink === 'CONTROL')!.id, 'RUNNING']].sort())
    await e.execute('INSERT INTO s (id, v) VALUES (1, 3);')
    await waitFor(() => pullN(e), (n) => n === 3)
    expect(await readO()).toEqual(['{"V":1}'])
    // RESUME: the held records, each once, in order
    await e.execute(`RESUME ${o};`)
    expect(await waitFor(readO, (r) => r.length >= 3)).toEqual(['{"V":1}', '{"V":2}', '{"V":3}'])
    await e.close()
    await client.close()

    // and RESUME is kept too: after another restart the query runs
    client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    e = await engineOn(client, `${dir}/state`)
    expect(e.listQueries().find((q) => q.id === o)!.state).toBe('RUNNING')
    await e.execute('INSERT INTO s (id, v) VALUES (1, 4);')
    expect(await waitFor(readO, (r) => r.length >= 4)).toEqual(['{"V":1}', '{"V":2}', '{"V":3}', '{"V":4}'])
    await e.close()
    await client.close()
  }, 60_000)
})
