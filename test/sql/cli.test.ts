// brook sql and brook sql test as processes: exit codes and output.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tmpDir } from '../helpers/tmp.js'

const root = path.resolve(import.meta.dirname, '../..')
const cases = path.join(root, 'test/sql/cases')

function brook(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), ...args], { encoding: 'utf8', cwd: root, timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('brook sql', () => {
  it('sql test exits 0 on a match and 1 with a readable difference', () => {
    const c = path.join(cases, 'ctas-count-sum')
    const ok = brook(['sql', 'test', '--sql-file', `${c}/statements.sql`, '--input-file', `${c}/input.json`, '--output-file', `${c}/output.json`])
    expect(ok.stdout).toContain('Test passed')
    expect(ok.code).toBe(0)
    const dir = tmpDir()
    fs.writeFileSync(`${dir}/out.json`, fs.readFileSync(`${c}/output.json`, 'utf8').replace('"TOTAL": 12', '"TOTAL": 13'))
    const bad = brook(['sql', 'test', '--sql-file', `${c}/statements.sql`, '--input-file', `${c}/input.json`, '--output-file', `${dir}/out.json`])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain("Topic 'BY_PAGE', record 1: value differs")
    expect(bad.stdout).toContain('"TOTAL":13')
  })

  it('runs -e statements with --output json and reports a rejected statement with its position', () => {
    const dir = tmpDir()
    const r = brook(['sql', '--data-dir', dir, '--output', 'json', '-e', "CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); SHOW STREAMS;"])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0]).toMatchObject({ message: 'Stream created' })
    expect(lines[1]).toEqual({ 'Stream Name': 'KSQL_PROCESSING_LOG', 'Kafka Topic': 'default_ksql_processing_log', 'Key Format': 'NONE', 'Value Format': 'JSON', Windowed: false })
    expect(lines[2]).toEqual({ 'Stream Name': 'S', 'Kafka Topic': 's', 'Key Format': 'KAFKA', 'Value Format': 'JSON', Windowed: false })
    const bad = brook(['sql', '--data-dir', dir, '-e', 'SELECT nope FROM s EMIT CHANGES;'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("line 1:8: Column 'NOPE' cannot be resolved. Available columns: S.ID, S.V")
  })
})
