import type { Command } from '@oclif/core'
import { withDockerUsage } from './parsing/usage'

/**
 * Every command, for oclif's "explicit" command discovery. Each entry is a
 * getter so a command's module (and what it imports) loads only when that
 * command runs: `tsrun ps` never loads the registry client or the tar code.
 * A test checks this list against the files in ./commands. Each command's
 * usage line is Docker's (`withDockerUsage`).
 */
export const COMMANDS: Record<string, Command.Class> = withDockerUsage({
  get '__complete'() { return require('./commands/__complete').default },
  get 'attach'() { return require('./commands/attach').default },
  get 'completion'() { return require('./commands/completion').default },
  get 'container:exists'() { return require('./commands/container/exists').default },
  get 'container:prune'() { return require('./commands/container/prune').default },
  get 'cp'() { return require('./commands/cp').default },
  get 'create'() { return require('./commands/create').default },
  get 'events'() { return require('./commands/events').default },
  get 'exec'() { return require('./commands/exec').default },
  get 'generate:systemd'() { return require('./commands/generate/systemd').default },
  get 'history'() { return require('./commands/history').default },
  get 'image:exists'() { return require('./commands/image/exists').default },
  get 'image:inspect'() { return require('./commands/image/inspect').default },
  get 'image:prune'() { return require('./commands/image/prune').default },
  get 'images'() { return require('./commands/images').default },
  get 'import'() { return require('./commands/import').default },
  get 'info'() { return require('./commands/info').default },
  get 'inspect'() { return require('./commands/inspect').default },
  get 'kill'() { return require('./commands/kill').default },
  get 'load'() { return require('./commands/load').default },
  get 'login'() { return require('./commands/login').default },
  get 'logout'() { return require('./commands/logout').default },
  get 'logs'() { return require('./commands/logs').default },
  get 'pause'() { return require('./commands/pause').default },
  get 'ps'() { return require('./commands/ps').default },
  get 'pull'() { return require('./commands/pull').default },
  get 'push'() { return require('./commands/push').default },
  get 'rename'() { return require('./commands/rename').default },
  get 'restart'() { return require('./commands/restart').default },
  get 'rm'() { return require('./commands/rm').default },
  get 'rmi'() { return require('./commands/rmi').default },
  get 'run'() { return require('./commands/run').default },
  get 'save'() { return require('./commands/save').default },
  get 'start'() { return require('./commands/start').default },
  get 'stats'() { return require('./commands/stats').default },
  get 'stop'() { return require('./commands/stop').default },
  get 'system:df'() { return require('./commands/system/df').default },
  get 'system:prune'() { return require('./commands/system/prune').default },
  get 'tag'() { return require('./commands/tag').default },
  get 'top'() { return require('./commands/top').default },
  get 'unpause'() { return require('./commands/unpause').default },
  get 'untag'() { return require('./commands/untag').default },
  get 'update'() { return require('./commands/update').default },
  get 'version'() { return require('./commands/version').default },
  get 'volume:create'() { return require('./commands/volume/create').default },
  get 'volume:exists'() { return require('./commands/volume/exists').default },
  get 'volume:inspect'() { return require('./commands/volume/inspect').default },
  get 'volume:ls'() { return require('./commands/volume/ls').default },
  get 'volume:prune'() { return require('./commands/volume/prune').default },
  get 'volume:rm'() { return require('./commands/volume/rm').default },
  get 'wait'() { return require('./commands/wait').default },
})
