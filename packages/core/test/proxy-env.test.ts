// The proxy environment as Go's http.ProxyFromEnvironment reads it (Docker
// and podman use it), so one environment means the same to every tool: cases
// from the documentation of golang.org/x/net/http/httpproxy.
import { describe, expect, it } from 'vitest'
import { proxyFor } from '../src/registry/proxy-env'

const via = (url: string, env: Record<string, string>) => proxyFor(new URL(url), env)?.href

describe('HTTP_PROXY, HTTPS_PROXY and NO_PROXY', () => {
  it('HTTPS_PROXY for https URLs and HTTP_PROXY for http ones, upper case before lower case', () => {
    const env = { HTTPS_PROXY: 'http://secure.proxy:3128', HTTP_PROXY: 'http://plain.proxy:3128', https_proxy: 'http://lower.proxy:1' }
    expect(via('https://reg.example/v2/', env)).toBe('http://secure.proxy:3128/')
    expect(via('http://reg.example/v2/', env)).toBe('http://plain.proxy:3128/')
    expect(via('https://reg.example/v2/', { https_proxy: 'http://lower.proxy:1' })).toBe('http://lower.proxy:1/')
    expect(via('http://reg.example/v2/', { HTTPS_PROXY: 'http://secure.proxy:3128' })).toBeUndefined()
  })

  it('a proxy without a scheme is http://; SOCKS is refused with one line', () => {
    expect(via('https://reg.example/', { HTTPS_PROXY: 'proxy.lan:8080' })).toBe('http://proxy.lan:8080/')
    expect(() => via('https://reg.example/', { HTTPS_PROXY: 'socks5://proxy.lan:1080' })).toThrow(/the proxy socks5:\/\/proxy.lan:1080 is not supported: tsrun speaks to http:\/\/ and https:\/\/ proxies/)
  })

  it('never for localhost or a loopback address', () => {
    const env = { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' }
    for (const url of ['https://localhost:5000/', 'http://127.0.0.1:5000/', 'https://127.3.2.1/', 'https://[::1]:5000/']) expect(via(url, env), url).toBeUndefined()
  })

  it('NO_PROXY: "*" is everything; example.com is it and its subdomains; .example.com and *.example.com only subdomains', () => {
    const p = { HTTPS_PROXY: 'http://p:1' }
    expect(via('https://any.where/', { ...p, NO_PROXY: '*' })).toBeUndefined()
    expect(via('https://example.com/', { ...p, NO_PROXY: 'example.com' })).toBeUndefined()
    expect(via('https://reg.example.com/', { ...p, NO_PROXY: 'example.com' })).toBeUndefined()
    expect(via('https://notexample.com/', { ...p, NO_PROXY: 'example.com' })).toBe('http://p:1/')
    expect(via('https://example.com/', { ...p, NO_PROXY: '.example.com' })).toBe('http://p:1/')
    expect(via('https://reg.example.com/', { ...p, NO_PROXY: '.example.com' })).toBeUndefined()
    expect(via('https://reg.example.com/', { ...p, NO_PROXY: ' other.org , *.example.com' })).toBeUndefined()
    expect(via('https://REG.Example.com/', { ...p, no_proxy: 'example.COM' })).toBeUndefined()
  })

  it('NO_PROXY entries with a port match only that port (the URL\'s default port counts)', () => {
    const p = { HTTPS_PROXY: 'http://p:1' }
    expect(via('https://reg.lan:5000/', { ...p, NO_PROXY: 'reg.lan:5000' })).toBeUndefined()
    expect(via('https://reg.lan:5001/', { ...p, NO_PROXY: 'reg.lan:5000' })).toBe('http://p:1/')
    expect(via('https://reg.lan/', { ...p, NO_PROXY: 'reg.lan:443' })).toBeUndefined()
  })

  it('NO_PROXY IP addresses and CIDR ranges match IP hosts, not names', () => {
    const p = { HTTPS_PROXY: 'http://p:1' }
    expect(via('https://10.1.2.3:5000/', { ...p, NO_PROXY: '10.0.0.0/8' })).toBeUndefined()
    expect(via('https://11.1.2.3/', { ...p, NO_PROXY: '10.0.0.0/8' })).toBe('http://p:1/')
    expect(via('https://192.0.2.7/', { ...p, NO_PROXY: '192.0.2.7' })).toBeUndefined()
    expect(via('https://[2001:db8::1]/', { ...p, NO_PROXY: '2001:db8::/32' })).toBeUndefined()
    expect(via('https://10.example/', { ...p, NO_PROXY: '10.0.0.0/8' })).toBe('http://p:1/')
  })
})
