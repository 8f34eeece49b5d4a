import { Flags } from '@oclif/core'
import { ContainerNotFoundError, InvalidArgumentError, type Engine } from '@tsrun/core'

/** podman's `--replace` on run and create. */
export const replaceFlag = {
  replace: Flags.boolean({ description: 'remove (forcibly) a container of the same --name first (podman)' }),
}

/**
 * `--replace`: the container holding `name` goes first, killed if running,
 * as `rm -f` would; its anonymous volumes stay, as podman keeps them. Only
 * a container whose name is exactly `name` counts: a name that is also
 * some id's prefix must not take that container with it. Without --name
 * there is nothing to replace (podman's error too).
 */
export async function replaceNamed(engine: Engine, name: string | undefined): Promise<void> {
  if (!name) throw new InvalidArgumentError('--replace needs --name: it replaces the container of that name')
  let holder
  try {
    holder = engine.containers.store.get(name)
  } catch (err) {
    if (err instanceof ContainerNotFoundError) return
    throw err
  }
  if (holder.name === name) await engine.containers.remove(holder, true)
}
