import type { Command, Option } from 'commander'
import type { BrookClient } from '../../core/client/types.js'
import { collect, connectionOptions, parseConfigPairs, parseIntOption, withClient, type ConnectionOptions } from '../context.js'

export interface TopicCreateOptions { partitions?: number; config?: string[] }

export async function createTopic(client: BrookClient, name: string, opts: TopicCreateOptions): Promise<string> {
  const admin = client.admin()
  await admin.createTopics([{ topic: name, ...(opts.partitions !== undefined ? { numPartitions: opts.partitions } : {}), configs: parseConfigPairs(opts.config) }])
  const [d] = await admin.describeTopics([name])
  return `Created topic ${name} with ${d!.partitions.length} partition(s)`
}

export async function listTopics(client: BrookClient, includeInternal = false): Promise<string> {
  return (await client.admin().listTopics({ includeInternal })).join('\n')
}

export async function describeTopic(client: BrookClient, name: string): Promise<string> {
  const admin = client.admin()
  const [d] = await admin.describeTopics([name])
  const configs = (await admin.describeConfigs(name)).filter((c) => !c.isDefault)
  const parts = d!.partitions.map((p) => ({ topic: name, partition: p.partition }))
  const starts = await admin.listOffsets(parts.map((p) => ({ ...p, spec: 'earliest' as const })))
  const ends = await admin.listOffsets(parts.map((p) => ({ ...p, spec: 'latest' as const })))
  const lines = [
    `Topic: ${name}\tPartitionCount: ${d!.partitions.length}\tConfigs: ${configs.map((c) => `${c.name}=${c.value}`).join(',')}`,
  ]
  for (const p of d!.partitions) {
    lines.push(`\tPartition: ${p.partition}\tLeader: ${p.leader}\tLogStartOffset: ${starts[p.partition]!.offset}\tLogEndOffset: ${ends[p.partition]!.offset}`)
  }
  return lines.join('\n')
}

export interface TopicAlterOptions { partitions?: number; config?: string[]; deleteConfig?: string[] }

export async function alterTopic(client: BrookClient, name: string, opts: TopicAlterOptions): Promise<string> {
  const admin = client.admin()
  const done: string[] = []
  if (opts.partitions !== undefined) {
    await admin.createPartitions(name, opts.partitions)
    done.push(`partitions=${opts.partitions}`)
  }
  const set = Object.entries(parseConfigPairs(opts.config)).map(([k, v]) => ({ name: k, op: 'set' as const, value: v }))
  const del = (opts.deleteConfig ?? []).map((k) => ({ name: k, op: 'delete' as const }))
  if (set.length + del.length > 0) {
    await admin.incrementalAlterConfigs(name, [...set, ...del])
    done.push(...set.map((s) => `${s.name}=${s.value}`), ...del.map((d) => `-${d.name}`))
  }
  return done.length ? `Altered topic ${name}: ${done.join(', ')}` : `Nothing to alter for topic ${name}`
}

export function topicsCommands(program: Command, dataDir: () => Option): void {
  const topics = program.command('topics').description('create, list, describe, alter and delete topics')
  const print = (s: string): void => {
    if (s) process.stdout.write(s + '\n')
  }
  topics
    .command('create <name>')
    .description('create a topic')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .option('-p, --partitions <n>', 'number of partitions', parseIntOption('--partitions', 1))
    .option('-c, --config <key=value>', 'topic config (repeatable)', collect)
    .action(async (name: string, o: ConnectionOptions & TopicCreateOptions, cmd: Command) => print(await withClient(connectionOptions(cmd, o), (c) => createTopic(c, name, o))))
  topics
    .command('list')
    .description('list topics')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .option('--internal', 'include internal topics')
    .action(async (o: ConnectionOptions & { internal?: boolean }, cmd: Command) => print(await withClient(connectionOptions(cmd, o), (c) => listTopics(c, o.internal))))
  topics
    .command('describe <name>')
    .description('partitions, offsets and configs of a topic')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .action(async (name: string, o: ConnectionOptions, cmd: Command) => print(await withClient(connectionOptions(cmd, o), (c) => describeTopic(c, name))))
  topics
    .command('alter <name>')
    .description('add partitions or change configs')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .option('-p, --partitions <n>', 'new total number of partitions', parseIntOption('--partitions', 1))
    .option('-c, --config <key=value>', 'set a topic config (repeatable)', collect)
    .option('--delete-config <key>', 'remove a topic config override (repeatable)', collect)
    .action(async (name: string, o: ConnectionOptions & TopicAlterOptions, cmd: Command) => print(await withClient(connectionOptions(cmd, o), (c) => alterTopic(c, name, o))))
  topics
    .command('delete <name>')
    .description('delete a topic and its data')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
    .action(async (name: string, o: ConnectionOptions, cmd: Command) =>
      print(await withClient(connectionOptions(cmd, o), async (c) => {
        await c.admin().deleteTopics([name])
        return `Deleted topic ${name}`
      })),
    )
}
