// A deserializer that needs something it fetches asynchronously (a registry's schema) throws an
// error with `retryAfter`: the record and the rest of its partition wait, other partitions go on,
// nothing past the waiting record is committed, and once the wait settles the records are
// processed in order. Past taskTimeoutMs the error goes to the deserialization handler.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import { KafkaStreams } from '../../../streams/runtime/kafka-streams.js'
import { Consumed, Produced, StreamsBuilder, StreamsException, type Serde } from '../../../streams/index.js'
import { S, cleanupDirs, produce, readAll, tmpDir, waitFor } from './helpers.js'

/** Values starting with "wait" cannot be read until release(); each failed read throws with retryAfter. */
function gate(): { serde: Serde<string>; release: () => void; attempts: () => number } {
  let release!: () => void
  const ready = new Promise<void>((r) => (release = r))
  let released = false
  void ready.then(() => (released = true))
  let attempts = 0
  const serde: Serde<string> = {
    serialize: (_t, v) => (v === null ? null : Buffer.from(v)),
    deserialize: (_t, b) => {
      if (b === null) return null
      const v = b.toString()
      if (v.startsWith('wait') && !released) {
        attempts++
        // wrapped, as serdes wrap what they call: the runtime looks through causes
        throw new StreamsException(`cannot read '${v}' yet`, { cause: Object.assign(new Error('schema not fetched yet'), { retryAfter: ready }) })
      }
      return v
    },
  }
  return { serde, release, attempts: () => attempts }
}

const running: KafkaStreams[] = []
afterEach(async () => {
  for (const s of running.splice(0)) await s.close()
  cleanupDirs()
})

async function start(client: EmbeddedClient, serde: Serde<string>, config: Partial<ConstructorParameters<typeof KafkaStreams>[2]> = {}): Promise<KafkaStreams> {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', Consumed.with(S, serde)).mapValues((v) => v.toUpperCase()).to('out', Produced.with(S, S))
  const s = new KafkaStreams(b.build(), client, { applicationId: 'waits', commitIntervalMs: 20, ...config })
  running.push(s)
  await s.start()
  return s
}

/** Output values (records of one key land in one partition, in order). */
const outputs = async (client: EmbeddedClient): Promise<string[]> => (await readAll(client, 'out')).map((r) => r.value!.toString())
const committed = async (client: EmbeddedClient): Promise<Map<number, number>> => {
  const admin = client.admin()
  const offs = await admin.listGroupOffsets('waits')
  await admin.close()
  return new Map(offs.filter((o) => o.topic === 'in').map((o) => [o.partition, o.committedOffset ?? 0]))
}

describe('a deserializer that waits (retryAfter)', () => {
  it('holds its partition from the waiting record on, lets the others go on, and processes the rest in order once released', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await client.admin().createTopics([{ topic: 'in', numPartitions: 2 }, { topic: 'out', numPartitions: 2 }])
      await produce(client, 'in', [
        { key: 'a', value: 'a0', partition: 0 },
        { key: 'a', value: 'wait1', partition: 0 },
        { key: 'a', value: 'a2', partition: 0 },
        { key: 'b', value: 'b0', partition: 1 },
        { key: 'b', value: 'b1', partition: 1 },
      ])
      const g = gate()
      const streams = await start(client, g.serde)
      // Partition 1 is done and committed; partition 0 is committed up to the waiting record, not past it.
      await waitFor('commits', async () => {
        const c = await committed(client)
        return c.get(1) === 2 && c.get(0) === 1 ? c : null
      })
      await produce(client, 'in', [{ key: 'b', value: 'b2', partition: 1 }, { key: 'a', value: 'a3', partition: 0 }])
      await waitFor('b2 through', async () => ((await committed(client)).get(1) === 3 ? true : null))
      expect((await outputs(client)).sort()).toEqual(['A0', 'B0', 'B1', 'B2'])
      expect((await committed(client)).get(0)).toBe(1)
      expect(g.attempts()).toBe(1)
      expect(streams.state).toBe('RUNNING')
      g.release()
      const all = await waitFor('partition 0 through', async () => {
        const o = (await outputs(client)).filter((v) => !v.startsWith('B'))
        return o.length === 4 ? o : null
      })
      expect(all).toEqual(['A0', 'WAIT1', 'A2', 'A3'])
      await waitFor('partition 0 committed', async () => ((await committed(client)).get(0) === 4 ? true : null))
    } finally {
      await client.close()
    }
  })

  it('after taskTimeoutMs hands the record to the deserialization handler (here: skip it) and goes on', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await client.admin().createTopics([{ topic: 'in', numPartitions: 1 }, { topic: 'out', numPartitions: 1 }])
      await produce(client, 'in', [{ value: 'x0' }, { value: 'wait1' }, { value: 'x2' }])
      const g = gate()
      const logged: string[] = []
      await start(client, g.serde, { taskTimeoutMs: 200, deserializationExceptionHandler: 'logAndContinue', logger: (m) => logged.push(m) })
      const out = await waitFor('x2 through', async () => {
        const o = await outputs(client)
        return o.length === 2 ? o : null
      })
      expect(out).toEqual(['X0', 'X2'])
      expect(logged.some((l) => /Skipping record that failed deserialization at topic 'in', partition 0, offset 1: cannot read 'wait1' yet/.test(l))).toBe(true)
    } finally {
      await client.close()
    }
  })

  it('with taskTimeoutMs 0 does not wait: the handler decides at once (logAndFail: the application fails naming the record)', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    try {
      await produce(client, 'in', [{ value: 'wait0' }])
      const g = gate()
      const streams = await start(client, g.serde, { taskTimeoutMs: 0 })
      await waitFor('error', () => (streams.state === 'ERROR' ? true : null))
      expect(streams.error?.message).toMatch(/Deserialization failed for record at topic 'in', partition 0, offset 0/)
      expect(() => new KafkaStreams(new StreamsBuilder().build(), client, { applicationId: 'x', taskTimeoutMs: -1 })).toThrow(/taskTimeoutMs/)
    } finally {
      await client.close()
    }
  })
})
