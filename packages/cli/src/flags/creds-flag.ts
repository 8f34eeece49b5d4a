import { Flags } from '@oclif/core'
import { InvalidArgumentError, type Credentials } from '@tsrun/core'
import { prompt } from '../render/prompt'

/** podman's `--creds USER[:PASSWORD]` for one registry call. */
export const credsFlag = {
  creds: Flags.string({ description: 'USER[:PASSWORD] for the registry, instead of what tsrun login saved (the password is asked for when left out) (podman)' }),
}

/**
 * The credentials `--creds` gives: the password is everything after the
 * first colon (passwords may hold colons), or asked for on the terminal
 * when there is none, as podman does. An empty user name is refused.
 */
export async function credentialsFrom(creds: string | undefined): Promise<Credentials | undefined> {
  if (creds === undefined) return undefined
  const colon = creds.indexOf(':')
  const username = colon < 0 ? creds : creds.slice(0, colon)
  if (!username) throw new InvalidArgumentError(`invalid --creds "${creds}": the user name is empty (use USER[:PASSWORD])`)
  const password = colon < 0 ? await prompt('Password: ', { secret: true, instead: '--creds USER:PASSWORD' }) : creds.slice(colon + 1)
  return { username, password }
}
