import { DEFAULT_SHM_SIZE } from './namespace-modes'
import type { ContainerRecord } from './record'

/**
 * The HostConfig fields of `inspect` for namespaces, /dev/shm, the OOM
 * killer, CFS period and quota, block I/O, extra groups and the cid file,
 * under Docker's names and with Docker's defaults where a flag was not
 * given (`IpcMode` private, `ShmSize` 64 MiB, `CgroupnsMode` private: the
 * last is tsrun's default on every host, see namespace-modes.ts).
 */
export function runtimeOptionsView(r: ContainerRecord): Record<string, unknown> {
  const h = r.hostConfig
  return {
    IpcMode: h.IpcMode ?? 'private',
    PidMode: h.PidMode ?? '',
    UTSMode: h.UTSMode ?? '',
    CgroupnsMode: h.CgroupnsMode ?? 'private',
    CgroupParent: h.CgroupParent ?? '',
    ShmSize: h.ShmSize ?? DEFAULT_SHM_SIZE,
    GroupAdd: h.GroupAdd ?? null,
    OomScoreAdj: h.OomScoreAdj ?? 0,
    OomKillDisable: h.OomKillDisable ?? false,
    MemoryReservation: h.MemoryReservation ?? 0,
    CpuPeriod: h.CpuPeriod ?? 0,
    CpuQuota: h.CpuQuota ?? 0,
    BlkioWeight: h.BlkioWeight ?? 0,
    BlkioDeviceReadBps: h.BlkioDeviceReadBps ?? [],
    BlkioDeviceWriteBps: h.BlkioDeviceWriteBps ?? [],
    BlkioDeviceReadIOps: h.BlkioDeviceReadIOps ?? [],
    BlkioDeviceWriteIOps: h.BlkioDeviceWriteIOps ?? [],
    ContainerIDFile: h.ContainerIDFile ?? '',
  }
}
