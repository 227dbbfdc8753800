// The assignor of a KafkaStreams application's consumer group ('stream', the name Kafka Streams
// gives its own). It assigns tasks, not partitions: each task's source partitions together (so
// co-partitioned topics land together), balanced, sticky to the member that ran a task, else to one
// with a standby replica of it, else where range would put it (assignTasks). A few words go each way
// through the rebalance:
// - a member's subscription carries the tasks it has (active and standby);
// - a member's subscription says whether it asks the whole application to shut down
//   (SHUTDOWN_APPLICATION), and its endpoint (application.server) when it has one;
// - when one asks, the leader gives every member no partitions and the shutdown in its assignment,
//   and each instance stops (Kafka's AssignorError.SHUTDOWN_REQUESTED);
// - every assignment carries the partitions of each endpoint, so any instance can tell where a key
//   of a store lives (Kafka's partitionsByHost, for KafkaStreams.queryMetadataForKey).
import { RangeAssignor, type MemberAssignment, type MemberId, type PartitionAssignor, type Subscription } from '../../core/client/assignors/index.js'
import type { TopicPartition } from '../../core/client/types.js'
import { ByteReader, ByteWriter } from '../../core/group/bytes.js'
import { parseApplicationServer, type HostInfo } from './streams-metadata.js'

/** The codes Kafka Streams' assignor sends in an assignment (AssignorError); Brook sends these two. */
export const AssignorError = { NONE: 0, SHUTDOWN_REQUESTED: 2 } as const

/**
 * userData, both ways: a version byte and the error code as int32, then
 * - in a subscription: the endpoint (a nullable int16-length string);
 * - in an assignment: the partitions of every endpoint, an array of (endpoint, array of (topic,
 *   int32 partition)), strings and arrays as the consumer protocol writes them.
 * A reader of the first version's five bytes ignores the rest.
 */
const VERSION = 1
const SIZE = 5

/** One endpoint and the partitions assigned to it. */
export interface HostPartitions {
  host: HostInfo
  partitions: TopicPartition[]
}

function header(code: number): ByteWriter {
  return new ByteWriter().int8(VERSION).int32(code)
}

function known(userData: Buffer | null | undefined): userData is Buffer {
  return userData !== null && userData !== undefined && userData.length >= SIZE && userData[0] === VERSION
}

/** What comes after the code, or null for none or a form this version cannot read whole. */
function after<T>(userData: Buffer | null | undefined, read: (r: ByteReader) => T): T | null {
  if (!known(userData) || userData.length === SIZE) return null
  const r = new ByteReader(userData, 'stream assignor userData')
  r.pos = SIZE
  try {
    return read(r)
  } catch {
    return null
  }
}

/** The code in userData; NONE for none or a form this version does not know (a newer member's). */
export function decodeAssignorError(userData: Buffer | null | undefined): number {
  return known(userData) ? userData.readInt32BE(1) : AssignorError.NONE
}

/** The tasks a member had when it joined: the leader gives them back to it where it can. */
export interface LocalTasks {
  /** Active tasks, the ones suspended by the revocation included. */
  active: TaskId[]
  standby: TaskId[]
}

const taskWriter = (w: ByteWriter, t: TaskId): void => void w.int32(t.subtopology).int32(t.partition)
const taskReader = (r: ByteReader): TaskId => ({ subtopology: r.int32(), partition: r.int32() })

/** A subscription's userData: the shutdown request, the member's endpoint, then the tasks it has. */
export function encodeSubscriptionInfo(code: number, endpoint: HostInfo | null, tasks: LocalTasks = { active: [], standby: [] }): Buffer {
  return header(code)
    .string(endpoint === null ? null : endpoint.toString())
    .array(tasks.active, taskWriter)
    .array(tasks.standby, taskWriter)
    .finish()
}

/** The tasks in a subscription's userData; none for an older member's, or bytes cut short. */
export function decodeLocalTasks(userData: Buffer | null | undefined): LocalTasks {
  return (
    after(userData, (r) => {
      r.nullableString()
      if (r.remaining === 0) return null
      return { active: r.array(taskReader), standby: r.array(taskReader) }
    }) ?? { active: [], standby: [] }
  )
}

/** The endpoint in a subscription's userData; null for none, or one that does not parse. */
export function decodeEndpoint(userData: Buffer | null | undefined): HostInfo | null {
  return after(userData, (r) => {
    const text = r.nullableString()
    return text === null ? null : parseApplicationServer(text)
  })
}

/** A task: a sub-topology and the partition it processes (Kafka's TaskId, "<subtopology>_<partition>"). */
export interface TaskId {
  subtopology: number
  partition: number
}

/** A task's id as Kafka writes it: "<subtopology>_<partition>". */
export function taskIdString(t: TaskId): string {
  return `${t.subtopology}_${t.partition}`
}

/** "<subtopology>_<partition>" as a TaskId. */
export function parseTaskId(id: string): TaskId {
  const at = id.indexOf('_')
  return { subtopology: Number(id.slice(0, at)), partition: Number(id.slice(at + 1)) }
}

/** What every member learns from its assignment's userData beyond its own partitions. */
export interface AssignmentInfo {
  /** The partitions each endpoint processes. */
  byHost: HostPartitions[]
  /** The tasks this member keeps a standby replica of (num.standby.replicas). */
  standbyTasks: TaskId[]
  /** The source partitions of the standby tasks each endpoint keeps. */
  standbyByHost: HostPartitions[]
}

const tpWriter = (w: ByteWriter, tp: TopicPartition): void => void w.string(tp.topic).int32(tp.partition)
const hostWriter = (w: ByteWriter, { host, partitions }: HostPartitions): void => void w.string(host.toString()).array(partitions, tpWriter)
const hostReader = (r: ByteReader): HostPartitions => ({
  host: parseApplicationServer(r.string()),
  partitions: r.array((r) => ({ topic: r.string(), partition: r.int32() })),
})

/** An assignment's userData: the code, the partitions of every endpoint, then this member's standby tasks and every endpoint's standby partitions. */
export function encodeAssignmentInfo(code: number, byHost: readonly HostPartitions[], standbyTasks: readonly TaskId[] = [], standbyByHost: readonly HostPartitions[] = []): Buffer {
  return header(code)
    .array(byHost, hostWriter)
    .array(standbyTasks, taskWriter)
    .array(standbyByHost, hostWriter)
    .finish()
}

/**
 * What an assignment's userData says beyond the code; null when it says nothing more (an older
 * leader's) or is cut short. The standby parts may be absent (a leader of the version before them).
 */
export function decodeAssignmentInfo(userData: Buffer | null | undefined): AssignmentInfo | null {
  return after(userData, (r) => {
    const byHost = r.array(hostReader)
    if (r.remaining === 0) return { byHost, standbyTasks: [], standbyByHost: [] }
    const standbyTasks = r.array(taskReader)
    return { byHost, standbyTasks, standbyByHost: r.array(hostReader) }
  })
}

/** The partitions of every endpoint in an assignment's userData; null when it has none (an older leader's) or is cut short. */
export function decodePartitionsByHost(userData: Buffer | null | undefined): HostPartitions[] | null {
  return decodeAssignmentInfo(userData)?.byHost ?? null
}

/** What the leader needs to assign tasks and place their standby replicas: the topology's tasks, and how many replicas. */
export interface TopologyTasks {
  numStandbyReplicas: number
  /** Every sub-topology that makes tasks (not the global ones). */
  subtopologies: readonly number[]
  /** The sub-topology that reads a source topic (undefined: not one of this topology's). */
  subtopologyOf(topic: string): number | undefined
  /** Sub-topologies with logged state: the only ones standby replicas are kept of. */
  stateful: ReadonlySet<number>
  /** The source topics of a sub-topology. */
  sourcesOf(subtopology: number): readonly string[]
}

/**
 * Active tasks to members, each task's source partitions together: balanced (no member more than
 * one task over another), and sticky, as Kafka's assignor is: a task goes back to the member that
 * ran it, else to one with a standby replica of it (whose state is nearly there), else to the least
 * loaded. A task nobody had goes where range would put it if that member has room, so a fresh group
 * whose partitions split evenly gets range's placement (the same partition of every sub-topology on
 * one member); range itself can give the first members a task more per topic, this never more than one in all.
 */
export function assignTasks(partitionsPerTopic: ReadonlyMap<string, number>, subscriptions: ReadonlyMap<MemberId, Subscription>, planning: TopologyTasks): Map<MemberId, TopicPartition[]> {
  const members = [...subscriptions.keys()].sort()
  const out = new Map<MemberId, TopicPartition[]>(members.map((m) => [m, []]))
  if (members.length === 0) return out
  const tasks: Array<{ id: string; tps: TopicPartition[]; partition: number; count: number }> = []
  const counts = planning.subtopologies.map((sub) => Math.max(0, ...planning.sourcesOf(sub).map((t) => partitionsPerTopic.get(t) ?? 0)))
  const most = Math.max(0, ...counts)
  for (let p = 0; p < most; p++) {
    planning.subtopologies.forEach((sub, i) => {
      if (p >= counts[i]!) return
      const tps = planning.sourcesOf(sub).filter((t) => p < (partitionsPerTopic.get(t) ?? 0)).map((topic) => ({ topic, partition: p }))
      tasks.push({ id: taskIdString({ subtopology: sub, partition: p }), tps, partition: p, count: counts[i]! })
    })
  }
  const had = new Map<string, MemberId>()
  const replicaOf = new Map<string, MemberId[]>()
  for (const m of members) {
    const local = decodeLocalTasks(subscriptions.get(m)!.userData)
    for (const t of local.active) had.set(taskIdString(t), m)
    for (const t of local.standby) {
      const id = taskIdString(t)
      replicaOf.set(id, [...(replicaOf.get(id) ?? []), m])
    }
  }
  // Each member gets floor or ceil of the average; `extra` members may take the ceil.
  const floor = Math.floor(tasks.length / members.length)
  let extra = tasks.length % members.length
  const load = new Map(members.map((m) => [m, 0]))
  const fits = (m: MemberId): boolean => load.get(m)! < floor || (load.get(m)! === floor && extra > 0)
  const give = (task: { tps: TopicPartition[] }, m: MemberId): void => {
    if (load.get(m)! === floor) extra--
    load.set(m, load.get(m)! + 1)
    out.get(m)!.push(...task.tps)
  }
  const left: typeof tasks = []
  for (const t of tasks) {
    const m = had.get(t.id)
    if (m !== undefined && fits(m)) give(t, m)
    else left.push(t)
  }
  const leastLoaded = (pool: readonly MemberId[]): MemberId | null => {
    let best: MemberId | null = null
    for (const m of pool) if (fits(m) && (best === null || load.get(m)! < load.get(best)!)) best = m
    return best
  }
  // Tasks with a replica first, to the least loaded holder that has room, before other tasks take that room.
  const rest: typeof tasks = []
  for (const t of left) {
    const holder = leastLoaded(replicaOf.get(t.id) ?? [])
    if (holder !== null) give(t, holder)
    else rest.push(t)
  }
  for (const t of rest) {
    // The member range would give it; else the least loaded (sorted order breaks ties). Someone
    // fits: the members' room adds up to the tasks.
    const home = members[rangeIndex(t.partition, t.count, members.length)]!
    give(t, fits(home) ? home : leastLoaded(members)!)
  }
  return out
}

/** The index of the member the range assignor gives partition `p` of `n` among `members` (the first n % members get one more). */
function rangeIndex(p: number, n: number, members: number): number {
  const q = Math.floor(n / members)
  const r = n % members
  // The first r members take q + 1 partitions each, the others q.
  return p < r * (q + 1) ? Math.floor(p / (q + 1)) : r + Math.floor((p - r * (q + 1)) / Math.max(q, 1))
}

/**
 * Places `numStandbyReplicas` standby replicas of every stateful task, each on a member other than
 * the task's active one and other replicas, the least loaded first, as Kafka's assignor does without
 * rack awareness. Fewer members than replicas + 1: fewer replicas.
 */
export function planStandbys(assignment: ReadonlyMap<MemberId, readonly TopicPartition[]>, planning: TopologyTasks): Map<MemberId, TaskId[]> {
  const members = [...assignment.keys()].sort()
  const plan = new Map<MemberId, TaskId[]>(members.map((m) => [m, []]))
  if (planning.numStandbyReplicas <= 0) return plan
  const owners = new Map<string, { task: TaskId; owner: MemberId }>()
  for (const m of members) {
    for (const tp of assignment.get(m)!) {
      const sub = planning.subtopologyOf(tp.topic)
      if (sub === undefined || !planning.stateful.has(sub)) continue
      const task = { subtopology: sub, partition: tp.partition }
      owners.set(taskIdString(task), { task, owner: m })
    }
  }
  // Each owner's tasks in turn (its first, then every other owner's first, ...), so that the least
  // loaded member is rarely the one whose own tasks come last.
  const byOwner = new Map<MemberId, TaskId[]>()
  for (const { task, owner } of owners.values()) {
    let list = byOwner.get(owner)
    if (list === undefined) byOwner.set(owner, (list = []))
    list.push(task)
  }
  for (const list of byOwner.values()) list.sort((a, b) => a.subtopology - b.subtopology || a.partition - b.partition)
  const tasks: Array<{ task: TaskId; owner: MemberId }> = []
  for (let i = 0; tasks.length < owners.size; i++) {
    for (const m of members) {
      const t = byOwner.get(m)?.[i]
      if (t !== undefined) tasks.push({ task: t, owner: m })
    }
  }
  for (const { task, owner } of tasks) {
    const holders = new Set([owner])
    const from = members.indexOf(owner) + 1
    for (let r = 0; r < planning.numStandbyReplicas; r++) {
      // The least loaded, looking from the member after the owner round (ties: the first seen), so
      // that each member's replicas tend to sit on the next members and the loads come out even.
      let best: MemberId | null = null
      for (let k = 0; k < members.length; k++) {
        const m = members[(from + k) % members.length]!
        if (!holders.has(m) && (best === null || plan.get(m)!.length < plan.get(best)!.length)) best = m
      }
      if (best === null) break
      holders.add(best)
      plan.get(best)!.push(task)
    }
  }
  return plan
}

function shutdownRequested(subscriptions: Map<MemberId, Subscription>): boolean {
  for (const s of subscriptions.values()) if (decodeAssignorError(s.userData) === AssignorError.SHUTDOWN_REQUESTED) return true
  return false
}

export interface StreamsAssignorOptions {
  /** An assignment brought the application's shutdown. */
  onShutdown: () => void
  /** This instance's application.server. */
  endpoint?: HostInfo | null
  /** Every assignment's endpoints, standby tasks and standby partitions (empty parts from a leader that sends none). */
  onAssignmentInfo?: (info: AssignmentInfo) => void
  /** The topology's tasks and the standby replicas to place, when this member leads (without them: range's partitions). */
  tasks?: TopologyTasks
  /** The tasks this instance has, told at every join. */
  localTasks?: () => LocalTasks
}

export class StreamsPartitionAssignor implements PartitionAssignor {
  readonly name = 'stream'
  readonly protocol = 'eager'
  private readonly range = new RangeAssignor()
  /** This instance asks every instance of the application to shut down, from its next join on. */
  requestShutdown = false
  /** The standby plan of the assignment being handed out (the leader computes it once per assign result). */
  private planned: { for: ReadonlyMap<MemberId, readonly TopicPartition[]>; plan: Map<MemberId, TaskId[]> } | null = null

  /** The callbacks run before the rebalance listener hears of the assignment. */
  constructor(private readonly options: StreamsAssignorOptions) {}

  subscriptionUserData(): Buffer {
    return encodeSubscriptionInfo(this.requestShutdown ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE, this.options.endpoint ?? null, this.options.localTasks?.())
  }

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    // A shutdown gives nobody anything to process.
    if (shutdownRequested(subscriptions)) return new Map([...subscriptions.keys()].map((m) => [m, []]))
    const planning = this.options.tasks
    return planning === undefined ? this.range.assign(partitionsPerTopic, subscriptions) : assignTasks(partitionsPerTopic, subscriptions, planning)
  }

  assignmentUserData(
    member: MemberId,
    _partitions: readonly TopicPartition[],
    subscriptions: Map<MemberId, Subscription>,
    assignment: ReadonlyMap<MemberId, readonly TopicPartition[]>,
  ): Buffer {
    if (shutdownRequested(subscriptions)) return encodeAssignmentInfo(AssignorError.SHUTDOWN_REQUESTED, [])
    const standby = this.options.tasks
    if (this.planned?.for !== assignment) {
      this.planned = { for: assignment, plan: standby === undefined ? new Map() : planStandbys(assignment, standby) }
    }
    const plan = this.planned.plan
    const byHost: HostPartitions[] = []
    const standbyByHost: HostPartitions[] = []
    for (const [m, s] of subscriptions) {
      const host = decodeEndpoint(s.userData)
      if (host === null) continue
      byHost.push({ host, partitions: [...(assignment.get(m) ?? [])] })
      const tasks = plan.get(m) ?? []
      if (tasks.length > 0 && standby !== undefined) {
        standbyByHost.push({ host, partitions: tasks.flatMap((t) => standby.sourcesOf(t.subtopology).map((topic) => ({ topic, partition: t.partition }))) })
      }
    }
    return encodeAssignmentInfo(AssignorError.NONE, byHost, plan.get(member) ?? [], standbyByHost)
  }

  onAssignment(assignment: MemberAssignment): void {
    if (decodeAssignorError(assignment.userData) === AssignorError.SHUTDOWN_REQUESTED) return this.options.onShutdown()
    this.options.onAssignmentInfo?.(decodeAssignmentInfo(assignment.userData) ?? { byHost: [], standbyTasks: [], standbyByHost: [] })
  }
}
