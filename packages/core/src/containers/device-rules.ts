import type { DeviceMapping } from './host-options'

/** One entry of OCI `linux.resources.devices` (absent type: all; absent numbers: any). */
export interface DeviceCgroupRule {
  allow: boolean
  type?: 'a' | 'c' | 'b'
  major?: number
  minor?: number
  access: string
}

/** A `--device` node as it will be made in the container. */
export interface MappedNode {
  type: 'c' | 'b'
  major: number
  minor: number
}

const char = (major: number | undefined, minor: number | undefined, access = 'rwm', allow = true): DeviceCgroupRule => ({
  allow,
  type: 'c',
  ...(major === undefined ? {} : { major }),
  ...(minor === undefined ? {} : { minor }),
  access,
})

/**
 * Docker's own default (moby oci/defaults.go): deny everything, then the
 * standard character devices: zero, null, urandom, random, tty, console;
 * /dev/fuse denied by name.
 */
const DOCKER_DEFAULT: DeviceCgroupRule[] = [
  { allow: false, access: 'rwm' },
  char(1, 5), char(1, 3), char(1, 9), char(1, 8), char(5, 0), char(5, 1),
  char(10, 229, 'rwm', false),
]

/**
 * What runc appends to every container's rules (libcontainer/specconv
 * AllowedDevices), so Docker's containers get these too: mknod of any char
 * or block node (the node is useless without read/write access), the
 * standard devices again plus /dev/full, the container's ptys (136:*) and
 * /dev/ptmx (5:2), and /dev/net/tun (10:200), kept by runc for old users.
 */
const RUNC_ALWAYS: DeviceCgroupRule[] = [
  char(undefined, undefined, 'm'), { allow: true, type: 'b', access: 'm' },
  char(1, 3), char(1, 8), char(1, 7), char(5, 0), char(1, 5), char(1, 9),
  char(136, undefined), char(5, 2), char(10, 200),
]

/**
 * The device cgroup rules of a container, in the order Docker and runc
 * produce them: Docker's default, then each `--device` with its
 * permissions, then runc's list. `--privileged`: everything.
 */
export function deviceCgroupRules(privileged: boolean, devices: Array<{ mapping: DeviceMapping; node: MappedNode }>): DeviceCgroupRule[] {
  if (privileged) return [{ allow: true, access: 'rwm' }]
  const mapped = devices.map(({ mapping, node }): DeviceCgroupRule => ({ allow: true, type: node.type, major: node.major, minor: node.minor, access: mapping.CgroupPermissions }))
  return [...DOCKER_DEFAULT, ...mapped, ...RUNC_ALWAYS]
}
