import type { Command, Option } from 'commander'
import type { BrookClient } from '../../core/client/types.js'
import { withClient, type ConnectionOptions } from '../context.js'

export async function listGroups(client: BrookClient): Promise<string> {
  const groups = await client.admin().listGroups()
  return groups.map((g) => `${g.groupId}\t${g.state}`).join('\n')
}

export async function describeGroup(client: BrookClient, groupId: string): Promise<string> {
  const admin = client.admin()
  const [g] = await admin.describeGroups([groupId])
  const offsets = await admin.listGroupOffsets(groupId)
  const owner = new Map<string, string>()
  for (const m of g?.members ?? []) for (const tp of m.assignment) owner.set(`${tp.topic}-${tp.partition}`, `${m.memberId} (${m.clientId})`)
  const lines = [`Group: ${groupId}\tState: ${g?.state ?? 'Dead'}\tProtocol: ${g?.protocol || '-'}\tGeneration: ${g?.generationId ?? -1}\tMembers: ${g?.members.length ?? 0}`]
  lines.push('TOPIC\tPARTITION\tCURRENT-OFFSET\tLOG-END-OFFSET\tLAG\tOWNER')
  for (const o of offsets) {
    lines.push(`${o.topic}\t${o.partition}\t${o.committedOffset ?? '-'}\t${o.logEndOffset}\t${o.lag ?? '-'}\t${owner.get(`${o.topic}-${o.partition}`) ?? '-'}`)
  }
  for (const m of g?.members ?? []) {
    lines.push(`member ${m.memberId}${m.groupInstanceId ? ` instance=${m.groupInstanceId}` : ''} client=${m.clientId} host=${m.clientHost} assignment=${m.assignment.map((tp) => `${tp.topic}-${tp.partition}`).join(',') || '-'}`)
  }
  return lines.join('\n')
}

export function groupsCommands(program: Command, dataDir: () => Option): void {
  const groups = program.command('groups').description('list and describe consumer groups')
  groups
    .command('list')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .action(async (o: ConnectionOptions) => {
      const s = await withClient(o, listGroups)
      if (s) process.stdout.write(s + '\n')
    })
  groups
    .command('describe <group>')
    .description('members, assignments, committed offsets and lag')
    .addOption(dataDir())
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .action(async (group: string, o: ConnectionOptions) => {
      process.stdout.write((await withClient(o, (c) => describeGroup(c, group))) + '\n')
    })
}
