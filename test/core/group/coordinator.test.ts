import { afterEach, describe, expect, it, vi } from 'vitest'
import { encodeSubscription } from '../../../core/group/consumer-protocol.js'
import {
  GroupCoordinator,
  type GroupCoordinatorConfig,
  GroupErrorCode as E,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from '../../../core/group/coordinator.js'
import { decodeOffsetsKey } from '../../../core/group/offsets-codec.js'
import { InMemoryOffsetsLog } from '../../../core/group/offsets-log.js'
import { FakeTime, flush } from './fake-time.js'

const SESSION = 10_000
const REBALANCE = 5_000

let coordinators: GroupCoordinator[] = []
afterEach(() => {
  for (const c of coordinators) c.close()
  coordinators = []
})

function setup(config: GroupCoordinatorConfig = {}): { time: FakeTime; log: InMemoryOffsetsLog; coord: GroupCoordinator } {
  const time = new FakeTime()
  const log = new InMemoryOffsetsLog()
  const coord = new GroupCoordinator({ offsetsLog: log, time, ...config })
  coordinators.push(coord)
  return { time, log, coord }
}

const metadata = (topics: string[]): Buffer => encodeSubscription({ topics })

function req(memberId: string, overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    memberId,
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: metadata(['t']) }],
    requireKnownMemberId: false,
    ...overrides,
  }
}

/** Settled value of a promise, or 'pending'. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  let value: T | 'pending' = 'pending'
  void p.then((v) => (value = v))
  await flush()
  return value
}

/** Every member syncs; the leader hands member i the byte [i]. */
async function syncAll(coord: GroupCoordinator, joins: JoinGroupResponse[], groupId = 'g'): Promise<Map<string, Buffer>> {
  const leader = joins.find((j) => j.leader === j.memberId)!
  const followers = joins.filter((j) => j !== leader)
  const followerSyncs = followers.map((j) =>
    coord.syncGroup({ groupId, generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [] }),
  )
  const assignments = leader.members.map((m, i) => ({ memberId: m.memberId, assignment: Buffer.from([i]) }))
  const leaderSync = await coord.syncGroup({
    groupId,
    generationId: leader.generationId,
    memberId: leader.memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: leader.protocolName,
    assignments,
  })
  const out = new Map<string, Buffer>([[leader.memberId, leaderSync.assignment]])
  expect(leaderSync.errorCode).toBe(E.NONE)
  const results = await Promise.all(followerSyncs)
  results.forEach((r, i) => {
    expect(r.errorCode).toBe(E.NONE)
    out.set(followers[i]!.memberId, r.assignment)
  })
  return out
}

async function stableGroup(coord: GroupCoordinator, n: number, groupId = 'g'): Promise<JoinGroupResponse[]> {
  let joins: JoinGroupResponse[] = []
  for (let i = 0; i < n; i++) {
    // The newcomer first: it starts the rebalance the others then rejoin.
    const pending = [coord.joinGroup(req('', { groupId })), ...joins.map((j) => coord.joinGroup(req(j.memberId, { groupId })))]
    joins = await Promise.all(pending)
    await syncAll(coord, joins, groupId)
  }
  return joins
}

describe('join and sync', () => {
  it('a single member becomes leader of generation 1 and gets its assignment', async () => {
    const { coord } = setup()
    const join = await coord.joinGroup(req(''))
    expect(join).toMatchObject({ errorCode: E.NONE, generationId: 1, protocolType: 'consumer', protocolName: 'range', skipAssignment: false })
    expect(join.memberId).toMatch(/^client-/)
    expect(join.leader).toBe(join.memberId)
    expect(join.members).toEqual([{ memberId: join.memberId, groupInstanceId: null, metadata: metadata(['t']) }])
    const sync = await coord.syncGroup({
      groupId: 'g',
      generationId: 1,
      memberId: join.memberId,
      groupInstanceId: null,
      assignments: [{ memberId: join.memberId, assignment: Buffer.from('mine') }],
    })
    expect(sync).toEqual({ errorCode: E.NONE, protocolType: 'consumer', protocolName: 'range', assignment: Buffer.from('mine') })
    const [described] = await coord.describeGroups(['g'])
    expect(described).toMatchObject({ state: 'Stable', protocol: 'range', generationId: 1 })
    expect(described!.members[0]).toMatchObject({ memberId: join.memberId, clientHost: '/127.0.0.1', assignment: Buffer.from('mine') })
  })

  it('a second member triggers a rebalance; the leader sees both, the follower waits for the assignment', async () => {
    const { coord } = setup()
    const [a] = await stableGroup(coord, 1)
    const bJoin = coord.joinGroup(req('', { protocols: [{ name: 'range', metadata: metadata(['t', 'u']) }] }))
    expect(await peek(bJoin)).toBe('pending')
    expect((await coord.heartbeat({ groupId: 'g', generationId: 1, memberId: a!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.REBALANCE_IN_PROGRESS,
    )
    const aJoin = await coord.joinGroup(req(a!.memberId))
    const b = await bJoin
    expect(aJoin.generationId).toBe(2)
    expect(b.generationId).toBe(2)
    expect(aJoin.leader).toBe(a!.memberId)
    expect(aJoin.members.map((m) => m.memberId).sort()).toEqual([a!.memberId, b.memberId].sort())
    expect(aJoin.members.find((m) => m.memberId === b.memberId)!.metadata).toEqual(metadata(['t', 'u']))
    expect(b.members).toEqual([])

    const bSync = coord.syncGroup({ groupId: 'g', generationId: 2, memberId: b.memberId, groupInstanceId: null, assignments: [] })
    expect(await peek(bSync)).toBe('pending')
    await coord.syncGroup({
      groupId: 'g',
      generationId: 2,
      memberId: a!.memberId,
      groupInstanceId: null,
      assignments: [{ memberId: b.memberId, assignment: Buffer.from('b-part') }],
    })
    expect((await bSync).assignment).toEqual(Buffer.from('b-part'))
  })

  it('three members join with generations increasing', async () => {
    const { coord } = setup()
    const joins = await stableGroup(coord, 3)
    expect(new Set(joins.map((j) => j.generationId))).toEqual(new Set([3]))
    expect(new Set(joins.map((j) => j.memberId)).size).toBe(3)
    expect(joins.filter((j) => j.members.length === 3)).toHaveLength(1)
    const [d] = await coord.describeGroups(['g'])
    expect(d!.members).toHaveLength(3)
    expect(d!.state).toBe('Stable')
  })

  it('answers MEMBER_ID_REQUIRED with a member id to join with', async () => {
    const { coord } = setup()
    const first = await coord.joinGroup(req('', { requireKnownMemberId: true }))
    expect(first.errorCode).toBe(E.MEMBER_ID_REQUIRED)
    expect(first.memberId).toMatch(/^client-/)
    const second = await coord.joinGroup(req(first.memberId, { requireKnownMemberId: true }))
    expect(second).toMatchObject({ errorCode: E.NONE, memberId: first.memberId, generationId: 1 })
  })

  it('a member id handed out with MEMBER_ID_REQUIRED but never used expires with the session timeout', async () => {
    const { coord, time } = setup()
    const [a] = await stableGroup(coord, 1)
    const ghost = await coord.joinGroup(req('', { requireKnownMemberId: true }))
    expect(ghost.errorCode).toBe(E.MEMBER_ID_REQUIRED)
    const bJoin = coord.joinGroup(req('', { rebalanceTimeoutMs: 60_000 }))
    const aJoin = coord.joinGroup(req(a!.memberId, { rebalanceTimeoutMs: 60_000 }))
    // Everyone known has rejoined, but the pending member id holds the rebalance open...
    await time.advance(SESSION - 1)
    expect(await peek(aJoin)).toBe('pending')
    // ...until it expires.
    await time.advance(1)
    const [ja, jb] = await Promise.all([aJoin, bJoin])
    expect(ja.generationId).toBe(2)
    expect(ja.members.map((m) => m.memberId).sort()).toEqual([a!.memberId, jb.memberId].sort())
    expect((await coord.joinGroup(req(ghost.memberId))).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
  })

  it('rejects unknown members, bad session timeouts, empty group ids and foreign protocols', async () => {
    const { coord } = setup({ minSessionTimeoutMs: 6000 })
    expect((await coord.joinGroup(req('nobody'))).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    expect((await coord.joinGroup(req('', { sessionTimeoutMs: 100 }))).errorCode).toBe(E.INVALID_SESSION_TIMEOUT)
    expect((await coord.joinGroup(req('', { groupId: '' }))).errorCode).toBe(E.INVALID_GROUP_ID)
    await stableGroup(coord, 1)
    expect((await coord.joinGroup(req('', { protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }))).errorCode).toBe(
      E.INCONSISTENT_GROUP_PROTOCOL,
    )
    expect((await coord.joinGroup(req('', { protocolType: 'connect' }))).errorCode).toBe(E.INCONSISTENT_GROUP_PROTOCOL)
  })

  it('rejects a sync for another generation and a sync during the join phase', async () => {
    const { coord } = setup()
    const [a] = await stableGroup(coord, 1)
    const base = { groupId: 'g', memberId: a!.memberId, groupInstanceId: null, assignments: [] }
    expect((await coord.syncGroup({ ...base, generationId: 7 })).errorCode).toBe(E.ILLEGAL_GENERATION)
    void coord.joinGroup(req(''))
    expect((await coord.syncGroup({ ...base, generationId: 1 })).errorCode).toBe(E.REBALANCE_IN_PROGRESS)
    expect((await coord.syncGroup({ ...base, memberId: 'x', generationId: 1 })).errorCode).toBe(E.UNKNOWN_MEMBER_ID)
  })

  it('lets a stable follower rejoin with the same metadata without a rebalance', async () => {
    const { coord } = setup()
    const joins = await stableGroup(coord, 2)
    const follower = joins.find((j) => j.leader !== j.memberId)!
    const again = await coord.joinGroup(req(follower.memberId))
    expect(again).toMatchObject({ errorCode: E.NONE, generationId: 2 })
    expect((await coord.describeGroups(['g']))[0]!.state).toBe('Stable')
  })
})

describe('failure detection', () => {
  it('removes a member that stops heartbeating after its session timeout; the others rebalance', async () => {
    const { coord, time } = setup()
    const joins = await stableGroup(coord, 2)
    const [alive, dead] = joins
    for (let i = 0; i < 9; i++) {
      await time.advance(1000)
      expect((await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: alive!.memberId, groupInstanceId: null })).errorCode).toBe(E.NONE)
    }
    await time.advance(1500)
    expect((await coord.describeGroups(['g']))[0]!.members.map((m) => m.memberId)).toEqual([alive!.memberId])
    const hb = await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: alive!.memberId, groupInstanceId: null })
    expect(hb.errorCode).toBe(E.REBALANCE_IN_PROGRESS)
    const rejoin = await coord.joinGroup(req(alive!.memberId))
    expect(rejoin.generationId).toBe(3)
    expect(rejoin.members.map((m) => m.memberId)).toEqual([alive!.memberId])
    expect((await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: dead!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.UNKNOWN_MEMBER_ID,
    )
  })

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const { coord, time } = setup()
    const [a, b] = await stableGroup(coord, 2)
    const aJoin = coord.joinGroup(req(a!.memberId, { protocols: [{ name: 'range', metadata: metadata(['t', 'x']) }] }))
    await time.advance(REBALANCE - 1)
    expect(await peek(aJoin)).toBe('pending')
    await time.advance(1)
    const done = await aJoin
    expect(done.generationId).toBe(3)
    expect(done.members.map((m) => m.memberId)).toEqual([a!.memberId])
    expect((await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: b!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.UNKNOWN_MEMBER_ID,
    )
  })

  it('keeps members alive while they wait in JoinGroup', async () => {
    const { coord, time } = setup()
    const [a] = await stableGroup(coord, 1)
    const bJoin = coord.joinGroup(req('', { rebalanceTimeoutMs: 60_000 }))
    // a never rejoins; b waits longer than its session but stays a member.
    await time.advance(SESSION + 1000)
    const b = await bJoin
    expect(b.errorCode).toBe(E.NONE)
    expect(b.members.map((m) => m.memberId)).toEqual([b.memberId])
    expect(b.memberId).not.toBe(a!.memberId)
  })

  it('a leaving member triggers a rebalance', async () => {
    const { coord } = setup()
    const [a, b] = await stableGroup(coord, 2)
    const left = await coord.leaveGroup({ groupId: 'g', members: [{ memberId: b!.memberId, groupInstanceId: null }] })
    expect(left).toEqual({ errorCode: E.NONE, members: [{ memberId: b!.memberId, groupInstanceId: null, errorCode: E.NONE }] })
    expect((await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: a!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.REBALANCE_IN_PROGRESS,
    )
    const rejoin = await coord.joinGroup(req(a!.memberId))
    expect(rejoin.generationId).toBe(3)
    expect(rejoin.members).toHaveLength(1)
    const unknown = await coord.leaveGroup({ groupId: 'g', members: [{ memberId: 'ghost', groupInstanceId: null }] })
    expect(unknown.members[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID)
  })

  it('the last member leaving empties the group and bumps the generation', async () => {
    const { coord } = setup()
    const [a] = await stableGroup(coord, 1)
    await coord.leaveGroup({ groupId: 'g', members: [{ memberId: a!.memberId, groupInstanceId: null }] })
    const [d] = await coord.describeGroups(['g'])
    expect(d).toMatchObject({ state: 'Empty', generationId: 2, members: [] })
  })

  it('a follower waiting in SyncGroup learns of a new rebalance', async () => {
    const { coord } = setup()
    const [a] = await stableGroup(coord, 1)
    const bJoin = coord.joinGroup(req(''))
    const aJoin = await coord.joinGroup(req(a!.memberId))
    const b = await bJoin
    const bSync = coord.syncGroup({ groupId: 'g', generationId: b.generationId, memberId: b.memberId, groupInstanceId: null, assignments: [] })
    void coord.joinGroup(req('')) // a third member arrives before the leader syncs
    expect((await bSync).errorCode).toBe(E.REBALANCE_IN_PROGRESS)
    expect(aJoin.generationId).toBe(2)
  })
})

describe('static membership', () => {
  it('a restarted static member takes over without a rebalance and fences its old member id', async () => {
    const { coord } = setup()
    const first = await coord.joinGroup(req('', { groupInstanceId: 'i1' }))
    const other = coord.joinGroup(req(''))
    const rejoin = await coord.joinGroup(req(first.memberId, { groupInstanceId: 'i1' }))
    const o = await other
    await syncAll(coord, [rejoin, o])
    const [before] = await coord.describeGroups(['g'])
    const myAssignment = before!.members.find((m) => m.groupInstanceId === 'i1')!.assignment

    const restarted = await coord.joinGroup(req('', { groupInstanceId: 'i1' }))
    expect(restarted.errorCode).toBe(E.NONE)
    expect(restarted.memberId).not.toBe(first.memberId)
    expect(restarted.generationId).toBe(2)
    expect((await coord.describeGroups(['g']))[0]!.state).toBe('Stable')
    const sync = await coord.syncGroup({ groupId: 'g', generationId: 2, memberId: restarted.memberId, groupInstanceId: 'i1', assignments: [] })
    expect(sync.assignment).toEqual(myAssignment)
    // The other member sees no rebalance.
    expect((await coord.heartbeat({ groupId: 'g', generationId: 2, memberId: o.memberId, groupInstanceId: null })).errorCode).toBe(E.NONE)

    const stale = { groupId: 'g', generationId: 2, memberId: first.memberId, groupInstanceId: 'i1' }
    expect((await coord.heartbeat(stale)).errorCode).toBe(E.FENCED_INSTANCE_ID)
    expect((await coord.syncGroup({ ...stale, assignments: [] })).errorCode).toBe(E.FENCED_INSTANCE_ID)
    expect((await coord.joinGroup(req(first.memberId, { groupInstanceId: 'i1' }))).errorCode).toBe(E.FENCED_INSTANCE_ID)
    const commit = await coord.commitOffsets({ ...stale, offsets: [{ topic: 't', partition: 0, offset: 1 }] })
    expect(commit.partitions[0]!.errorCode).toBe(E.FENCED_INSTANCE_ID)
  })

  it('a static member restarting with a different protocol choice triggers a rebalance', async () => {
    const { coord } = setup()
    const both = [
      { name: 'range', metadata: metadata(['t']) },
      { name: 'roundrobin', metadata: metadata(['t']) },
    ]
    const first = await coord.joinGroup(req('', { groupInstanceId: 'i1', protocols: both }))
    await syncAll(coord, [first])
    const restarted = coord.joinGroup(req('', { groupInstanceId: 'i1', protocols: [both[1]!] }))
    const r = await restarted
    expect(r.generationId).toBe(2)
    expect(r.protocolName).toBe('roundrobin')
  })

  it('leaving by instance id removes the static member and rebalances', async () => {
    const { coord } = setup()
    const a = await coord.joinGroup(req('', { groupInstanceId: 'i1' }))
    await syncAll(coord, [a])
    const left = await coord.leaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i1' }] })
    expect(left.members[0]!.errorCode).toBe(E.NONE)
    const [d] = await coord.describeGroups(['g'])
    expect(d).toMatchObject({ state: 'Empty', members: [] })
    const again = await coord.leaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i1' }] })
    expect(again.members[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID)
  })
})

describe('offsets', () => {
  const commit = (coord: GroupCoordinator, generationId: number, memberId: string, offset = 10, groupId = 'g') =>
    coord.commitOffsets({ groupId, generationId, memberId, offsets: [{ topic: 't', partition: 0, offset, metadata: 'meta' }] })

  it('accepts commits from the current generation and rejects stale ones', async () => {
    const { coord } = setup()
    const [a] = await stableGroup(coord, 2)
    expect((await commit(coord, 2, a!.memberId)).partitions).toEqual([{ topic: 't', partition: 0, errorCode: E.NONE }])
    expect((await commit(coord, 1, a!.memberId)).partitions[0]!.errorCode).toBe(E.ILLEGAL_GENERATION)
    expect((await commit(coord, 2, 'stranger')).partitions[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    expect((await commit(coord, -1, '')).partitions[0]!.errorCode).toBe(E.UNKNOWN_MEMBER_ID)
    // While the next generation waits for its assignment, commits are refused as retriable.
    const bJoin = coord.joinGroup(req(''))
    const aJoin = coord.joinGroup(req(a!.memberId))
    const others = (await coord.describeGroups(['g']))[0]!.members.filter((m) => m.memberId !== a!.memberId)
    await Promise.all([...others.map((m) => coord.joinGroup(req(m.memberId))), bJoin, aJoin])
    expect((await commit(coord, 3, a!.memberId)).partitions[0]!.errorCode).toBe(E.REBALANCE_IN_PROGRESS)
    const fetched = await coord.fetchOffsets({ groupId: 'g', partitions: [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }] })
    expect(fetched).toEqual({
      errorCode: E.NONE,
      offsets: [
        { topic: 't', partition: 0, offset: 10, leaderEpoch: -1, metadata: 'meta', errorCode: E.NONE },
        { topic: 't', partition: 1, offset: -1, leaderEpoch: -1, metadata: '', errorCode: E.NONE },
      ],
    })
  })

  it('allows commits without a generation for groups with no members, creating the group', async () => {
    const { coord } = setup()
    expect((await commit(coord, -1, '', 5, 'solo')).partitions[0]!.errorCode).toBe(E.NONE)
    expect((await commit(coord, 3, 'm', 5, 'nogroup')).partitions[0]!.errorCode).toBe(E.ILLEGAL_GENERATION)
    const listed = await coord.listGroups()
    expect(listed.groups).toEqual([{ groupId: 'solo', protocolType: '', state: 'Empty' }])
    expect((await coord.fetchOffsets({ groupId: 'solo' })).offsets.map((o) => o.offset)).toEqual([5])
  })

  it('refuses metadata over the size limit per partition', async () => {
    const { coord } = setup({ maxOffsetMetadataBytes: 3 })
    const r = await coord.commitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      offsets: [
        { topic: 't', partition: 0, offset: 1, metadata: 'ok' },
        { topic: 't', partition: 1, offset: 1, metadata: 'too long' },
      ],
    })
    expect(r.partitions.map((p) => p.errorCode)).toEqual([E.NONE, E.OFFSET_METADATA_TOO_LARGE])
  })

  it('survive a coordinator restart over the same log; groups come back Empty with their generation', async () => {
    const { coord, log, time } = setup()
    const [a, b] = await stableGroup(coord, 2)
    await coord.commitOffsets({
      groupId: 'g',
      generationId: 2,
      memberId: b!.memberId,
      offsets: [
        { topic: 't', partition: 0, offset: 100, metadata: 'x', leaderEpoch: 3 },
        { topic: 'u', partition: 2, offset: 7 },
      ],
    })
    await coord.commitOffsets({ groupId: 'g', generationId: 2, memberId: a!.memberId, offsets: [{ topic: 't', partition: 0, offset: 101 }] })
    coord.close()

    const restarted = new GroupCoordinator({ offsetsLog: new InMemoryOffsetsLog(log.records), time })
    coordinators.push(restarted)
    await restarted.load()
    const fetched = await restarted.fetchOffsets({ groupId: 'g' })
    expect(fetched.offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata]).sort()).toEqual([
      ['t', 0, 101, ''],
      ['u', 2, 7, ''],
    ])
    const [d] = await restarted.describeGroups(['g'])
    expect(d).toMatchObject({ state: 'Empty', generationId: 2, protocolType: 'consumer', members: [] })
    // Old members must rejoin from scratch; the generation continues.
    expect((await restarted.heartbeat({ groupId: 'g', generationId: 2, memberId: a!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.UNKNOWN_MEMBER_ID,
    )
    expect((await restarted.joinGroup(req(''))).generationId).toBe(3)
  })

  it('restores from a compacted log too', async () => {
    const { coord, log } = setup()
    await coord.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 1 }] })
    await coord.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 2 }] })
    await coord.deleteOffsets('g', [{ topic: 't', partition: 0 }])
    await coord.commitOffsets({ groupId: 'g', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 1, offset: 3 }] })
    log.compact()
    expect(log.records).toHaveLength(1)
    const restarted = new GroupCoordinator({ offsetsLog: log })
    coordinators.push(restarted)
    await restarted.load()
    expect((await restarted.fetchOffsets({ groupId: 'g' })).offsets.map((o) => [o.partition, o.offset])).toEqual([[1, 3]])
  })

  it('deleting offsets writes tombstones; subscribed topics of an active group are protected', async () => {
    const { coord, log } = setup()
    const [a] = await stableGroup(coord, 1)
    await coord.commitOffsets({
      groupId: 'g',
      generationId: 1,
      memberId: a!.memberId,
      offsets: [
        { topic: 't', partition: 0, offset: 1 },
        { topic: 'old', partition: 0, offset: 2 },
      ],
    })
    const r = await coord.deleteOffsets('g', [
      { topic: 't', partition: 0 },
      { topic: 'old', partition: 0 },
    ])
    expect(r).toEqual({
      errorCode: E.NONE,
      partitions: [
        { topic: 't', partition: 0, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC },
        { topic: 'old', partition: 0, errorCode: E.NONE },
      ],
    })
    const last = log.records[log.records.length - 1]!
    expect(last.value).toBeNull()
    expect(decodeOffsetsKey(last.key)).toEqual({ type: 'offset', group: 'g', topic: 'old', partition: 0 })
    expect((await coord.fetchOffsets({ groupId: 'g' })).offsets.map((o) => o.topic)).toEqual(['t'])
    expect((await coord.deleteOffsets('missing', [])).errorCode).toBe(E.GROUP_ID_NOT_FOUND)
  })
})

describe('admin', () => {
  it('deletes only empty groups, writing tombstones for the group and its offsets', async () => {
    const { coord, log } = setup()
    const [a] = await stableGroup(coord, 1)
    await coord.commitOffsets({ groupId: 'g', generationId: 1, memberId: a!.memberId, offsets: [{ topic: 't', partition: 0, offset: 9 }] })
    expect(await coord.deleteGroups(['g', 'nope', ''])).toEqual([
      { groupId: 'g', errorCode: E.NON_EMPTY_GROUP },
      { groupId: 'nope', errorCode: E.GROUP_ID_NOT_FOUND },
      { groupId: '', errorCode: E.INVALID_GROUP_ID },
    ])
    await coord.leaveGroup({ groupId: 'g', members: [{ memberId: a!.memberId, groupInstanceId: null }] })
    const before = log.records.length
    expect(await coord.deleteGroups(['g'])).toEqual([{ groupId: 'g', errorCode: E.NONE }])
    const tombstones = log.records.slice(before)
    expect(tombstones.every((r) => r.value === null)).toBe(true)
    expect(tombstones.map((r) => decodeOffsetsKey(r.key))).toEqual([
      { type: 'offset', group: 'g', topic: 't', partition: 0 },
      { type: 'group', group: 'g' },
    ])
    expect((await coord.listGroups()).groups).toEqual([])
    const restarted = new GroupCoordinator({ offsetsLog: log })
    coordinators.push(restarted)
    await restarted.load()
    expect((await restarted.listGroups()).groups).toEqual([])
    expect((await restarted.fetchOffsets({ groupId: 'g' })).offsets).toEqual([])
  })

  it('lists and describes groups; unknown groups describe as Dead', async () => {
    const { coord } = setup()
    await stableGroup(coord, 1, 'g1')
    void coord.joinGroup(req('', { groupId: 'g1' }))
    await stableGroup(coord, 1, 'g2')
    const listed = await coord.listGroups()
    expect(listed.groups.sort((x, y) => x.groupId.localeCompare(y.groupId))).toEqual([
      { groupId: 'g1', protocolType: 'consumer', state: 'PreparingRebalance' },
      { groupId: 'g2', protocolType: 'consumer', state: 'Stable' },
    ])
    expect((await coord.listGroups(['Stable'])).groups.map((g) => g.groupId)).toEqual(['g2'])
    const [g1, unknown] = await coord.describeGroups(['g1', 'zzz'])
    expect(g1).toMatchObject({ state: 'PreparingRebalance', protocol: '' })
    expect(g1!.members.every((m) => m.metadata.length === 0)).toBe(true)
    expect(unknown).toMatchObject({ errorCode: E.NONE, state: 'Dead', members: [] })
  })

  it('keeps groups independent', async () => {
    const { coord, time } = setup()
    const [x] = await stableGroup(coord, 1, 'x')
    const [y] = await stableGroup(coord, 1, 'y')
    const pending = coord.joinGroup(req('', { groupId: 'x' }))
    expect((await coord.heartbeat({ groupId: 'y', generationId: 1, memberId: y!.memberId, groupInstanceId: null })).errorCode).toBe(E.NONE)
    expect((await coord.heartbeat({ groupId: 'x', generationId: 1, memberId: x!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.REBALANCE_IN_PROGRESS,
    )
    expect((await coord.heartbeat({ groupId: 'y', generationId: 1, memberId: x!.memberId, groupInstanceId: null })).errorCode).toBe(
      E.UNKNOWN_MEMBER_ID,
    )
    await time.advance(REBALANCE)
    expect((await pending).members).toHaveLength(1)
    expect((await coord.describeGroups(['y']))[0]!.generationId).toBe(1)
  })
})

describe('initial rebalance delay and close', () => {
  it('waits for more members before the first generation of an empty group', async () => {
    const { coord, time } = setup({ initialRebalanceDelayMs: 3000 })
    const a = coord.joinGroup(req(''))
    await time.advance(2000)
    const b = coord.joinGroup(req(''))
    await time.advance(2999)
    expect(await peek(a)).toBe('pending')
    await time.advance(3001)
    const [ja, jb] = await Promise.all([a, b])
    expect(ja.generationId).toBe(1)
    expect(jb.generationId).toBe(1)
    expect([ja, jb].find((j) => j.leader === j.memberId)!.members).toHaveLength(2)
  })

  it('close cancels timers and answers waiting calls', async () => {
    const { coord, time } = setup()
    await stableGroup(coord, 1)
    const waiting = coord.joinGroup(req(''))
    expect(time.pending).toBeGreaterThan(0)
    coord.close()
    expect(time.pending).toBe(0)
    expect((await waiting).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE)
    expect((await coord.joinGroup(req(''))).errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE)
  })
})

describe('default time source', () => {
  it('follows vitest fake timers', async () => {
    vi.useFakeTimers()
    try {
      const coord = new GroupCoordinator()
      coordinators.push(coord)
      const [a] = await stableGroup(coord, 1)
      await vi.advanceTimersByTimeAsync(SESSION + 1)
      expect((await coord.heartbeat({ groupId: 'g', generationId: 1, memberId: a!.memberId, groupInstanceId: null })).errorCode).toBe(
        E.UNKNOWN_MEMBER_ID,
      )
      expect((await coord.describeGroups(['g']))[0]!.state).toBe('Empty')
    } finally {
      vi.useRealTimers()
    }
  })
})
