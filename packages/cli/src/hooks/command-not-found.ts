import type { Hook } from '@oclif/core'
import { nearest } from '../parsing/suggest'

/**
 * oclif's `command_not_found` hook: an unknown command is one line in
 * Docker's words (`docker: 'psx' is not a docker command.`) with the nearest
 * command or topic as a suggestion, and exit 125, as for any other usage
 * error of tsrun's own.
 *
 * oclif also lands here for a command that takes no arguments but got some
 * (it reads `ps extra` as the command `ps extra`): that is Docker's
 * `"docker ps" accepts no arguments.` and the usage line.
 */
const hook: Hook<'command_not_found'> = async function (opts) {
  const bin = opts.config.bin
  const words = opts.id.split(':')
  for (let n = words.length - 1; n > 0; n--) {
    const cmd = opts.config.findCommand(words.slice(0, n).join(':'))
    if (!cmd) continue
    const shown = `${bin} ${words.slice(0, n).join(' ')}`
    const extra = [...words.slice(n), ...(opts.argv ?? [])].filter((a) => !a.startsWith('-'))
    const usage = typeof cmd.usage === 'string' ? cmd.usage : '[OPTIONS]'
    process.stderr.write(`Error: "${shown}" accepts no arguments; unexpected ${extra.map((a) => JSON.stringify(a)).join(' ')}\nUsage: ${shown} ${usage}\n`)
    process.exitCode = 125
    this.exit(125)
  }
  const typed = words.join(' ')
  const candidates = new Set<string>()
  for (const id of opts.config.commandIDs) {
    candidates.add(id.replace(/:/g, ' '))
    if (id.includes(':')) candidates.add(id.split(':')[0])
  }
  const guess = nearest(typed, candidates)
  const parent = words.length > 1 && candidates.has(words[0]) ? `${bin} ${words[0]}` : bin
  process.stderr.write(`${bin}: '${typed}' is not a ${bin} command${guess ? `; did you mean '${guess}'?` : '.'} See '${parent} --help'.\n`)
  process.exitCode = 125
  this.exit(125)
}

export default hook
