// Typed input and output topics of the TopologyTestDriver.
import type { Serde } from '../serdes.js'
import type { Headers } from '../processor/record.js'
import type { KeyValue } from '../state/types.js'
import { StreamsException } from '../errors.js'

export interface TestRecord<K, V> {
  key: K | null
  value: V | null
  timestamp: number
  headers: Headers
}

/** What the driver offers the topics; not for users. */
export interface DriverTopics {
  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void
  read(topic: string): { key: Buffer | null; value: Buffer | null; timestamp: number; headers: Headers } | undefined
  queueSize(topic: string): number
  wallClockTime(): number
}

export class TestInputTopic<K, V> {
  private nextTimestamp: number
  constructor(
    private readonly driver: DriverTopics,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    startTimestampMs?: number,
    private readonly autoAdvanceMs = 0,
  ) {
    this.nextTimestamp = startTimestampMs ?? driver.wallClockTime()
  }

  /** Pipes one record; without a timestamp the topic's own clock is used (and moved by autoAdvance). */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = []): void {
    let ts = timestamp
    if (ts === undefined) {
      ts = this.nextTimestamp
      this.nextTimestamp += this.autoAdvanceMs
    }
    this.driver.pipe(this.name, this.keySerde.serialize(this.name, key), this.valueSerde.serialize(this.name, value), ts, headers)
  }

  pipeValue(value: V | null, timestamp?: number): void {
    this.pipeInput(null, value, timestamp)
  }

  pipeKeyValueList(records: Array<KeyValue<K | null, V | null>>, startTimestamp?: number, advanceMs = 0): void {
    let ts = startTimestamp
    for (const r of records) {
      this.pipeInput(r.key, r.value, ts)
      if (ts !== undefined) ts += advanceMs
    }
  }

  pipeRecordList(records: Array<{ key: K | null; value: V | null; timestamp?: number; headers?: Headers }>): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp, r.headers)
  }

  /** Moves the timestamp used for records piped without one. */
  advanceTime(ms: number): void {
    this.nextTimestamp += ms
  }
}

export class TestOutputTopic<K, V> {
  constructor(
    private readonly driver: DriverTopics,
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  readRecord(): TestRecord<K, V> {
    const r = this.driver.read(this.name)
    if (r === undefined) throw new StreamsException(`No more records in output topic '${this.name}'`)
    return {
      key: this.keySerde.deserialize(this.name, r.key),
      value: this.valueSerde.deserialize(this.name, r.value),
      timestamp: r.timestamp,
      headers: r.headers,
    }
  }

  readValue(): V | null {
    return this.readRecord().value
  }

  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord()
    return { key: r.key, value: r.value }
  }

  readRecordsToList(): Array<TestRecord<K, V>> {
    const out: Array<TestRecord<K, V>> = []
    while (!this.isEmpty()) out.push(this.readRecord())
    return out
  }

  readValuesToList(): Array<V | null> {
    return this.readRecordsToList().map((r) => r.value)
  }

  readKeyValuesToList(): Array<KeyValue<K | null, V | null>> {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }))
  }

  /** Latest value per key; a null value removes the key, as a table would. */
  readKeyValuesToMap(): Map<K | null, V> {
    const m = new Map<K | null, V>()
    for (const r of this.readRecordsToList()) {
      if (r.value === null) m.delete(r.key)
      else m.set(r.key, r.value)
    }
    return m
  }

  isEmpty(): boolean {
    return this.driver.queueSize(this.name) === 0
  }

  getQueueSize(): number {
    return this.driver.queueSize(this.name)
  }
}
