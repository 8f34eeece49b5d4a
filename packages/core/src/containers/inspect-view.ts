import * as path from 'node:path'
import type { ContainerView } from './container-service'
import { containerNetworks } from './container-networks'
import type { ContainerRecord } from './record'

/**
 * Docker's `docker inspect` shape for a container (Engine API v1.52's
 * container.InspectResponse, under its field names), from its record and
 * runtime state. Where tsrun has nothing to put, Docker's empty value is
 * there (`PortBindings: {}`, `Binds: null`) so templates that read it work;
 * what Docker omits when empty (`State.Health` without a healthcheck,
 * `HostConfig.Tmpfs` without `--tmpfs`, `Config.StopSignal`) is omitted.
 * `sizes` (inspect -s) adds SizeRw and SizeRootFs.
 */
export function inspectView(view: ContainerView, logPath: string, sizes?: { rw: number; rootFs: number }): Record<string, unknown> {
  const { record: r, state: s } = view
  const zero = '0001-01-01T00:00:00Z'
  const dir = path.dirname(logPath)
  const tmpfs = r.hostConfig.Tmpfs ?? {}
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: {
      Status: s.paused ? 'paused' : s.restarting ? 'restarting' : s.status,
      Running: s.status === 'running',
      Paused: Boolean(s.paused),
      Restarting: Boolean(s.restarting),
      OOMKilled: s.oomKilled ?? false,
      Dead: false,
      Pid: s.status === 'running' && !s.restarting ? s.pid ?? 0 : 0,
      ExitCode: s.exitCode ?? 0,
      Error: s.error ?? '',
      StartedAt: s.startedAt ?? zero,
      FinishedAt: s.finishedAt ?? zero,
    },
    Image: r.imageId,
    ResolvConfPath: path.join(dir, 'resolv.conf'),
    HostnamePath: path.join(dir, 'hostname'),
    HostsPath: path.join(dir, 'hosts'),
    LogPath: logPath,
    Name: `/${r.name}`,
    RestartCount: s.restartCount ?? 0,
    Driver: r.hostConfig.StorageDriver,
    Platform: 'linux',
    HostConfig: {
      Binds: r.hostConfig.Binds ?? null,
      NetworkMode: r.hostConfig.NetworkMode,
      // No port is published until networking publishes them: Docker's empty map.
      PortBindings: {},
      VolumesFrom: r.hostConfig.VolumesFrom ?? null,
      AutoRemove: r.hostConfig.AutoRemove,
      Isolation: r.hostConfig.Isolation,
      Init: r.hostConfig.Init ?? false,
      Memory: r.hostConfig.Memory ?? 0,
      MemorySwap: r.hostConfig.MemorySwap ?? 0,
      NanoCpus: r.hostConfig.NanoCpus ?? 0,
      CpuShares: r.hostConfig.CpuShares ?? 0,
      CpusetCpus: r.hostConfig.CpusetCpus ?? '',
      PidsLimit: r.hostConfig.PidsLimit ?? 0,
      CapAdd: r.hostConfig.CapAdd ?? null,
      CapDrop: r.hostConfig.CapDrop ?? null,
      Privileged: r.hostConfig.Privileged ?? false,
      ReadonlyRootfs: r.hostConfig.ReadonlyRootfs ?? false,
      SecurityOpt: r.hostConfig.SecurityOpt ?? null,
      ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
      Ulimits: r.hostConfig.Ulimits ?? null,
      Sysctls: r.hostConfig.Sysctls ?? {},
      Devices: r.hostConfig.Devices ?? [],
      RestartPolicy: r.hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
      LogConfig: r.hostConfig.LogConfig ?? { Type: 'json-file', Config: {} },
    },
    GraphDriver: { Name: r.hostConfig.StorageDriver, Data: { RootfsPath: r.rootfs.path } },
    ...(sizes ? { SizeRw: sizes.rw, SizeRootFs: sizes.rootFs } : {}),
    // `--tmpfs` mounts are HostConfig.Tmpfs in Docker, not mount points.
    Mounts: (r.mounts ?? []).filter((m) => !(m.Type === 'tmpfs' && Object.hasOwn(tmpfs, m.Destination))).map(({ oci: _oci, Anonymous: _anonymous, ...shown }) => shown),
    Config: {
      Hostname: r.config.Hostname,
      Domainname: '',
      User: r.config.User,
      Tty: r.config.Tty,
      OpenStdin: r.config.OpenStdin,
      Env: r.config.Env,
      Cmd: r.config.Cmd,
      Image: r.config.Image,
      Volumes: r.config.Volumes ?? null,
      WorkingDir: r.config.WorkingDir,
      Entrypoint: r.config.Entrypoint,
      Labels: r.config.Labels ?? {},
      StopSignal: r.config.StopSignal,
    },
    NetworkSettings: networkSettings(r, s.status === 'running' ? s.pid : undefined),
  }
}

/**
 * Docker's NetworkSettings (API v1.52: the deprecated top-level addresses
 * are gone): one endpoint per attached network, empty addresses (`none`
 * and `host` have none of their own), and as SandboxKey the network
 * namespace a running container's processes are in, which is what a
 * script hands to `nsenter --net=`.
 */
function networkSettings(r: ContainerRecord, pid: number | undefined): Record<string, unknown> {
  const networks: Record<string, unknown> = {}
  for (const n of containerNetworks(r)) {
    networks[n.name] = {
      IPAMConfig: null,
      Links: null,
      Aliases: null,
      DriverOpts: null,
      GwPriority: 0,
      NetworkID: n.id,
      EndpointID: '',
      Gateway: '',
      IPAddress: '',
      MacAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      DNSNames: null,
    }
  }
  return { SandboxID: '', SandboxKey: pid ? `/proc/${pid}/ns/net` : '', Ports: {}, Networks: networks }
}
