// `commit --change`: Dockerfile instructions on an image config, as Docker's
// BuildFromConfig applies them (docs: docker commit --change; Dockerfile
// reference for the forms of CMD, ENTRYPOINT, ENV, LABEL, EXPOSE, WORKDIR).
import { describe, expect, it } from 'vitest'
import { applyDockerfileChanges } from '../src/images/dockerfile-change'
import type { ImageRuntimeConfig } from '../src/images/oci'

const base: ImageRuntimeConfig = { Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/srv' }

describe('applyDockerfileChanges', () => {
  const cases: Array<[string, string[], Partial<ImageRuntimeConfig>]> = [
    ['CMD in JSON form is the argv as given', ['CMD ["echo", "hi there"]'], { Cmd: ['echo', 'hi there'] }],
    ['CMD in shell form runs through /bin/sh -c', ['CMD echo $HOME && ls'], { Cmd: ['/bin/sh', '-c', 'echo $HOME && ls'] }],
    ['CMD that is not valid JSON is the shell form', ['CMD [oops'], { Cmd: ['/bin/sh', '-c', '[oops'] }],
    ['ENTRYPOINT drops the CMD the config had, as a Dockerfile does', ['ENTRYPOINT ["/init"]'], { Entrypoint: ['/init'], Cmd: null }],
    ['ENTRYPOINT then CMD keeps both', ['ENTRYPOINT ["/init"]', 'CMD ["serve"]'], { Entrypoint: ['/init'], Cmd: ['serve'] }],
    ['ENV KEY=VALUE pairs, quoted, replace a variable in place of adding a second', ['ENV A=2 B="two words" C=a\\ b'], { Env: ['PATH=/bin', 'A=2', 'B=two words', 'C=a b'] }],
    ['ENV of a variable the config has keeps its place', ['ENV PATH=/usr/bin'], { Env: ['PATH=/usr/bin', 'A=1'] }],
    ['ENV in the old KEY VALUE form takes the rest of the line', ['ENV GREETING hello world'], { Env: ['PATH=/bin', 'A=1', 'GREETING=hello world'] }],
    ['LABEL pairs', ['LABEL a=1 "b c"=\'d e\''], { Labels: { a: '1', 'b c': 'd e' } }],
    ['EXPOSE is tcp by default', ['EXPOSE 80 53/udp 8000-8001'], { ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000-8001/tcp': {} } }],
    ['WORKDIR relative to the one before', ['WORKDIR app', 'WORKDIR ../logs'], { WorkingDir: '/srv/logs' }],
    ['USER and STOPSIGNAL as given', ['USER 1000:1000', 'STOPSIGNAL SIGQUIT'], { User: '1000:1000', StopSignal: 'SIGQUIT' }],
    ['VOLUME in both forms', ['VOLUME /data /logs', 'VOLUME ["/cache"]'], { Volumes: { '/data': {}, '/logs': {}, '/cache': {} } }],
    ['instructions are case-insensitive and a value may hold several lines', ['env X=1\ncmd ["x"]'], { Env: ['PATH=/bin', 'A=1', 'X=1'], Cmd: ['x'] }],
  ]
  for (const [what, changes, want] of cases) {
    it(what, () => {
      expect(applyDockerfileChanges(base, changes)).toMatchObject(want)
    })
  }

  it('leaves the config it was given as it was', () => {
    const before = structuredClone(base)
    applyDockerfileChanges(base, ['ENV Z=9', 'CMD ["z"]'])
    expect(base).toEqual(before)
  })

  const refused: Array<[string, RegExp]> = [
    ['FROM busybox', /^FROM is not a valid change command/],
    ['RUN echo', /^RUN is not a valid change command/],
    ['ENV', /ENV requires at least one argument/],
    ['ENV =x', /"=x" is not KEY=VALUE/],
    ['LABEL "open', /unterminated quote/],
    ['EXPOSE 70000', /invalid port/],
    ['EXPOSE 80/icmp', /invalid port/],
    ['VOLUME [""]', /can not be an empty string/],
    ['VOLUME [1]', /not a JSON array of strings/],
  ]
  for (const [change, why] of refused) {
    it(`refuses ${JSON.stringify(change)}`, () => {
      expect(() => applyDockerfileChanges(base, [change])).toThrow(why)
    })
  }
})
