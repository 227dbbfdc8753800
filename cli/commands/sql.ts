// `brook sql` and `brook sql test`: wiring only; the logic is in sql/cli and sql/testing.
import fs from 'node:fs'
import path from 'node:path'
import { Option, type Command } from 'commander'
import { parseIntOption, withClient } from '../context.js'
import { runSqlShell } from '../../sql/cli/shell.js'
import { runTest } from '../../sql/testing/test-runner.js'

export interface SqlTestOptions {
  sqlFile: string
  inputFile?: string
  outputFile: string
}

/** Runs a ksql-test-runner test; returns the exit code and the text to print. */
export async function sqlTest(opts: SqlTestOptions): Promise<{ code: number; text: string }> {
  const result = await runTest({
    statements: fs.readFileSync(opts.sqlFile, 'utf8'),
    input: opts.inputFile === undefined ? null : fs.readFileSync(opts.inputFile, 'utf8'),
    output: fs.readFileSync(opts.outputFile, 'utf8'),
  })
  if (result.passed) return { code: 0, text: '\t >>> Test passed!' }
  return { code: 1, text: `\t >>>>> Test failed:\n${result.failures.join('\n')}` }
}

export function sqlCommands(program: Command, dataDir: () => Option): void {
  const sql = program
    .command('sql')
    .description('ksqlDB-style SQL: an interactive shell, or statements from -e / -f')
    .option('-e, --execute <sql>', 'statements to run')
    .option('-f, --file <path>', 'a script of statements to run')
    .addOption(new Option('--output <format>', 'result format').choices(['table', 'json']).default('table'))
    .addOption(dataDir())
    .option('--bootstrap <servers>', 'connect to a Kafka cluster instead of the embedded log')
    .option('--emit-final-idle-ms <ms>', 'EMIT FINAL windows also close after this much wall-clock idleness', parseIntOption('--emit-final-idle-ms', 0))
    .option('--schema-registry-url <url>', "the AVRO format's schema registry (ksql.schema.registry.url; default: the broker's _schemas topic)")
    .action(async (opts: { execute?: string; file?: string; output: 'table' | 'json'; dataDir: string; bootstrap?: string; emitFinalIdleMs?: number; schemaRegistryUrl?: string }) => {
      const stateDir = opts.bootstrap ? path.resolve('.brook-sql-state') : path.join(opts.dataDir, 'sql-state')
      const code = await withClient(opts, (client) =>
        runSqlShell(client, { ...(opts.execute === undefined ? {} : { execute: opts.execute }), ...(opts.file === undefined ? {} : { file: opts.file }), output: opts.output, stateDir, idleAdvanceMs: opts.emitFinalIdleMs ?? null, ...(opts.schemaRegistryUrl === undefined ? {} : { schemaRegistryUrl: opts.schemaRegistryUrl }) }, (s) => process.stdout.write(s + '\n')),
      )
      if (code !== 0) process.exitCode = code
    })
  sql
    .command('test')
    .description("run a test in ksql-test-runner's file formats: statements, input records, expected output records")
    .requiredOption('--sql-file <path>', 'statements to run')
    .option('--input-file <path>', 'input records ({"inputs": [...]})')
    .requiredOption('--output-file <path>', 'expected output records ({"outputs": [...]})')
    .action(async (opts: SqlTestOptions) => {
      const { code, text } = await sqlTest(opts)
      process.stdout.write(text + '\n')
      if (code !== 0) {
        const err = new Error('test failed') as Error & { code: string; exitCode: number }
        err.code = 'commander.sqlTestFailed'
        err.exitCode = code
        throw err
      }
    })
}
