// What an executor must know about topics before it starts tasks: source
// topics per sub-topology, internal topics to create (repartition and
// changelog), and which topics must be co-partitioned. Names are resolved
// with the application id.
import type { InternalTopologyBuilder } from './topology-builder.js'
import { changelogTopicName } from '../state/state-manager.js'
import { TopologyException } from '../errors.js'

export interface SubtopologyTopics {
  id: number
  global: boolean
  sourceTopics: string[]
  /** Repartition topics this sub-topology reads (it creates tasks for their partitions too). */
  repartitionSourceTopics: string[]
  /** store name -> changelog topic, for the stores with logging enabled. */
  changelogTopics: Map<string, string>
}

export interface TopologyTopics {
  subtopologies: SubtopologyTopics[]
  /** Every repartition topic (compaction off, deletable after commit). */
  repartitionTopics: string[]
  /** Every changelog topic (cleanup.policy=compact, partitions = those of the task's input). */
  changelogTopics: string[]
  copartitionGroups: Array<{ operator: string; topics: string[] }>
}

export function topologyTopics(b: InternalTopologyBuilder, applicationId: string): TopologyTopics {
  const resolve = (t: string): string => b.resolveTopic(t, applicationId)
  const subtopologies = b.subtopologies().map((s) => {
    const changelogs = new Map<string, string>()
    for (const name of s.stores) {
      const sb = b.stores.get(name)
      if (sb !== undefined && sb.loggingEnabled && !b.globalStores.has(name)) changelogs.set(name, changelogTopicName(applicationId, name))
    }
    return {
      id: s.id,
      global: s.global,
      sourceTopics: s.sourceTopics.map(resolve),
      repartitionSourceTopics: s.sourceTopics.filter((t) => b.internalTopics.has(t)).map(resolve),
      changelogTopics: changelogs,
    }
  })
  return {
    subtopologies,
    repartitionTopics: [...b.internalTopics].map(resolve),
    changelogTopics: subtopologies.flatMap((s) => [...s.changelogTopics.values()]),
    copartitionGroups: b.copartitionGroups.map((g) => ({ operator: g.operator, topics: g.topics.map(resolve) })),
  }
}

/**
 * Checks that co-partitioned external topics have equal partition counts. Internal (repartition)
 * topics are skipped: the executor creates them with the count of their group.
 */
export function checkCopartitioning(b: InternalTopologyBuilder, partitionsOf: (topic: string) => number): void {
  for (const g of b.copartitionGroups) {
    const external = g.topics.filter((t) => !b.internalTopics.has(t))
    const first = external[0]
    if (first === undefined) continue
    const n = partitionsOf(first)
    for (const t of external.slice(1)) {
      const m = partitionsOf(t)
      if (m !== n) throw new TopologyException(`${g.operator} requires co-partitioned inputs, but topic '${first}' has ${n} partition(s) and topic '${t}' has ${m}`)
    }
  }
}
