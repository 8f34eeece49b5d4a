// run / create flags: -e, --env-file, -w, --entrypoint, -u, --hostname, --name; recorded in inspect.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_PATH, lines, show, STACK_TRACE } from '../support/tsrun'
import { useRoot } from '../support/suite'

const { t } = useRoot()

async function out(args: string[]): Promise<string> {
  const r = await t.run(['run', '--rm', ...args])
  if (r.code !== 0) throw new Error(`run ${args.join(' ')} failed:\n${show(r)}`)
  return r.stdout
}

describe('-e / --env / --env-file', () => {
  it('-e K=V sets variables, several times, values with = and spaces', async () => {
    const env = lines(await out(['-e', 'FOO=bar', '--env', 'EQ=a=b', '-e', 'SP=x y', 'demo:1', 'env']))
    expect(env).toContain('FOO=bar')
    expect(env).toContain('EQ=a=b')
    expect(env).toContain('SP=x y')
    expect(env).toContain(`PATH=${DEFAULT_PATH}`)
  })

  it('-e PATH=... overrides the default PATH', async () => {
    expect(await out(['-e', 'PATH=/bin', 'demo:1', 'sh', '-c', 'echo $PATH'])).toBe('/bin\n')
  })

  it('-e K (no value) takes K from the caller\'s environment, as Docker', async () => {
    const r = await t.run(['run', '--rm', '-e', 'FROM_HOST', 'demo:1', 'sh', '-c', 'echo "[$FROM_HOST]"'], { env: { FROM_HOST: 'hostval' } })
    expect(r.code, show(r)).toBe(0)
    expect(r.stdout).toBe('[hostval]\n')
  })

  it('--env-file reads K=V lines, skipping comments and blank lines; -e wins', async () => {
    const f = path.join(t.root, 'app.env')
    fs.writeFileSync(f, '# a comment\nA=1\n\nB=two words\nC=from-file\n')
    const env = lines(await out(['--env-file', f, '-e', 'C=from-flag', 'demo:1', 'env']))
    expect(env).toContain('A=1')
    expect(env).toContain('B=two words')
    expect(env).toContain('C=from-flag')
    expect(env.some((l) => l.startsWith('#'))).toBe(false)
  })

  it('a missing env file is a 125 naming the file', async () => {
    const f = path.join(t.root, 'does-not-exist.env')
    const r = await t.run(['run', '--rm', '--env-file', f, 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/env file/i)
    expect(r.stderr).toContain(f)
    expect(r.stderr).not.toMatch(STACK_TRACE)
    expect(lines(r.stderr)).toHaveLength(1)
  })
})

describe('-w / --workdir', () => {
  it('sets the working directory', async () => {
    expect(await out(['-w', '/tmp', 'demo:1', 'pwd'])).toBe('/tmp\n')
    expect(await out(['--workdir', '/etc', 'demo:1', 'sh', '-c', 'pwd; ls passwd'])).toBe('/etc\npasswd\n')
  })

  it('creates a missing working directory, as Docker', async () => {
    expect(await out(['-w', '/srv/app/data', 'demo:1', 'pwd'])).toBe('/srv/app/data\n')
  })
})

describe('--entrypoint', () => {
  it('replaces the entrypoint; the rest are its arguments', async () => {
    expect(await out(['--entrypoint', 'echo', 'demo:1', 'from', 'entrypoint'])).toBe('from entrypoint\n')
    expect(await out(['--entrypoint', '/bin/sh', 'demo:1', '-c', 'echo ep-$((1+1))'])).toBe('ep-2\n')
  })

  it('an entrypoint alone is a command', async () => {
    expect(await out(['--entrypoint', 'hostname', '--hostname', 'epo', 'demo:1'])).toBe('epo\n')
  })

  it('an entrypoint that is not found is 127', async () => {
    const r = await t.run(['run', '--rm', '--entrypoint', 'nope-ep', 'demo:1'])
    expect(r.code, show(r)).toBe(127)
    expect(r.stderr).toContain('nope-ep')
  })
})

describe('-u / --user', () => {
  it('numeric uid', async () => {
    expect(await out(['-u', '65534', 'demo:1', 'sh', '-c', 'id -u; id -g'])).toBe('65534\n65534\n')
  })

  it('uid:gid, even without a passwd entry', async () => {
    expect(await out(['--user', '1000:1001', 'demo:1', 'sh', '-c', 'id -u; id -g'])).toBe('1000\n1001\n')
  })

  it('a user name from the image passwd, with its HOME', async () => {
    expect(await out(['-u', 'nobody', 'demo:1', 'sh', '-c', 'id -u; id -g; echo $HOME'])).toBe('65534\n65534\n/nonexistent\n')
  })

  it('the user cannot write where root owns', async () => {
    const r = await t.run(['run', '--rm', '-u', '1000', 'demo:1', 'sh', '-c', 'touch /etc/x'])
    expect(r.code, show(r)).not.toBe(0)
    expect(await out(['-u', '1000', 'demo:1', 'sh', '-c', 'touch /tmp/ok && echo ok'])).toBe('ok\n')
  })

  it('an unknown user name is 125', async () => {
    const r = await t.run(['run', '--rm', '-u', 'nosuchuser', 'demo:1', 'true'])
    expect(r.code, show(r)).toBe(125)
    expect(r.stderr).toMatch(/nosuchuser/)
    expect(r.stderr).toMatch(/unable to find user|no matching entries/i)
  })
})

describe('inspect records the configuration', () => {
  it('Config and HostConfig', async () => {
    const f = path.join(t.root, 'cfg.env')
    fs.writeFileSync(f, 'FROMFILE=yes\n')
    const c = await t.run([
      'create', '--name', 'cfg', '--hostname', 'cfghost', '-e', 'FOO=bar', '--env-file', f, '-w', '/tmp',
      '--entrypoint', '/bin/sh', '-u', '65534:65534', '--network', 'host', '--storage-driver', 'bind',
      'demo:1', '-c', 'echo hi',
    ])
    expect(c.code, show(c)).toBe(0)
    const i = await t.inspect('cfg')
    expect(i.Name).toBe('/cfg')
    expect(i.Config.Hostname).toBe('cfghost')
    expect(i.Config.Env).toContain('FOO=bar')
    expect(i.Config.Env).toContain('FROMFILE=yes')
    expect(i.Config.Env).toContain(`PATH=${DEFAULT_PATH}`)
    expect(i.Config.WorkingDir).toBe('/tmp')
    expect(i.Config.Entrypoint).toEqual(['/bin/sh'])
    expect(i.Config.Cmd).toEqual(['-c', 'echo hi'])
    expect(i.Config.User).toBe('65534:65534')
    expect(i.Config.Image).toBe('demo:1')
    expect(i.HostConfig.NetworkMode).toBe('host')
    expect(i.HostConfig.AutoRemove).toBe(false)
    expect(i.GraphDriver.Name).toBe('bind')
    expect(i.State.Status).toBe('created')
    expect(i.State.Running).toBe(false)

    const s = await t.run(['start', '-a', 'cfg'])
    expect(s.code, show(s)).toBe(0)
    expect(s.stdout).toBe('hi\n')
    await t.ok(['rm', 'cfg'])
  })
})
