// ListOffsets to each partition's leader, shared by the consumer and the admin.
import { BrookError } from '../../errors.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import type { ListOffsetsRequestListOffsetsTopic } from '../../protocol/apis/generated/list-offsets.js'
import { tpKey } from '../record-utils.js'
import type { IsolationLevel, TopicPartition } from '../types.js'
import type { Cluster } from './cluster.js'
import { kafkaError } from './errors.js'

/** Kafka's special timestamps for ListOffsets. */
export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2

export interface OffsetQuery extends TopicPartition {
  /** -1 latest, -2 earliest, else the earliest offset whose timestamp is at or after this. */
  timestamp: number
}

export interface OffsetAnswer extends TopicPartition {
  /** -1 when no record has a timestamp at or after the one asked. */
  offset: number
  timestamp: number
}

/** Answers in query order; retries leader moves and network failures. */
export async function listOffsets(cluster: Cluster, queries: OffsetQuery[], isolation: IsolationLevel = 'read_uncommitted'): Promise<OffsetAnswer[]> {
  const answers: Array<OffsetAnswer | undefined> = new Array(queries.length)
  // A request names each partition once, so several questions about one partition take several rounds.
  for (;;) {
    const round = new Map<string, number>()
    queries.forEach((q, i) => {
      const k = tpKey(q.topic, q.partition)
      if (answers[i] === undefined && !round.has(k)) round.set(k, i)
    })
    if (round.size === 0) break
    const result = await listOffsetsOnce(cluster, [...round.values()].map((i) => queries[i]!), isolation === 'read_committed' ? 1 : 0)
    for (const i of round.values()) answers[i] = result.get(tpKey(queries[i]!.topic, queries[i]!.partition))
  }
  return answers.map((a, i) => {
    if (!a) throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `No ListOffsets answer for ${queries[i]!.topic}-${queries[i]!.partition}`)
    return a
  })
}

/** One question per partition. */
async function listOffsetsOnce(cluster: Cluster, queries: OffsetQuery[], isolationLevel: number): Promise<Map<string, OffsetAnswer>> {
  const answers = new Map<string, OffsetAnswer>()
  await cluster.retry(async () => {
    const todo = queries.filter((q) => !answers.has(tpKey(q.topic, q.partition)))
    const byNode = new Map<number, OffsetQuery[]>()
    for (const q of todo) {
      const leader = await cluster.leaderFor(q.topic, q.partition)
      let list = byNode.get(leader)
      if (!list) byNode.set(leader, (list = []))
      list.push(q)
    }
    let retriable: BrookError | null = null
    await Promise.all(
      [...byNode].map(async ([node, list]) => {
        const topics: ListOffsetsRequestListOffsetsTopic[] = []
        for (const q of list) {
          let t = topics.find((x) => x.name === q.topic)
          if (!t) topics.push((t = { name: q.topic, partitions: [] }))
          t.partitions.push({ partitionIndex: q.partition, currentLeaderEpoch: -1, timestamp: q.timestamp, maxNumOffsets: 1 })
        }
        const res = await cluster.send(node, ApiKeys.ListOffsets, { replicaId: -1, isolationLevel, topics, timeoutMs: cluster.requestTimeoutMs })
        for (const t of res.topics) {
          for (const p of t.partitions) {
            if (p.errorCode !== 0) {
              const err = kafkaError(p.errorCode, `ListOffsets for ${t.name}-${p.partitionIndex}`, null, 'partition')
              if (!err.retriable) throw err
              cluster.invalidate(t.name)
              retriable = err
              continue
            }
            const offset = p.oldStyleOffsets.length > 0 && p.offset < 0 ? p.oldStyleOffsets[0]! : p.offset
            answers.set(tpKey(t.name, p.partitionIndex), { topic: t.name, partition: p.partitionIndex, offset, timestamp: p.timestamp })
          }
        }
      }),
    )
    if (retriable) throw retriable
  })
  return answers
}
