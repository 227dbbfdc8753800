// npm run bench:streams-peer: Brook Streams beside its peer, Apache Kafka Streams (Java), on the
// same broker and the same input, each beside its own client's raw consume of that input:
//   java-raw          Kafka's KafkaConsumer reading every line (max.poll.records 1000)
//   java-stateless    Kafka Streams, filter + mapValues + to, one stream thread, commits every second
//   brook-raw         Brook's wire client reading every line (the same settings)
//   brook-stateless   Brook Streams on the wire client, the same topology and commit interval
//   java-wordcount    Kafka Streams word count (flatMapValues, selectKey, repartition, count, to), RocksDB
//                     and the default record cache, one stream thread, commits every second
//   brook-wordcount   Brook Streams word count, the same topology, SQLite and the default record cache
// The streams cases are timed from RUNNING until the last record went through the topology
// (Kafka Streams has no call that commits now). The JVM stays up between rounds (JIT-warm), as the
// Node process does; rounds alternate (the order rotates) and medians are reported.
// The broker: --bootstrap=host:port or BROOK_KAFKA_BOOTSTRAP (Apache Kafka: scripts/ci/start-kafka.sh),
// else Brook's own server in its own process. Needs java and javac, and Kafka's jars in KAFKA_JARS
// (default .cache/maven-jars, from scripts/ci/install-compat.sh).
// Options: --lines=N (default 500000 4-word lines), --partitions=N (4), --rounds=N (3), --warmup=N (1: rounds
// run first and not counted, so neither JIT is measured cold), --cases=stateless,wordcount (both by default).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { KafkaClient } from '../core/client/kafka/client.js'
import type { BrookClient, ProducerRecord } from '../core/client/types.js'
import { KafkaStreams, type Topology } from '../streams/index.js'
import { startBrookServer } from './brook-server.js'
import { rawConsume } from './raw-consume.js'
import { alternateRounds, med } from './rounds.js'
import { seen, stateless, wordCount } from './streams-topologies.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const LINES = Number(args.get('lines') ?? 500_000)
const PARTITIONS = Number(args.get('partitions') ?? 4)
const ROUNDS = Number(args.get('rounds') ?? 3)
const WARMUP = Number(args.get('warmup') ?? 1)
const CASES = (args.get('cases') ?? 'stateless,wordcount').split(',')
for (const c of CASES) if (c !== 'stateless' && c !== 'wordcount') throw new Error(`unknown case '${c}' (known: stateless, wordcount)`)
const WORDS_PER_LINE = 4
const JARS = process.env.KAFKA_JARS ?? path.join(ROOT, '.cache', 'maven-jars')
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const run = Date.now().toString(36)
type Side = 'java-raw' | 'brook-raw' | 'java-stateless' | 'brook-stateless' | 'java-wordcount' | 'brook-wordcount'

/** The Java peer, compiled into a temporary directory and kept running; one command per line. */
class JavaPeer {
  private readonly lines: AsyncIterator<string>
  private constructor(private readonly child: ChildProcess) {
    this.lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
  }

  static async start(bootstrap: string): Promise<JavaPeer> {
    if (!fs.existsSync(JARS)) throw new Error(`Kafka's jars are not in ${JARS}: run scripts/ci/install-compat.sh or set KAFKA_JARS`)
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'streams-peer-'))
    execFileSync('javac', ['-nowarn', '-d', out, '-cp', `${JARS}/*`, path.join(ROOT, 'bench', 'java', 'StreamsPeer.java')], { stdio: 'inherit' })
    const child = spawn('java', ['-cp', `${JARS}/*${path.delimiter}${out}`, 'StreamsPeer', bootstrap], { stdio: ['pipe', 'pipe', 'inherit'] })
    const peer = new JavaPeer(child)
    if ((await peer.lines.next()).value !== 'ready') throw new Error('the Java peer did not start')
    return peer
  }

  /** Runs one command; returns its elapsed milliseconds. */
  async ms(command: string): Promise<number> {
    this.child.stdin!.write(`${command}\n`)
    const { value, done } = await this.lines.next()
    const m = done ? null : /^ms (\d+)$/.exec(value as string)
    if (m === null) throw new Error(`the Java peer answered '${String(value)}' to '${command}'`)
    return Number(m[1])
  }

  stop(): void {
    this.child.stdin!.end()
    this.child.kill()
  }
}

async function createTopics(client: BrookClient, topics: string[]): Promise<void> {
  const admin = client.admin()
  await admin.createTopics(topics.map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 1 })))
  await admin.close()
}

/** Lines of 4 words drawn from a vocabulary of 10,000, as bench:streams writes them. */
async function fillLines(client: BrookClient, topic: string): Promise<void> {
  const words = Array.from({ length: 10_000 }, (_, i) => `w${i.toString(36)}`)
  let s = 42
  const rnd = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff) % words.length
  const producer = client.producer({ lingerMs: 5, batchSize: 256 * 1024 })
  for (let sent = 0; sent < LINES; ) {
    const chunk: ProducerRecord[] = []
    for (let i = 0; i < 10_000 && sent < LINES; i++, sent++) {
      chunk.push({ topic, partition: sent % PARTITIONS, key: null, value: `${words[rnd()]} ${words[rnd()]} ${words[rnd()]} ${words[rnd()]}` })
    }
    await producer.sendBatch(chunk)
  }
  await producer.close()
}

/** Milliseconds from RUNNING until Brook Streams passed `expected` records through the topology's last stage. */
async function brookStreams(client: BrookClient, topology: Topology, applicationId: string, expected: number): Promise<number> {
  seen.n = 0
  const streams = new KafkaStreams(topology, client, {
    applicationId,
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'streams-peer-state-')),
    commitIntervalMs: 1000,
    maxPollRecords: 1000,
  })
  let t0 = 0
  streams.onStateChange = (state) => {
    if (state === 'RUNNING' && t0 === 0) t0 = performance.now()
  }
  await streams.start()
  while (seen.n < expected) {
    if (streams.state === 'ERROR') throw streams.error!
    await new Promise((r) => setTimeout(r, 2))
  }
  const ms = performance.now() - t0
  await streams.close()
  return ms
}

async function main(): Promise<void> {
  let server: { bootstrap: string; child: ChildProcess } | null = null
  const bootstrap = args.get('bootstrap') ?? process.env.BROOK_KAFKA_BOOTSTRAP ?? (server = await startBrookServer()).bootstrap
  const broker = server === null ? `the broker at ${bootstrap}` : `Brook's server (its own process) at ${bootstrap}`
  console.log(`Streams peer bench: ${fmt(LINES)} lines of 4 words, ${PARTITIONS} partitions, on ${broker}; medians of ${ROUNDS} rounds, the order rotating`)
  const client = await KafkaClient.connect({ bootstrapServers: bootstrap })
  const peer = await JavaPeer.start(bootstrap)
  try {
    const input = `peer-lines-${run}`
    await createTopics(client, [input])
    await fillLines(client, input)
    const rate = (ms: number): Record<string, number> => ({ rate: (LINES / ms) * 1000 })
    const output = async (side: string, round: number): Promise<string> => {
      const topic = `peer-out-${side}-${run}-${round}`
      await createTopics(client, [topic])
      return topic
    }
    const all: Record<string, (r: number) => Promise<Record<string, number>>> = {
      'java-raw': async () => rate(await peer.ms(`raw ${input} ${PARTITIONS} ${LINES}`)),
      'brook-raw': async () => rate((await rawConsume(client, input, PARTITIONS, LINES, 1000)).ms),
    }
    if (CASES.includes('stateless')) {
      all['java-stateless'] = async (r) => rate(await peer.ms(`stateless ${input} ${await output('java-sl', r)} ${LINES} peer-java-sl-${run}-${r}`))
      all['brook-stateless'] = async (r) => rate(await brookStreams(client, stateless(input, await output('brook-sl', r)), `peer-brook-sl-${run}-${r}`, LINES))
    }
    if (CASES.includes('wordcount')) {
      const words = LINES * WORDS_PER_LINE
      all['java-wordcount'] = async (r) => rate(await peer.ms(`wordcount ${input} ${await output('java-wc', r)} ${words} peer-java-wc-${run}-${r}`))
      all['brook-wordcount'] = async (r) => rate(await brookStreams(client, wordCount(input, await output('brook-wc', r)), `peer-brook-wc-${run}-${r}`, words))
    }
    const sides = all as Record<Side, (r: number) => Promise<Record<string, number>>>
    const show = (label: string) => (round: number, side: string, m: Record<string, number>): void =>
      console.log(`  ${label} ${round + 1} ${side.padEnd(16)} ${fmt(m.rate! * (side.endsWith('wordcount') ? WORDS_PER_LINE : 1)).padStart(11)} ${side.endsWith('wordcount') ? 'words/s' : 'records/s'}`)
    // Warm-up rounds use their own round numbers (topics and application ids), past the counted ones.
    await alternateRounds(WARMUP, Object.fromEntries(Object.entries(sides).map(([k, f]) => [k, (r: number) => f(ROUNDS + r)])), show('warm-up'))
    const results = await alternateRounds(ROUNDS, sides, show('round'))
    const m = (side: Side): number => med(results, side, 'rate')
    console.log('\nmedians:')
    console.log(`  Kafka consumer (Java)       ${fmt(m('java-raw')).padStart(11)} records/s`)
    console.log(`  Brook wire consumer         ${fmt(m('brook-raw')).padStart(11)} records/s  ${(m('brook-raw') / m('java-raw')).toFixed(2)}x of the Java consumer`)
    if (CASES.includes('stateless')) {
      console.log(`  Kafka Streams, stateless    ${fmt(m('java-stateless')).padStart(11)} records/s  ${(m('java-stateless') / m('java-raw')).toFixed(2)}x of its raw consume`)
      console.log(
        `  Brook Streams, stateless    ${fmt(m('brook-stateless')).padStart(11)} records/s  ${(m('brook-stateless') / m('brook-raw')).toFixed(2)}x of its raw consume; ` +
          `${(m('brook-stateless') / m('java-stateless')).toFixed(2)}x of Kafka Streams`,
      )
    }
    if (CASES.includes('wordcount')) {
      console.log(`  Kafka Streams, word count   ${fmt(m('java-wordcount') * WORDS_PER_LINE).padStart(11)} words/s`)
      console.log(`  Brook Streams, word count   ${fmt(m('brook-wordcount') * WORDS_PER_LINE).padStart(11)} words/s    ${(m('brook-wordcount') / m('java-wordcount')).toFixed(2)}x of Kafka Streams`)
    }
  } finally {
    peer.stop()
    await client.close()
    server?.child.kill()
  }
}

await main()
