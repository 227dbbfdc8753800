// Interactive queries across instances: two instances of one word-count application split its
// partitions, each with an HTTP endpoint (its application.server). Either endpoint answers for
// any word: queryMetadataForKey names the instance whose store holds it, and the request goes
// there when that is not this one. Each also keeps a standby replica of the other's counts.
// Run: npx tsx examples/interactive-queries.ts
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, QueryableStoreTypes, Serdes, StreamsBuilder } from '../streams/index.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-iq-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([
  { topic: 'lines', numPartitions: 4 },
  { topic: 'word-counts', numPartitions: 1 },
])

const S = Serdes.String()
function wordCount() {
  const builder = new StreamsBuilder()
  builder
    .stream<string | null, string>('lines', Consumed.with(S, S))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_key, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to('word-counts', Produced.with(S, Serdes.Long()))
  return builder.build()
}

/** One instance: an HTTP server on a free port, and the application with that port as its endpoint. */
async function instance(name: string, stateDir: string): Promise<{ name: string; streams: KafkaStreams; url: string; server: http.Server }> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const streams = new KafkaStreams(wordCount(), client, {
    applicationId: 'iq-word-count',
    stateDir,
    commitIntervalMs: 100,
    applicationServer: `127.0.0.1:${port}`,
    numStandbyReplicas: 1,
  })
  // GET /count/<word>: from the local store when this instance holds the word, else from the instance that does.
  server.on('request', (req, res) => {
    void (async () => {
      const word = decodeURIComponent((req.url ?? '').replace(/^\/count\//, ''))
      const md = streams.queryMetadataForKey('counts', word, S)
      if (md === null || md.activeHost.port < 0) return void res.writeHead(503).end('not available yet')
      if (md.activeHost.port === port) {
        const count = streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).get(word) ?? 0
        return void res.end(JSON.stringify({ word, count, answeredBy: name, partition: md.partition }))
      }
      const remote = await fetch(`http://${md.activeHost.toString()}/count/${encodeURIComponent(word)}`)
      res.writeHead(remote.status).end(await remote.text())
    })().catch((err: unknown) => res.writeHead(500).end(String(err)))
  })
  await streams.start()
  return { name, streams, url: `http://127.0.0.1:${port}`, server }
}

const a = await instance('a', path.join(dir, 'state-a'))
const b = await instance('b', path.join(dir, 'state-b'))
// Both running, each with its share of the tasks, before the input goes in.
for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 50))) {
  if (a.streams.state === 'RUNNING' && b.streams.state === 'RUNNING' && a.streams.taskIds().length > 0 && b.streams.taskIds().length > 0) break
  if (Date.now() > deadline) throw new Error('the instances did not share the tasks in time')
}

const lines = ['Brook is a log', 'a log you can stream', 'stream the log, count the words', 'the words are counted', 'a log of logs']
const producer = client.producer()
await producer.sendBatch(lines.map((value, i) => ({ topic: 'lines', value, partition: i % 4 })))
await producer.close()
const expected = new Map<string, number>()
for (const w of lines.flatMap((l) => l.toLowerCase().split(/\W+/).filter((x) => x.length > 0))) expected.set(w, (expected.get(w) ?? 0) + 1)

// Wait until the counts are in the stores, asking one endpoint for each word.
for (const deadline = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
  const answers = await Promise.all([...expected.keys()].map(async (w) => (await (await fetch(`${a.url}/count/${w}`)).json()) as { count: number }))
  if (answers.every((x, i) => x.count === [...expected.values()][i])) break
  if (Date.now() > deadline) throw new Error('the counts did not arrive in time')
}

const nameOf = new Map([a, b].map((i) => [i.url.replace('http://', ''), i.name]))
for (const m of a.streams.metadataForAllStreamsClients()) {
  console.log(`instance ${nameOf.get(m.hostInfo.toString())} at ${m.hostInfo.toString()}: partitions ${m.topicPartitions.filter((tp) => tp.topic === 'lines').map((tp) => tp.partition).join(',')}, standby of ${m.standbyTopicPartitions.length > 0 ? 'counts partitions ' + [...new Set(m.standbyTopicPartitions.map((tp) => tp.partition))].join(',') : 'nothing'}`)
}
console.log('each word asked of both endpoints:')
for (const word of [...expected.keys()].sort()) {
  const viaA = (await (await fetch(`${a.url}/count/${word}`)).json()) as { count: number; answeredBy: string; partition: number }
  const viaB = (await (await fetch(`${b.url}/count/${word}`)).json()) as { count: number; answeredBy: string }
  console.log(`  ${word.padEnd(8)} ${viaA.count} (partition ${viaA.partition}, held by ${viaA.answeredBy}; asked of a: ${viaA.count}, asked of b: ${viaB.count})`)
}

for (const i of [a, b]) {
  await i.streams.close()
  i.server.close()
}
await admin.close()
await client.close()
fs.rmSync(dir, { recursive: true, force: true })
