import type { MountSpec } from '../backends/storage'

/** An OCI `mounts` entry, as config.json carries it. */
export type OciMount = MountSpec & { destination: string }

/**
 * One mount of a container, decided at create and kept in its record: the
 * fields of Docker's `inspect` `Mounts` entries, plus the OCI mount the
 * runtime performs (so config.json stays a pure function of the record).
 */
export interface MountPoint {
  Type: 'volume' | 'bind' | 'tmpfs'
  /** The volume's name (volumes only). */
  Name?: string
  /** Host path (a volume's mountpoint, the bind source); empty for tmpfs. */
  Source: string
  Destination: string
  Driver?: string
  /** Docker's mode words as given (`z`, `ro`, `nocopy`, ...). */
  Mode: string
  RW: boolean
  Propagation: string
  /** tsrun: the volume was made for this container; `--rm` / `rm -v` remove it with the container. */
  Anonymous?: boolean
  /** tsrun: the mount as the runtime performs it. */
  oci: OciMount
}
