// Helpers for the connector tests: wait for a condition, read a topic, database URLs from the
// environment (skip with a message when absent, fail under CI=true).
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'

export async function waitFor<T>(what: string, check: () => Promise<T | null | false> | T | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Every record of a topic (all partitions) from the beginning up to its current end. */
export async function readTopic(client: BrookClient, topic: string): Promise<ConsumerRecord[]> {
  const admin = client.admin()
  let partitions: number[]
  try {
    const [d] = await admin.describeTopics([topic])
    partitions = (d?.partitions ?? []).map((p) => p.partition)
  } catch {
    return []
  } finally {
    await admin.close()
  }
  const consumer = client.consumer()
  const out: ConsumerRecord[] = []
  try {
    const tps = partitions.map((partition) => ({ topic, partition }))
    consumer.assign(tps)
    await consumer.seekToBeginning(tps)
    const ends = await consumer.endOffsets(tps)
    for (const e of ends) {
      const tp = { topic, partition: e.partition }
      while ((await consumer.position(tp)) < e.offset) {
        for (const r of await consumer.poll(200)) out.push(r)
      }
    }
  } finally {
    await consumer.close()
  }
  return out
}

export async function topicCount(client: BrookClient, topic: string): Promise<number> {
  const admin = client.admin()
  try {
    const [d] = await admin.describeTopics([topic])
    const offs = await admin.listOffsets((d?.partitions ?? []).map((p) => ({ topic, partition: p.partition, spec: 'latest' as const })))
    return offs.reduce((a, o) => a + o.offset, 0)
  } catch {
    return 0
  } finally {
    await admin.close()
  }
}

export function json(r: ConsumerRecord): { schema?: unknown; payload: Record<string, unknown> } | null {
  return r.value === null ? null : (JSON.parse(r.value.toString('utf8')) as { payload: Record<string, unknown> })
}

/** The URL of a database the tests need: present, or a skip message (CI=true: a failure). */
export function dbUrl(envVar: 'BROOK_PG_URL' | 'BROOK_MYSQL_URL'): string | null {
  const url = process.env[envVar]
  if (url !== undefined && url !== '') return url
  if (process.env.CI === 'true') throw new Error(`${envVar} is not set under CI=true: .ci/run must start the database (scripts/ci/start-databases.sh)`)
  console.warn(`skipping: ${envVar} is not set (run scripts/ci/start-databases.sh as root and export what it prints)`)
  return null
}
