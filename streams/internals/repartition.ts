// Inserts a repartition topic: drop null keys, write the topic, read it back
// in a new sub-topology. Topic `<applicationId>-<base>-repartition`.
import type { DslContext } from './dsl-context.js'
import type { StreamPartitioner } from './topology-builder.js'
import type { SerdeSpec } from './serde-resolution.js'
import { dropNullKeys } from './operators/passthrough.js'

export function insertRepartition(
  ctx: DslContext,
  parent: string,
  base: string,
  keySerde: SerdeSpec,
  valueSerde: SerdeSpec,
  partitioner: StreamPartitioner | null = null,
): { sourceNode: string; topic: string } {
  const topic = `${base}-repartition`
  const b = ctx.builder
  b.addInternalTopic(topic)
  b.addProcessor(`${base}-repartition-filter`, dropNullKeys(), [parent])
  b.addSink(`${base}-repartition-sink`, topic, keySerde, valueSerde, [`${base}-repartition-filter`], partitioner)
  b.addSource(`${base}-repartition-source`, [topic], keySerde, valueSerde)
  return { sourceNode: `${base}-repartition-source`, topic }
}
