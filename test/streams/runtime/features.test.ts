import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient, ConsumerConfig, ProducerConfig } from '../../../core/client/types.js'
import {
  BufferConfig,
  Consumed,
  KafkaStreams,
  Materialized,
  Produced,
  PunctuationType,
  QueryableStoreTypes,
  Serdes,
  StreamRecord,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
  type KafkaStreamsConfig,
  type ProcessorContext,
  type Topology,
  type Windowed,
} from '../../../streams/index.js'
import { L, S, cleanupDirs, latestCounts, produce, readAll, tmpDir, waitFor, wordCount } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

async function clientWith(topics: Array<[string, number]>): Promise<EmbeddedClient> {
  const client = await EmbeddedClient.open({ dataDir: tmpDir() })
  closers.push(() => client.close())
  const admin = client.admin()
  await admin.createTopics(topics.map(([topic, numPartitions]) => ({ topic, numPartitions })))
  await admin.close()
  return client
}

async function started(topology: Topology, client: EmbeddedClient, config: Partial<KafkaStreamsConfig> = {}): Promise<KafkaStreams> {
  const s = new KafkaStreams(topology, client, { applicationId: 'app', stateDir: tmpDir(), commitIntervalMs: 100, ...config })
  closers.push(() => s.close())
  await s.start()
  return s
}

const WS = WindowedSerdes.timeWindowedSerdeFrom(S, 1000)
const fmt = (k: Windowed<string>, v: number) => `${k.key}@${k.window.start}=${v}`

async function windowedOut(client: EmbeddedClient): Promise<string[]> {
  return (await readAll(client, 'out')).map((r) => fmt(WS.deserialize('out', r.key) as Windowed<string>, L.deserialize('out', r.value) as number))
}

describe('KafkaStreams windowed aggregation with suppression', () => {
  function topology(): Topology {
    const b = new StreamsBuilder()
    b.stream<string, string>('clicks', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(1000))
      .count(Materialized.as<string, number>('clicks-per-window').withRetention(60_000))
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(WS, L))
    return b.build()
  }

  it('emits one final count per window once stream time passes its end, and serves window fetches', async () => {
    const client = await clientWith([['clicks', 1], ['out', 1]])
    const s = await started(topology(), client)
    await produce(client, 'clicks', [
      { key: 'a', value: 'x', timestamp: 100 },
      { key: 'a', value: 'x', timestamp: 500 },
      { key: 'b', value: 'x', timestamp: 900 },
      { key: 'a', value: 'x', timestamp: 1200 },
    ])
    await waitFor('the window store to see all four clicks', () => {
      if (s.state !== 'RUNNING') return false
      const ws = s.store('clicks-per-window', QueryableStoreTypes.windowStore<string, number>())
      return ws.fetch('a', 1000) === 1 ? ws : null
    })
    const ws = s.store('clicks-per-window', QueryableStoreTypes.windowStore<string, number>())
    expect(ws.fetch('a', 0)).toBe(2)
    expect(ws.fetch('b', 0)).toBe(1)
    expect(ws.fetch('a', 0, 2000)).toEqual([
      { key: 0, value: 2 },
      { key: 1000, value: 1 },
    ])
    // Stream time 1200 closed [0,1000): the final counts, nothing for the open window.
    await waitFor('final results of the first window', async () => (await windowedOut(client)).length >= 2)
    expect((await windowedOut(client)).sort()).toEqual(['a@0=2', 'b@0=1'])
    await produce(client, 'clicks', [{ key: 'c', value: 'x', timestamp: 2500 }])
    await waitFor('the second window to close', async () => (await windowedOut(client)).length >= 3)
    expect((await windowedOut(client)).sort()).toEqual(['a@0=2', 'a@1000=1', 'b@0=1'])
  })

  it('with idleAdvanceMs closes a window on a quiet partition without new records', async () => {
    const client = await clientWith([['clicks', 1], ['out', 1]])
    await started(topology(), client, { idleAdvanceMs: 200 })
    // Both records at the start of the current wall-clock window, so they share it whatever
    // the millisecond (now and now + 1 straddle a window boundary once in a thousand runs).
    const now = Date.now()
    const start = now - (now % 1000)
    await produce(client, 'clicks', [
      { key: 'a', value: 'x', timestamp: start },
      { key: 'a', value: 'x', timestamp: start + 1 },
    ])
    // No more input: stream time follows the wall clock after 200 ms of idleness.
    await waitFor('the idle window to close', async () => (await windowedOut(client)).length >= 1, 10_000)
    expect(await windowedOut(client)).toEqual([`a@${start}=2`])
  })
})

describe('KafkaStreams time', () => {
  it('uses the timestamp extractor for stream time and fires stream-time and wall-clock punctuators', async () => {
    const client = await clientWith([['events', 1], ['ticks', 1]])
    const b = new StreamsBuilder()
    b.stream<string, string>('events', Consumed.with(S, S).withTimestampExtractor((r) => Number(r.value)))
      .process(() => {
        let ctx: ProcessorContext<string, string>
        return {
          init(c: ProcessorContext<string, string>) {
            ctx = c
            c.schedule(1000, PunctuationType.STREAM_TIME, (t) => ctx.forward(new StreamRecord('stream', String(t), t)))
            c.schedule(50, PunctuationType.WALL_CLOCK_TIME, (t) => ctx.forward(new StreamRecord('wall', String(t), t)))
          },
          process(r) {
            ctx.forward(new StreamRecord('record', String(r.timestamp), r.timestamp))
          },
        }
      })
      .to('ticks', Produced.with(S, S))
    const startedAt = Date.now()
    await started(b.build(), client)
    // Record timestamps say 0; the extractor reads stream time from the values.
    await produce(client, 'events', ['5000', '5500', '6200', '7000'].map((value) => ({ key: 'k', value, timestamp: 1 })))
    const out = await waitFor('stream-time punctuations and two wall-clock ticks', async () => {
      const rs = (await readAll(client, 'ticks')).map((r) => [r.key!.toString(), r.value!.toString()] as const)
      return rs.filter(([k]) => k === 'stream').length >= 3 && rs.filter(([k]) => k === 'wall').length >= 2 ? rs : null
    })
    expect(out.filter(([k]) => k === 'record').map(([, v]) => v)).toEqual(['5000', '5500', '6200', '7000'])
    // First punctuation at the first stream time, then every 1000 ms of stream time.
    expect(out.filter(([k]) => k === 'stream').map(([, v]) => v)).toEqual(['5000', '6200', '7000'])
    // Wall-clock punctuations carry wall-clock time (not stream time), increasing. Their
    // spacing is not asserted: on a loaded machine a late tick is followed by the next grid
    // point, which can be closer than the interval, as in Kafka.
    const walls = out.filter(([k]) => k === 'wall').map(([, v]) => Number(v))
    for (const w of walls) expect(w).toBeGreaterThanOrEqual(startedAt)
    for (const w of walls) expect(w).toBeLessThanOrEqual(Date.now())
    for (let i = 1; i < walls.length; i++) expect(walls[i]!).toBeGreaterThan(walls[i - 1]!)
  })
})

describe('KafkaStreams deserialization errors', () => {
  function longs(): Topology {
    const b = new StreamsBuilder()
    b.stream<string, number>('nums', Consumed.with(S, Serdes.Long()))
      .mapValues((v) => v * 10)
      .to('tens', Produced.with(S, L))
    return b.build()
  }
  const good = (n: number) => Serdes.Long().serialize('nums', n)
  const input = [
    { key: 'a', value: good(1) },
    { key: 'bad', value: Buffer.from('xyz') },
    { key: 'b', value: good(2) },
  ]

  it('logAndContinue skips the bad record and logs where it was', async () => {
    const client = await clientWith([['nums', 1], ['tens', 1]])
    await produce(client, 'nums', input)
    const logs: string[] = []
    await started(longs(), client, { deserializationExceptionHandler: 'logAndContinue', logger: (m) => logs.push(m) })
    const out = await waitFor('two outputs', async () => {
      const rs = await readAll(client, 'tens')
      return rs.length >= 2 ? rs : null
    })
    expect(out.map((r) => L.deserialize('tens', r.value))).toEqual([10, 20])
    expect(logs.some((m) => m.includes("topic 'nums', partition 0, offset 1"))).toBe(true)
  })

  it('logAndFail stops the application with an error naming topic, partition and offset', async () => {
    const client = await clientWith([['nums', 1], ['tens', 1]])
    await produce(client, 'nums', input)
    const s = await started(longs(), client, { deserializationExceptionHandler: 'logAndFail' })
    await waitFor('the ERROR state', () => s.state === 'ERROR')
    expect(s.error?.message).toMatch(/topic 'nums', partition 0, offset 1/)
    await s.close()
    expect(s.state).toBe('NOT_RUNNING')
  })

  it('a dead-letter topic receives the bad record with where it came from', async () => {
    const client = await clientWith([['nums', 1], ['tens', 1], ['nums-dlq', 1]])
    await produce(client, 'nums', input)
    await started(longs(), client, { deserializationExceptionHandler: { deadLetterTopic: 'nums-dlq' } })
    const dlq = await waitFor('the dead letter', async () => {
      const rs = await readAll(client, 'nums-dlq')
      return rs.length >= 1 ? rs : null
    })
    expect(dlq[0]!.key!.toString()).toBe('bad')
    expect(dlq[0]!.value!.toString()).toBe('xyz')
    const h = new Map(dlq[0]!.headers.map((x) => [x.key, x.value?.toString()]))
    expect(h.get('__brook.dlq.topic')).toBe('nums')
    expect(h.get('__brook.dlq.offset')).toBe('1')
    await waitFor('good records through', async () => (await readAll(client, 'tens')).length === 2)
  })
})

describe('KafkaStreams global tables', () => {
  it('loads a global table before processing and joins every partition against it', async () => {
    const client = await clientWith([['regions', 1], ['visits', 3], ['visits-by-region', 1]])
    await produce(client, 'regions', [
      { key: 'fr', value: 'Europe' },
      { key: 'jp', value: 'Asia' },
    ])
    await produce(client, 'visits', ['fr', 'jp', 'fr', 'xx'].map((country, i) => ({ key: `v${i}`, value: country, partition: i % 3 })))
    const b = new StreamsBuilder()
    const regions = b.globalTable<string, string>('regions', Consumed.with(S, S), Materialized.as<string, string>('regions-store'))
    b.stream<string, string>('visits', Consumed.with(S, S))
      .join(regions, (_k, country) => country, (country, region) => `${country}:${region}`)
      .to('visits-by-region', Produced.with(S, S))
    const s = await started(b.build(), client)
    const out = await waitFor('three joined visits', async () => {
      const rs = await readAll(client, 'visits-by-region')
      return rs.length >= 3 ? rs : null
    })
    expect(out.map((r) => r.value!.toString()).sort()).toEqual(['fr:Europe', 'fr:Europe', 'jp:Asia'])
    expect(s.store('regions-store', QueryableStoreTypes.keyValueStore<string, string>()).get('jp')).toBe('Asia')
  })

  it('close() during the load of a global table stops it; the next start loads the whole table', async () => {
    const base = await clientWith([['regions', 1], ['visits', 1], ['visits-by-region', 1]])
    // 100,000 regions: the global consumer reads them in at least 10 polls of at most 10,000.
    const total = 100_000
    const producer = base.producer({ lingerMs: 5, batchSize: 256 * 1024 })
    await producer.sendBatch(Array.from({ length: total }, (_, i) => ({ topic: 'regions', partition: 0, key: `r${i}`, value: `region ${i}` })))
    await producer.close()
    const topology = (): Topology => {
      const b = new StreamsBuilder()
      const regions = b.globalTable<string, string>('regions', Consumed.with(S, S), Materialized.as<string, string>('regions-store'))
      b.stream<string, string>('visits', Consumed.with(S, S))
        .join(regions, (_k, r) => r, (r, region) => `${r}:${region}`)
        .to('visits-by-region', Produced.with(S, S))
      return b.build()
    }
    const stateDir = tmpDir()

    // The first instance is closed as its global consumer polls for the first time.
    let globalPolls = 0
    let closing: Promise<void> | null = null
    const first: KafkaStreams = new KafkaStreams(
      topology(),
      new Proxy(base, {
        get(target, prop) {
          if (prop !== 'consumer') return (Reflect.get(target, prop) as (...a: unknown[]) => unknown).bind(target)
          return (config?: ConsumerConfig) => {
            const c = target.consumer(config)
            if (config?.clientId !== 'global-stop-global') return c
            const poll = c.poll.bind(c)
            c.poll = (ms?: number) => {
              globalPolls++
              closing ??= first.close()
              return poll(ms)
            }
            return c
          }
        },
      }),
      { applicationId: 'global-stop', stateDir, commitIntervalMs: 100 },
    )
    closers.push(() => first.close())
    await first.start().catch(() => undefined)
    await waitFor('closing', () => closing !== null)
    await closing
    expect(first.state).toBe('NOT_RUNNING')
    expect(globalPolls).toBeLessThan(total / 10_000)

    const second = await started(topology(), base, { applicationId: 'global-stop', stateDir })
    await waitFor('running', () => second.state === 'RUNNING')
    const store = second.store('regions-store', QueryableStoreTypes.keyValueStore<string, string>())
    expect(store.get('r0')).toBe('region 0')
    expect(store.get(`r${total - 1}`)).toBe(`region ${total - 1}`)
    expect(store.approximateNumEntries()).toBe(total)
  })
})

describe('KafkaStreams start checks', () => {
  it('rejects a join of topics with different partition counts, naming the operator and the topics', async () => {
    const client = await clientWith([['orders', 4], ['customers', 3], ['enriched', 1]])
    const b = new StreamsBuilder()
    const customers = b.table<string, string>('customers', Consumed.with(S, S))
    b.stream<string, string>('orders', Consumed.with(S, S))
      .join(customers, (o, c) => `${o}/${c}`)
      .to('enriched', Produced.with(S, S))
    const s = new KafkaStreams(b.build(), client, { applicationId: 'join', stateDir: tmpDir() })
    closers.push(() => s.close())
    await expect(s.start()).rejects.toThrow(/KSTREAM-JOIN-\d+ requires co-partitioned inputs, but topic '(orders|customers)' has [34] partition\(s\) and topic '(customers|orders)' has [34]/)
    await expect(s.start()).rejects.toThrow(/Cannot start/)
  })

  it('rejects missing source topics', async () => {
    const client = await clientWith([])
    const b = new StreamsBuilder()
    b.stream<string, string>('nowhere', Consumed.with(S, S)).to('x')
    const s = new KafkaStreams(b.build(), client, { applicationId: 'missing', stateDir: tmpDir() })
    closers.push(() => s.close())
    await expect(s.start()).rejects.toThrow(/'nowhere' do not exist/)
  })
})

/** The client, noting every producer and consumer made through it until it is closed. */
function tracking(client: BrookClient): { client: BrookClient; open: Set<string> } {
  const open = new Set<string>()
  let made = 0
  const track = <T extends { close(): Promise<void> }>(kind: string, x: T): T => {
    const id = `${kind}-${made++}`
    open.add(id)
    const close = x.close.bind(x)
    x.close = async () => {
      open.delete(id)
      await close()
    }
    return x
  }
  const wrapped = new Proxy(client, {
    get(target, prop) {
      if (prop === 'producer') return (c?: ProducerConfig) => track('producer', target.producer(c))
      if (prop === 'consumer') return (c?: ConsumerConfig) => track('consumer', target.consumer(c))
      const v = Reflect.get(target, prop) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    },
  })
  return { client: wrapped, open }
}

describe('KafkaStreams close', () => {
  it('during start() waits for it, and leaves no producer or consumer behind', async () => {
    const base = await clientWith([['in', 2], ['out', 1]])
    const { client, open } = tracking(base)
    const s = new KafkaStreams(wordCount('in', 'out'), client, { applicationId: 'early', stateDir: tmpDir(), commitIntervalMs: 100 })
    // close() while start() is still making the internal topics.
    const starting = s.start()
    await s.close()
    await starting.catch(() => undefined)
    expect(s.state).toBe('NOT_RUNNING')
    expect([...open]).toEqual([])
  })


  it('wakes the poll in progress instead of waiting out pollMs, and still commits what was processed', { timeout: 20_000 }, async () => {
    const client = await clientWith([['in', 1], ['out', 1]])
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S))
    // A poll of ten minutes: close() can only end before the test's timeout by waking it up.
    const s = await started(b.build(), client, { applicationId: 'closing', pollMs: 600_000, commitIntervalMs: 600_000 })
    await produce(client, 'in', [{ key: 'k', value: 'a' }, { key: 'k', value: 'b' }])
    await waitFor('outputs', async () => ((await readAll(client, 'out')).length === 2 ? true : null))
    await s.close()
    expect(s.state).toBe('NOT_RUNNING')
    const admin = client.admin()
    const offsets = await admin.listGroupOffsets('closing')
    await admin.close()
    expect(offsets.find((o) => o.topic === 'in' && o.partition === 0)?.committedOffset).toBe(2)
  })
})

describe('KafkaStreams uncaught exception handler', () => {
  /** mapValues that throws at the value 'boom' the first `failures` times it sees it. */
  function flaky(failures: number): Topology {
    let left = failures
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom' && left > 0) {
          left--
          throw new Error('transient failure')
        }
        return v.toUpperCase()
      })
      .to('out', Produced.with(S, S))
    return b.build()
  }

  it('REPLACE_THREAD restarts processing from the committed offsets: every record comes out, the instance never in ERROR', async () => {
    const client = await clientWith([['in', 1], ['out', 1]])
    const seen: Error[] = []
    const states: string[] = []
    const s = new KafkaStreams(flaky(2), client, {
      applicationId: 'replaced',
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      uncaughtExceptionHandler: (err) => {
        seen.push(err)
        return 'REPLACE_THREAD'
      },
    })
    closers.push(() => s.close())
    s.onStateChange = (state) => void states.push(state)
    await s.start()
    await produce(client, 'in', [{ key: 'k', value: 'a' }, { key: 'k', value: 'boom' }, { key: 'k', value: 'b' }])
    const out = await waitFor('every output', async () => {
      const values = (await readAll(client, 'out')).map((r) => r.value!.toString())
      return values.includes('B') ? values : null
    })
    // At least once: records before the failure may come twice, none is missing, and the order holds.
    expect([...new Set(out)]).toEqual(['A', 'BOOM', 'B'])
    expect(seen).toHaveLength(2)
    expect(seen[0]!.message).toMatch(/processor=KSTREAM-MAPVALUES-\d+.*transient failure/)
    expect(states).not.toContain('ERROR')
    expect(s.state).toBe('RUNNING')
  })

  it('REPLACE_THREAD with exactly_once_v2: the failed transaction is aborted, and read_committed sees every record exactly once', async () => {
    const client = await clientWith([['in', 1], ['out', 1]])
    let replaced = 0
    const s = new KafkaStreams(flaky(1), client, {
      applicationId: 'replaced-eos',
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      processingGuarantee: 'exactly_once_v2',
      uncaughtExceptionHandler: () => {
        replaced++
        return 'REPLACE_THREAD'
      },
    })
    closers.push(() => s.close())
    await s.start()
    await produce(client, 'in', [{ key: 'k', value: 'a' }, { key: 'k', value: 'boom' }, { key: 'k', value: 'b' }])
    const out = await waitFor('every committed output', async () => {
      const values = (await readAll(client, 'out', 'read_committed')).map((r) => r.value!.toString())
      return values.includes('B') ? values : null
    })
    expect(out).toEqual(['A', 'BOOM', 'B'])
    expect(replaced).toBe(1)
  })

  it("SHUTDOWN_CLIENT: the failed instance leaves the group on its way to ERROR, and the application's other instance takes its partitions over", async () => {
    const client = await clientWith([['in', 2], ['out', 1]])
    // One failure in all: whichever instance meets 'boom' first fails, the one that takes it over does not.
    const left = { failures: 1 }
    const topology = (): Topology => {
      const b = new StreamsBuilder()
      b.stream<string, string>('in', Consumed.with(S, S))
        .mapValues((v) => {
          if (v === 'boom' && left.failures > 0) {
            left.failures--
            throw new Error('failure once')
          }
          return v.toUpperCase()
        })
        .to('out', Produced.with(S, S))
      return b.build()
    }
    const states = new Map<KafkaStreams, string[]>()
    const instance = (): KafkaStreams => {
      const s = new KafkaStreams(topology(), client, { applicationId: 'survive', stateDir: tmpDir(), commitIntervalMs: 100, heartbeatIntervalMs: 100, sessionTimeoutMs: 60_000 })
      states.set(s, [])
      s.onStateChange = (state) => void states.get(s)!.push(state)
      closers.push(() => s.close())
      return s
    }
    const a = instance()
    const b = instance()
    await a.start()
    await b.start()
    await waitFor('one task each', () => a.state === 'RUNNING' && b.state === 'RUNNING' && a.taskIds().length === 1 && b.taskIds().length === 1)
    await produce(client, 'in', [{ key: 'k', value: 'boom', partition: 0 }, { key: 'k', value: 'after', partition: 0 }, { key: 'j', value: 'other', partition: 1 }])
    // The session timeout is a minute: only leaving the group hands partition 0 over within the wait.
    const out = await waitFor('every output', async () => {
      const values = (await readAll(client, 'out')).map((r) => r.value!.toString())
      return values.includes('AFTER') && values.includes('OTHER') ? values : null
    })
    expect(out).toContain('BOOM')
    const failed = a.state === 'ERROR' ? a : b
    const survivor = failed === a ? b : a
    expect(failed.state).toBe('ERROR')
    expect(failed.error?.message).toMatch(/failure once/)
    expect(states.get(failed)!.slice(-2)).toEqual(['PENDING_ERROR', 'ERROR'])
    await waitFor('the survivor to run both tasks', () => survivor.state === 'RUNNING' && survivor.taskIds().length === 2)
    const admin = client.admin()
    const [group] = await admin.describeGroups(['survive'])
    await admin.close()
    expect(group!.members).toHaveLength(1)
  })

  it('close() while a failed instance is in PENDING_ERROR ends it in NOT_RUNNING, not back in ERROR, the failure kept', async () => {
    const client = await clientWith([['in', 1], ['out', 1]])
    const s = new KafkaStreams(flaky(1), client, { applicationId: 'pending', stateDir: tmpDir(), commitIntervalMs: 100 })
    const states: string[] = []
    let closing: Promise<void> | null = null
    s.onStateChange = (state) => {
      states.push(state)
      if (state === 'PENDING_ERROR') closing = s.close()
    }
    closers.push(() => s.close())
    await s.start()
    await produce(client, 'in', [{ key: 'k', value: 'boom' }])
    await waitFor('close() called in PENDING_ERROR', () => closing !== null)
    await closing
    expect(states.slice(states.indexOf('PENDING_ERROR'))).toEqual(['PENDING_ERROR', 'PENDING_SHUTDOWN', 'NOT_RUNNING'])
    expect(s.error?.message).toMatch(/transient failure/)
  })

  it('SHUTDOWN_CLIENT (the default answer) stops the instance in ERROR with the failure', async () => {
    const client = await clientWith([['in', 1], ['out', 1]])
    let asked = 0
    const s = new KafkaStreams(flaky(1), client, {
      applicationId: 'shut',
      stateDir: tmpDir(),
      commitIntervalMs: 100,
      uncaughtExceptionHandler: () => {
        asked++
        return 'SHUTDOWN_CLIENT'
      },
    })
    closers.push(() => s.close())
    await s.start()
    await produce(client, 'in', [{ key: 'k', value: 'boom' }])
    await waitFor('ERROR', () => s.state === 'ERROR')
    expect(asked).toBe(1)
    expect(s.error?.message).toMatch(/transient failure/)
  })
})

describe('KafkaStreams state directory', () => {
  it('is held by one instance: a second one in the same stateDir cannot start until the first closed', async () => {
    const client = await clientWith([['text', 2], ['word-counts', 1]])
    const stateDir = tmpDir()
    const first = await started(wordCount(), client, { applicationId: 'held', stateDir })
    const second = new KafkaStreams(wordCount(), client, { applicationId: 'held', stateDir, commitIntervalMs: 100 })
    closers.push(() => second.close())
    await expect(second.start()).rejects.toThrow(/Cannot start 'held': State directory .*held is already open in this process; give each instance its own stateDir/)
    // Nothing of the second began: it is still CREATED, and the first runs on.
    expect(second.state).toBe('CREATED')
    expect(first.state).not.toBe('ERROR')
    await first.close()
    await second.start()
    await produce(client, 'text', [{ key: 'k', value: 'one two two' }])
    await waitFor('counts from the second instance', async () => ((await latestCounts(client, 'word-counts')).get('two') === 2 ? true : null))
  })

  it('cleanUp() deletes the local state, not while running, and the next start restores it from the changelog', async () => {
    const client = await clientWith([['text', 2], ['word-counts', 1]])
    const stateDir = tmpDir()
    const appDir = path.join(stateDir, 'wiped')
    const first = await started(wordCount(), client, { applicationId: 'wiped', stateDir })
    await produce(client, 'text', [{ key: 'a', value: 'red red blue', partition: 0 }, { key: 'b', value: 'red green', partition: 1 }])
    await waitFor('counts', async () => ((await latestCounts(client, 'word-counts')).get('red') === 3 ? true : null))
    expect(() => first.cleanUp()).toThrow(/Cannot clean up 'wiped' in state (RUNNING|REBALANCING): close\(\) it first/)
    expect(fs.existsSync(appDir)).toBe(true)
    await first.close()
    first.cleanUp()
    expect(fs.existsSync(appDir)).toBe(false)

    let restored = 0
    const second = await started(wordCount(), client, {
      applicationId: 'wiped',
      stateDir,
      restoreListener: { onRestoreEnd: (_tp, _store, n) => void (restored += n) },
    })
    await waitFor('running', () => second.state === 'RUNNING')
    expect(restored).toBeGreaterThan(0)
    const counts = new Map(second.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
    expect(counts).toEqual(new Map([['red', 3], ['blue', 1], ['green', 1]]))
  })
})

describe('KafkaStreams repartition purge', () => {
  async function repartitionOffsets(client: EmbeddedClient): Promise<{ start: number; committed: number }> {
    const admin = client.admin()
    try {
      const tp = { topic: 'app-counts-repartition', partition: 0 }
      const [start] = await admin.listOffsets([{ ...tp, spec: 'earliest' }])
      const committed = (await admin.listGroupOffsets('app')).find((o) => o.topic === tp.topic)?.committedOffset ?? 0
      return { start: start!.offset, committed }
    } finally {
      await admin.close()
    }
  }

  it('deletes consumed repartition records at the first commit, then not again within repartitionPurgeIntervalMs', async () => {
    const client = await clientWith([
      ['text', 1],
      ['word-counts', 1],
    ])
    const streams = await started(wordCount(), client, { repartitionPurgeIntervalMs: 3_600_000 })
    await produce(client, 'text', [{ value: 'a b c' }])
    await waitFor('the first words counted', async () => (await latestCounts(client, 'word-counts')).get('c') === 1)
    await streams.commit()
    const first = await waitFor('the first purge', async () => {
      const o = await repartitionOffsets(client)
      return o.start > 0 ? o : null
    })
    expect(first.start).toBe(3)
    await produce(client, 'text', [{ value: 'a b d' }])
    await waitFor('the second words counted', async () => (await latestCounts(client, 'word-counts')).get('d') === 1)
    await streams.commit()
    // close waits for a purge in flight: none may have started within the hour
    await streams.close()
    const after = await repartitionOffsets(client)
    expect(after.committed).toBe(6)
    expect(after.start).toBe(3)
  })
})
