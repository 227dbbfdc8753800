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

/** A subscription's userData: the shutdown request and the member's endpoint. */
export function encodeSubscriptionInfo(code: number, endpoint: HostInfo | null): Buffer {
  return header(code).string(endpoint === null ? null : endpoint.toString()).finish()
}

/** The endpoint in a subscription's userData; null for none, or one that does not parse. */
export function decodeEndpoint(userData: Buffer | null | undefined): HostInfo | null {
  return after(userData, (r) => {
    const text = r.nullableString()
    return text === null ? null : parseApplicationServer(text)
  })
}

/** An assignment's userData: the code and the partitions of every endpoint. */
export function encodeAssignmentInfo(code: number, byHost: readonly HostPartitions[]): Buffer {
  return header(code)
    .array(byHost, (w, { host, partitions }) => {
      w.string(host.toString()).array(partitions, (w, tp) => w.string(tp.topic).int32(tp.partition))
    })
    .finish()
}

/** The partitions of every endpoint in an assignment's userData; null when it has none (an older leader's) or is cut short. */
export function decodePartitionsByHost(userData: Buffer | null | undefined): HostPartitions[] | null {
  return after(userData, (r) =>
    r.array((r) => ({
      host: parseApplicationServer(r.string()),
      partitions: r.array((r) => ({ topic: r.string(), partition: r.int32() })),
    })),
  )
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
