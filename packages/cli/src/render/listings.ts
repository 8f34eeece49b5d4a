/**
 * Each listing's shape as docker/cli's formatter gives it (cli/command/
 * formatter/*.go): the type named in template errors, the header of every
 * field a `table` format can use, and the default columns.
 */
import type { Listing } from './output'

export const CONTAINERS: Listing = {
  type: '*formatter.ContainerContext',
  headers: {
    ID: 'CONTAINER ID',
    Names: 'NAMES',
    Image: 'IMAGE',
    Command: 'COMMAND',
    CreatedAt: 'CREATED AT',
    RunningFor: 'CREATED',
    Ports: 'PORTS',
    State: 'STATE',
    Status: 'STATUS',
    Size: 'SIZE',
    Labels: 'LABELS',
    Mounts: 'MOUNTS',
    LocalVolumes: 'LOCAL VOLUMES',
    Networks: 'NETWORKS',
  },
  columns: ['ID', 'Image', 'Command', 'RunningFor', 'Status', 'Ports', 'Names'],
}

const IMAGE_HEADERS = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
}

export const IMAGES: Listing = { type: '*formatter.imageContext', headers: IMAGE_HEADERS, columns: ['Repository', 'Tag', 'ID', 'CreatedSince', 'Size'] }

/** `images --digests`. */
export const IMAGES_WITH_DIGESTS: Listing = { ...IMAGES, columns: ['Repository', 'Tag', 'Digest', 'ID', 'CreatedSince', 'Size'] }

export const VOLUMES: Listing = {
  type: '*formatter.volumeContext',
  headers: {
    Name: 'VOLUME NAME',
    Group: 'GROUP',
    Driver: 'DRIVER',
    Scope: 'SCOPE',
    Availability: 'AVAILABILITY',
    Mountpoint: 'MOUNTPOINT',
    Labels: 'LABELS',
    Links: 'LINKS',
    Size: 'SIZE',
    Status: 'STATUS',
  },
  columns: ['Driver', 'Name'],
}

export const HISTORY: Listing = {
  type: '*formatter.historyContext',
  headers: { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' },
  columns: ['ID', 'CreatedSince', 'CreatedBy', 'Size', 'Comment'],
}

const DISK_USAGE_TYPES = ['*formatter.diskUsageImagesContext', '*formatter.diskUsageContainersContext', '*formatter.diskUsageVolumesContext']

export const DISK_USAGE: Listing = {
  type: (row) => DISK_USAGE_TYPES[row] ?? '*formatter.diskUsageContext',
  headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
  columns: ['Type', 'TotalCount', 'Active', 'Size', 'Reclaimable'],
}

export const STATS: Listing = {
  type: '*container.statsContext',
  headers: {
    Container: 'CONTAINER',
    Name: 'NAME',
    ID: 'CONTAINER ID',
    CPUPerc: 'CPU %',
    MemUsage: 'MEM USAGE / LIMIT',
    MemPerc: 'MEM %',
    NetIO: 'NET I/O',
    BlockIO: 'BLOCK I/O',
    PIDs: 'PIDS',
  },
  columns: ['ID', 'Name', 'CPUPerc', 'MemUsage', 'MemPerc', 'NetIO', 'BlockIO', 'PIDs'],
}

/** `network ls` (docker/cli's networkContext). */
export const NETWORKS: Listing = {
  type: '*formatter.networkContext',
  headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' },
  columns: ['ID', 'Name', 'Driver', 'Scope'],
}
