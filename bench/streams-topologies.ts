// Shared by bench:streams and bench:streams-peer: the topologies they measure, each counting the
// records that reach its last stage in `seen` (a peek there), so a bench knows when all input went through.
import { Consumed, Grouped, Materialized, Produced, Repartitioned, Serdes, StreamsBuilder, type Topology } from '../streams/index.js'

const S = Serdes.String()

/** Records that reached the last stage of the topology running now. */
export const seen = { n: 0 }

/** filter + mapValues + to. */
export function stateless(input: string, output: string): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>(input, Consumed.with(S, S))
    .filter((_k, v) => v.length > 3)
    .mapValues((v) => v.toUpperCase())
    .peek(() => seen.n++)
    .to(output, Produced.with(S, S))
  return b.build()
}

/** Word count as groupBy would build it, with the repartition explicit so a peek can count words reaching the count. */
export function wordCount(input: string, output: string): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>(input, Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .selectKey((_k, w) => w)
    .repartition(Repartitioned.with(S, S).withName('words'))
    .peek(() => seen.n++)
    .groupByKey(Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to(output, Produced.with(S, Serdes.Long()))
  return b.build()
}
