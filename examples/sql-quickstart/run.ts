// npm run example:sql: runs quickstart.sql on the embedded log, waits for the persistent
// queries to catch up, then asks the windowed table with a pull query.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { openEngine } from '../../sql/cli/shell.js'
import { formatResult, formatTable } from '../../sql/cli/output.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-sql-quickstart-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const engine = await openEngine(client, path.join(dir, 'state'), 100)
try {
  const script = fs.readFileSync(path.join(import.meta.dirname, 'quickstart.sql'), 'utf8')
  for (const r of await engine.execute(script)) {
    const out = formatResult(r, 'table')
    if (out !== '') console.log(`${r.statement.split('\n')[0]}\n${out}\n`)
  }
  const pull = "SELECT regionid, views, WINDOWSTART, WINDOWEND FROM pageviews_per_region WHERE regionid = 'region_1';"
  // wait until the join and the aggregation have seen every page view (region_1 has 3 in two windows)
  let rows: readonly (readonly unknown[])[] = []
  for (let i = 0; i < 200; i++) {
    rows = (await engine.execute(pull))[0]!.rows ?? []
    if (rows.reduce((n, r) => n + Number(r[1]), 0) === 3) break
    await new Promise((r) => setTimeout(r, 50))
  }
  console.log(pull)
  console.log(formatTable(['REGIONID', 'VIEWS', 'WINDOWSTART', 'WINDOWEND'], rows))
} finally {
  await engine.close()
  await client.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
