import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { StreamsBuilder, Serdes, Materialized, Produced, Grouped, Consumed, QueryableStoreTypes, pair } from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const dirs: string[] = []
const drivers: TopologyTestDriver[] = []
afterEach(() => {
  for (const d of drivers.splice(0)) d.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-streams-'))
  dirs.push(d)
  return d
}

function wordCount(store = 'counts') {
  const b = new StreamsBuilder()
  b.stream<string, string>('text', Consumed.with(S, S))
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
    .groupBy((_k, word) => word, Grouped.with(S, S))
    .count(Materialized.as<string, number>(store))
    .toStream()
    .to('word-counts', Produced.with(S, L))
  return b.build()
}

describe('TopologyTestDriver: word count', () => {
  it('counts words through a repartition topic and logs the store', () => {
    const driver = new TopologyTestDriver(wordCount(), { applicationId: 'wc', stateDir: tmp() })
    drivers.push(driver)
    const input = driver.createInputTopic('text', S, S)
    const output = driver.createOutputTopic('word-counts', S, L)
    input.pipeInput(null, 'Hello world', 1)
    input.pipeInput(null, 'hello Brook', 2)
    input.pipeInput(null, 'HELLO', 3)
    expect(output.readKeyValuesToMap()).toEqual(new Map([['hello', 3], ['world', 1], ['brook', 1]]))
    const store = driver.getKeyValueStore<string, number>('counts')
    expect(store.get('hello')).toBe(3)
    const view = driver.store('counts', QueryableStoreTypes.keyValueStore<string, number>())
    expect(view.range('h', 'z')).toEqual([
      { key: 'hello', value: 3 },
      { key: 'world', value: 1 },
    ])
    expect('put' in view).toBe(false)
    expect(() => driver.store('counts', QueryableStoreTypes.windowStore<string, number>())).toThrow(/not a window store/)
    expect(store.all().map((e) => e.key)).toEqual(['brook', 'hello', 'world'])
    expect(driver.producedTopicNames()).toEqual(['wc-counts-changelog', 'wc-counts-repartition', 'word-counts'])
    const changelog = driver.readRawRecords('wc-counts-changelog').map((r) => [S.deserialize('', r.key), L.deserialize('', r.value)])
    expect(changelog).toEqual([
      ['hello', 1],
      ['world', 1],
      ['hello', 2],
      ['brook', 1],
      ['hello', 3],
    ])
  })

  it('writes a checkpoint with the next changelog offset and reads it back on restart', () => {
    const dir = tmp()
    const driver = new TopologyTestDriver(wordCount(), { applicationId: 'wc', stateDir: dir })
    const input = driver.createInputTopic('text', S, S)
    input.pipeInput(null, 'a b a', 1)
    const task = driver.taskList().find((t) => t.stateManager.storeNames().includes('counts'))!
    driver.close()
    const file = path.join(dir, 'wc', task.id.toString(), '.checkpoint')
    const cp = JSON.parse(fs.readFileSync(file, 'utf8')) as { offsets: Array<{ topic: string; partition: number; offset: number }> }
    // the cache folded the two updates of 'a' into one changelog record: offsets 0 and 1
    expect(cp.offsets).toEqual([{ topic: 'wc-counts-changelog', partition: 0, offset: 2 }])
    const again = new TopologyTestDriver(wordCount(), { applicationId: 'wc', stateDir: dir })
    drivers.push(again)
    const t2 = again.taskList().find((t) => t.stateManager.storeNames().includes('counts'))!
    expect(t2.stateManager.changelogs()).toEqual([{ storeName: 'counts', topic: 'wc-counts-changelog', partition: 0, checkpointOffset: 2 }])
    // the SQLite file kept the counts
    expect(again.getKeyValueStore<string, number>('counts').get('a')).toBe(2)
  })

  it('thins updates with the cache: one record per key per commit, three without it', () => {
    const build = (caching: boolean) => {
      const b = new StreamsBuilder()
      const m = Materialized.as<string, number>('c')
      b.stream<string, string>('in', Consumed.with(S, S))
        .groupByKey()
        .count(caching ? m : m.withCachingDisabled())
        .toStream()
        .to('out', Produced.with(S, L))
      return b.build()
    }
    const on = new TopologyTestDriver(build(true), { applicationId: 'c1', commitIntervalMs: 1000 })
    drivers.push(on)
    const inOn = on.createInputTopic('in', S, S)
    const outOn = on.createOutputTopic('out', S, L)
    inOn.pipeInput('k', 'a', 1)
    inOn.pipeInput('k', 'b', 2)
    inOn.pipeInput('k', 'c', 3)
    expect(outOn.isEmpty()).toBe(true)
    on.advanceWallClockTime(1000)
    expect(outOn.readKeyValuesToList()).toEqual([{ key: 'k', value: 3 }])

    const off = new TopologyTestDriver(build(false), { applicationId: 'c2', commitIntervalMs: 1000 })
    drivers.push(off)
    const inOff = off.createInputTopic('in', S, S)
    const outOff = off.createOutputTopic('out', S, L)
    inOff.pipeInput('k', 'a', 1)
    inOff.pipeInput('k', 'b', 2)
    inOff.pipeInput('k', 'c', 3)
    expect(outOff.readKeyValuesToList()).toEqual([
      { key: 'k', value: 1 },
      { key: 'k', value: 2 },
      { key: 'k', value: 3 },
    ])
  })

  it('inserts a repartition topic on selectKey + groupByKey', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .selectKey((_k, v) => v.split(':')[0]!)
      .groupByKey(Grouped.with<string, string>('by-prefix', S, S))
      .count()
      .toStream()
      .to('out', Produced.with(S, L))
    const topo = b.build()
    expect(topo.describe().subtopologies).toHaveLength(2)
    const driver = new TopologyTestDriver(topo, { applicationId: 'rp' })
    drivers.push(driver)
    const input = driver.createInputTopic('in', S, S)
    input.pipeKeyValueList([pair('1', 'x:1'), pair('2', 'y:1'), pair('3', 'x:2')], 10)
    expect(driver.producedTopicNames()).toContain('rp-by-prefix-repartition')
    expect(driver.createOutputTopic('out', S, L).readKeyValuesToMap()).toEqual(new Map([['x', 2], ['y', 1]]))
  })

  it('applies default serdes from the driver config', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in').mapValues((v) => v.toUpperCase()).to('out')
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'd', defaultKeySerde: S as never, defaultValueSerde: S as never })
    drivers.push(driver)
    driver.createInputTopic('in', S, S).pipeInput('k', 'abc')
    expect(driver.createOutputTopic('out', S, S).readKeyValue()).toEqual({ key: 'k', value: 'ABC' })
  })
})
