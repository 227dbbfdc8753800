// Errors raised by Brook Streams: topology mistakes found while building or
// starting, and failures while processing records.
import { BrookError, type BrookErrorOptions } from '../core/errors.js'

/** A topology that cannot run: bad wiring, missing serdes, unknown stores, co-partitioning. */
export class TopologyException extends BrookError<'INVALID_TOPOLOGY'> {
  constructor(message: string) {
    super('INVALID_TOPOLOGY', `Invalid topology: ${message}`)
    this.name = 'TopologyException'
  }
}

/** A failure while processing: deserialization with logAndFail, a processor throwing, a closed store. */
export class StreamsException extends BrookError<'STREAMS_ERROR'> {
  constructor(message: string, options: BrookErrorOptions = {}) {
    super('STREAMS_ERROR', message, options)
    this.name = 'StreamsException'
  }
}

/** A processor threw: names the task, the processor and the record being processed. */
export class ProcessorException extends StreamsException {
  constructor(
    readonly taskId: string,
    readonly processor: string,
    where: string,
    cause: unknown,
  ) {
    super(`Exception caught in process. taskId=${taskId}, processor=${processor}, ${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'ProcessorException'
  }
}
