// Where a sent record's outcome goes: one sink per send(), one shared by a whole
// sendBatch() (so a batch of N records costs one promise, not N). Both producers use these.
import type { RecordMetadata } from './types.js'

export interface Sink {
  done(index: number, m: RecordMetadata): void
  fail(e: Error): void
}

export class SingleSink implements Sink {
  constructor(
    readonly done: (index: number, m: RecordMetadata) => void,
    readonly fail: (e: Error) => void,
  ) {}
}

export class BatchSink implements Sink {
  private left: number
  private failed = false
  readonly out: RecordMetadata[]
  constructor(
    count: number,
    private readonly resolve: (m: RecordMetadata[]) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.left = count
    this.out = new Array<RecordMetadata>(count)
  }
  done(index: number, m: RecordMetadata): void {
    this.out[index] = m
    if (--this.left === 0) this.resolve(this.out)
  }
  fail(e: Error): void {
    if (this.failed) return
    this.failed = true
    this.reject(e)
  }
}
