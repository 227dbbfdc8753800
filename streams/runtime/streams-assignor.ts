// The assignor of a KafkaStreams application's consumer group ('stream', the name Kafka Streams
// gives its own): range's partitions, so co-partitioned topics land together, and a few words each
// way through the rebalance:
// - a member's subscription says whether it asks the whole application to shut down
//   (SHUTDOWN_APPLICATION), and its endpoint (application.server) when it has one;
// - when one asks, the leader gives every member no partitions and the shutdown in its assignment,
//   and each instance stops (Kafka's AssignorError.SHUTDOWN_REQUESTED);
// - every assignment carries the partitions of each endpoint, so any instance can tell where a key
//   of a store lives (Kafka's partitionsByHost, for KafkaStreams.queryMetadataForKey).
import { RangeAssignor, type MemberAssignment, type MemberId, type PartitionAssignor, type Subscription } from '../../core/client/assignors/index.js'
import type { TopicPartition } from '../../core/client/types.js'
import { parseApplicationServer, type HostInfo } from './streams-metadata.js'

/** The codes Kafka Streams' assignor sends in an assignment (AssignorError); Brook sends these two. */
export const AssignorError = { NONE: 0, SHUTDOWN_REQUESTED: 2 } as const

/**
 * userData, both ways: a version byte and the error code as int32, then
 * - in a subscription: the endpoint, int16 length and UTF-8 (length -1: none);
 * - in an assignment: int32 endpoints, each its int16-length UTF-8 text, int32 partitions, each
 *   an int16-length UTF-8 topic and int32 partition.
 * A reader of the first version's five bytes ignores the rest.
 */
const VERSION = 1
const SIZE = 5

/** One endpoint and the partitions assigned to it. */
export interface HostPartitions {
  host: HostInfo
  partitions: TopicPartition[]
}

/** Writes the parts after the code; sizes first, so one Buffer holds it all. */
class Writer {
  private readonly parts: Array<{ text: string } | { int32: number } | { int16: number }> = []
  private size = SIZE
  text(s: string | null): this {
    if (s === null) return this.int16(-1)
    const bytes = Buffer.byteLength(s, 'utf8')
    this.parts.push({ int16: bytes }, { text: s })
    this.size += 2 + bytes
    return this
  }
  int16(n: number): this {
    this.parts.push({ int16: n })
    this.size += 2
    return this
  }
  int32(n: number): this {
    this.parts.push({ int32: n })
    this.size += 4
    return this
  }
  build(code: number): Buffer {
    const b = Buffer.alloc(this.size)
    b[0] = VERSION
    b.writeInt32BE(code, 1)
    let pos = SIZE
    for (const p of this.parts) {
      if ('text' in p) pos += b.write(p.text, pos, 'utf8')
      else if ('int16' in p) pos = b.writeInt16BE(p.int16, pos)
      else pos = b.writeInt32BE(p.int32, pos)
    }
    return b
  }
}

/** Reads the parts after the code; null from a read past the end (a form this version does not know). */
class Reader {
  private pos = SIZE
  constructor(private readonly b: Buffer) {}
  get more(): boolean {
    return this.pos < this.b.length
  }
  int16(): number | null {
    if (this.pos + 2 > this.b.length) return null
    const n = this.b.readInt16BE(this.pos)
    this.pos += 2
    return n
  }
  int32(): number | null {
    if (this.pos + 4 > this.b.length) return null
    const n = this.b.readInt32BE(this.pos)
    this.pos += 4
    return n
  }
  text(): string | null {
    const n = this.int16()
    if (n === null || n < 0 || this.pos + n > this.b.length) return null
    const s = this.b.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }
}

function known(userData: Buffer | null | undefined): userData is Buffer {
  return userData !== null && userData !== undefined && userData.length >= SIZE && userData[0] === VERSION
}

/** The code in userData; NONE for none or a form this version does not know (a newer member's). */
export function decodeAssignorError(userData: Buffer | null | undefined): number {
  return known(userData) ? userData.readInt32BE(1) : AssignorError.NONE
}

/** A subscription's userData: the shutdown request and the member's endpoint. */
export function encodeSubscriptionInfo(code: number, endpoint: HostInfo | null): Buffer {
  return new Writer().text(endpoint === null ? null : endpoint.toString()).build(code)
}

/** The endpoint in a subscription's userData; null for none, or one that does not parse. */
export function decodeEndpoint(userData: Buffer | null | undefined): HostInfo | null {
  if (!known(userData)) return null
  const text = new Reader(userData).text()
  if (text === null) return null
  try {
    return parseApplicationServer(text)
  } catch {
    return null
  }
}

/** An assignment's userData: the code and the partitions of every endpoint. */
export function encodeAssignmentInfo(code: number, byHost: readonly HostPartitions[]): Buffer {
  const w = new Writer().int32(byHost.length)
  for (const { host, partitions } of byHost) {
    w.text(host.toString()).int32(partitions.length)
    for (const tp of partitions) w.text(tp.topic).int32(tp.partition)
  }
  return w.build(code)
}

/** The partitions of every endpoint in an assignment's userData; null when it has none (an older leader's) or is cut short. */
export function decodePartitionsByHost(userData: Buffer | null | undefined): HostPartitions[] | null {
  if (!known(userData)) return null
  const r = new Reader(userData)
  if (!r.more) return null
  const hosts = r.int32()
  if (hosts === null || hosts < 0) return null
  const out: HostPartitions[] = []
  for (let i = 0; i < hosts; i++) {
    const text = r.text()
    const n = r.int32()
    if (text === null || n === null || n < 0) return null
    let host: HostInfo
    try {
      host = parseApplicationServer(text)
    } catch {
      return null
    }
    const partitions: TopicPartition[] = []
    for (let j = 0; j < n; j++) {
      const topic = r.text()
      const partition = r.int32()
      if (topic === null || partition === null) return null
      partitions.push({ topic, partition })
    }
    out.push({ host, partitions })
  }
  return out
}

function shutdownRequested(subscriptions: Map<MemberId, Subscription>): boolean {
  for (const s of subscriptions.values()) if (decodeAssignorError(s.userData) === AssignorError.SHUTDOWN_REQUESTED) return true
  return false
}

export class StreamsPartitionAssignor implements PartitionAssignor {
  readonly name = 'stream'
  readonly protocol = 'eager'
  private readonly range = new RangeAssignor()
  /** This instance asks every instance of the application to shut down, from its next join on. */
  requestShutdown = false

  /**
   * `onShutdown` runs when an assignment brings the application's shutdown, `onHosts` with the
   * partitions of every endpoint at each assignment (empty from a leader that sends none); both
   * before the rebalance listener. `endpoint` is this instance's application.server.
   */
  constructor(
    private readonly onShutdown: () => void,
    private readonly endpoint: HostInfo | null = null,
    private readonly onHosts: (byHost: HostPartitions[]) => void = () => {},
  ) {}

  subscriptionUserData(): Buffer {
    return encodeSubscriptionInfo(this.requestShutdown ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE, this.endpoint)
  }

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    // A shutdown gives nobody anything to process.
    if (shutdownRequested(subscriptions)) return new Map([...subscriptions.keys()].map((m) => [m, []]))
    return this.range.assign(partitionsPerTopic, subscriptions)
  }

  assignmentUserData(
    _member: MemberId,
    _partitions: readonly TopicPartition[],
    subscriptions: Map<MemberId, Subscription>,
    assignment: ReadonlyMap<MemberId, readonly TopicPartition[]>,
  ): Buffer {
    if (shutdownRequested(subscriptions)) return encodeAssignmentInfo(AssignorError.SHUTDOWN_REQUESTED, [])
    const byHost: HostPartitions[] = []
    for (const [member, s] of subscriptions) {
      const host = decodeEndpoint(s.userData)
      if (host !== null) byHost.push({ host, partitions: [...(assignment.get(member) ?? [])] })
    }
    return encodeAssignmentInfo(AssignorError.NONE, byHost)
  }

  onAssignment(assignment: MemberAssignment): void {
    if (decodeAssignorError(assignment.userData) === AssignorError.SHUTDOWN_REQUESTED) return this.onShutdown()
    this.onHosts(decodePartitionsByHost(assignment.userData) ?? [])
  }
}
