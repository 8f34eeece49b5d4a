import type { ContainerView } from './container-service'

/** Docker's `docker inspect` shape for a container, from its record and runtime state. */
export function inspectView(view: ContainerView, logPath: string): Record<string, unknown> {
  const { record: r, state: s } = view
  const zero = '0001-01-01T00:00:00Z'
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: {
      Status: s.paused ? 'paused' : s.status,
      Running: s.status === 'running',
      Paused: Boolean(s.paused),
      Restarting: false,
      OOMKilled: s.oomKilled ?? false,
      Dead: false,
      Pid: s.status === 'running' ? s.pid ?? 0 : 0,
      ExitCode: s.exitCode ?? 0,
      Error: s.error ?? '',
      StartedAt: s.startedAt ?? zero,
      FinishedAt: s.finishedAt ?? zero,
    },
    Image: r.imageId,
    LogPath: logPath,
    Name: `/${r.name}`,
    RestartCount: 0,
    Driver: r.hostConfig.StorageDriver,
    HostConfig: {
      NetworkMode: r.hostConfig.NetworkMode,
      AutoRemove: r.hostConfig.AutoRemove,
      Isolation: r.hostConfig.Isolation,
      Init: r.hostConfig.Init ?? false,
      Memory: r.hostConfig.Memory ?? 0,
      MemorySwap: r.hostConfig.MemorySwap ?? 0,
      NanoCpus: r.hostConfig.NanoCpus ?? 0,
      CpuShares: r.hostConfig.CpuShares ?? 0,
      CpusetCpus: r.hostConfig.CpusetCpus ?? '',
      PidsLimit: r.hostConfig.PidsLimit ?? 0,
    },
    GraphDriver: { Name: r.hostConfig.StorageDriver, Data: { RootfsPath: r.rootfs.path } },
    Mounts: (r.mounts ?? []).map(({ oci: _oci, Anonymous: _anonymous, ...shown }) => shown),
    Config: {
      Hostname: r.config.Hostname,
      User: r.config.User,
      Tty: r.config.Tty,
      OpenStdin: r.config.OpenStdin,
      Env: r.config.Env,
      Cmd: r.config.Cmd,
      Image: r.config.Image,
      WorkingDir: r.config.WorkingDir,
      Entrypoint: r.config.Entrypoint,
      Labels: r.config.Labels,
      StopSignal: r.config.StopSignal,
    },
    NetworkSettings: { Networks: { [r.hostConfig.NetworkMode]: {} } },
  }
}
