import type { PluginHost } from '@tsrun/core'
import { register } from './index'

/** oclif `tsrun:register` hook: the CLI fires it once per invocation with its host. */
export default async function registerHook(opts: { host: (origin: string) => PluginHost }): Promise<void> {
  register(opts.host('@tsrun/isolation-oci'))
}
