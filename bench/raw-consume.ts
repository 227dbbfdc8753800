// Shared by bench:streams and bench:streams-peer: the raw consume baseline, a plain consumer
// reading every record of a topic from the beginning (poll, record objects) and nothing more.
import type { BrookClient } from '../core/client/types.js'

/** Wall-clock and CPU milliseconds (this process) to read `records` records of the topic's `partitions` partitions. */
export async function rawConsume(client: BrookClient, topic: string, partitions: number, records: number, maxPollRecords: number): Promise<{ ms: number; cpuMs: number }> {
  const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords, maxPartitionFetchBytes: 256 << 10 })
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  consumer.assign(tps)
  await consumer.seekToBeginning(tps)
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let seen = 0
  let bytes = 0
  while (seen < records) {
    const rs = await consumer.poll(100)
    for (const r of rs) bytes += r.value?.length ?? 0
    seen += rs.length
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  await consumer.close()
  if (bytes === 0) throw new Error('no bytes read')
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 }
}
