// processing.guarantee=exactly_once_v2 (KIP-447), the runtime's transactional side:
// one transactional producer per instance; a transaction opens with the first send after
// a commit, and a commit puts the outputs, the changelog records and the input offsets
// (sendOffsetsToTransaction with the consumer's group metadata, so a zombie that lost its
// partitions in a rebalance is fenced by the group generation) in one transaction.
//
// Local state follows the transaction: the checkpoint file is removed before SQLite commits
// state that is not yet in a committed transaction, and written again once the transaction
// committed. A task found without a checkpoint (a crash between the two) has its state
// directory wiped and is restored from its read_committed changelog.
//
// The transactional id is `<application.id>-<process id>`, the process id kept in the state
// directory (kafka-streams-process-metadata, as Kafka Streams does), so a restarted instance
// takes over its predecessor's id: initTransactions then aborts whatever that one left open
// instead of letting it hold the last stable offset until its timeout.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ConsumerGroupMetadata, Producer, TopicPartitionOffset } from '../../core/client/types.js'
import { StreamsException } from '../errors.js'

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once_v2'

/** Kafka Streams' transaction.timeout.ms under exactly_once_v2. */
export const EOS_TRANSACTION_TIMEOUT_MS = 10_000
const PROCESS_METADATA_FILE = 'kafka-streams-process-metadata'

/** The instance's transactional id; the process id persists in `stateDir/<applicationId>/`. */
export function transactionalIdFor(applicationId: string, stateDir: string | null | undefined): string {
  if (stateDir === null || stateDir === undefined) return `${applicationId}-${randomUUID()}`
  const dir = path.join(stateDir, applicationId)
  const file = path.join(dir, PROCESS_METADATA_FILE)
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { processId?: unknown }
    if (typeof parsed.processId === 'string' && parsed.processId !== '') return `${applicationId}-${parsed.processId}`
  } catch {
    // absent or unreadable: a new process id
  }
  const processId = randomUUID()
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ processId }))
  fs.renameSync(`${file}.tmp`, file)
  return `${applicationId}-${processId}`
}

/** A task directory without a checkpoint may hold state of a transaction that never committed: it goes. */
export function wipeUncheckpointedState(taskDir: string | null, hasCheckpoint: boolean): void {
  if (taskDir === null || hasCheckpoint) return
  fs.rmSync(taskDir, { recursive: true, force: true })
}

/** The transaction of one KafkaStreams instance. */
export class StreamsTransactions {
  private open = false

  constructor(private readonly producer: Producer) {}

  async init(): Promise<void> {
    await this.producer.initTransactions()
  }

  /** Before any send: the transaction opens lazily. */
  beforeSend(): void {
    if (this.open) return
    this.producer.beginTransaction()
    this.open = true
  }

  /** Commits the open transaction with the input offsets (nothing to do when nothing was sent or consumed). */
  async commit(offsets: TopicPartitionOffset[], group: ConsumerGroupMetadata | null, groupId: string): Promise<void> {
    if (!this.open && offsets.length === 0) return
    this.beforeSend()
    if (offsets.length > 0) {
      // The generation the work was done in (kept through a rebalance): a zombie's is gone and it is fenced (KIP-447).
      if (group === null) throw new StreamsException(`Cannot commit offsets of '${groupId}' in a transaction: the consumer is not a member of the group`)
      await this.producer.sendOffsetsToTransaction(offsets, group)
    }
    try {
      await this.producer.commitTransaction()
    } finally {
      this.open = false
    }
  }

  /** Aborts what is open; a producer that was fenced has nothing left to abort. */
  async abort(): Promise<void> {
    if (!this.open) return
    this.open = false
    await this.producer.abortTransaction().catch((err: unknown) => {
      if (!(err instanceof Error)) throw new StreamsException(`Aborting the transaction failed: ${String(err)}`)
    })
  }
}
