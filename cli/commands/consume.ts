import type { Command, Option } from 'commander'
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'
import { parseIntOption, withClient, type ConnectionOptions } from '../context.js'

export interface ConsumeOptions {
  group?: string
  fromBeginning?: boolean
  maxMessages?: number
  format?: string
  /** Stop after this long without a new record (ms). */
  idleTimeout?: number
  partition?: number
}

/**
 * kcat-style format: %t topic, %p partition, %o offset, %T timestamp, %k key, %s value,
 * %h headers, \n and \t escapes.
 */
export function formatRecord(r: ConsumerRecord, format: string): string {
  return format.replace(/%[tpoTksh%]|\\[nt]/g, (m) => {
    switch (m) {
      case '%t': return r.topic
      case '%p': return String(r.partition)
      case '%o': return String(r.offset)
      case '%T': return String(r.timestamp)
      case '%k': return r.key === null ? '' : r.key.toString()
      case '%s': return r.value === null ? '' : r.value.toString()
      case '%h': return r.headers.map((h) => `${h.key}=${h.value?.toString() ?? ''}`).join(',')
      case '%%': return '%'
      case '\\n': return '\n'
      default: return '\t'
    }
  })
}

/** Consumes and writes formatted records through `out`; returns how many were printed. */
export async function consumeRecords(client: BrookClient, topic: string, opts: ConsumeOptions, out: (line: string) => void, signal?: AbortSignal): Promise<number> {
  const consumer = client.consumer({
    ...(opts.group ? { groupId: opts.group } : {}),
    autoOffsetReset: opts.fromBeginning ? 'earliest' : 'latest',
    enableAutoCommit: false,
  })
  const format = opts.format ?? '%s'
  let count = 0
  try {
    if (opts.group && opts.partition === undefined) {
      consumer.subscribe([topic])
    } else {
      const [d] = await client.admin().describeTopics([topic])
      const parts = d!.partitions.map((p) => ({ topic, partition: p.partition })).filter((p) => opts.partition === undefined || p.partition === opts.partition)
      consumer.assign(parts)
      if (opts.fromBeginning) await consumer.seekToBeginning()
      else if (!opts.group) await consumer.seekToEnd()
    }
    let idleSince = Date.now()
    while (!signal?.aborted) {
      const records = await consumer.poll(200)
      for (const r of records) {
        if (opts.maxMessages !== undefined && count >= opts.maxMessages) break
        out(formatRecord(r, format))
        count++
        if (opts.group) await consumer.commitSync([{ topic: r.topic, partition: r.partition, offset: r.offset + 1 }])
      }
      if (opts.maxMessages !== undefined && count >= opts.maxMessages) break
      if (records.length > 0) idleSince = Date.now()
      else if (opts.idleTimeout !== undefined && Date.now() - idleSince >= opts.idleTimeout) break
    }
  } finally {
    await consumer.close()
  }
  return count
}

export function consumeCommand(program: Command, dataDir: () => Option): void {
  program
    .command('consume <topic>')
    .description('print records of a topic')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('-g, --group <group>', 'consume in this consumer group, from its committed offsets, and commit')
    .option('--from-beginning', 'start at the earliest offset when there is no committed offset')
    .option('-n, --max-messages <n>', 'stop after n records', parseIntOption('--max-messages', 1))
    .option('-f, --format <fmt>', 'output format: %t topic, %p partition, %o offset, %T timestamp, %k key, %s value, %h headers', '%s')
    .option('-p, --partition <n>', 'only this partition', parseIntOption('--partition', 0))
    .option('--idle-timeout <ms>', 'stop after this many ms without records', parseIntOption('--idle-timeout', 0))
    .action(async (topic: string, o: ConnectionOptions & ConsumeOptions) => {
      const ac = new AbortController()
      const stop = (): void => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const n = await withClient(o, (c) => consumeRecords(c, topic, o, (line) => process.stdout.write(line + '\n'), ac.signal))
      process.stderr.write(`Consumed ${n} record(s)\n`)
    })
}
