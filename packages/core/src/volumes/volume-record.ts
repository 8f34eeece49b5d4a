/**
 * What the engine keeps about one volume, in `<root>/volumes/<name>/volume.json`
 * (written last when creating, removed first when removing). The driver's
 * bytes live next to it, in the same directory.
 */
export interface VolumeRecord {
  name: string
  driver: string
  /** `-o` options as given (already validated by the driver). */
  options: Record<string, string>
  labels: Record<string, string>
  /** Where the data is on the host (`Mountpoint` in `volume inspect`). */
  mountpoint: string
  createdAt: string
  /** Made for one container (`-v /data`, an image VOLUME): `--rm` and `rm -v` remove it with that container. */
  anonymous: boolean
  /**
   * The container whose `create` made this volume, until that container is
   * removed (from then on the volume is the user's, to keep or prune). A
   * volume whose container has no record and no live create was made by a
   * create that was killed: the next holder of the volumes lock removes it.
   */
  createdFor?: string
}

/** Docker's volume name rule: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
