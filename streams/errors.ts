// Errors raised by Brook Streams: topology mistakes found while building or
// starting, and failures while processing records.
import { BrookError } from '../core/errors.js'

/** A topology that cannot run: bad wiring, missing serdes, unknown stores, co-partitioning. */
export class TopologyException extends BrookError {
  constructor(message: string) {
    super('INVALID_TOPOLOGY', `Invalid topology: ${message}`)
    this.name = 'TopologyException'
  }
}

/** A failure while processing: deserialization with logAndFail, a processor throwing, a closed store. */
export class StreamsException extends BrookError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('STREAMS_ERROR', message, options)
    this.name = 'StreamsException'
  }
}
