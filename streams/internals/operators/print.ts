// KStream.print: each record as "[label]: key, value" (or the mapper's text) on standard output or
// in a file; the branch ends here. A debugging aid, as in Kafka: one write per record.
import fs from 'node:fs'
import type { AnyProcessor } from '../topology-builder.js'

export const kstreamPrint =
  (label: string, filePath: string | null, mapper: ((key: unknown, value: unknown) => string) | null) =>
  (): AnyProcessor => {
    let fd: number | null = null
    const text = mapper ?? ((k: unknown, v: unknown) => `${String(k)}, ${String(v)}`)
    return {
      init() {
        if (filePath !== null) fd = fs.openSync(filePath, 'w')
      },
      process(r) {
        const line = `[${label}]: ${text(r.key, r.value)}\n`
        if (fd !== null) fs.writeSync(fd, line)
        else process.stdout.write(line)
      },
      close() {
        if (fd !== null) fs.closeSync(fd)
        fd = null
      },
    }
  }
