import { describe, expect, it } from 'vitest'
import { BrookError } from '../../../core/errors.js'
import { Group, type GroupMember } from '../../../core/group/group.js'

function member(memberId: string, protocols: string[], extra: Partial<GroupMember> = {}): GroupMember {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: 'h',
    sessionTimeoutMs: 1000,
    rebalanceTimeoutMs: 2000,
    protocolType: 'consumer',
    protocols: protocols.map((name) => ({ name, metadata: Buffer.from(`${memberId}:${name}`) })),
    assignment: Buffer.alloc(0),
    joinWaiter: null,
    syncWaiter: null,
    isNew: true,
    ...extra,
  }
}

describe('Group', () => {
  it('starts Empty at generation 0 and follows Kafka state transitions', () => {
    const g = new Group('g', 0)
    expect(g.state).toBe('Empty')
    expect(g.generationId).toBe(0)
    expect(() => g.transitionTo('Stable', 1)).toThrow(BrookError)
    g.transitionTo('PreparingRebalance', 1)
    g.add(member('a', ['range']))
    g.initNextGeneration(2)
    expect(g.state).toBe('CompletingRebalance')
    expect(g.generationId).toBe(1)
    expect(g.protocolName).toBe('range')
    g.transitionTo('Stable', 3)
    expect(() => g.transitionTo('CompletingRebalance', 4)).toThrow(/cannot go from Stable/)
    g.transitionTo('Dead', 5)
    expect(g.currentStateTimestamp).toBe(5)
  })

  it('goes Empty with a new generation when a rebalance ends without members', () => {
    const g = new Group('g', 0)
    g.transitionTo('PreparingRebalance', 1)
    g.initNextGeneration(2)
    expect(g.state).toBe('Empty')
    expect(g.generationId).toBe(1)
    expect(g.protocolName).toBeNull()
  })

  it('accepts only members sharing the protocol type and a protocol', () => {
    const g = new Group('g', 0)
    expect(g.supportsProtocols('consumer', [])).toBe(false)
    expect(g.supportsProtocols('', [{ name: 'x', metadata: Buffer.alloc(0) }])).toBe(false)
    g.add(member('a', ['range', 'roundrobin']))
    expect(g.protocolType).toBe('consumer')
    expect(g.supportsProtocols('connect', [{ name: 'range', metadata: Buffer.alloc(0) }])).toBe(false)
    expect(g.supportsProtocols('consumer', [{ name: 'sticky', metadata: Buffer.alloc(0) }])).toBe(false)
    expect(g.supportsProtocols('consumer', [{ name: 'roundrobin', metadata: Buffer.alloc(0) }])).toBe(true)
  })

  it('selects the protocol most members prefer among those all support', () => {
    const g = new Group('g', 0)
    g.add(member('a', ['range', 'roundrobin']))
    g.add(member('b', ['roundrobin', 'range']))
    g.add(member('c', ['sticky', 'roundrobin', 'range']))
    expect(g.selectProtocol()).toBe('roundrobin')
    const h = new Group('h', 0)
    h.add(member('a', ['range', 'roundrobin']))
    h.add(member('b', ['roundrobin', 'range']))
    // A tie goes to the leader's (first member's) preference.
    expect(h.leaderId).toBe('a')
    expect(h.selectProtocol()).toBe('range')
  })

  it('elects a new leader, preferring members already rejoined, when the leader leaves', () => {
    const g = new Group('g', 0)
    g.add(member('a', ['range']))
    g.add(member('b', ['range']))
    g.add(member('c', ['range'], { joinWaiter: () => {} }))
    g.remove('a')
    expect(g.leaderId).toBe('c')
    g.remove('c')
    g.remove('b')
    expect(g.leaderId).toBeNull()
  })

  it('replaces a static member id in place, keeping its assignment and leadership', () => {
    const g = new Group('g', 0)
    g.add(member('old', ['range'], { groupInstanceId: 'i', assignment: Buffer.from([1]) }))
    expect(g.staticMemberId('i')).toBe('old')
    const m = g.replaceStaticMember('i', 'old', 'new')
    expect(g.has('old')).toBe(false)
    expect(g.get('new')).toBe(m)
    expect(m.assignment).toEqual(Buffer.from([1]))
    expect(g.staticMemberId('i')).toBe('new')
    expect(g.leaderId).toBe('new')
  })

  it('tracks who has rejoined, including pending member ids', () => {
    const g = new Group('g', 0)
    g.add(member('a', ['range'], { joinWaiter: () => {} }))
    expect(g.hasAllMembersJoined()).toBe(true)
    g.pendingMembers.add('p')
    expect(g.hasAllMembersJoined()).toBe(false)
    g.pendingMembers.delete('p')
    g.add(member('b', ['range'], { rebalanceTimeoutMs: 9000 }))
    expect(g.notYetRejoined().map((m) => m.memberId)).toEqual(['b'])
    expect(g.rebalanceTimeoutMs()).toBe(9000)
  })

  it('keeps committed offsets per partition', () => {
    const g = new Group('g', 0)
    g.commit({ topic: 't', partition: 0, offset: 5, leaderEpoch: -1, metadata: '', commitTimestamp: 1 })
    g.commit({ topic: 't', partition: 0, offset: 6, leaderEpoch: -1, metadata: 'x', commitTimestamp: 2 })
    expect(g.offset('t', 0)?.offset).toBe(6)
    expect(g.allOffsets()).toHaveLength(1)
    expect(g.deleteOffset('t', 0)).toBe(true)
    expect(g.deleteOffset('t', 0)).toBe(false)
  })

  it('round-trips through its metadata value as an Empty group with its generation', () => {
    const g = new Group('g', 0)
    g.transitionTo('PreparingRebalance', 1)
    g.add(member('a', ['range'], { assignment: Buffer.from([7]) }))
    g.initNextGeneration(10)
    const value = g.toMetadataValue()
    expect(value).toMatchObject({ protocolType: 'consumer', generation: 1, protocol: 'range', leader: 'a', currentStateTimestamp: 10 })
    expect(value.members[0]).toMatchObject({ memberId: 'a', subscription: Buffer.from('a:range'), assignment: Buffer.from([7]) })
    const restored = new Group('g', 0)
    restored.restoreMetadata(value)
    expect(restored.state).toBe('Empty')
    expect(restored.generationId).toBe(1)
    expect(restored.protocolType).toBe('consumer')
    expect(restored.members.size).toBe(0)
  })
})
