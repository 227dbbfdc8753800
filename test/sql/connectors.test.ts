// Connector statements wired to the Connect worker in the engine's process: a SQLite JDBC source
// created in SQL feeds a stream a persistent query reads; SHOW / DESCRIBE / DROP; bad configs;
// connectors coming back from the command topic after a restart.
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { StreamsRuntime } from '../../sql/engine/streams-runtime.js'
import { CommandTopic } from '../../sql/engine/command-topic.js'
import { WorkerConnectorHost } from '../../sql/engine/connectors.js'
import { SqlError } from '../../sql/errors.js'
import { parseStatement } from '../../sql/parser/parser.js'
import { formatStatement } from '../../sql/parser/formatter.js'
import { tmpDir } from '../helpers/tmp.js'
import { readTopic } from '../connectors/helpers.js'
import { waitFor } from './engine-harness.js'
import { runSqlShell } from '../../sql/cli/shell.js'

const JDBC = 'io.confluent.connect.jdbc.JdbcSourceConnector'
const open: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c()
})

async function start(dir: string): Promise<{ client: BrookClient; engine: KsqlEngine; host: WorkerConnectorHost; stop: () => Promise<void> }> {
  const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
  const host = new WorkerConnectorHost(client)
  const engine = await KsqlEngine.create({ runtime: new StreamsRuntime({ client, stateDir: path.join(dir, 'state'), commitIntervalMs: 100 }), commandLog: new CommandTopic(client), connectors: host })
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await engine.close()
    await client.close()
  }
  open.push(stop)
  return { client, engine, host, stop }
}

function usersDb(): string {
  const file = path.join(tmpDir(), 'users.sqlite')
  const db = new Database(file)
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, score INTEGER);
    INSERT INTO users VALUES (1, 'ann', 50), (2, 'bob', 5), (3, 'cy', 20);`)
  db.close()
  return file
}

function insertUser(file: string, id: number, name: string, score: number): void {
  const db = new Database(file)
  db.prepare('INSERT INTO users VALUES (?, ?, ?)').run(id, name, score)
  db.close()
}

const createSource = (file: string): string => `CREATE SOURCE CONNECTOR users_src WITH (
  'connector.class'='${JDBC}', 'connection.url'='jdbc:sqlite:${file}', 'mode'='incrementing',
  'incrementing.column.name'='id', 'topic.prefix'='db-', 'poll.interval.ms'=50, 'value.converter.schemas.enable'=false);`

async function outputNames(client: BrookClient): Promise<string[]> {
  return (await readTopic(client, 'HIGH')).map((r) => (JSON.parse(r.value!.toString('utf8')) as { NAME: string }).NAME).sort()
}

describe('connector statements', () => {
  it('parses ksqlDB connector statements and formats them back', () => {
    const st = parseStatement(`CREATE SINK CONNECTOR IF NOT EXISTS \`out\` WITH ('connector.class'='FileStreamSink', 'tasks.max'=2, 'errors.log.enable'=true)`)
    expect(st).toMatchObject({ kind: 'CreateConnector', connectorType: 'SINK', ifNotExists: true, name: 'out', properties: [{ key: 'connector.class', value: 'FileStreamSink' }, { key: 'tasks.max', value: '2' }, { key: 'errors.log.enable', value: 'true' }] })
    expect(formatStatement(st)).toBe("CREATE SINK CONNECTOR IF NOT EXISTS `out` WITH ('connector.class'='FileStreamSink', 'tasks.max'='2', 'errors.log.enable'='true')")
    expect(parseStatement('LIST SOURCE CONNECTORS')).toMatchObject({ kind: 'ListConnectors', connectorType: 'SOURCE' })
    expect(parseStatement('SHOW CONNECTORS')).toMatchObject({ kind: 'ListConnectors', connectorType: null })
    expect(parseStatement('DESCRIBE CONNECTOR c1')).toMatchObject({ kind: 'DescribeConnector', name: 'C1' })
    expect(parseStatement('DROP CONNECTOR IF EXISTS c1')).toMatchObject({ kind: 'DropConnector', ifExists: true, name: 'C1' })
    expect(() => parseStatement("CREATE SOURCE CONNECTOR c WITH (connector.class='x')")).toThrow(/line 1:33: .*expecting a config key in quotes/)
    // a stream named CONNECTORS is still a stream
    expect(parseStatement('DROP STREAM connectors')).toMatchObject({ kind: 'DropSource', name: 'CONNECTORS' })
  })

  it('runs a SQLite JDBC source into a stream a CSAS reads; SHOW, DESCRIBE; restart brings it back; DROP stops it', async () => {
    const dir = tmpDir()
    const file = usersDb()
    let { client, engine, host, stop } = await start(dir)
    await engine.execute(`CREATE STREAM users_s (id INT, name STRING, score INT) WITH (KAFKA_TOPIC='db-users', VALUE_FORMAT='JSON', PARTITIONS=1);
      SET 'auto.offset.reset'='earliest';
      CREATE STREAM high AS SELECT id, name FROM users_s WHERE score > 10 EMIT CHANGES;`)
    const [created] = await engine.execute(createSource(file))
    expect(created!.message).toBe('Created connector USERS_SRC')
    expect(await waitFor(() => outputNames(client), (n) => n.length >= 2)).toEqual(['ann', 'cy'])

    const [shown] = await engine.execute('SHOW CONNECTORS;')
    expect(shown!.header).toEqual(['Connector Name', 'Type', 'Class', 'Status'])
    expect(shown!.rows).toEqual([['USERS_SRC', 'SOURCE', JDBC, 'RUNNING (1/1 tasks RUNNING)']])
    expect((await engine.execute('LIST SINK CONNECTORS;'))[0]!.rows).toEqual([])
    const [described] = await engine.execute('DESCRIBE CONNECTOR users_src;')
    expect(described!.message).toContain('Name                 : USERS_SRC')
    expect(described!.message).toContain(`Class                : ${JDBC}`)
    expect(described!.message).toContain('Type                 : source')
    expect(described!.message).toContain('State                : RUNNING')
    expect(described!.header).toEqual(['Task ID', 'State', 'Error Trace'])
    expect(described!.rows).toEqual([[0, 'RUNNING', '']])
    // ksqlDB's further sections: the sources over the connector's topics, and those topics
    expect(described!.sections).toEqual([
      { header: ['ksqlDB Source Name', 'Kafka Topic', 'Type'], rows: [['USERS_S', 'db-users', 'STREAM']] },
      { header: ['Related Topics'], rows: [['db-users']] },
    ])
    await expect(engine.execute(createSource(file))).rejects.toThrow(/Connector USERS_SRC already exists/)
    expect((await engine.execute(createSource(file).replace('CONNECTOR', 'CONNECTOR IF NOT EXISTS')))[0]!.message).toBe('Connector USERS_SRC already exists.')

    // restart: the command topic brings the connector back; it resumes from its stored offset
    await stop()
    insertUser(file, 4, 'dee', 99)
    ;({ client, engine, host, stop } = await start(dir))
    expect(host.running()).toEqual(['USERS_SRC'])
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([['USERS_SRC', 'SOURCE', JDBC, 'RUNNING (1/1 tasks RUNNING)']])
    expect(await waitFor(() => outputNames(client), (n) => n.includes('dee'))).toEqual(['ann', 'cy', 'dee'])
    const ids = (await readTopic(client, 'db-users')).map((r) => (JSON.parse(r.value!.toString('utf8')) as { id: number }).id)
    expect(ids).toEqual([1, 2, 3, 4])

    // DROP stops the connector cleanly and deletes it: catalog, connect-configs entry and statuses, also across a restart
    const lastByKey = async (topic: string): Promise<Map<string, string | null>> => new Map((await readTopic(client, topic)).map((r) => [r.key!.toString('utf8'), r.value?.toString('utf8') ?? null]))
    expect((await lastByKey('connect-configs')).get('connector-USERS_SRC')).toContain('"connection.url"')
    expect((await engine.execute('DROP CONNECTOR users_src;'))[0]!.message).toBe('Dropped connector "USERS_SRC"')
    expect(host.running()).toEqual([])
    expect(host.status('USERS_SRC')).toBeNull()
    const configs = await lastByKey('connect-configs')
    expect(configs.has('connector-USERS_SRC')).toBe(true)
    expect(configs.get('connector-USERS_SRC')).toBeNull()
    const statuses = await lastByKey('connect-status')
    expect(statuses.get('status-connector-USERS_SRC')).toBeNull()
    expect(statuses.get('status-task-USERS_SRC-0')).toBeNull()
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
    await expect(engine.execute('DROP CONNECTOR users_src;')).rejects.toThrow(/Connector USERS_SRC does not exist/)
    expect((await engine.execute('DROP CONNECTOR IF EXISTS users_src;'))[0]!.message).toBe('Connector USERS_SRC does not exist.')
    await stop()
    ;({ client, engine, host, stop } = await start(dir))
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
    expect(host.running()).toEqual([])
  })

  it('rejects a bad config naming the key and its position, and leaves nothing behind', async () => {
    const dir = tmpDir()
    const file = usersDb()
    let { engine, host, stop } = await start(dir)
    const base = `'connector.class'='${JDBC}', 'connection.url'='jdbc:sqlite:${file}'`
    const cases: Array<{ sql: string; key: string; line: number; column: number; text: RegExp }> = [
      { sql: `CREATE SOURCE CONNECTOR bad WITH (${base},\n  'mode'='incrementing', 'poll.intervall.ms'='5');`, key: 'poll.intervall.ms', line: 2, column: 26, text: /Connector 'BAD': Invalid value for configuration 'poll.intervall.ms': unknown configuration key/ },
      { sql: `CREATE SOURCE CONNECTOR bad WITH (${base},\n  'mode'='sometimes');`, key: 'mode', line: 2, column: 3, text: /'mode'/ },
      { sql: `CREATE SOURCE CONNECTOR bad WITH ('connector.class'='NoSuchConnector');`, key: 'connector.class', line: 1, column: 35, text: /no connector class 'NoSuchConnector'/ },
      { sql: `CREATE SINK CONNECTOR bad WITH (${base}, 'mode'='bulk');`, key: 'connector.class', line: 1, column: 33, text: /is a source connector, not a sink connector/ },
    ]
    for (const c of cases) {
      const err = await engine.execute(c.sql).then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(SqlError)
      expect((err as SqlError).code).toBe('INVALID_PROPERTY')
      expect((err as SqlError).field).toBe(c.key)
      expect((err as SqlError).position).toEqual({ line: c.line, column: c.column })
      expect((err as SqlError).message).toMatch(c.text)
    }
    // a config that parses but a table that is not there: refused by the connector's own check before any task starts
    const missing = await engine.execute(`CREATE SOURCE CONNECTOR bad WITH (${base}, 'mode'='bulk', 'table.whitelist'='nope');`).then(() => null, (e: unknown) => e)
    expect(missing).toBeInstanceOf(SqlError)
    expect((missing as SqlError).code).toBe('EXECUTION_ERROR')
    expect((missing as SqlError).message).toMatch(/Connector 'BAD': table 'nope' does not exist/)
    expect((missing as SqlError).position).toEqual({ line: 1, column: 1 })
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
    expect(host.running()).toEqual([])
    expect(host.status('BAD')).toBeNull()
    await stop()
    ;({ engine, host, stop } = await start(dir))
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
    expect(host.running()).toEqual([])
  })

  it('a connector from the command topic that cannot start again is listed FAILED with the reason, and DROP removes it', async () => {
    const dir = tmpDir()
    const file = usersDb()
    let { engine, host, stop } = await start(dir)
    await engine.execute(createSource(file).replace("'mode'=", "'table.whitelist'='users', 'mode'="))
    expect(host.running()).toEqual(['USERS_SRC'])
    await stop()
    const db = new Database(file)
    db.exec('DROP TABLE users; CREATE TABLE other (id INTEGER PRIMARY KEY);')
    db.close()
    ;({ engine, host, stop } = await start(dir))
    expect(host.running()).toEqual([])
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([['USERS_SRC', 'SOURCE', JDBC, 'FAILED']])
    const [described] = await engine.execute('DESCRIBE CONNECTOR users_src;')
    expect(described!.message).toContain('State                : FAILED')
    expect(described!.message).toMatch(/Trace {16}: .+/)
    await engine.execute('DROP CONNECTOR users_src;')
    await stop()
    ;({ engine, host, stop } = await start(dir))
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
  })

  it('brook sql runs connector statements in its own process and prints them like ksqlDB', async () => {
    const dir = tmpDir()
    const file = usersDb()
    const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
    open.push(() => client.close())
    const lines: string[] = []
    const sql = `${createSource(file)} SHOW CONNECTORS; DROP CONNECTOR users_src;`
    expect(await runSqlShell(client, { execute: sql, output: 'json', stateDir: path.join(dir, 'state') }, (l) => lines.push(l))).toBe(0)
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(parsed).toContainEqual({ 'Connector Name': 'USERS_SRC', Type: 'SOURCE', Class: JDBC, Status: 'RUNNING (1/1 tasks RUNNING)' })
    expect(lines.join('\n')).toContain('Dropped connector \\"USERS_SRC\\"')
  })

  it('a connector class this engine does not have is listed FAILED after replay; the engine still starts', async () => {
    const dir = tmpDir()
    const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
    await new CommandTopic(client).append({ statement: "CREATE SOURCE CONNECTOR ghost WITH ('connector.class'='com.example.GoneConnector')" })
    await client.close()
    const { engine, host } = await start(dir)
    expect(host.running()).toEqual([])
    expect((await engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([['GHOST', 'SOURCE', 'com.example.GoneConnector', 'FAILED']])
    expect((await engine.execute('DESCRIBE CONNECTOR ghost;'))[0]!.message).toMatch(/Trace {16}: Connector 'GHOST': Invalid value for configuration 'connector.class': no connector class 'com.example.GoneConnector'/)
  })
})
