import { Flags } from '@oclif/core'
import { parsePlatform, type Engine, type PullPolicy } from '@tsrun/core'
import { LayerProgress, pullProgress } from '../render/layer-progress'
import { authFileFlag, tlsVerifyFlag } from './registry-flags'

/** `--pull` and friends for `run` and `create`. */
export const pullFlags = {
  pull: Flags.string({ options: ['missing', 'always', 'never'], default: 'missing', description: 'pull the image first: when missing (default), always, or never' }),
  platform: Flags.string({ description: 'os/arch[/variant] to pull (default: this host)' }),
  'tls-verify': tlsVerifyFlag,
  authfile: authFileFlag,
}

/** Apply the pull policy before create; progress goes to stderr so stdout stays the container's. */
export async function pullIfNeeded(engine: Engine, image: string, flags: { pull: string; platform?: string; 'tls-verify'?: boolean; authfile?: string; quiet?: boolean }): Promise<void> {
  const progress = new LayerProgress(process.stderr)
  try {
    await engine.images.ensure(image, flags.pull as PullPolicy, {
      platform: flags.platform ? parsePlatform(flags.platform) : undefined,
      tlsVerify: flags['tls-verify'],
      authFile: flags.authfile,
      // `-q`: nothing of the pull is shown (errors still are).
      progress: flags.quiet ? undefined : pullProgress(progress),
    })
  } finally {
    progress.done()
  }
}
