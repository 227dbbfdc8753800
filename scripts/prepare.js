// npm's prepare step: builds dist/ with tsc when a source is newer than the last build, then
// links the brook command into node_modules/.bin. npx runs prepare each time it meets a new
// checkout (`npx brook` inside the checkout installs the checkout itself into npx's cache), so
// an up-to-date build must cost nothing here.
/* global process, console */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const stamp = path.join(root, 'dist', '.build-stamp')
const sources = ['core', 'cli', 'streams', 'sql', 'connectors', 'registry']
const configs = ['tsconfig.json', 'tsconfig.build.json', 'package.json']

function newestSource() {
  let newest = 0
  const visit = (dir) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) visit(p)
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs)
    }
  }
  for (const s of sources) visit(path.join(root, s))
  for (const c of configs) newest = Math.max(newest, fs.statSync(path.join(root, c)).mtimeMs)
  return newest
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0
if (built <= newestSource()) {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`)
}

// Link bin/brook.js as node_modules/.bin/brook (npm links the bins of dependencies, not the
// package's own), so plain `brook` scripts and `npx brook` find it in the checkout.
const binDir = path.join(root, 'node_modules', '.bin')
if (fs.existsSync(path.join(root, 'node_modules'))) {
  fs.mkdirSync(binDir, { recursive: true })
  const link = path.join(binDir, 'brook')
  fs.rmSync(link, { force: true })
  fs.symlinkSync(path.relative(binDir, path.join(root, 'bin', 'brook.js')), link)
} else {
  console.log('prepare: no node_modules here; nothing to link')
}
