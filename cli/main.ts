// The brook command line. Thin: each command's logic is a function in cli/commands.
import { pathToFileURL } from 'node:url'
import { Command, Option } from 'commander'
import { BrookError } from '../core/errors.js'
import { topicsCommands } from './commands/topics.js'
import { produceCommand } from './commands/produce.js'
import { consumeCommand } from './commands/consume.js'
import { groupsCommands } from './commands/groups.js'
import { registerBrokerCommand } from './commands/broker.js'
import { sqlCommands } from './commands/sql.js'
import { defaultDataDir } from './context.js'

export function buildProgram(): Command {
  const program = new Command()
    .name('brook')
    .description('Brook: a Kafka-compatible log and stream processing for TypeScript')
    .version('0.1.0')
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(str) })
  const dataDir = (): Option => new Option('--data-dir <dir>', 'data directory of the embedded broker').default(defaultDataDir())
  topicsCommands(program, dataDir)
  produceCommand(program, dataDir)
  consumeCommand(program, dataDir)
  groupsCommands(program, dataDir)
  registerBrokerCommand(program, dataDir)
  sqlCommands(program, dataDir)
  return program
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride()
  try {
    await program.parseAsync(argv)
    return 0
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string }
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : (e.exitCode ?? 1)
    }
    const message = err instanceof BrookError ? `${err.message} [${err.code}]` : err instanceof Error ? err.message : String(err)
    process.stderr.write(`brook: error: ${message}\n`)
    return 1
  }
}

// Run when this file is the entry script (npm run brook); bin/brook.js calls main() itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv).then((code) => {
    process.exitCode = code
  })
}
