// Source offsets in the compacted connect-offsets topic. Keys are Kafka Connect's
// ["<connector>", {partition}] JSON; the worker writes an offset only after every record
// it covers was acknowledged by the broker.
import type { BrookClient } from '../../core/client/types.js'
import type { OffsetStorageReader } from '../api/connector.js'
import type { SourceOffset, SourcePartition } from '../api/record.js'
import { type InternalTopicWriter, readToEnd } from './internal-topics.js'

export function offsetKey(connector: string, partition: SourcePartition): string {
  return JSON.stringify([connector, sortKeys(partition)])
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort()) out[k] = o[k]
  return out
}

export class OffsetStore {
  private readonly data = new Map<string, SourceOffset>()
  private writer: InternalTopicWriter | null = null

  constructor(private readonly client: BrookClient, readonly topic: string) {}

  async load(): Promise<void> {
    this.data.clear()
    await readToEnd(this.client, this.topic, (r) => {
      if (r.key === null) return
      const k = r.key.toString('utf8')
      if (r.value === null) this.data.delete(k)
      else this.data.set(k, JSON.parse(r.value.toString('utf8')) as SourceOffset)
    })
  }

  attach(writer: InternalTopicWriter): void {
    this.writer = writer
  }

  get(connector: string, partition: SourcePartition): SourceOffset | null {
    return this.data.get(offsetKey(connector, partition)) ?? null
  }

  /** Every stored partition → offset of one connector. */
  forConnector(connector: string): Array<{ partition: SourcePartition; offset: SourceOffset }> {
    const out: Array<{ partition: SourcePartition; offset: SourceOffset }> = []
    for (const [k, v] of this.data) {
      const [name, partition] = JSON.parse(k) as [string, SourcePartition]
      if (name === connector) out.push({ partition, offset: v })
    }
    return out
  }

  reader(connector: string): OffsetStorageReader {
    return { offset: (partition) => this.get(connector, partition) }
  }

  /** Writes (and waits for the acknowledgement of) the given offsets; null resets a partition. */
  async write(connector: string, offsets: Array<{ partition: SourcePartition; offset: SourceOffset | null }>): Promise<void> {
    if (offsets.length === 0) return
    const entries = offsets.map((o) => ({ key: offsetKey(connector, o.partition), value: o.offset }))
    await this.writer!.write(entries)
    for (const e of entries) {
      if (e.value === null) this.data.delete(e.key)
      else this.data.set(e.key, e.value)
    }
  }
}
