import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  Printed,
  TopologyException,
  StreamsBuilder,
  Serdes,
  Materialized,
  Produced,
  Consumed,
  Named,
  Branched,
  Repartitioned,
  Stores,
  pair,
  type ProcessorContext,
  type KeyValueStore,
  Record,
  PunctuationType,
} from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const drivers: TopologyTestDriver[] = []
afterEach(() => {
  for (const d of drivers.splice(0)) d.close()
})
function run(b: StreamsBuilder) {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'app' })
  drivers.push(d)
  return d
}

describe('stateless KStream operators', () => {
  it('filter, filterNot, map, mapValues (both forms), flatMap, selectKey, peek, foreach', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('in', Consumed.with(S, S))
    const peeked: string[] = []
    const each: string[] = []
    s.filter((_k, v) => v.startsWith('a')).to('filter', Produced.with(S, S))
    s.filterNot((_k, v) => v.startsWith('a')).to('filterNot', Produced.with(S, S))
    s.map((k, v) => pair(v, k)).to('map', Produced.with(S, S))
    s.mapValues((v) => v.length).to('mapValues', Produced.with(S, L))
    s.mapValues((k: string, v: string) => `${k}=${v}`).to('mapValuesWithKey', Produced.with(S, S))
    s.flatMap((k, v) => [pair(k, v), pair(`${k}2`, v)]).to('flatMap', Produced.with(S, S))
    s.selectKey((_k, v) => v.toUpperCase()).peek((k) => peeked.push(k)).to('selectKey', Produced.with(S, S))
    s.foreach((k, v) => each.push(`${k}:${v}`))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('k1', 'apple', 1)
    input.pipeInput('k2', 'berry', 2)
    const out = (t: string) => d.createOutputTopic(t, S, S).readKeyValuesToList()
    expect(out('filter')).toEqual([{ key: 'k1', value: 'apple' }])
    expect(out('filterNot')).toEqual([{ key: 'k2', value: 'berry' }])
    expect(out('map')).toEqual([pair('apple', 'k1'), pair('berry', 'k2')])
    expect(d.createOutputTopic('mapValues', S, L).readValuesToList()).toEqual([5, 5])
    expect(out('mapValuesWithKey').map((kv) => kv.value)).toEqual(['k1=apple', 'k2=berry'])
    expect(out('flatMap').map((kv) => kv.key)).toEqual(['k1', 'k12', 'k2', 'k22'])
    expect(out('selectKey').map((kv) => kv.key)).toEqual(['APPLE', 'BERRY'])
    expect(peeked).toEqual(['APPLE', 'BERRY'])
    expect(each).toEqual(['k1:apple', 'k2:berry'])
  })

  it('split into named branches with a default branch, and merge', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, number>('in', Consumed.with(S, L))
    const branches = s
      .split(Named.as('num-'))
      .branch((_k, v) => v < 0, Branched.as('neg'))
      .branch((_k, v) => v === 0, Branched.withConsumer<string, number>((zero) => zero.to('zeros', Produced.with(S, L)), 'zero'))
      .defaultBranch(Branched.as('pos'))
    expect([...branches.keys()]).toEqual(['num-neg', 'num-pos'])
    branches.get('num-neg')!.to('neg', Produced.with(S, L))
    branches.get('num-neg')!.merge(branches.get('num-pos')!).to('merged', Produced.with(S, L))
    const d = run(b)
    const input = d.createInputTopic('in', S, L)
    for (const [i, v] of [-1, 0, 5, -2].entries()) input.pipeInput(`k${i}`, v, i)
    expect(d.createOutputTopic('neg', S, L).readValuesToList()).toEqual([-1, -2])
    expect(d.createOutputTopic('zeros', S, L).readValuesToList()).toEqual([0])
    expect(d.createOutputTopic('merged', S, L).readValuesToList()).toEqual([-1, 5, -2])
  })

  it('noDefaultBranch drops unmatched records; branch names default to indexes', () => {
    const b = new StreamsBuilder()
    const m = b
      .stream<string, string>('in', Consumed.with(S, S))
      .split()
      .branch((_k, v) => v === 'x')
      .noDefaultBranch()
    expect([...m.keys()]).toHaveLength(1)
    expect([...m.keys()][0]).toMatch(/^KSTREAM-BRANCH-\d{10}1$/)
  })

  it('to() with a topic extractor, and repartition() through a named topic', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('in', Consumed.with(S, S))
    s.to((k) => `out-${k}`, Produced.with(S, S))
    s.repartition(Repartitioned.as<string, string>('again').withKeySerde(S).withValueSerde(S)).to('after', Produced.with(S, S))
    const d = run(b)
    d.createInputTopic('in', S, S).pipeInput('x', 'v', 1)
    expect(d.createOutputTopic('out-x', S, S).readKeyValue()).toEqual(pair('x', 'v'))
    expect(d.createOutputTopic('after', S, S).readKeyValue()).toEqual(pair('x', 'v'))
    expect(d.producedTopicNames()).toContain('app-again-repartition')
  })

  it('toTable materializes the latest value per key; toStream with a key mapper', () => {
    const b = new StreamsBuilder()
    const t = b.stream<string, string>('in', Consumed.with(S, S)).toTable(Materialized.as<string, string>('latest'))
    t.filter((_k, v) => v !== 'skip').mapValues((v) => v.length).toStream((k) => k.toUpperCase()).to('out', Produced.with(S, L))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'one', 1)
    input.pipeInput('a', 'three', 2)
    input.pipeInput('b', 'skip', 3)
    expect(d.getKeyValueStore<string, string>('latest').get('a')).toBe('three')
    expect(d.createOutputTopic('out', S, L).readKeyValuesToList()).toEqual([pair('A', 3), pair('A', 5)])
  })

  it('reduce and aggregate on grouped streams', () => {
    const b = new StreamsBuilder()
    const g = b.stream<string, number>('in', Consumed.with(S, L)).groupByKey()
    g.reduce((a, v) => Math.max(a, v), Materialized.as<string, number>('max'))
    g.aggregate(() => '', (_k, v, agg) => `${agg}${v}`, Materialized.as<string, string>('concat').withValueSerde(S))
    const d = run(b)
    const input = d.createInputTopic('in', S, L)
    input.pipeKeyValueList([pair('a', 3), pair('a', 9), pair('a', 4)], 0, 1)
    expect(d.getKeyValueStore<string, number>('max').get('a')).toBe(9)
    expect(d.getKeyValueStore<string, string>('concat').get('a')).toBe('394')
  })

  it('process() with a store, punctuation and record metadata', () => {
    const b = new StreamsBuilder()
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('seen'), S, L))
    b.stream<string, string>('in', Consumed.with(S, S))
      .process<string, string>(() => {
        let ctx: ProcessorContext<string, string>
        let store: KeyValueStore<string, number>
        return {
          init(c) {
            ctx = c
            store = c.getStateStore('seen')
            c.schedule(1000, PunctuationType.WALL_CLOCK_TIME, (ts) => ctx.forward(new Record('tick', String(ts), ts)))
          },
          process(r) {
            const n = (store.get(r.key) ?? 0) + 1
            store.put(r.key, n)
            const md = ctx.recordMetadata()!
            ctx.forward(r.withValue(`${r.value}#${n}@${md.topic}/${md.partition}/${md.offset}`))
          },
        }
      }, 'seen')
      .to('out', Produced.with(S, S))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'y', 2)
    d.advanceWallClockTime(1000)
    expect(d.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([pair('a', 'x#1@in/0/0'), pair('a', 'y#2@in/0/1'), pair('tick', '1000')])
  })

  it('wraps a failing user function in an error naming task, processor, topic, partition and offset', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .mapValues((v) => {
        if (v === 'boom') throw new Error('bad value')
        return v
      }, Named.as('may-fail'))
      .to('out', Produced.with(S, S))
    const d = run(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'ok', 1)
    expect(() => input.pipeInput('a', 'boom', 2)).toThrow('Exception caught in process. taskId=0_0, processor=may-fail, topic=in, partition=0, offset=1: bad value')
  })

  it('fails at build time for an unknown store in process(), naming the operator', () => {
    const b = new StreamsBuilder()
    const s = b.stream<string, string>('in', Consumed.with(S, S))
    expect(() => s.process(() => ({ process() {} }), 'nope')).toThrow(/KSTREAM-PROCESSOR-\d{10} uses store 'nope'/)
  })

  it('fails at build time for a missing serde when defaults are configured elsewhere', () => {
    const b = new StreamsBuilder({ defaultKeySerde: S as never })
    b.stream<string, string>('in').to('out')
    expect(() => b.build()).toThrow(/KSTREAM-SOURCE-0000000000 needs a value serde/)
    const b2 = new StreamsBuilder()
    b2.stream<string, string>('in', Consumed.with(S, S)).groupByKey().count().toStream().to('out', Produced.with(S, L))
    // the count store's key serde comes from the stream; a missing value serde is filled with Long
    expect(() => b2.build()).not.toThrow()
    const b3 = new StreamsBuilder()
    b3.stream<string, string>('in').to('out', Produced.with(S, S))
    expect(() => new TopologyTestDriver(b3.build(), { applicationId: 'x' })).toThrow(/KSTREAM-SOURCE-0000000000 needs a key serde/)
  })
})

describe('KStream.print', () => {
  it('writes "[label]: key, value" per record to a file, the label the processor name unless given', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-print-'))
    try {
      const b = new StreamsBuilder()
      const s = b.stream<string, string>('in', Consumed.with(S, S))
      const plain = path.join(dir, 'plain.txt')
      const mapped = path.join(dir, 'mapped.txt')
      fs.writeFileSync(plain, 'left over from before\n')
      s.print(Printed.toFile<string, string>(plain))
      s.print(Printed.toFile<string, string>(mapped).withLabel('clicks').withKeyValueMapper((k, v) => `${k}=${v.toUpperCase()}`))
      const topology = b.build()
      expect(topology.describe().toString()).toContain('KSTREAM-PRINTER-0000000001')
      const d = new TopologyTestDriver(topology, { applicationId: 'print' })
      const input = d.createInputTopic('in', S, S)
      input.pipeInput('a', 'x')
      input.pipeInput(null, 'y')
      d.close()
      // Created or emptied at start, as Kafka's.
      expect(fs.readFileSync(plain, 'utf8')).toBe('[KSTREAM-PRINTER-0000000001]: a, x\n[KSTREAM-PRINTER-0000000001]: null, y\n')
      expect(fs.readFileSync(mapped, 'utf8')).toBe('[clicks]: a=X\n[clicks]: null=Y\n')
      expect(() => Printed.toFile('')).toThrow(TopologyException)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('toSysOut writes to standard output; withName names the processor', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S)).print(Printed.toSysOut<string, string>().withName('show'))
    const topology = b.build()
    expect(topology.describe().toString()).toContain('Processor: show')
    const written: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = ((chunk: string) => (written.push(String(chunk)), true)) as typeof process.stdout.write
    try {
      const d = new TopologyTestDriver(topology, { applicationId: 'print' })
      d.createInputTopic('in', S, S).pipeInput('k', 'v')
      d.close()
    } finally {
      process.stdout.write = write
    }
    expect(written).toContain('[show]: k, v\n')
  })
})
