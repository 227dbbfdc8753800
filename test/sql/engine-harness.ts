// Shared by the engine tests on the embedded log, a Brook broker and Apache Kafka.
import { expect } from 'vitest'
import type { BrookClient } from '../../core/client/types.js'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { StreamsRuntime } from '../../sql/engine/streams-runtime.js'
import { CommandTopic } from '../../sql/engine/command-topic.js'

export async function engineOn(client: BrookClient, stateDir: string, serviceId = 'default_'): Promise<KsqlEngine> {
  return KsqlEngine.create({ runtime: new StreamsRuntime({ client, stateDir, commitIntervalMs: 100 }), commandLog: new CommandTopic(client, `_confluent-ksql-${serviceId}_command_topic`), serviceId })
}

/** Polls `fn` until it returns a value `ok` accepts (no fixed sleeps: the condition decides). */
export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  let lastErr: unknown = null
  while (Date.now() < deadline) {
    try {
      last = await fn()
      if (ok(last)) return last
    } catch (err) {
      lastErr = err
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(last)}; last error ${String(lastErr)}`)
}

/** The persistent-query scenario every backend runs: CSAS, CTAS, pull queries, push query, DROP refusal, TERMINATE, restart. */
export async function persistentQueryScenario(open: () => Promise<{ client: BrookClient; close: () => Promise<void> }>, stateDir: string, names: { pv: string; serviceId: string }): Promise<void> {
  const pv = names.pv
  let c = await open()
  let engine = await engineOn(c.client, stateDir, names.serviceId)
  await engine.execute(`CREATE STREAM ${pv} (userid STRING KEY, page STRING, ms INT) WITH (KAFKA_TOPIC='${pv}', VALUE_FORMAT='JSON', PARTITIONS=1);`)
  await engine.execute(`CREATE STREAM ${pv}_long AS SELECT userid, page, ms FROM ${pv} WHERE ms >= 100 EMIT CHANGES;`)
  const [ctas] = await engine.execute(`CREATE TABLE ${pv}_by_page AS SELECT page, COUNT(*) AS views, SUM(ms) AS total FROM ${pv} GROUP BY page EMIT CHANGES;`)
  expect(ctas!.queryId).toMatch(new RegExp(`^CTAS_${pv.toUpperCase()}_BY_PAGE_\\d+$`))
  for (const [u, p, ms] of [['u1', 'home', 50], ['u2', 'home', 150], ['u1', 'about', 300]] as const) {
    await engine.execute(`INSERT INTO ${pv} (userid, page, ms) VALUES ('${u}', '${p}', ${ms});`)
  }
  const pull = async (e: KsqlEngine, where: string) => (await e.execute(`SELECT * FROM ${pv}_by_page ${where};`))[0]!.rows ?? []
  const home = await waitFor(() => pull(engine, "WHERE page = 'home'"), (r) => r.length === 1 && r[0]![1] === 2)
  expect(home).toEqual([['home', 2, 200]])
  expect(await waitFor(() => pull(engine, "WHERE views >= 1 AND page IN ('about', 'nope')"), (r) => r.length === 1)).toEqual([['about', 1, 300]])
  // push query over the filtered stream: the two long views, then LIMIT ends it and leaves nothing behind
  const pushed: unknown[][] = []
  for await (const r of engine.stream(`SELECT userid, ms FROM ${pv}_long EMIT CHANGES LIMIT 2;`)) pushed.push([...r.row])
  expect(pushed.sort()).toEqual([['u1', 300], ['u2', 150]])
  // DROP is refused while queries use the source, naming them
  await expect(engine.execute(`DROP STREAM ${pv};`)).rejects.toThrow(/The following queries read from this source: \[CSAS_.*CTAS_.*\]/)
  await engine.close()
  await c.close()
  // restart: the command topic brings back the catalog and both queries, which resume
  c = await open()
  engine = await engineOn(c.client, stateDir, names.serviceId)
  expect(engine.listQueries().map((q) => q.id).sort()).toEqual([`CSAS_${pv.toUpperCase()}_LONG_1`, ctas!.queryId!].sort())
  await engine.execute(`INSERT INTO ${pv} (userid, page, ms) VALUES ('u3', 'home', 1);`)
  expect(await waitFor(() => pull(engine, "WHERE page = 'home'"), (r) => r[0]?.[1] === 3)).toEqual([['home', 3, 201]])
  // PAUSE: the paused query processes nothing while the other goes on; RESUME carries on where it stopped
  const longId = `CSAS_${pv.toUpperCase()}_LONG_1`
  const longRows = async (): Promise<string[]> => (await engine.runtime.read(`${pv.toUpperCase()}_LONG`, true, 100, 300)).map((r) => r.value?.toString('utf8') ?? 'null')
  expect(await waitFor(longRows, (r) => r.length === 2)).toHaveLength(2)
  await engine.execute(`PAUSE ${longId};`)
  await engine.execute(`INSERT INTO ${pv} (userid, page, ms) VALUES ('u4', 'home', 500);`)
  expect(await waitFor(() => pull(engine, "WHERE page = 'home'"), (r) => r[0]?.[1] === 4)).toEqual([['home', 4, 701]])
  expect(await longRows()).toHaveLength(2)
  await engine.execute(`RESUME ${longId};`)
  expect((await waitFor(longRows, (r) => r.length === 3))[2]).toBe('{"PAGE":"home","MS":500}')
  await engine.execute(`TERMINATE ${ctas!.queryId};`)
  expect(engine.listQueries().map((q) => q.id)).toEqual([`CSAS_${pv.toUpperCase()}_LONG_1`])
  await engine.close()
  await c.close()
}
