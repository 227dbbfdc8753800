// CdcSourceTask's poll(): snapshot first, then (initial_only) nothing, else the stream; a failing
// snapshot fails the task; a broken stream is stopped, then a retriable error lets the next poll
// start a new stream and any other error keeps failing the task.
import { describe, expect, it } from 'vitest'
import type { SourceTaskContext } from '../../connectors/api/connector.js'
import type { SourceRecord } from '../../connectors/api/record.js'
import { CdcSourceTask } from '../../connectors/cdc/cdc-source-task.js'
import { ConnectException, RetriableException } from '../../connectors/errors.js'

const record = (n: number): SourceRecord => ({
  sourcePartition: {}, sourceOffset: { n }, topic: 't', kafkaPartition: null, keySchema: null, key: null, valueSchema: null, value: n, timestamp: null, headers: [],
})

class FakeTask extends CdcSourceTask {
  protected readonly streamName = 'fake stream'
  protected readonly retriableStreamErrors = /went away/
  snapshot: Array<SourceRecord[] | Error> = []
  open = false
  starts = 0
  stops = 0
  queued: SourceRecord[] = []

  async start(_props: Record<string, string>, context: SourceTaskContext): Promise<void> {
    this.ctx = context
    this.connector = context.connector
    this.pollInterval = 1
  }
  async stop(): Promise<void> {}
  /** What the stream's callbacks do on a failure. */
  breakStream(err: unknown): void {
    this.streamError = err
  }
  initialOnly(): void {
    this.snapshotOnly = true
  }
  protected get snapshotting(): boolean {
    return this.snapshot.length > 0
  }
  protected async nextSnapshotBatch(): Promise<SourceRecord[]> {
    const next = this.snapshot.shift()!
    if (next instanceof Error) throw next
    return next
  }
  protected get streaming(): boolean {
    return this.open
  }
  protected startStreaming(): void {
    this.open = true
    this.starts++
  }
  protected async pollStream(): Promise<SourceRecord[]> {
    return this.queued.splice(0)
  }
  protected async stopBrokenStream(): Promise<void> {
    this.open = false
    this.stops++
    this.queued = []
  }
  protected fatalStreamError(err: unknown): { message: string; field?: string } {
    return { message: `fake failed: ${(err as Error).message}`, field: 'fake.key' }
  }
}

async function started(): Promise<FakeTask> {
  const task = new FakeTask()
  await task.start({}, { connector: 'c1', taskId: 0, client: null as never, signal: new AbortController().signal, offsetStorageReader: { offset: () => null }, progress: { start() {}, advance() {}, done() {} } })
  return task
}

describe('CdcSourceTask.poll', () => {
  it('hands out the snapshot batches, then opens the stream and hands out its records', async () => {
    const task = await started()
    task.snapshot = [[record(1), record(2)], [record(3)]]
    expect((await task.poll()).map((r) => r.value)).toEqual([1, 2])
    expect(task.starts).toBe(0)
    expect((await task.poll()).map((r) => r.value)).toEqual([3])
    task.queued = [record(4)]
    expect((await task.poll()).map((r) => r.value)).toEqual([4])
    expect(task.starts).toBe(1)
    expect(await task.poll()).toEqual([])
    expect(task.starts).toBe(1)
  })

  it('fails the task when the snapshot fails, naming the connector', async () => {
    const task = await started()
    task.snapshot = [new Error('table gone')]
    const err = await task.poll().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectException)
    expect(err).not.toBeInstanceOf(RetriableException)
    expect((err as Error).message).toBe("Connector 'c1': snapshot failed: table gone")
  })

  it('with initial_only opens no stream after the snapshot', async () => {
    const task = await started()
    task.initialOnly()
    expect(await task.poll()).toEqual([])
    expect(task.starts).toBe(0)
  })

  it('a retriable stream error stops the stream, drops its queue and lets the next poll start a new one', async () => {
    const task = await started()
    task.queued = [record(1)]
    expect(await task.poll()).toHaveLength(1)
    task.queued = [record(2)]
    task.breakStream(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))
    const err = await task.poll().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RetriableException)
    expect((err as Error).message).toBe("Connector 'c1': fake stream broke: connect failed")
    expect(task.stops).toBe(1)
    task.breakStream(new Error('server went away'))
    await expect(task.poll()).rejects.toBeInstanceOf(RetriableException) // by message
    task.queued = [record(3)]
    expect((await task.poll()).map((r) => r.value)).toEqual([3])
    expect(task.starts).toBe(2)
  })

  it('any other stream error fails the task with the config key to blame, and keeps failing it', async () => {
    const task = await started()
    expect(await task.poll()).toEqual([])
    task.breakStream(new Error('bad event'))
    for (let i = 0; i < 2; i++) {
      const err = await task.poll().catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ConnectException)
      expect(err).not.toBeInstanceOf(RetriableException)
      expect(err).toMatchObject({ message: "Connector 'c1': fake failed: bad event", field: 'fake.key' })
    }
    expect(task.starts).toBe(1)
  })
})
