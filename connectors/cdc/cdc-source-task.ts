// The poll() of the change-data-capture source tasks (PostgreSQL logical replication, MySQL /
// MariaDB binlog), in the order Debezium's connectors run: the initial snapshot's batches first;
// then, with snapshot.mode=initial_only, nothing more; else the change stream. Errors go one way
// for both: a failing snapshot fails the task; a broken stream is stopped and what it queued
// dropped, then a retriable error (a network error, a server going away) lets the worker poll
// again, which starts a new stream from the last position handed over, and any other error fails
// the task (and keeps failing it on a later poll).
import type { SourceTask, SourceTaskContext, TaskConfig } from '../api/connector.js'
import type { SourceRecord } from '../api/record.js'
import { ConnectException, errorMessage, RetriableException } from '../errors.js'
import { isNetworkError } from '../jdbc/errors.js'
import { sleepUnlessAborted } from '../../core/common/time.js'

export abstract class CdcSourceTask implements SourceTask {
  protected ctx!: SourceTaskContext
  /** The connector's name, for messages. */
  protected connector = ''
  /** poll.interval.ms */
  protected pollInterval = 500
  /** snapshot.mode=initial_only: no stream after the snapshot. */
  protected snapshotOnly = false
  /** What broke the stream (set by its callbacks), raised by the next poll. */
  protected streamError: unknown = null

  /** What the stream is called in messages ("binlog stream"). */
  protected abstract readonly streamName: string
  /** Messages of stream errors a new stream may get past, besides network errors (a server shutting down). */
  protected abstract readonly retriableStreamErrors: RegExp

  abstract start(props: TaskConfig, context: SourceTaskContext): Promise<void>
  abstract stop(): Promise<void>

  /** Whether the initial snapshot is being read. */
  protected abstract get snapshotting(): boolean
  /** The snapshot's next records (it ends itself, starting the stream unless snapshotOnly). */
  protected abstract nextSnapshotBatch(): Promise<SourceRecord[]>
  /** Whether a stream is open. */
  protected abstract get streaming(): boolean
  /** Opens a stream from the position of the last record handed over. */
  protected abstract startStreaming(): void | Promise<void>
  /** The stream's next records: waits up to the poll interval; a heartbeat when there are none. */
  protected abstract pollStream(): Promise<SourceRecord[]>
  /** Stops the broken stream and drops the records it queued that were not handed over. */
  protected abstract stopBrokenStream(): Promise<void>
  /** The message (and config key, if one is to blame) of a stream error that fails the task. */
  protected abstract fatalStreamError(err: unknown): { message: string; field?: string }

  async poll(): Promise<SourceRecord[]> {
    if (this.snapshotting) {
      try {
        return await this.nextSnapshotBatch()
      } catch (err) {
        throw new ConnectException(`snapshot failed: ${errorMessage(err)}`, { connector: this.connector, cause: err })
      }
    }
    if (this.snapshotOnly) {
      await sleepUnlessAborted(this.pollInterval, this.ctx.signal)
      return []
    }
    if (this.streamError !== null) {
      const err = this.streamError
      await this.stopBrokenStream()
      if (isNetworkError(err) || this.retriableStreamErrors.test(errorMessage(err))) {
        this.streamError = null // the next poll starts a new stream
        throw new RetriableException(`${this.streamName} broke: ${errorMessage(err)}`, { connector: this.connector, cause: err })
      }
      const { message, field } = this.fatalStreamError(err)
      throw new ConnectException(message, { connector: this.connector, field, cause: err })
    }
    if (!this.streaming) await this.startStreaming()
    return this.pollStream()
  }
}
