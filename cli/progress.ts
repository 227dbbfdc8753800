// A running count on a terminal for long work ("Produced 1,200,000 record(s)..."), rewritten in
// place at most every `intervalMs`; nothing at all when the stream is not a terminal (piped).

export interface ProgressSink {
  isTTY?: boolean
  write(text: string): unknown
}

export class Progress {
  private lastAt = 0
  private shown = false

  constructor(
    private readonly sink: ProgressSink,
    private readonly verb: string,
    private readonly noun: string,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 500,
  ) {
    this.lastAt = now()
  }

  static forStderr(verb: string, noun: string): Progress {
    return new Progress(process.stderr, verb, noun)
  }

  update(count: number): void {
    if (!this.sink.isTTY) return
    const t = this.now()
    if (t - this.lastAt < this.intervalMs) return
    this.lastAt = t
    this.sink.write(`\r\x1b[2K${this.verb} ${count.toLocaleString('en-US')} ${this.noun}...`)
    this.shown = true
  }

  /** Erases the line before the final summary. */
  clear(): void {
    if (!this.shown) return
    this.sink.write('\r\x1b[2K')
    this.shown = false
  }
}
