// The processor graph behind both the DSL and the Processor API: source,
// processor and sink nodes, stores, internal topics, co-partition groups.
// Sub-topologies are the connected components of nodes (joined by edges and
// by shared stores); a task runs one sub-topology for one partition.
import type { Processor } from '../processor/api.js'
import type { Record as StreamRecord } from '../processor/record.js'
import type { StoreBuilder } from '../state/store-builder.js'
import { TopologyException } from '../errors.js'
import { canResolve, type SerdeDefaults, type SerdeSpec } from './serde-resolution.js'

export type AnyProcessor = Processor<unknown, unknown, unknown, unknown>
export type TimestampExtractor = (record: { topic: string; key: unknown; value: unknown; timestamp: number }, partitionTime: number) => number
export interface RecordContextInfo {
  topic: string | null
  partition: number
  offset: number
  timestamp: number
}
export type TopicNameExtractor = (key: unknown, value: unknown, context: RecordContextInfo) => string
export type StreamPartitioner = (topic: string, key: unknown, value: unknown, numPartitions: number) => number | null

export interface SourceNodeDef {
  kind: 'source'
  name: string
  topics: string[]
  keySerde: SerdeSpec
  valueSerde: SerdeSpec
  timestampExtractor: TimestampExtractor | null
  order: number
}

export interface ProcessorNodeDef {
  kind: 'processor'
  name: string
  supplier: () => AnyProcessor
  parents: string[]
  stores: string[]
  order: number
}

export interface SinkNodeDef {
  kind: 'sink'
  name: string
  topic: string | TopicNameExtractor
  keySerde: SerdeSpec
  valueSerde: SerdeSpec
  partitioner: StreamPartitioner | null
  parents: string[]
  order: number
}

export type NodeDef = SourceNodeDef | ProcessorNodeDef | SinkNodeDef

export interface Subtopology {
  id: number
  /** Nodes in the order they were added (parents before children). */
  nodes: NodeDef[]
  sourceTopics: string[]
  stores: string[]
  /** Global sub-topologies keep global stores up to date and make no tasks. */
  global: boolean
}

export interface CopartitionGroup {
  operator: string
  topics: string[]
}

export class InternalTopologyBuilder {
  private readonly nodes = new Map<string, NodeDef>()
  private readonly childrenOf = new Map<string, string[]>()
  readonly stores = new Map<string, StoreBuilder>()
  readonly globalStores = new Set<string>()
  private readonly globalProcessors = new Set<string>()
  /** Topics named without the application id; resolved as `<applicationId>-<name>`. */
  readonly internalTopics = new Set<string>()
  readonly copartitionGroups: CopartitionGroup[] = []
  private readonly topicToSource = new Map<string, string>()
  private order = 0

  addSource(name: string, topics: string[], keySerde: SerdeSpec, valueSerde: SerdeSpec, timestampExtractor: TimestampExtractor | null = null): void {
    this.checkNewName(name)
    if (topics.length === 0) throw new TopologyException(`source ${name} needs at least one topic`)
    for (const t of topics) {
      const other = this.topicToSource.get(t)
      if (other !== undefined) throw new TopologyException(`topic '${t}' is already read by source ${other}; source ${name} cannot read it too`)
      this.topicToSource.set(t, name)
    }
    this.nodes.set(name, { kind: 'source', name, topics, keySerde, valueSerde, timestampExtractor, order: this.order++ })
  }

  addProcessor(name: string, supplier: () => AnyProcessor, parents: string[], stores: string[] = []): void {
    this.checkNewName(name)
    this.checkParents(name, parents)
    this.nodes.set(name, { kind: 'processor', name, supplier, parents, stores: [...stores], order: this.order++ })
    for (const p of parents) this.link(p, name)
  }

  addSink(name: string, topic: string | TopicNameExtractor, keySerde: SerdeSpec, valueSerde: SerdeSpec, parents: string[], partitioner: StreamPartitioner | null = null): void {
    this.checkNewName(name)
    this.checkParents(name, parents)
    this.nodes.set(name, { kind: 'sink', name, topic, keySerde, valueSerde, partitioner, parents, order: this.order++ })
    for (const p of parents) this.link(p, name)
  }

  addStateStore(builder: StoreBuilder, ...processorNames: string[]): void {
    if (this.stores.has(builder.name)) throw new TopologyException(`store '${builder.name}' is already added`)
    this.stores.set(builder.name, builder)
    for (const p of processorNames) this.connectProcessorAndStore(p, builder.name)
  }

  /** A global store: read from `topic` by its own source and processor, readable from every task. */
  addGlobalStore(builder: StoreBuilder, sourceName: string, topic: string, keySerde: SerdeSpec, valueSerde: SerdeSpec, processorName: string, supplier: () => AnyProcessor): void {
    if (builder.loggingEnabled) builder = builder.withLoggingDisabled()
    this.addStateStore(builder)
    this.globalStores.add(builder.name)
    this.addSource(sourceName, [topic], keySerde, valueSerde)
    this.addProcessor(processorName, supplier, [sourceName], [builder.name])
    this.globalProcessors.add(processorName)
  }

  connectProcessorAndStore(processorName: string, storeName: string): void {
    const node = this.nodes.get(processorName)
    if (node === undefined || node.kind !== 'processor') throw new TopologyException(`cannot connect store '${storeName}': ${processorName} is not a processor`)
    if (!this.stores.has(storeName)) throw new TopologyException(`${processorName} uses store '${storeName}', which is not added to the topology`)
    if (!node.stores.includes(storeName)) node.stores.push(storeName)
  }

  addInternalTopic(name: string): void {
    this.internalTopics.add(name)
  }

  addCopartitionGroup(operator: string, topics: string[]): void {
    this.copartitionGroups.push({ operator, topics: [...new Set(topics)] })
  }

  node(name: string): NodeDef | undefined {
    return this.nodes.get(name)
  }

  children(name: string): string[] {
    return this.childrenOf.get(name) ?? []
  }

  allNodes(): NodeDef[] {
    return [...this.nodes.values()].sort((a, b) => a.order - b.order)
  }

  /** Source topics feeding the given node (through processors of its sub-topology). */
  upstreamTopics(name: string): string[] {
    const out = new Set<string>()
    const seen = new Set<string>()
    const walk = (n: string): void => {
      if (seen.has(n)) return
      seen.add(n)
      const def = this.nodes.get(n)
      if (def === undefined) return
      if (def.kind === 'source') for (const t of def.topics) out.add(t)
      else for (const p of def.parents) walk(p)
    }
    walk(name)
    return [...out]
  }

  resolveTopic(topic: string, applicationId: string): string {
    return this.internalTopics.has(topic) ? `${applicationId}-${topic}` : topic
  }

  subtopologies(): Subtopology[] {
    const parent = new Map<string, string>()
    const find = (x: string): string => {
      let r = x
      while (parent.get(r) !== r) r = parent.get(r)!
      parent.set(x, r)
      return r
    }
    const union = (a: string, b: string): void => {
      const ra = find(a)
      const rb = find(b)
      if (ra !== rb) parent.set(rb, ra)
    }
    const all = this.allNodes()
    for (const n of all) parent.set(n.name, n.name)
    const storeOwner = new Map<string, string>()
    for (const n of all) {
      if (n.kind !== 'source') for (const p of n.parents) union(p, n.name)
      if (n.kind === 'processor')
        for (const s of n.stores) {
          const o = storeOwner.get(s)
          if (o === undefined) storeOwner.set(s, n.name)
          else if (!this.globalStores.has(s)) union(o, n.name)
        }
    }
    const groups = new Map<string, NodeDef[]>()
    for (const n of all) {
      const r = find(n.name)
      let g = groups.get(r)
      if (g === undefined) groups.set(r, (g = []))
      g.push(n)
    }
    const out: Subtopology[] = []
    for (const nodes of groups.values()) {
      const topics: string[] = []
      const stores = new Set<string>()
      for (const n of nodes) {
        if (n.kind === 'source') topics.push(...n.topics)
        if (n.kind === 'processor') for (const s of n.stores) stores.add(s)
      }
      const global = nodes.some((n) => this.globalProcessors.has(n.name))
      out.push({ id: out.length, nodes, sourceTopics: topics, stores: [...stores], global })
    }
    return out
  }

  /** Fails with a message naming the node when a serde is missing and there is no default. */
  validate(defaults: SerdeDefaults): void {
    const need = (spec: SerdeSpec, which: 'key' | 'value', owner: string): void => {
      if (!canResolve(spec, which, defaults))
        throw new TopologyException(
          `${owner} needs a ${which} serde: pass one (Consumed/Produced/Grouped/Materialized.with...) or configure default${which === 'key' ? 'Key' : 'Value'}Serde`,
        )
    }
    for (const n of this.nodes.values()) {
      if (n.kind === 'source' || n.kind === 'sink') {
        need(n.keySerde, 'key', n.name)
        need(n.valueSerde, 'value', n.name)
      }
    }
    for (const s of this.stores.values()) {
      need(s.keySerde as SerdeSpec, 'key', `store '${s.name}'`)
      need(s.valueSerde as SerdeSpec, 'value', `store '${s.name}'`)
    }
  }

  private link(parent: string, child: string): void {
    let c = this.childrenOf.get(parent)
    if (c === undefined) this.childrenOf.set(parent, (c = []))
    c.push(child)
  }

  private checkNewName(name: string): void {
    if (name.length === 0) throw new TopologyException('node names must not be empty')
    if (this.nodes.has(name)) throw new TopologyException(`a node named ${name} is already in the topology`)
  }

  private checkParents(name: string, parents: string[]): void {
    if (parents.length === 0) throw new TopologyException(`${name} needs at least one parent`)
    for (const p of parents) {
      const def = this.nodes.get(p)
      if (def === undefined) throw new TopologyException(`${name} names parent ${p}, which is not in the topology`)
      if (def.kind === 'sink') throw new TopologyException(`${name} cannot have sink ${p} as a parent`)
      if (p === name) throw new TopologyException(`${name} cannot be its own parent`)
    }
  }
}

export type { StreamRecord }
