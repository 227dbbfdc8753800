// Heavy tests run in the serial `e2e` vitest project (vitest.config.ts): test/compat/** and
// any *.e2e.test.ts. A test file that starts child processes belongs there, so it never
// competes with the timing-sensitive unit tests running in parallel.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import config from '../../vitest.config.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

function testFiles(dir: string): string[] {
  const out: string[] = []
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...testFiles(p))
    else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p))
  }
  return out
}

const isE2e = (file: string): boolean => file.startsWith('test/compat/') || file.endsWith('.e2e.test.ts')

describe('test layout', () => {
  it('puts every test file that starts processes in the e2e project', () => {
    const spawning = testFiles(path.join(root, 'test')).filter((f) => /\bspawn\(|\bexecFile\(|\bfork\(/.test(fs.readFileSync(path.join(root, f), 'utf8')))
    expect(spawning.length).toBeGreaterThan(0)
    expect(spawning.filter((f) => !isE2e(f))).toEqual([])
  })

  it('runs unit in parallel and e2e one file at a time, each file in exactly one project', () => {
    const projects = (config.test?.projects ?? []) as Array<{ test: { name: string; include: string[]; exclude?: string[]; poolOptions?: { forks?: { singleFork?: boolean } } } }>
    const byName = new Map(projects.map((p) => [p.test.name, p.test]))
    expect([...byName.keys()].sort()).toEqual(['e2e', 'unit'])
    expect(byName.get('e2e')!.poolOptions?.forks?.singleFork).toBe(true)
    expect(byName.get('unit')!.exclude).toEqual(byName.get('e2e')!.include)
  })
})
