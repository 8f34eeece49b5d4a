import { Tokens, type EngineConfig, type PluginHost } from '@tsrun/core'
import { DockerArchiveSource } from './docker-archive-source'
import { DockerSource } from './docker-source'
import { OciLayoutSource } from './oci-layout-source'

export { DockerArchiveSource, DockerSource, OciLayoutSource }

/** Register `image-source:docker`, `:oci`, `:oci-archive` and `:docker-archive`. */
export function register(host: PluginHost): void {
  const config = (c: { resolve<T>(token: string): T }) => c.resolve<EngineConfig>(Tokens.Config)
  const root = (c: { resolve<T>(token: string): T }) => config(c).root
  host.registerBackend('image-source', 'docker', (c) => new DockerSource(config(c)))
  host.registerBackend('image-source', 'oci', (c) => new OciLayoutSource('oci', root(c)))
  host.registerBackend('image-source', 'oci-archive', (c) => new OciLayoutSource('oci-archive', root(c)))
  host.registerBackend('image-source', 'docker-archive', (c) => new DockerArchiveSource(root(c)))
}
