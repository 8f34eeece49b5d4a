import { describe, expect, it } from 'vitest'
import { ociResources, parseResources, parseSize } from '../src/containers/resources'

describe('resource flags', () => {
  it('sizes in binary units, as Docker reads them', () => {
    expect(parseSize('memory', '64m')).toBe(64 * 1024 * 1024)
    expect(parseSize('memory', '512k')).toBe(512 * 1024)
    expect(parseSize('memory', '1.5g')).toBe(1.5 * 1024 ** 3)
    expect(parseSize('memory', '64MB')).toBe(64 * 1024 * 1024)
    expect(parseSize('memory', '100')).toBe(100)
    expect(() => parseSize('memory', '12q')).toThrow('invalid value "12q" for --memory: expected a size like 64m, 512k or 1g')
  })

  it('memory gets twice as much memory+swap by default; -1 is unlimited swap', () => {
    expect(parseResources({ memory: '64m' }, {}, 2)).toEqual({ Memory: 64 << 20, MemorySwap: 128 << 20 })
    expect(parseResources({ memory: '64m', memorySwap: '-1' }, {}, 2)).toEqual({ Memory: 64 << 20, MemorySwap: -1 })
    expect(() => parseResources({ memorySwap: '1g' }, {}, 2)).toThrow('--memory-swap needs --memory')
    expect(() => parseResources({ memory: '1m' }, {}, 2)).toThrow('the minimum is 6m')
  })

  it('cpus become a CFS quota over a 100ms period', () => {
    const l = parseResources({ cpus: '0.5', cpuShares: 512, cpusetCpus: '0-1', pidsLimit: 50 }, {}, 2)
    expect(l).toEqual({ NanoCpus: 5e8, CpuShares: 512, CpusetCpus: '0-1', PidsLimit: 50 })
    expect(ociResources(l)).toEqual({ cpu: { shares: 512, quota: 50_000, period: 100_000, cpus: '0-1' }, pids: { limit: 50 } })
    expect(() => parseResources({ cpus: '-1' }, {}, 2)).toThrow('invalid value "-1" for --cpus: the range is 0.01 to 2.00')
    expect(() => parseResources({ cpus: '3' }, {}, 2)).toThrow('this host has 2 CPUs')
    expect(() => parseResources({ cpusetCpus: '0-2' }, {}, 2)).toThrow('this host has CPUs 0-1')
  })

  it('update keeps what it does not change; pids 0 means unlimited', () => {
    const base = { Memory: 64 << 20, MemorySwap: 128 << 20, NanoCpus: 5e8 }
    expect(parseResources({ memory: '128m' }, base, 2)).toEqual({ Memory: 128 << 20, MemorySwap: 256 << 20, NanoCpus: 5e8 })
    expect(parseResources({ pidsLimit: 0 }, base, 2).PidsLimit).toBe(-1)
    expect(ociResources({ PidsLimit: -1 })).toEqual({ pids: { limit: -1 } })
  })
})
