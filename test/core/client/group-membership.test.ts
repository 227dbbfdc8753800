import { afterEach, describe, expect, it } from 'vitest'
import { type GroupCoordinatorApi, GroupMembership, type GroupMembershipConfig } from '../../../core/client/group-membership.js'
import type { AssignorName, TopicPartition } from '../../../core/client/types.js'
import { BrookError } from '../../../core/errors.js'
import { GroupCoordinator, GroupErrorCode as E, type OffsetCommitRequest, type OffsetCommitResponse } from '../../../core/group/coordinator.js'
import { FakeTime } from '../group/fake-time.js'

const HEARTBEAT = 1000
const SESSION = 10_000
const REBALANCE = 30_000
const PARTITIONS: Record<string, number> = { t: 4, u: 2 }

type Event = { kind: 'revoked' | 'assigned' | 'lost'; partitions: string[] }
const names = (tps: TopicPartition[]): string[] => tps.map((tp) => `${tp.topic}-${tp.partition}`).sort()

let cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

function setup(): { time: FakeTime; coord: GroupCoordinator; api: GroupCoordinatorApi & { commitOverride?: (r: OffsetCommitRequest) => Promise<OffsetCommitResponse> } } {
  const time = new FakeTime()
  const coord = new GroupCoordinator({ time })
  cleanups.push(() => coord.close())
  const api: GroupCoordinatorApi & { commitOverride?: (r: OffsetCommitRequest) => Promise<OffsetCommitResponse> } = {
    joinGroup: (r) => coord.joinGroup(r),
    syncGroup: (r) => coord.syncGroup(r),
    heartbeat: (r) => coord.heartbeat(r),
    leaveGroup: (r) => coord.leaveGroup(r),
    commitOffsets: (r) => (api.commitOverride ? api.commitOverride(r) : coord.commitOffsets(r)),
    fetchOffsets: (r) => coord.fetchOffsets(r),
  }
  return { time, coord, api }
}

function member(
  api: GroupCoordinatorApi,
  time: FakeTime,
  opts: { assignors?: AssignorName[]; groupInstanceId?: string; clientId?: string } & Partial<GroupMembershipConfig> = {},
): { m: GroupMembership; events: Event[] } {
  const events: Event[] = []
  const m = new GroupMembership({
    coordinator: api,
    groupId: 'g',
    clientId: opts.clientId ?? 'c',
    sessionTimeoutMs: SESSION,
    rebalanceTimeoutMs: REBALANCE,
    heartbeatIntervalMs: HEARTBEAT,
    time,
    partitionsFor: async (topic) => PARTITIONS[topic] ?? 0,
    listener: {
      onPartitionsRevoked: (p) => void events.push({ kind: 'revoked', partitions: names(p) }),
      onPartitionsAssigned: (p) => void events.push({ kind: 'assigned', partitions: names(p) }),
      onPartitionsLost: (p) => void events.push({ kind: 'lost', partitions: names(p) }),
    },
    ...opts,
  })
  cleanups.push(() => m.close().catch(() => {}))
  return { m, events }
}

/** Like consumers polling: whoever needs to rejoin does, while time (and heartbeats) move on. */
async function settle(time: FakeTime, members: GroupMembership[], check?: () => void): Promise<void> {
  const running = new Map<GroupMembership, Promise<void>>()
  for (let round = 0; round < 100; round++) {
    for (const m of members) {
      if (m.needsRejoin && !running.has(m)) {
        const p = m.ensureActive().finally(() => running.delete(m))
        running.set(m, p)
      }
    }
    await time.advance(HEARTBEAT / 2)
    check?.()
    if (running.size === 0 && members.every((m) => !m.needsRejoin)) return
  }
  throw new Error('group did not settle')
}

function expectDisjointCover(members: GroupMembership[], topics: string[]): void {
  const all = members.flatMap((m) => names(m.assignment()))
  expect(new Set(all).size).toBe(all.length)
  const expected = topics.flatMap((t) => Array.from({ length: PARTITIONS[t]! }, (_, i) => `${t}-${i}`)).sort()
  expect(all.sort()).toEqual(expected)
}

describe('GroupMembership', () => {
  it('joins (through MEMBER_ID_REQUIRED), leads, and takes every partition', async () => {
    const { time, api } = setup()
    const codes: number[] = []
    const spying: GroupCoordinatorApi = { ...api, joinGroup: async (r) => {
      const resp = await api.joinGroup(r)
      codes.push(resp.errorCode)
      return resp
    } }
    const { m, events } = member(spying, time)
    expect(m.needsRejoin).toBe(false)
    m.subscribe(['t', 'u'])
    expect(m.needsRejoin).toBe(true)
    await m.ensureActive()
    expect(codes).toEqual([E.MEMBER_ID_REQUIRED, E.NONE])
    expect(m.generation()).toMatchObject({ generationId: 1 })
    expect(m.generation()!.memberId).toMatch(/^c-/)
    expect(names(m.assignment())).toEqual(['t-0', 't-1', 't-2', 't-3', 'u-0', 'u-1'])
    expect(events).toEqual([{ kind: 'assigned', partitions: names(m.assignment()) }])
    expect(m.needsRejoin).toBe(false)
  })

  it('two members split the partitions (eager), and one closing hands everything back to the other', async () => {
    const { time, api, coord } = setup()
    const a = member(api, time, { clientId: 'a' })
    const b = member(api, time, { clientId: 'b' })
    a.m.subscribe(['t'])
    b.m.subscribe(['t'])
    await settle(time, [a.m])
    expect(a.m.assignment()).toHaveLength(4)
    await settle(time, [a.m, b.m])
    expectDisjointCover([a.m, b.m], ['t'])
    expect(a.m.assignment()).toHaveLength(2)
    expect(a.m.generation()!.generationId).toBe(2)
    // Eager: a gave up everything before rejoining.
    expect(a.events.map((e) => e.kind)).toEqual(['assigned', 'revoked', 'assigned'])
    expect(a.events[1]!.partitions).toHaveLength(4)

    await b.m.close()
    expect(b.events.at(-1)!.kind).toBe('revoked')
    expect(b.m.assignment()).toEqual([])
    await settle(time, [a.m])
    expect(a.m.assignment()).toHaveLength(4)
    expect(a.m.generation()!.generationId).toBe(3)
    const [d] = await coord.describeGroups(['g'])
    expect(d!.members).toHaveLength(1)
    await expect(b.m.ensureActive()).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it('cooperative-sticky moves partitions over two rebalances and never lets two members own one', async () => {
    const { time, api } = setup()
    const a = member(api, time, { clientId: 'a', assignors: ['cooperative-sticky'] })
    const b = member(api, time, { clientId: 'b', assignors: ['cooperative-sticky'] })
    expect(a.m.protocol).toBe('cooperative')
    a.m.subscribe(['t', 'u'])
    b.m.subscribe(['t', 'u'])
    await settle(time, [a.m])
    const disjoint = (): void => {
      const all = [...names(a.m.assignment()), ...names(b.m.assignment())]
      expect(new Set(all).size).toBe(all.length)
    }
    await settle(time, [a.m, b.m], disjoint)
    expectDisjointCover([a.m, b.m], ['t', 'u'])
    expect(a.m.assignment()).toHaveLength(3)
    // a only gave up what moved, and kept the rest throughout.
    const revoked = a.events.filter((e) => e.kind === 'revoked')
    expect(revoked).toHaveLength(1)
    expect(revoked[0]!.partitions).toEqual(names(b.m.assignment()))
    expect(a.events.filter((e) => e.kind === 'assigned').flatMap((e) => e.partitions)).toHaveLength(6)
    expect(b.m.generation()!.generationId).toBe(3)
  })

  it('a commit from an outdated generation surfaces as a typed error', async () => {
    const { time, api } = setup()
    const { m } = member(api, time)
    m.subscribe(['t'])
    await m.ensureActive()
    await m.commitOffsets([{ topic: 't', partition: 0, offset: 5 }])
    expect(await m.committed([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }])).toEqual([
      { topic: 't', partition: 0, offset: 5, metadata: '' },
      { topic: 't', partition: 1, offset: null },
    ])
    // The next commit reaches the coordinator as if from the previous generation.
    api.commitOverride = (r) => {
      api.commitOverride = undefined
      return api.commitOffsets({ ...r, generationId: r.generationId - 1 })
    }
    const err = await m.commitOffsets([{ topic: 't', partition: 0, offset: 6 }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrookError)
    expect(err).toMatchObject({ code: 'ILLEGAL_GENERATION', kafkaCode: E.ILLEGAL_GENERATION })
    expect(m.generation()).toBeNull()
    expect(m.needsRejoin).toBe(true)
  })

  it('a member kicked out for not rejoining reports its partitions lost and rejoins', async () => {
    const { time, api } = setup()
    const a = member(api, time, { clientId: 'a' })
    const b = member(api, time, { clientId: 'b' })
    a.m.subscribe(['t'])
    b.m.subscribe(['t'])
    await settle(time, [a.m])
    // b joins; a keeps heartbeating but never polls, so the rebalance drops it.
    const bJoin = b.m.ensureActive()
    await time.advance(REBALANCE + HEARTBEAT * 2)
    await bJoin
    expect(b.m.assignment()).toHaveLength(4)
    const err = await a.m.commitOffsets([{ topic: 't', partition: 0, offset: 1 }]).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BrookError)
    expect(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION']).toContain((err as BrookError).code)
    await settle(time, [a.m, b.m])
    expect(a.events.map((e) => e.kind)).toEqual(['assigned', 'lost', 'assigned'])
    expectDisjointCover([a.m, b.m], ['t'])
  })

  it('a static member does not leave on close and is fenced when its instance id is taken', async () => {
    const { time, api, coord } = setup()
    const first = member(api, time, { groupInstanceId: 'i1' })
    first.m.subscribe(['t'])
    await first.m.ensureActive()
    const assigned = names(first.m.assignment())
    const second = member(api, time, { groupInstanceId: 'i1' })
    second.m.subscribe(['t'])
    await second.m.ensureActive()
    // Took over without a rebalance: same generation, same assignment.
    expect(second.m.generation()!.generationId).toBe(1)
    expect(names(second.m.assignment())).toEqual(assigned)
    await time.advance(HEARTBEAT * 2)
    await expect(first.m.ensureActive()).rejects.toMatchObject({ code: 'FENCED_INSTANCE_ID' })
    await second.m.close()
    const [d] = await coord.describeGroups(['g'])
    expect(d!.members.map((x) => x.groupInstanceId)).toEqual(['i1'])
  })

  it('subscription changes trigger a rejoin; listener failures surface from ensureActive', async () => {
    const { time, api } = setup()
    let fail = true
    const { m } = member(api, time, {
      listener: {
        onPartitionsAssigned: () => {
          if (fail) throw new Error('listener broke')
        },
      },
    })
    m.subscribe(['t'])
    await expect(m.ensureActive()).rejects.toThrow('listener broke')
    expect(m.assignment()).toHaveLength(4)
    fail = false
    m.subscribe(['t'])
    expect(m.needsRejoin).toBe(false)
    m.subscribe(['t', 'u', 'missing'])
    expect(m.needsRejoin).toBe(true)
    await m.ensureActive()
    expect(m.assignment()).toHaveLength(6)
    expect(m.generation()!.generationId).toBe(2)
  })

  it('validates its configuration', () => {
    const { time, api } = setup()
    const base = { coordinator: api, time, partitionsFor: async () => 1 }
    expect(() => new GroupMembership({ ...base, groupId: '' })).toThrow(BrookError)
    expect(() => new GroupMembership({ ...base, groupId: 'g', heartbeatIntervalMs: 50_000 })).toThrow(/heartbeatIntervalMs/)
    expect(new GroupMembership({ ...base, groupId: 'g' }).protocol).toBe('eager')
    // A short session without an explicit interval gets a fitting default instead of an error.
    expect(() => new GroupMembership({ ...base, groupId: 'g', sessionTimeoutMs: 900 })).not.toThrow()
  })

  it('the GroupCoordinator itself is a GroupCoordinatorApi', () => {
    const api: GroupCoordinatorApi = new GroupCoordinator()
    expect(typeof api.joinGroup).toBe('function')
  })
})
