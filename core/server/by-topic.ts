// Responses nest partitions under topics; the coordinator and broker answer flat lists.

/** Groups flat per-partition entries under their topic, keeping first-seen topic order. */
export function byTopic<T extends { topic: string }, P>(entries: readonly T[], toPartition: (e: T) => P): Array<{ name: string; partitions: P[] }> {
  const out = new Map<string, P[]>()
  for (const e of entries) {
    let list = out.get(e.topic)
    if (!list) out.set(e.topic, (list = []))
    list.push(toPartition(e))
  }
  return [...out].map(([name, partitions]) => ({ name, partitions }))
}

/** The inverse for OffsetCommit and TxnOffsetCommit requests: their nested offsets as one flat list. */
export function committedOffsets(
  topics: ReadonlyArray<{
    name: string
    partitions: ReadonlyArray<{ partitionIndex: number; committedOffset: number; committedMetadata: string | null; committedLeaderEpoch: number }>
  }>,
): Array<{ topic: string; partition: number; offset: number; metadata: string | null; leaderEpoch: number }> {
  return topics.flatMap((t) =>
    t.partitions.map((p) => ({
      topic: t.name,
      partition: p.partitionIndex,
      offset: p.committedOffset,
      metadata: p.committedMetadata,
      leaderEpoch: p.committedLeaderEpoch,
    })),
  )
}
