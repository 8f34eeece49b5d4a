import { Args, Flags } from '@oclif/core'
import { EngineCommand } from '../engine-command'

/** `docker commit`: a new image from a container's changes. */
export default class Commit extends EngineCommand {
  static override summary = "Create a new image from a container's changes"
  static override aliases = ['container:commit']
  static override description = [
    "The container's image with one more layer: what the container added, changed and deleted (deletions as OCI whiteouts). The new image runs with the container's config (its environment, command, working directory, user, labels) and the --change instructions on top, and its history gains one entry with the container's command, the author and the message. Prints the new image's id.",
    'A running container is paused while its changes are read (--pause=false to leave it running, as Docker). Without REPO[:TAG] the image has no name (`images` shows <none>).',
    '--change takes the Dockerfile instructions CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR.',
  ].join('\n\n')
  static override examples = [
    '<%= config.bin %> commit web web:snapshot',
    '<%= config.bin %> commit -a "Jo <jo@example.com>" -m "add the config" -c "ENV MODE=prod" -c \'CMD ["serve"]\' web registry.local/web:2',
  ]
  static override args = {
    container: Args.string({ required: true, description: 'container name or id' }),
    reference: Args.string({ description: 'REPO[:TAG] for the new image' }),
  }
  static override flags = {
    author: Flags.string({ char: 'a', description: 'author (e.g., "Jo Doe <jo@example.com>")' }),
    message: Flags.string({ char: 'm', description: 'commit message' }),
    change: Flags.string({ char: 'c', multiple: true, multipleNonGreedy: true, description: 'apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR)' }),
    pause: Flags.boolean({ char: 'p', default: true, allowNo: true, description: 'pause the container while committing' }),
  }

  async run(): Promise<void> {
    const { flags, args } = await this.parse(Commit)
    const engine = await this.openEngine(flags)
    const image = await engine.filesystem.commit(args.container, {
      author: flags.author,
      message: flags.message,
      changes: flags.change ?? [],
      pause: flags.pause,
      reference: args.reference,
    })
    this.log(image.id)
  }
}
