// The interactive shell (`brook sql` without -e / -f) driven through stdin as a user types: statements
// over several lines, `;` ending them, several on one line, errors shown without leaving, exit / quit.
// Each line is typed once the shell has answered the previous one (no fixed sleeps).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tmpDir } from '../helpers/tmp.js'

const root = path.resolve(import.meta.dirname, '../..')

class Shell {
  readonly proc: ChildProcessWithoutNullStreams
  out = ''
  err = ''
  private waiters: Array<() => void> = []
  readonly exited: Promise<number | null>

  constructor(dataDir: string) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), 'sql', '--data-dir', dataDir], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    this.proc.stdout.on('data', (b: Buffer) => this.feed('out', b))
    this.proc.stderr.on('data', (b: Buffer) => this.feed('err', b))
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)))
  }

  private feed(which: 'out' | 'err', b: Buffer): void {
    this[which] += b.toString('utf8')
    for (const w of this.waiters.splice(0)) w()
  }

  /** Waits until stdout after `from` matches; returns the offset after the match. */
  async expectOut(re: RegExp, from: number, timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = re.exec(this.out.slice(from))
      if (m !== null) return from + m.index + m[0].length
      if (this.proc.exitCode !== null) throw new Error(`shell exited (${this.proc.exitCode}) before ${re}; stdout:\n${this.out}\nstderr:\n${this.err}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no ${re} in stdout:\n${this.out.slice(from)}\nstderr:\n${this.err}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  type(line: string): void {
    this.proc.stdin.write(line + '\n')
  }
}

let shell: Shell | null = null
afterEach(() => {
  if (shell !== null && shell.proc.exitCode === null) shell.proc.kill()
  shell = null
})

describe('brook sql interactive shell', () => {
  it('runs statements typed over several lines, shows errors and goes on, ends on exit', async () => {
    shell = new Shell(tmpDir())
    const s = shell
    let at = await s.expectOut(/brook> /, 0)
    // a statement over three lines: continuation prompts until the `;`
    s.type('CREATE STREAM s (id INT KEY,')
    at = await s.expectOut(/ {4}> /, at)
    s.type("  v STRING)")
    at = await s.expectOut(/ {4}> /, at)
    s.type("  WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);")
    at = await s.expectOut(/Stream created[\s\S]*brook> /, at)
    // an error is shown with its position, and the shell carries on
    s.type('SELECT nope FROM s EMIT CHANGES;')
    at = await s.expectOut(/line 1:8: Column 'NOPE' cannot be resolved\. Available columns: S\.ID, S\.V[\s\S]*brook> /, at)
    s.type('SELEC id FROM s;')
    at = await s.expectOut(/line 1:1: [^\n]*SELEC[\s\S]*brook> /, at)
    // two statements on one line; a push query that ends at its LIMIT
    s.type("SET 'auto.offset.reset'='earliest'; INSERT INTO s (id, v) VALUES (7, 'seven');")
    at = await s.expectOut(/Successfully changed local property 'auto\.offset\.reset' to 'earliest'[\s\S]*brook> /, at)
    s.type('SELECT id, v FROM s EMIT CHANGES LIMIT 1;')
    at = await s.expectOut(/\|\s*7\s*\|\s*seven\s*\|[\s\S]*brook> /, at)
    s.type('SHOW STREAMS;')
    at = await s.expectOut(/\|\s*S\s*\|\s*s\s*\|\s*KAFKA\s*\|\s*JSON\s*\|[\s\S]*brook> /, at)
    // a blank line changes nothing; exit needs no semicolon
    s.type('')
    await s.expectOut(/brook> /, at)
    s.type('exit')
    expect(await s.exited).toBe(0)
    expect(s.err).toBe('')
  }, 90_000)

  it('ends on quit; and at the end of input, keeping what was created for the next session', async () => {
    const dir = tmpDir()
    shell = new Shell(dir)
    let s = shell
    let at = await s.expectOut(/brook> /, 0)
    s.type("CREATE STREAM kept (id INT KEY, v STRING) WITH (KAFKA_TOPIC='kept', VALUE_FORMAT='JSON', PARTITIONS=1); quit;")
    expect(await s.exited).toBe(0)
    expect(s.out).toContain('Stream created')
    shell = new Shell(dir)
    s = shell
    at = await s.expectOut(/brook> /, 0)
    s.type('SHOW STREAMS;')
    await s.expectOut(/\|\s*KEPT\s*\|/, at)
    s.proc.stdin.end()
    expect(await s.exited).toBe(0)
  }, 90_000)
})
