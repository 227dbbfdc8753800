// FileStreamSinkConnector (Kafka's name): one line per record, the value's text (strings as
// they are, structs and other values as JSON); stdout when `file` is empty. flush() fsyncs.
import fs from 'node:fs'
import type { SinkConnector, SinkTask, SinkTaskContext, TaskConfig } from '../api/connector.js'
import { ConfigDef } from '../api/config-def.js'
import type { SinkRecord } from '../api/record.js'

export function fileSinkConfigDef(): ConfigDef {
  return new ConfigDef().define('file', 'STRING', '', 'HIGH', 'Destination file; standard output when empty.')
}

export class FileStreamSinkConnector implements SinkConnector {
  readonly kind = 'sink'
  private props: Record<string, string> = {}
  version(): string {
    return '0.1.0'
  }
  config(): ConfigDef {
    return fileSinkConfigDef()
  }
  async start(props: Record<string, string>): Promise<void> {
    this.props = props
  }
  taskConfigs(_maxTasks: number): TaskConfig[] {
    return [{ ...this.props }] // one file, one writer
  }
  createTask(): SinkTask {
    return new FileStreamSinkTask()
  }
  async stop(): Promise<void> {}
}

export class FileStreamSinkTask implements SinkTask {
  private fd: number | null = null
  async start(props: TaskConfig, _context: SinkTaskContext): Promise<void> {
    const file = props.file ?? ''
    this.fd = file === '' ? null : fs.openSync(file, 'a')
  }
  async put(records: SinkRecord[]): Promise<void> {
    let out = ''
    for (const r of records) {
      const v = r.value
      out += (typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : JSON.stringify(v, base64Bytes)) + '\n'
    }
    if (this.fd === null) process.stdout.write(out)
    else fs.writeSync(this.fd, out)
  }
  async flush(): Promise<void> {
    if (this.fd !== null) fs.fsyncSync(this.fd)
  }
  async stop(): Promise<void> {
    if (this.fd !== null) fs.closeSync(this.fd)
    this.fd = null
  }
}

/** JSON.stringify replacer: bytes as base64. The holder's own value is looked at, since a Buffer reaches a replacer already turned into {type, data} by its toJSON. */
function base64Bytes(this: unknown, key: string, value: unknown): unknown {
  const own = (this as Record<string, unknown>)[key]
  return Buffer.isBuffer(own) ? own.toString('base64') : value
}
