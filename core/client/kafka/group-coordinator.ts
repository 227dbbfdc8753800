// GroupCoordinatorApi over the wire, for GroupMembership and commits: each call goes
// to the group's coordinator (FindCoordinator) on a connection of its own, because
// JoinGroup and SyncGroup long-poll. Coordinator moves and network failures are
// retried here, so GroupMembership only sees group errors.
import { BrookError } from '../../errors.js'
import type {
  FetchedOffset,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../group/coordinator.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import { createOffsetFetchRequest } from '../../protocol/apis/generated/offset-fetch.js'
import type { OffsetCommitRequestTopic } from '../../protocol/apis/generated/offset-commit.js'
import type { GroupCoordinatorApi } from '../group-membership.js'
import type { TopicPartition } from '../types.js'
import { sleep, type Cluster } from './cluster.js'
import type { Connection } from './connection.js'

/** Codes meaning "ask someone else / again": find the coordinator anew and retry. */
const COORDINATOR_MOVED = new Set([14, 15, 16])

class CoordinatorMoved extends Error {}

export class WireGroupCoordinator implements GroupCoordinatorApi {
  private conn: Promise<Connection> | null = null
  private closed = false

  constructor(
    private readonly cluster: Cluster,
    readonly groupId: string,
    private readonly rebalanceTimeoutMs = 300_000,
  ) {}

  private connection(): Promise<Connection> {
    if (this.conn) return this.conn
    const p = (async () => {
      const node = await this.cluster.findCoordinator(this.groupId)
      const c = await this.cluster.dedicatedConnection(node)
      c.onClose(() => {
        if (this.conn === p) this.conn = null
      })
      return c
    })()
    this.conn = p
    p.catch(() => {
      if (this.conn === p) this.conn = null
    })
    return p
  }

  private reset(): void {
    const p = this.conn
    this.conn = null
    void p?.then((c) => c.close(), () => undefined)
  }

  /** Runs a request against the coordinator, rediscovering it while it moves or the network fails. */
  private async call<T>(what: string, fn: (conn: Connection) => Promise<T>, moved: (res: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.cluster.retryTimeoutMs
    let last: unknown = null
    while (!this.closed) {
      try {
        const res = await fn(await this.connection())
        if (!moved(res)) return res
        last = new CoordinatorMoved(`${what}: the coordinator of group '${this.groupId}' moved`)
        this.reset()
      } catch (err) {
        if (!(err instanceof BrookError) || !err.retriable) throw err
        last = err
        this.reset()
      }
      if (Date.now() + this.cluster.retryBackoffMs > deadline) break
      await sleep(this.cluster.retryBackoffMs)
    }
    if (last instanceof BrookError) throw last
    throw new BrookError('COORDINATOR_NOT_AVAILABLE', `${what} for group '${this.groupId}': ${last instanceof Error ? last.message : 'the client is closed'}`)
  }

  private longPollTimeout(rebalanceTimeoutMs: number): number {
    return Math.max(this.cluster.requestTimeoutMs, rebalanceTimeoutMs + 5000)
  }

  joinGroup(req: JoinGroupRequest): Promise<JoinGroupResponse> {
    return this.call(
      'JoinGroup',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.JoinGroup)
        const res = await conn.send(
          ApiKeys.JoinGroup,
          {
            groupId: req.groupId,
            sessionTimeoutMs: req.sessionTimeoutMs,
            rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : -1,
            memberId: req.memberId,
            groupInstanceId: v >= 5 ? req.groupInstanceId : null,
            protocolType: req.protocolType,
            protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
            reason: v >= 8 ? (req.reason ?? null) : null,
          },
          { timeoutMs: this.longPollTimeout(req.rebalanceTimeoutMs) },
        )
        return {
          errorCode: res.errorCode,
          generationId: res.generationId,
          protocolType: res.protocolType,
          protocolName: res.protocolName,
          leader: res.leader,
          memberId: res.memberId,
          skipAssignment: res.skipAssignment,
          members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
        }
      },
      (res) => COORDINATOR_MOVED.has(res.errorCode),
    )
  }

  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    return this.call(
      'SyncGroup',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.SyncGroup)
        const res = await conn.send(
          ApiKeys.SyncGroup,
          {
            groupId: req.groupId,
            generationId: req.generationId,
            memberId: req.memberId,
            groupInstanceId: v >= 3 ? req.groupInstanceId : null,
            protocolType: v >= 5 ? (req.protocolType ?? null) : null,
            protocolName: v >= 5 ? (req.protocolName ?? null) : null,
            assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
          },
          { timeoutMs: this.longPollTimeout(this.rebalanceTimeoutMs) },
        )
        return { errorCode: res.errorCode, protocolType: res.protocolType, protocolName: res.protocolName, assignment: res.assignment }
      },
      (res) => COORDINATOR_MOVED.has(res.errorCode),
    )
  }

  heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    return this.call(
      'Heartbeat',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.Heartbeat)
        const res = await conn.send(ApiKeys.Heartbeat, {
          groupId: req.groupId,
          generationId: req.generationId,
          memberId: req.memberId,
          groupInstanceId: v >= 3 ? req.groupInstanceId : null,
        })
        return { errorCode: res.errorCode }
      },
      (res) => COORDINATOR_MOVED.has(res.errorCode),
    )
  }

  leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    return this.call(
      'LeaveGroup',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.LeaveGroup)
        const res = await conn.send(ApiKeys.LeaveGroup, {
          groupId: req.groupId,
          memberId: v < 3 ? (req.members[0]?.memberId ?? '') : '',
          members:
            v >= 3
              ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, reason: v >= 5 ? (m.reason ?? null) : null }))
              : [],
        })
        return {
          errorCode: res.errorCode,
          members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: m.errorCode })),
        }
      },
      (res) => COORDINATOR_MOVED.has(res.errorCode),
    )
  }

  commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const topics: OffsetCommitRequestTopic[] = []
    for (const o of req.offsets) {
      let t = topics.find((x) => x.name === o.topic)
      if (!t) topics.push((t = { name: o.topic, partitions: [] }))
      t.partitions.push({
        partitionIndex: o.partition,
        committedOffset: o.offset,
        committedLeaderEpoch: o.leaderEpoch ?? -1,
        commitTimestamp: -1,
        committedMetadata: o.metadata ?? '',
      })
    }
    return this.call(
      'OffsetCommit',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.OffsetCommit)
        const res = await conn.send(ApiKeys.OffsetCommit, {
          groupId: req.groupId,
          generationIdOrMemberEpoch: req.generationId,
          memberId: req.memberId,
          groupInstanceId: v >= 7 ? (req.groupInstanceId ?? null) : null,
          retentionTimeMs: -1,
          topics,
        })
        return {
          partitions: res.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, errorCode: p.errorCode }))),
        }
      },
      (res) => res.partitions.some((p) => COORDINATOR_MOVED.has(p.errorCode)),
    )
  }

  fetchOffsets(req: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    const grouped = req.partitions ? groupPartitions(req.partitions) : null
    return this.call(
      'OffsetFetch',
      async (conn) => {
        const v = conn.versionFor(ApiKeys.OffsetFetch)
        const body = createOffsetFetchRequest()
        if (v >= 8) {
          body.groups = [{ groupId: req.groupId, memberId: null, memberEpoch: -1, topics: grouped && grouped.map((t) => ({ name: t.name, partitionIndexes: t.partitionIndexes })) }]
          body.requireStable = req.requireStable ?? false
        } else {
          body.groupId = req.groupId
          body.topics = grouped
          if (v >= 7) body.requireStable = req.requireStable ?? false
        }
        const res = await conn.send(ApiKeys.OffsetFetch, body)
        if (v >= 8) {
          const g = res.groups.find((x) => x.groupId === req.groupId) ?? res.groups[0]
          if (!g) return { errorCode: 15, offsets: [] }
          return { errorCode: g.errorCode, offsets: g.topics.flatMap((t) => t.partitions.map((p) => fetched(t.name, p))) }
        }
        const offsets = res.topics.flatMap((t) => t.partitions.map((p) => fetched(t.name, p)))
        // Before v2 a group-level failure shows on every partition.
        const errorCode = res.errorCode !== 0 ? res.errorCode : (offsets.find((o) => COORDINATOR_MOVED.has(o.errorCode))?.errorCode ?? 0)
        return { errorCode, offsets }
      },
      (res) => COORDINATOR_MOVED.has(res.errorCode),
    )
  }

  close(): void {
    this.closed = true
    this.reset()
  }
}

function fetched(
  topic: string,
  p: { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string | null; errorCode: number },
): FetchedOffset {
  return {
    topic,
    partition: p.partitionIndex,
    offset: p.committedOffset,
    leaderEpoch: p.committedLeaderEpoch,
    metadata: p.metadata ?? '',
    errorCode: p.errorCode,
  }
}

function groupPartitions(partitions: TopicPartition[]): Array<{ name: string; partitionIndexes: number[] }> {
  const out: Array<{ name: string; partitionIndexes: number[] }> = []
  for (const tp of partitions) {
    let t = out.find((x) => x.name === tp.topic)
    if (!t) out.push((t = { name: tp.topic, partitionIndexes: [] }))
    t.partitionIndexes.push(tp.partition)
  }
  return out
}
