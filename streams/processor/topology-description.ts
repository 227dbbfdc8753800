// A printable view of a topology, laid out like Kafka's TopologyDescription,
// plus a Mermaid flowchart of the same graph.
import type { InternalTopologyBuilder, NodeDef } from '../internals/topology-builder.js'

export interface NodeDescription {
  name: string
  kind: 'source' | 'processor' | 'sink'
  /** Sources: the topics read; sinks: the topic written (or '<dynamic>'). */
  topics: string[]
  stores: string[]
  predecessors: string[]
  successors: string[]
}

export interface SubtopologyDescription {
  id: number
  global: boolean
  nodes: NodeDescription[]
}

export interface TopologyDescription {
  subtopologies: SubtopologyDescription[]
  globalStores: string[]
  toString(): string
  toMermaid(): string
}

export function describeTopology(b: InternalTopologyBuilder): TopologyDescription {
  const subs: SubtopologyDescription[] = b.subtopologies().map((st) => ({
    id: st.id,
    global: st.global,
    nodes: st.nodes.map((n) => describeNode(b, n)),
  }))
  return {
    subtopologies: subs,
    globalStores: [...b.globalStores],
    toString: () => render(subs),
    toMermaid: () => mermaid(subs),
  }
}

function describeNode(b: InternalTopologyBuilder, n: NodeDef): NodeDescription {
  return {
    name: n.name,
    kind: n.kind,
    topics: n.kind === 'source' ? n.topics : n.kind === 'sink' ? [typeof n.topic === 'string' ? n.topic : '<dynamic>'] : [],
    stores: n.kind === 'processor' ? n.stores : [],
    predecessors: n.kind === 'source' ? [] : n.parents,
    successors: b.children(n.name),
  }
}

function render(subs: SubtopologyDescription[]): string {
  const lines = ['Topologies:']
  for (const s of subs) {
    if (s.id > 0) lines.push('')
    lines.push(s.global ? `   Sub-topology: ${s.id} for global store (will not generate tasks)` : `   Sub-topology: ${s.id}`)
    for (const n of s.nodes) {
      if (n.kind === 'source') lines.push(`    Source: ${n.name} (topics: [${n.topics.join(', ')}])`)
      else if (n.kind === 'processor') lines.push(`    Processor: ${n.name} (stores: [${n.stores.join(', ')}])`)
      else lines.push(`    Sink: ${n.name} (topic: ${n.topics[0]})`)
      if (n.kind !== 'sink') lines.push(`      --> ${n.successors.length === 0 ? 'none' : n.successors.join(', ')}`)
      if (n.kind !== 'source') lines.push(`      <-- ${n.predecessors.length === 0 ? 'none' : n.predecessors.join(', ')}`)
    }
  }
  return lines.join('\n') + '\n'
}

function mermaid(subs: SubtopologyDescription[]): string {
  const id = (name: string): string => `n_${name.replace(/[^A-Za-z0-9_]/g, '_')}`
  const esc = (s: string): string => s.replaceAll('"', '#quot;')
  const lines = ['flowchart TD']
  const topics = new Set<string>()
  const stores = new Set<string>()
  const edges: string[] = []
  for (const s of subs) {
    lines.push(`  subgraph sub${s.id}["Sub-topology ${s.id}${s.global ? ' (global)' : ''}"]`)
    for (const n of s.nodes) {
      const shape = n.kind === 'processor' ? `["${esc(n.name)}"]` : `[/"${esc(n.name)}"/]`
      lines.push(`    ${id(n.name)}${shape}`)
      for (const c of n.successors) edges.push(`  ${id(n.name)} --> ${id(c)}`)
      for (const st of n.stores) {
        stores.add(st)
        edges.push(`  ${id(n.name)} -.- s${id(st)}`)
      }
      if (n.kind === 'source')
        for (const t of n.topics) {
          topics.add(t)
          edges.push(`  t${id(t)} --> ${id(n.name)}`)
        }
      if (n.kind === 'sink')
        for (const t of n.topics) {
          topics.add(t)
          edges.push(`  ${id(n.name)} --> t${id(t)}`)
        }
    }
    lines.push('  end')
  }
  for (const t of topics) lines.push(`  t${id(t)}{{"${esc(t)}"}}`)
  for (const st of stores) lines.push(`  s${id(st)}[("${esc(st)}")]`)
  return [...lines, ...edges].join('\n') + '\n'
}
