import { describe, expect, it } from 'vitest'
import { renderTemplate } from '../src/util/template'

describe('--format templates', () => {
  const obj = { State: { Status: 'running', Pid: 42 }, Args: ['-c', 'x'], Config: { Tty: false } }
  it('reads nested fields', () => expect(renderTemplate('{{.State.Status}}/{{.State.Pid}}', obj)).toBe('running/42'))
  it('renders json', () => expect(renderTemplate('{{json .Config}}', obj)).toBe('{"Tty":false}'))
  it('joins lists', () => expect(renderTemplate('{{join .Args " "}}', obj)).toBe('-c x'))
  it('says <no value> for a missing field', () => expect(renderTemplate('{{.Nope}}', obj)).toBe('<no value>'))
  it('refuses what it cannot evaluate', () => expect(() => renderTemplate('{{range .Args}}', obj)).toThrow(/field path/))
})
