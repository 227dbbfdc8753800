// The assignor of a KafkaStreams application's consumer group ('stream', the name Kafka Streams
// gives its own): range's partitions, so co-partitioned topics land together, and one word each
// way through the rebalance. A member's subscription says whether it asks the whole application to
// shut down (SHUTDOWN_APPLICATION); when one does, the leader gives every member no partitions and
// the shutdown in its assignment, and each instance stops (Kafka's AssignorError.SHUTDOWN_REQUESTED).
import { RangeAssignor, type MemberAssignment, type MemberId, type PartitionAssignor, type Subscription } from '../../core/client/assignors/index.js'
import type { TopicPartition } from '../../core/client/types.js'

/** The codes Kafka Streams' assignor sends in an assignment (AssignorError); Brook sends these two. */
export const AssignorError = { NONE: 0, SHUTDOWN_REQUESTED: 2 } as const

/** userData, both ways: a version byte, then the error code as int32. */
const VERSION = 1
const SIZE = 5

function encode(code: number): Buffer {
  const b = Buffer.alloc(SIZE)
  b[0] = VERSION
  b.writeInt32BE(code, 1)
  return b
}

/** The code in userData; NONE for none or a form this version does not know (a newer member's). */
export function decodeAssignorError(userData: Buffer | null | undefined): number {
  if (userData === null || userData === undefined || userData.length < SIZE || userData[0] !== VERSION) return AssignorError.NONE
  return userData.readInt32BE(1)
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

  /** `onShutdown` runs when an assignment brings the application's shutdown, before the rebalance listener. */
  constructor(private readonly onShutdown: () => void) {}

  subscriptionUserData(): Buffer {
    return encode(this.requestShutdown ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE)
  }

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    // A shutdown gives nobody anything to process.
    if (shutdownRequested(subscriptions)) return new Map([...subscriptions.keys()].map((m) => [m, []]))
    return this.range.assign(partitionsPerTopic, subscriptions)
  }

  assignmentUserData(_member: MemberId, _partitions: readonly TopicPartition[], subscriptions: Map<MemberId, Subscription>): Buffer {
    return encode(shutdownRequested(subscriptions) ? AssignorError.SHUTDOWN_REQUESTED : AssignorError.NONE)
  }

  onAssignment(assignment: MemberAssignment): void {
    if (decodeAssignorError(assignment.userData) === AssignorError.SHUTDOWN_REQUESTED) this.onShutdown()
  }
}
