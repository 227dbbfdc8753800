// The brook command line. Thin: each command's logic is a function in cli/commands.
import { pathToFileURL } from 'node:url'
import { Command, CommanderError, Option } from 'commander'
import { BrookError } from '../core/errors.js'
import { SchemaRegistryException } from '../registry/errors.js'
import { topicsCommands } from './commands/topics.js'
import { produceCommand } from './commands/produce.js'
import { consumeCommand } from './commands/consume.js'
import { groupsCommands } from './commands/groups.js'
import { registerBrokerCommand } from './commands/broker.js'
import { connectCommands } from './commands/connect.js'
import { sqlCommands } from './commands/sql.js'
import { registryCommands } from './commands/registry.js'
import { CliError, collect, connectionOptions, defaultDataDir, parseIntOption, type ConnectionOptions } from './context.js'

const CONNECTION_KEYS = ['dataDir', 'bootstrap', 'connectTimeout', 'brokerConfig'] as const

export const VERSION = '0.1.0'

export function buildProgram(): Command {
  const program = new Command()
    .name('brook')
    .description('Brook: a Kafka-compatible log and stream processing for TypeScript')
    .version(VERSION)
    .showHelpAfterError(false)
    .configureOutput({ outputError: (str, write) => write(`brook: ${str.trimEnd()}\n`) })
    // Accepted before the subcommand too (brook --data-dir d topics list); the subcommand's own wins.
    .option('--data-dir <dir>', 'data directory of the embedded broker (default ./.brook-data or $BROOK_DATA_DIR)')
    .option('--bootstrap <host:port>', 'a running broker instead of the data directory')
    .option('--connect-timeout <ms>', 'with --bootstrap: give up connecting after this long (default 5000)', parseIntOption('--connect-timeout', 1))
    .option('--broker-config <key=value>', 'embedded broker config: auto.create.topics.enable, num.partitions (repeatable)', collect)
  const dataDir = (): Option => new Option('--data-dir <dir>', 'data directory of the embedded broker').default(defaultDataDir())
  topicsCommands(program, dataDir)
  produceCommand(program, dataDir)
  consumeCommand(program, dataDir)
  groupsCommands(program, dataDir)
  registerBrokerCommand(program, dataDir)
  connectCommands(program, dataDir)
  sqlCommands(program, dataDir)
  registryCommands(program, dataDir)
  // A command group with no subcommand (`brook`, `brook topics`) prints its help on stdout and
  // succeeds: asking what there is is not an error. An unknown subcommand is one.
  const helpWhenBare = (cmd: Command): void => {
    if (cmd.commands.length === 0) return
    // A group that does something itself (`brook sql` runs the shell) keeps its own action.
    const own = (cmd as unknown as { _actionHandler?: unknown })._actionHandler
    if (own) {
      for (const sub of cmd.commands) helpWhenBare(sub)
      return
    }
    cmd.action(() => {
      if (cmd.args.length > 0) throw new CliError(`unknown command '${cmd.args[0]}' for '${commandPath(cmd)}' (see ${commandPath(cmd)} --help)`, 'command')
      process.stdout.write(cmd.helpInformation())
    })
    cmd.allowExcessArguments(true)
    for (const sub of cmd.commands) helpWhenBare(sub)
  }
  helpWhenBare(program)
  // Connection options given before the subcommand (commander parses them at the root) reach
  // every subcommand that takes them, unless the subcommand was given its own.
  program.hook('preAction', (_root, action) => {
    const merged = connectionOptions(action, action.opts() as ConnectionOptions)
    for (const key of CONNECTION_KEYS) {
      if (action.options.some((o) => o.attributeName() === key) && merged[key] !== undefined && action.getOptionValueSource(key) !== 'cli') {
        action.setOptionValueWithSource(key, merged[key], 'cli')
      }
    }
  })
  return program
}

function commandPath(cmd: Command): string {
  const names: string[] = []
  for (let c: Command | null = cmd; c !== null; c = c.parent) names.unshift(c.name())
  return names.join(' ')
}

/** Runs the CLI; returns the exit code (0, 1 on an error, 130 after an interrupted produce). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride()
  for (const c of program.commands) exitOverrideAll(c)
  try {
    await program.parseAsync(argv)
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : err.exitCode || 1
    }
    const message =
      err instanceof BrookError ? `${err.message} [${err.code}]`
      : err instanceof SchemaRegistryException ? `${err.message} [${err.errorCode} ${err.code}]`
      : err instanceof Error ? err.message
      : String(err)
    process.stderr.write(`brook: error: ${message}\n`)
    return 1
  }
}

function exitOverrideAll(cmd: Command): void {
  cmd.exitOverride()
  for (const c of cmd.commands) exitOverrideAll(c)
}

// Run when this file is the entry script (npm run brook); bin/brook.js calls main() itself.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv).then((code) => {
    process.exitCode = code
  })
}
