/**
 * The proxy a registry request goes through, from the environment, with the
 * rules Docker's and podman's Go HTTP client applies (Go's
 * `http.ProxyFromEnvironment`), so one environment means the same to all:
 *
 *  - `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http ones; upper case
 *    first, then lower case; a value without a scheme means `http://`.
 *  - never for `localhost` or a loopback address;
 *  - not for hosts `NO_PROXY` names: a comma-separated list of `*` (no
 *    proxy at all), IP addresses and CIDR ranges, and domain names, each
 *    optionally with `:port`; `example.com` covers it and its subdomains,
 *    `.example.com` and `*.example.com` only the subdomains.
 */
import * as net from 'node:net'
import { InvalidArgumentError } from '../errors'

/** The proxy URL for `url`, or undefined to connect directly. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | undefined {
  const raw = url.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy
  if (!raw) return undefined
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  if (host === 'localhost' || isLoopbackIp(host)) return undefined
  if (excluded(host, port, env.NO_PROXY || env.no_proxy || '')) return undefined
  return parseProxy(raw)
}

function parseProxy(raw: string): URL {
  let proxy: URL
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`)
  } catch {
    throw new InvalidArgumentError(`the proxy "${raw}" (HTTP_PROXY/HTTPS_PROXY) is not a URL; use http://HOST:PORT`)
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new InvalidArgumentError(`the proxy ${proxy.protocol}//${proxy.host} is not supported: tsrun speaks to http:// and https:// proxies (not SOCKS)`)
  }
  return proxy
}

function excluded(host: string, port: string, noProxy: string): boolean {
  const ip = net.isIP(host) ? host : undefined
  for (let entry of noProxy.split(',')) {
    entry = entry.trim().toLowerCase()
    if (!entry) continue
    if (entry === '*') return true
    if (entry.includes('/')) {
      if (ip && inCidr(ip, entry)) return true
      continue
    }
    let entryHost = entry
    let entryPort = ''
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry)
    if (bracketed) {
      entryHost = bracketed[1]
      entryPort = bracketed[2] ?? ''
    } else if (!net.isIPv6(entry)) {
      const m = /^(.*):(\d+)$/.exec(entry)
      if (m) {
        entryHost = m[1]
        entryPort = m[2]
      }
    }
    if (entryPort && entryPort !== port) continue
    if (net.isIP(entryHost)) {
      if (ip && sameIp(ip, entryHost)) return true
      continue
    }
    if (ip || !entryHost) continue
    // `*.example.com` and `.example.com`: subdomains only; `example.com`: it and its subdomains.
    const subdomainsOnly = entryHost.startsWith('.') || entryHost.startsWith('*.')
    const domain = entryHost.replace(/^\*?\./, '')
    if (host.endsWith(`.${domain}`) || (!subdomainsOnly && host === domain)) return true
  }
  return false
}

function isLoopbackIp(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.')
  if (net.isIPv6(host)) return sameIp(host, '::1') || /^::ffff:127\./i.test(host)
  return false
}

function sameIp(a: string, b: string): boolean {
  const list = new net.BlockList()
  list.addAddress(b, net.isIPv6(b) ? 'ipv6' : 'ipv4')
  return list.check(a, net.isIPv6(a) ? 'ipv6' : 'ipv4')
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/')
  const family = net.isIPv6(base) ? 'ipv6' : net.isIPv4(base) ? 'ipv4' : undefined
  const prefix = Number(bits)
  if (!family || !Number.isInteger(prefix)) return false
  const list = new net.BlockList()
  try {
    list.addSubnet(base, prefix, family)
  } catch {
    return false
  }
  return list.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4')
}
