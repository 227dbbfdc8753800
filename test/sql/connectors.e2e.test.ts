// Connector statements over the wire: a SQLite JDBC source created in SQL, its rows read by a CSAS,
// a restart that brings the connector back from the command topic, and DROP; on a Brook broker,
// and on Apache Kafka when BROOK_KAFKA_BOOTSTRAP names one (skipped locally without it; required under CI=true).
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Broker } from '../../core/broker/broker.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { startServer } from '../../core/server/server.js'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { StreamsRuntime } from '../../sql/engine/streams-runtime.js'
import { CommandTopic, commandTopicName } from '../../sql/engine/command-topic.js'
import { WorkerConnectorHost } from '../../sql/engine/connectors.js'
import { tmpDir, uniqueName } from '../helpers/tmp.js'
import { readTopic } from '../connectors/helpers.js'
import { waitFor } from './engine-harness.js'

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined }
const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
const ci = process.env.CI === 'true'
const JDBC = 'io.confluent.connect.jdbc.JdbcSourceConnector'

async function scenario(connect: () => Promise<BrookClient>): Promise<void> {
  const dir = tmpDir()
  const p = uniqueName('cx').replace(/-/g, '_')
  const file = path.join(dir, 'users.sqlite')
  const db = new Database(file)
  db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, score INTEGER); INSERT INTO users VALUES (1, 'ann', 50), (2, 'bob', 5);`)
  db.close()
  const open = async () => {
    const client = await connect()
    const host = new WorkerConnectorHost(client, { log: () => {}, topics: { offsets: `${p}-offsets`, status: `${p}-status`, configs: `${p}-configs` } })
    const engine = await KsqlEngine.create({
      runtime: new StreamsRuntime({ client, stateDir: path.join(dir, 'state'), commitIntervalMs: 100 }),
      commandLog: new CommandTopic(client, commandTopicName(`${p}_`)), serviceId: `${p}_`, connectors: host,
    })
    return { client, host, engine, close: async () => { await engine.close(); await client.close() } }
  }
  const names = async (client: BrookClient) => (await readTopic(client, `${p.toUpperCase()}_HIGH`)).map((r) => (JSON.parse(r.value!.toString('utf8')) as { NAME: string }).NAME).sort()
  let s = await open()
  try {
    await s.engine.execute(`CREATE STREAM ${p}_users (id INT, name STRING, score INT) WITH (KAFKA_TOPIC='${p}-users', VALUE_FORMAT='JSON', PARTITIONS=1);
      SET 'auto.offset.reset'='earliest';
      CREATE STREAM ${p}_high AS SELECT id, name FROM ${p}_users WHERE score > 10 EMIT CHANGES;
      CREATE SOURCE CONNECTOR ${p}_src WITH ('connector.class'='${JDBC}', 'connection.url'='jdbc:sqlite:${file}', 'mode'='incrementing',
        'incrementing.column.name'='id', 'topic.prefix'='${p}-', 'poll.interval.ms'='50', 'value.converter.schemas.enable'='false');`)
    expect(await waitFor(() => names(s.client), (n) => n.length >= 1)).toEqual(['ann'])
    await s.close()
    const db2 = new Database(file)
    db2.exec(`INSERT INTO users VALUES (3, 'cy', 70);`)
    db2.close()
    s = await open()
    expect(s.host.running()).toEqual([`${p.toUpperCase()}_SRC`])
    expect(await waitFor(() => names(s.client), (n) => n.includes('cy'))).toEqual(['ann', 'cy'])
    await s.engine.execute(`DROP CONNECTOR ${p}_src;`)
    expect(s.host.running()).toEqual([])
    expect((await s.engine.execute('SHOW CONNECTORS;'))[0]!.rows).toEqual([])
  } finally {
    await s.close()
  }
}

describe('connector statements over the wire', () => {
  it('run a SQLite source into a CSAS, come back after a restart and stop on DROP, on a Brook broker', async () => {
    const dir = tmpDir()
    const broker = await Broker.open({ dataDir: `${dir}/log` })
    const server = await startServer(broker, { host: '127.0.0.1', port: 0, logger: quiet })
    try {
      await scenario(() => KafkaClient.connect({ bootstrapServers: `127.0.0.1:${server.port}`, clientId: 'sql-connect-e2e' }))
    } finally {
      await server.close()
      await broker.close()
    }
  }, 120_000)

  it.runIf(bootstrap !== undefined)(`run a SQLite source into a CSAS, come back after a restart and stop on DROP, on Apache Kafka at ${bootstrap ?? '(unset)'}`, async () => {
    await scenario(() => KafkaClient.connect({ bootstrapServers: bootstrap!, clientId: 'sql-connect-e2e' }))
  }, 180_000)

  it.runIf(bootstrap === undefined && ci)('needs BROOK_KAFKA_BOOTSTRAP when CI=true', () => {
    throw new Error('BROOK_KAFKA_BOOTSTRAP is not set: CI must run the connector statements against an Apache Kafka broker')
  })
})
