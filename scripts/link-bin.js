// Links this checkout's `brook` command into its own node_modules/.bin (run by `npm install`
// through the prepare script), so `npx brook` in the checkout runs it at once: without the
// link npx resolves the name `brook` to a package and installs a copy of the checkout first.
/* global process, console */
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const binDir = path.join(root, 'node_modules', '.bin')
if (fs.existsSync(path.join(root, 'node_modules'))) {
  fs.mkdirSync(binDir, { recursive: true })
  const link = path.join(binDir, 'brook')
  fs.rmSync(link, { force: true })
  fs.symlinkSync(path.relative(binDir, path.join(root, 'bin', 'brook.js')), link)
  fs.chmodSync(path.join(root, 'bin', 'brook.js'), 0o755)
} else {
  console.log('link-bin: no node_modules here (installed as a package); nothing to link')
  process.exitCode = 0
}
