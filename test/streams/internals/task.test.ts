import { describe, expect, it } from 'vitest'
import { StreamsBuilder, Serdes, Materialized, Produced, Consumed, type KeyValueStore } from '../../../streams/index.js'
import { StreamTask, type RecordCollector } from '../../../streams/internals/task.js'
import { topologyTopics } from '../../../streams/internals/topology-metadata.js'
import type { ChangelogWriter } from '../../../streams/state/state-manager.js'

const S = Serdes.String()
const L = Serdes.Long()

function countTopology() {
  const b = new StreamsBuilder()
  b.stream<string, string>('in', Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('counts').withCachingDisabled()).toStream().to('out', Produced.with(S, L))
  return b.build()
}

/** Drives a task the way the runtime will: one sub-topology, one partition, changelog restore first. */
function makeTask(partition: number) {
  const topo = countTopology()
  const sent: Array<{ topic: string; key: string | null; value: number | null }> = []
  const logged: Array<{ topic: string; partition: number; key: Buffer; value: Buffer | null }> = []
  const collector: RecordCollector = {
    // Serdes.String() keys come as text (the producer writes their UTF-8 bytes); the Long values as bytes.
    send: (topic, key, value) => sent.push({ topic, key: typeof key === 'string' ? key : S.deserialize(topic, key), value: L.deserialize(topic, value as Buffer | null) }),
  }
  const writer: ChangelogWriter = { log: (_s, topic, p, key, value) => void logged.push({ topic, partition: p, key, value }) }
  const sub = topo.internal.subtopologies()[0]!
  const task = new StreamTask(sub, partition, topo.internal, { applicationId: 'rt' }, collector, writer, () => 0)
  task.init()
  return { task, sent, logged }
}

describe('StreamTask (runtime seam)', () => {
  it('restores a store from changelog records, then keeps counting from the restored state', () => {
    const first = makeTask(3)
    let offset = 0
    for (const k of ['a', 'b', 'a', 'a']) first.task.process({ topic: 'in', partition: 3, offset: offset++, timestamp: offset, key: S.serialize('in', k), value: S.serialize('in', 'x'), headers: [] })
    first.task.commit()
    expect(first.logged.every((l) => l.topic === 'rt-counts-changelog' && l.partition === 3)).toBe(true)
    expect(first.sent.at(-1)).toEqual({ topic: 'out', key: 'a', value: 3 })
    first.task.close()

    const second = makeTask(3)
    expect(second.task.id.toString()).toBe('0_3')
    const [info] = second.task.stateManager.changelogs()
    expect(info).toEqual({ storeName: 'counts', topic: 'rt-counts-changelog', partition: 3, checkpointOffset: null })
    // the runtime reads the changelog from checkpointOffset and feeds it in batches
    second.task.stateManager.restore(info!.storeName, first.logged.map((l) => ({ key: l.key, value: l.value })), first.logged.length)
    expect((second.task.getStore('counts') as KeyValueStore<string, number>).get('a')).toBe(3)
    second.task.process({ topic: 'in', partition: 3, offset: 4, timestamp: 10, key: S.serialize('in', 'a'), value: S.serialize('in', 'x'), headers: [] })
    expect(second.sent).toEqual([{ topic: 'out', key: 'a', value: 4 }])
    second.task.close()
  })

  it('topic metadata gives the runtime the changelog of each store', () => {
    const t = topologyTopics(countTopology().internal, 'rt')
    expect(t.subtopologies[0]!.changelogTopics.get('counts')).toBe('rt-counts-changelog')
  })
})
