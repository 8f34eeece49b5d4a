import { Args } from '@oclif/core'
import { EngineCommand } from '../engine-command'
import { completionScript, SHELLS, type Shell } from '../completion/scripts'

/**
 * Docker's `completion SHELL`: print the script that makes SHELL complete
 * tsrun's commands, flags and flag values, and the names of the
 * containers, images and volumes there are now.
 */
export default class Completion extends EngineCommand {
  static override summary = 'Print the shell completion script for bash, zsh or fish'
  static override description =
    'Completes commands, flags, fixed flag values and, from the store, container names (running ones for stop, stopped ones for start), image names and volume names; file names elsewhere. The script runs `tsrun __complete` on each TAB.'
  static override examples = [
    'source <(<%= config.bin %> completion bash)',
    '<%= config.bin %> completion bash > /etc/bash_completion.d/tsrun',
    'source <(<%= config.bin %> completion zsh)',
    '<%= config.bin %> completion fish > ~/.config/fish/completions/tsrun.fish',
  ]
  static override args = { shell: Args.string({ required: true, options: [...SHELLS], description: 'bash, zsh or fish' }) }

  async run(): Promise<void> {
    const { args } = await this.parse(Completion)
    process.stdout.write(completionScript(args.shell as Shell))
  }
}
