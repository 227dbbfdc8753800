import { afterEach, describe, expect, it } from 'vitest'
import {
  StreamsBuilder,
  Serdes,
  Materialized,
  Produced,
  Consumed,
  TimeWindows,
  SlidingWindows,
  SessionWindows,
  Suppressed,
  BufferConfig,
  WindowedSerdes,
  type Windowed,
} from '../../../streams/index.js'
import { TopologyTestDriver } from '../../../streams/testing/index.js'

const S = Serdes.String()
const L = Serdes.Long()
const drivers: TopologyTestDriver[] = []
afterEach(() => {
  for (const d of drivers.splice(0)) d.close()
})
function driverFor(b: StreamsBuilder, extra: Partial<ConstructorParameters<typeof TopologyTestDriver>[1]> = {}) {
  const d = new TopologyTestDriver(b.build(), { applicationId: 'w', ...extra })
  drivers.push(d)
  return d
}
const fmt = (kv: { key: Windowed<string> | null; value: number | null }) => `${kv.key!.key}@${kv.key!.window.start}-${kv.key!.window.end}=${kv.value}`

describe('time windows', () => {
  it('tumbling windows count per window and drop records later than the grace period', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count(Materialized.as<string, number>('tw').withCachingDisabled())
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'x', 9)
    input.pipeInput('a', 'x', 12)
    input.pipeInput('a', 'x', 14) // window [0,10) closes at stream time 15
    input.pipeInput('a', 'x', 8) // stream time 14 - grace 5 = 9 < 10: still accepted
    input.pipeInput('a', 'x', 20) // stream time 20 closes [0,10)
    input.pipeInput('a', 'x', 3) // late: dropped
    expect(out.readKeyValuesToList().map(fmt)).toEqual(['a@0-10=1', 'a@0-10=2', 'a@10-20=1', 'a@10-20=2', 'a@0-10=3', 'a@20-30=1'])
    const ws = d.getWindowStore<string, number>('tw')
    // retention defaults to size + grace = 15: at stream time 20 the window at 0 has expired
    expect(ws.fetch('a', 0, 20)).toEqual([
      { key: 10, value: 2 },
      { key: 20, value: 1 },
    ])
    expect(ws.fetch('a', 10)).toBe(2)
  })

  it('hopping windows put a record in every window that contains it', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5))
      .count()
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 7)
    input.pipeInput('a', 'x', 12)
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
    expect(out.readKeyValuesToList().map(fmt)).toEqual(['a@0-10=1', 'a@5-15=1', 'a@5-15=2', 'a@10-20=1'])
  })

  it('suppress untilWindowCloses emits one final result per window once stream time passes end + grace', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'x', 2)
    input.pipeInput('b', 'x', 5)
    input.pipeInput('a', 'x', 14)
    expect(out.isEmpty()).toBe(true) // stream time 14 < 10 + 5
    input.pipeInput('a', 'x', 15) // stream time 15 = end + grace: [0,10) closes
    expect(out.readKeyValuesToList().map(fmt)).toEqual(['a@0-10=2', 'b@0-10=1'])
    input.pipeInput('a', 'x', 24)
    expect(out.isEmpty()).toBe(true)
    input.pipeInput('c', 'x', 25)
    expect(out.readKeyValuesToList().map(fmt)).toEqual(['a@10-20=2'])
  })

  it('idle wall-clock advance closes a suppressed window without new records only when enabled', () => {
    const build = () => {
      const b = new StreamsBuilder()
      b.stream<string, string>('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
        .count()
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L))
      return b
    }
    const on = driverFor(build(), { idleAdvanceMs: 1000 })
    on.createInputTopic('in', S, S).pipeInput('a', 'x', 3)
    const outOn = on.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
    on.advanceWallClockTime(1000)
    expect(outOn.isEmpty()).toBe(true) // idle for exactly the threshold: nothing advanced yet
    on.advanceWallClockTime(6)
    expect(outOn.isEmpty()).toBe(true) // stream time 3 + 6 = 9 < 10
    on.advanceWallClockTime(1)
    expect(outOn.readKeyValuesToList().map(fmt)).toEqual(['a@0-10=1'])

    const off = driverFor(build())
    off.createInputTopic('in', S, S).pipeInput('a', 'x', 3)
    off.advanceWallClockTime(60_000)
    expect(off.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L).isEmpty()).toBe(true)
  })

  it('suppress untilTimeLimit emits the latest value of a key after the limit', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .toTable(Materialized.as<string, string>('t').withCachingDisabled())
      .suppress(Suppressed.untilTimeLimit(10, BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(S, S))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', S, S)
    input.pipeInput('k', 'v1', 0)
    input.pipeInput('k', 'v2', 5)
    expect(out.isEmpty()).toBe(true)
    input.pipeInput('other', 'x', 10)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'k', value: 'v2' }])
  })
})

describe('suppression buffer limits', () => {
  it('BufferConfig.maxRecords emits the earliest-due record early when full', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .toTable(Materialized.as<string, string>('t').withCachingDisabled())
      .suppress(Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(2)))
      .toStream()
      .to('out', Produced.with(S, S))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', S, S)
    input.pipeInput('a', '1', 0)
    input.pipeInput('b', '1', 1)
    expect(out.isEmpty()).toBe(true)
    input.pipeInput('c', '1', 2)
    expect(out.readKeyValuesToList()).toEqual([{ key: 'a', value: '1' }])
  })

  it('an unbounded buffer never emits early', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>(['in', 'in2'], Consumed.with(S, S))
      .toTable(Materialized.as<string, string>('t').withCachingDisabled())
      .suppress(Suppressed.untilTimeLimit(1000, BufferConfig.unbounded()))
      .toStream()
      .to('out', Produced.with(S, S))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const input2 = d.createInputTopic('in2', S, S)
    for (let i = 0; i < 50; i++) (i % 2 === 0 ? input : input2).pipeInput(`k${i}`, 'v', i)
    expect(d.createOutputTopic('out', S, S).isEmpty()).toBe(true)
  })
})

describe('sliding windows', () => {
  it('aggregates over windows defined by record times', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 100))
      .count()
      .toStream()
      .to('out', Produced.with(WindowedSerdes.timeWindowedSerdeFrom(S, 10), L))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', WindowedSerdes.timeWindowedSerdeFrom(S, 10), L)
    input.pipeInput('a', 'x', 20)
    input.pipeInput('a', 'x', 25)
    input.pipeInput('a', 'x', 40)
    const latest = new Map<string, number>()
    for (const kv of out.readKeyValuesToList()) latest.set(`${kv.key!.window.start}-${kv.key!.window.end}`, kv.value!)
    // windows ending at each record, and the windows starting right after a record
    // no empty windows: nothing follows 25 within 10 ms, so there is no [26,36]
    expect(Object.fromEntries(latest)).toEqual({ '10-20': 1, '15-25': 2, '21-31': 1, '30-40': 1 })
  })
})

describe('session windows', () => {
  it('merges sessions within the gap, retracts merged sessions and drops late records', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 0))
      .count(Materialized.as<string, number>('sessions').withRetention(1000))
      .toStream()
      .to('out', Produced.with(WindowedSerdes.sessionWindowedSerdeFrom(S), L))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    const out = d.createOutputTopic('out', WindowedSerdes.sessionWindowedSerdeFrom(S), L)
    input.pipeInput('a', 'x', 0)
    input.pipeInput('a', 'x', 10)
    input.pipeInput('a', 'x', 5) // bridges [0,0] and [10,10]
    input.pipeInput('a', 'x', 30)
    input.pipeInput('a', 'x', 1) // late: session would end at 15 < 30
    expect(out.readKeyValuesToList().map((kv) => `${kv.key!.window.start}-${kv.key!.window.end}=${kv.value}`)).toEqual([
      '0-0=1',
      '10-10=1',
      '0-0=null',
      '10-10=null',
      '0-10=3',
      '30-30=1',
    ])
    expect(d.getSessionStore<string, number>('sessions').fetch('a').map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([
      [0, 10, 3],
      [30, 30, 1],
    ])
  })

  it('a session stays open for the inactivity gap plus grace after its end, as in Kafka Streams', () => {
    const b = new StreamsBuilder()
    b.stream<string, string>('in', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 0))
      .count(Materialized.as<string, number>('gap-sessions').withRetention(1000))
    const d = driverFor(b)
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('b', 'x', 100) // stream time 100
    input.pipeInput('a', 'x', 95) // a new session ending at 95: open until 95 + 10 + 0 >= 100, so kept
    input.pipeInput('b', 'x', 120) // stream time 120
    input.pipeInput('a', 'x', 105) // ends 105 + 10 = 115 < 120: too late, dropped
    expect(d.getSessionStore<string, number>('gap-sessions').fetch('a').map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([[95, 95, 1]])
  })
})

describe('record cache in front of window and session stores', () => {
  const TW = WindowedSerdes.timeWindowedSerdeFrom(S, 10)
  const SW = WindowedSerdes.sessionWindowedSerdeFrom(S)
  type Kind = 'tumbling' | 'hopping' | 'sliding' | 'session'
  const build = (kind: Kind, caching: boolean) => {
    const b = new StreamsBuilder()
    const g = b.stream<string, string>('in', Consumed.with(S, S)).groupByKey()
    const m = Materialized.as<string, number>('agg')
    const mm = caching ? m : m.withCachingDisabled()
    const t =
      kind === 'tumbling'
        ? g.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(mm)
        : kind === 'hopping'
          ? g.windowedBy(TimeWindows.ofSizeAndGrace(10, 20).advanceBy(5)).count(mm)
          : kind === 'sliding'
            ? g.windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 20)).count(mm)
            : g.windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 20)).count(mm)
    t.toStream().to('out', Produced.with(kind === 'session' ? SW : TW, L))
    return b
  }
  const changelog = (d: TopologyTestDriver) => d.readRawRecords('w-agg-changelog')

  it('3 updates of one window within one commit: 1 downstream and 1 changelog record with the cache, 3 without', () => {
    const on = driverFor(build('tumbling', true), { commitIntervalMs: 1000 })
    const inOn = on.createInputTopic('in', S, S)
    const outOn = on.createOutputTopic('out', TW, L)
    inOn.pipeInput('a', 'x', 1)
    inOn.pipeInput('a', 'x', 2)
    inOn.pipeInput('a', 'x', 3)
    expect(outOn.isEmpty()).toBe(true)
    expect(changelog(on)).toEqual([])
    // reads see the cached value before the commit
    expect(on.getWindowStore<string, number>('agg').fetch('a', 0)).toBe(3)
    on.advanceWallClockTime(1000)
    expect(outOn.readKeyValuesToList().map(fmt)).toEqual(['a@0-10=3'])
    expect(changelog(on).map((r) => L.deserialize('', r.value))).toEqual([3])

    const off = driverFor(build('tumbling', false), { commitIntervalMs: 1000 })
    const inOff = off.createInputTopic('in', S, S)
    inOff.pipeInput('a', 'x', 1)
    inOff.pipeInput('a', 'x', 2)
    inOff.pipeInput('a', 'x', 3)
    expect(off.createOutputTopic('out', TW, L).readKeyValuesToList().map(fmt)).toEqual(['a@0-10=1', 'a@0-10=2', 'a@0-10=3'])
    expect(changelog(off).length).toBe(3)
  })

  it('cacheMaxBytes = 0 turns the cache off: every update goes downstream', () => {
    const d = driverFor(build('session', true), { commitIntervalMs: 1000, cacheMaxBytes: 0 })
    const input = d.createInputTopic('in', S, S)
    input.pipeInput('a', 'x', 1)
    input.pipeInput('a', 'x', 2)
    input.pipeInput('a', 'x', 3)
    const out = d.createOutputTopic('out', SW, L).readKeyValuesToList().map(fmt)
    expect(out).toEqual(['a@1-1=1', 'a@1-1=null', 'a@1-2=2', 'a@1-2=null', 'a@1-3=3'])
    expect(changelog(d).length).toBe(5)
  })

  it('sends the old value along: the second commit of a window forwards its previous committed value', () => {
    const d = driverFor(build('tumbling', true), { commitIntervalMs: 1000 })
    const input = d.createInputTopic('in', S, S)
    const seen: string[] = []
    input.pipeInput('a', 'x', 1)
    d.commit()
    input.pipeInput('a', 'x', 2)
    input.pipeInput('a', 'x', 3)
    d.commit()
    for (const r of d.readRawRecords('w-agg-changelog')) seen.push(String(L.deserialize('', r.value)))
    expect(seen).toEqual(['1', '3'])
    expect(d.createOutputTopic('out', TW, L).readKeyValuesToList().map(fmt)).toEqual(['a@0-10=1', 'a@0-10=3'])
  })

  const inputs: Array<[string, number]> = [
    ['a', 1], ['a', 2], ['b', 3], ['a', 7], ['a', 12], ['b', 4], ['a', 13], ['b', 14], ['a', 9], ['a', 30], ['b', 31], ['a', 33], ['a', 2], ['b', 35], ['a', 50], ['a', 51],
  ]
  for (const kind of ['tumbling', 'hopping', 'sliding', 'session'] as const) {
    it(`${kind}: the results after each commit are those of the uncached run`, () => {
      const run = (caching: boolean) => {
        const d = driverFor(build(kind, caching), { commitIntervalMs: 1000, applicationId: `w` })
        const input = d.createInputTopic('in', S, S)
        const out = d.createOutputTopic('out', kind === 'session' ? SW : TW, L)
        const table = new Map<string, number | null>()
        const timestamps = new Map<string, number>()
        const snapshots: string[][] = []
        inputs.forEach(([key, ts], i) => {
          input.pipeInput(key, 'x', ts)
          if (i % 4 === 3) {
            d.commit()
            for (const r of out.readRecordsToList()) {
              const id = `${r.key!.key}@${r.key!.window.start}-${r.key!.window.end}`
              table.set(id, r.value)
              timestamps.set(id, r.timestamp)
            }
            snapshots.push([...table].filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}@${timestamps.get(k)}`).sort())
          }
        })
        const store = kind === 'session' ? d.getSessionStore<string, number>('agg').fetch('a').map((e) => fmt(e)) : d.getWindowStore<string, number>('agg').all().map((e) => fmt(e))
        return { snapshots, store, changelog: changelog(d).length, downstream: d.readRawRecords('out').length }
      }
      const cached = run(true)
      const plain = run(false)
      expect(cached.snapshots).toEqual(plain.snapshots)
      expect(cached.store).toEqual(plain.store)
      expect(cached.store.length).toBeGreaterThan(0)
      // the cache thinned both streams
      expect(cached.changelog).toBeLessThan(plain.changelog)
      expect(cached.downstream).toBeLessThan(plain.downstream)
    })
  }

  it('suppress emits a window once, with its latest value, although the update was still in the cache when it closed', () => {
    const run = (caching: boolean) => {
      const b = new StreamsBuilder()
      const m = Materialized.as<string, number>('agg')
      b.stream<string, string>('in', Consumed.with(S, S))
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
        .count(caching ? m : m.withCachingDisabled())
        .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
        .toStream()
        .to('out', Produced.with(TW, L))
      const d = driverFor(b, { commitIntervalMs: 1000 })
      const input = d.createInputTopic('in', S, S)
      const out = d.createOutputTopic('out', TW, L)
      input.pipeInput('a', 'x', 1)
      d.commit()
      input.pipeInput('a', 'x', 2) // cached, not yet forwarded to the suppression buffer
      input.pipeInput('b', 'x', 3)
      input.pipeInput('a', 'x', 15) // closes [0,10)
      const before = out.readKeyValuesToList().map(fmt)
      d.commit()
      input.pipeInput('a', 'x', 30)
      d.commit()
      return [...before, '|', ...out.readKeyValuesToList().map(fmt)]
    }
    const cached = run(true)
    expect(cached).toEqual(['a@0-10=2', 'b@0-10=1', '|', 'a@10-20=1'])
    expect(cached).toEqual(run(false))
  })
})
