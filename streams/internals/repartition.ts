// Repartition topics, named and numbered as Kafka Streams does, because the names decide
// the internal topics and stores users see.
//
// A stream repartition (groupBy/groupByKey after a key change, repartition(), joins):
// drop null keys, write `<base>-repartition`, read it back in a new sub-topology. Kafka
// always draws three generated names (sink, filter, source) from the shared counter, so
// numbering continues past them even when the nodes are named after the topic; generated
// bases (KSTREAM-...-0000000007) keep the generated node names.
import type { DslContext } from './dsl-context.js'
import type { StreamPartitioner } from './topology-builder.js'
import type { SerdeSpec } from './serde-resolution.js'
import { dropNullKeys } from './operators/passthrough.js'

const REPARTITION_SUFFIX = '-repartition'
const GENERATED = /^KSTREAM.*-[0-9]{10}$/

export function insertRepartition(
  ctx: DslContext,
  parent: string,
  base: string,
  keySerde: SerdeSpec,
  valueSerde: SerdeSpec,
  partitioner: StreamPartitioner | null = null,
): { sourceNode: string; topic: string } {
  const topic = base.endsWith(REPARTITION_SUFFIX) ? base : `${base}${REPARTITION_SUFFIX}`
  const genSink = ctx.newName('KSTREAM-SINK-')
  const genFilter = ctx.newName('KSTREAM-FILTER-')
  const genSource = ctx.newName('KSTREAM-SOURCE-')
  const generated = GENERATED.test(base)
  const sink = generated ? genSink : `${topic}-sink`
  const filter = generated ? genFilter : `${topic}-filter`
  const source = generated ? genSource : `${topic}-source`
  const b = ctx.builder
  b.addInternalTopic(topic)
  b.addProcessor(filter, dropNullKeys(), [parent])
  b.addSink(sink, topic, keySerde, valueSerde, [filter], partitioner)
  b.addSource(source, [topic], keySerde, valueSerde)
  return { sourceNode: source, topic }
}

/**
 * A KTable groupBy repartition: `<base>-repartition` written by a sink and read by a
 * source, both generated names drawn before the aggregation's own (no null-key filter:
 * the table aggregation skips null keys itself), as Kafka's KGroupedTable does.
 */
export function insertTableRepartition(ctx: DslContext, parent: string, base: string, keySerde: SerdeSpec, valueSerde: SerdeSpec): { sourceNode: string; topic: string } {
  const topic = `${base}${REPARTITION_SUFFIX}`
  const sink = ctx.newName('KSTREAM-SINK-')
  const source = ctx.newName('KSTREAM-SOURCE-')
  const b = ctx.builder
  b.addInternalTopic(topic)
  b.addSink(sink, topic, keySerde, valueSerde, [parent])
  b.addSource(source, [topic], keySerde, valueSerde)
  return { sourceNode: source, topic }
}

/** Repartition nodes named after `base` only, drawing nothing from the counter (the FK join's topics). */
export function insertNamedRepartition(ctx: DslContext, parent: string, base: string, keySerde: SerdeSpec, valueSerde: SerdeSpec): { sourceNode: string; topic: string } {
  const topic = `${base}${REPARTITION_SUFFIX}`
  const b = ctx.builder
  b.addInternalTopic(topic)
  b.addProcessor(`${topic}-filter`, dropNullKeys(), [parent])
  b.addSink(`${topic}-sink`, topic, keySerde, valueSerde, [`${topic}-filter`])
  b.addSource(`${topic}-source`, [topic], keySerde, valueSerde)
  return { sourceNode: `${topic}-source`, topic }
}
