// `brook groups`: list, describe, delete consumer groups and reset their offsets
// (kafka-consumer-groups.sh's --list, --describe, --delete and --reset-offsets).
import type { Command, Option } from 'commander'
import type { BrookClient, TopicPartition, TopicPartitionOffset } from '../../core/client/types.js'
import { CliError, collect, connectionOptions, parseIntOption, withClient, type ConnectionOptions } from '../context.js'

export async function listGroups(client: BrookClient): Promise<string> {
  const groups = await client.admin().listGroups()
  return groups.map((g) => `${g.groupId}\t${g.state}`).join('\n')
}

export async function describeGroup(client: BrookClient, groupId: string): Promise<string> {
  const admin = client.admin()
  const [g] = await admin.describeGroups([groupId])
  const topics = new Set(await admin.listTopics({ includeInternal: true }))
  // Offsets of a deleted topic are no partition of anything any more.
  const offsets = (await admin.listGroupOffsets(groupId)).filter((o) => topics.has(o.topic))
  const owner = new Map<string, string>()
  for (const m of g?.members ?? []) for (const tp of m.assignment) owner.set(`${tp.topic}-${tp.partition}`, `${m.memberId} (${m.clientId})`)
  // DescribeGroups over the wire carries no generation (Kafka's response has none): '-' then.
  const generation = g === undefined || g.generationId < 0 ? '-' : String(g.generationId)
  const lines = [`Group: ${groupId}\tState: ${g?.state ?? 'Dead'}\tProtocol: ${g?.protocol || '-'}\tGeneration: ${generation}\tMembers: ${g?.members.length ?? 0}`]
  lines.push('TOPIC\tPARTITION\tCURRENT-OFFSET\tLOG-END-OFFSET\tLAG\tOWNER')
  for (const o of offsets) {
    lines.push(`${o.topic}\t${o.partition}\t${o.committedOffset ?? '-'}\t${o.logEndOffset}\t${o.lag ?? '-'}\t${owner.get(`${o.topic}-${o.partition}`) ?? '-'}`)
  }
  for (const m of g?.members ?? []) {
    lines.push(`member ${m.memberId}${m.groupInstanceId ? ` instance=${m.groupInstanceId}` : ''} client=${m.clientId} host=${m.clientHost} assignment=${m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(',') || '-'}`)
  }
  return lines.join('\n')
}

export async function deleteGroup(client: BrookClient, groupId: string): Promise<string> {
  const admin = client.admin()
  const [g] = await admin.describeGroups([groupId])
  if (g === undefined || g.state === 'Dead') throw new CliError(`group '${groupId}' does not exist`, 'group', 'GROUP_ID_NOT_FOUND')
  if (g.state !== 'Empty') throw new CliError(`group '${groupId}' is not empty (state ${g.state}, ${g.members.length} member(s)): stop its consumers first`, 'group', 'NON_EMPTY_GROUP')
  await admin.deleteGroups([groupId])
  return `Deleted group ${groupId}`
}

export interface ResetOffsetsOptions {
  /** `topic` or `topic:0,2`; repeatable. */
  topic?: string[]
  allTopics?: boolean
  toEarliest?: boolean
  toLatest?: boolean
  toOffset?: number
  /** ISO-8601 date-time, as kafka-consumer-groups' --to-datetime. */
  toDatetime?: string
  shiftBy?: number
  /** Without it nothing is written (Kafka's default is a dry run too). */
  execute?: boolean
  dryRun?: boolean
}

/**
 * kafka-consumer-groups --reset-offsets: computes each partition's new committed offset (clamped to
 * the partition's log start and end, as Kafka does), writes them only with `execute`, and returns
 * the plan as GROUP/TOPIC/PARTITION/NEW-OFFSET lines. The group must have no active members.
 */
export async function resetGroupOffsets(client: BrookClient, groupId: string, opts: ResetOffsetsOptions): Promise<string> {
  const scenarios = [opts.toEarliest, opts.toLatest, opts.toOffset !== undefined, opts.toDatetime !== undefined, opts.shiftBy !== undefined].filter(Boolean).length
  if (scenarios !== 1) throw new CliError('give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by', 'reset-offsets')
  if ((opts.topic?.length ?? 0) === 0 && !opts.allTopics) throw new CliError('give --topic <topic[:partitions]> (repeatable) or --all-topics', '--topic')
  if (opts.execute && opts.dryRun) throw new CliError('--dry-run and --execute exclude each other', '--execute')
  const admin = client.admin()
  const [g] = await admin.describeGroups([groupId])
  if (g !== undefined && g.state !== 'Empty' && g.state !== 'Dead') {
    throw new CliError(`offsets can only be reset while group '${groupId}' is inactive, but it is ${g.state} with ${g.members.length} member(s)`, 'group', 'NON_EMPTY_GROUP')
  }
  const existing = new Set(await admin.listTopics())
  const committed = await admin.listGroupOffsets(groupId)
  let partitions: TopicPartition[] = []
  if (opts.allTopics) {
    partitions = committed.filter((o) => existing.has(o.topic)).map((o) => ({ topic: o.topic, partition: o.partition }))
  }
  for (const spec of opts.topic ?? []) {
    const colon = spec.indexOf(':')
    const topic = colon < 0 ? spec : spec.slice(0, colon)
    if (!existing.has(topic)) throw new CliError(`topic '${topic}' does not exist`, '--topic', 'UNKNOWN_TOPIC_OR_PARTITION')
    const [d] = await admin.describeTopics([topic])
    const all = d!.partitions.map((p) => p.partition)
    const chosen = colon < 0 ? all : spec.slice(colon + 1).split(',').map((s) => parseIntOption('--topic partition', 0)(s.trim()))
    for (const p of chosen) {
      if (!all.includes(p)) throw new CliError(`partition ${p} does not exist: topic '${topic}' has partitions 0 to ${all.length - 1}`, '--topic')
      partitions.push({ topic, partition: p })
    }
  }
  const seen = new Set<string>()
  partitions = partitions.filter((tp) => !seen.has(`${tp.topic}-${tp.partition}`) && seen.add(`${tp.topic}-${tp.partition}`))
  if (partitions.length === 0) return `Group ${groupId} has no committed offsets to reset`

  const starts = await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec: 'earliest' as const })))
  const ends = await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec: 'latest' as const })))
  let byTime: number[] | undefined
  if (opts.toDatetime !== undefined) {
    const ts = Date.parse(opts.toDatetime)
    if (Number.isNaN(ts)) throw new CliError(`--to-datetime expects an ISO-8601 date-time such as 2024-05-01T12:00:00.000Z, got '${opts.toDatetime}'`, '--to-datetime')
    byTime = (await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec: { timestamp: ts } })))).map((r) => r.offset)
  }
  const current = new Map(committed.map((o) => [`${o.topic}-${o.partition}`, o.committedOffset]))
  const plan: TopicPartitionOffset[] = partitions.map((tp, i) => {
    const start = starts[i]!.offset
    const end = ends[i]!.offset
    let target: number
    if (opts.toEarliest) target = start
    else if (opts.toLatest) target = end
    else if (opts.toOffset !== undefined) target = opts.toOffset
    else if (byTime !== undefined) target = byTime[i]! < 0 ? end : byTime[i]!
    else target = (current.get(`${tp.topic}-${tp.partition}`) ?? start) + opts.shiftBy!
    return { ...tp, offset: Math.min(Math.max(target, start), end) }
  })
  if (opts.execute) await admin.alterGroupOffsets(groupId, plan)
  const lines = ['GROUP\tTOPIC\tPARTITION\tNEW-OFFSET', ...plan.map((p) => `${groupId}\t${p.topic}\t${p.partition}\t${p.offset}`)]
  if (!opts.execute) lines.push('Dry run: nothing was changed; add --execute to reset these offsets.')
  return lines.join('\n')
}

const parseShift = (value: string): number => {
  const n = Number(value)
  if (value.trim() === '' || !Number.isInteger(n)) throw new CliError(`--shift-by must be an integer (negative moves back), got '${value}'`, '--shift-by')
  return n
}

export function groupsCommands(program: Command, dataDir: () => Option): void {
  const groups = program.command('groups').description('list, describe and delete consumer groups, reset their offsets')
  const connection = (cmd: Command): Command =>
    cmd
      .addOption(dataDir())
      .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
      .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long', parseIntOption('--connect-timeout', 1))
  const print = (s: string): void => {
    if (s) process.stdout.write(s + '\n')
  }
  connection(groups.command('list').description('groups and their states')).action(async (o: ConnectionOptions, cmd: Command) => print(await withClient(connectionOptions(cmd, o), listGroups)))
  connection(groups.command('describe <group>').description('members, assignments, committed offsets and lag')).action(async (group: string, o: ConnectionOptions, cmd: Command) =>
    print(await withClient(connectionOptions(cmd, o), (c) => describeGroup(c, group))),
  )
  connection(groups.command('delete <group>').description('delete a group with no active members, and its committed offsets')).action(async (group: string, o: ConnectionOptions, cmd: Command) =>
    print(await withClient(connectionOptions(cmd, o), (c) => deleteGroup(c, group))),
  )
  connection(groups.command('reset-offsets <group>').description('move committed offsets of an inactive group (a dry run unless --execute)'))
    .option('--topic <topic[:partitions]>', 'a topic, or some of its partitions as topic:0,2 (repeatable)', collect)
    .option('--all-topics', 'every topic the group has committed offsets for')
    .option('--to-earliest', 'to the log start offset')
    .option('--to-latest', 'to the log end offset')
    .option('--to-offset <offset>', 'to this offset (clamped to the log)', parseIntOption('--to-offset', 0))
    .option('--to-datetime <iso>', 'to the first offset at or after this time, e.g. 2024-05-01T12:00:00.000Z')
    .option('--shift-by <n>', 'move the committed offset by n (negative moves back)', parseShift)
    .option('--dry-run', 'only show the new offsets (the default)')
    .option('--execute', 'write the new offsets')
    .action(async (group: string, o: ConnectionOptions & ResetOffsetsOptions, cmd: Command) =>
      print(await withClient(connectionOptions(cmd, o), (c) => resetGroupOffsets(c, group, o))),
    )
}
