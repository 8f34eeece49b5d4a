/**
 * `events --format` as docker/cli does it: `json` is `{{json .}}` of
 * Docker's events.Message (deprecated status/id/from included), anything
 * else a Go template over that struct (`.Type .Action .Actor.ID
 * .Actor.Attributes .Scope .Time .TimeNano`). The template is tried once on
 * an empty message before any event is read, so `{{.Nope}}` fails at once
 * (Docker says `Error parsing format: template: ...`; tsrun, which puts
 * `Error: ` before every message, says `template parsing error: ` as for
 * the other commands).
 */
import { goTemplateEngine, InvalidArgumentError, TemplateExecError, TemplateSyntaxError, type EngineEvent, type GoTemplate } from '@tsrun/core'

/** A function printing one event under `format` (throws for a bad template before returning). */
export function eventFormatter(format: string): (e: EngineEvent) => string {
  const { compileGoTemplate } = goTemplateEngine()
  let template: GoTemplate
  try {
    template = compileGoTemplate(format === 'json' ? '{{json .}}' : format)
    template.execute(message({ Type: 'container', Action: '', Actor: { ID: '', Attributes: {} }, time: 0, timeNano: 0n }))
  } catch (err) {
    if (err instanceof TemplateSyntaxError || err instanceof TemplateExecError) throw new InvalidArgumentError(`template parsing error: ${err.message}`)
    throw err
  }
  return (e) => {
    try {
      return template.execute(message(e))
    } catch (err) {
      if (err instanceof TemplateExecError) throw new InvalidArgumentError(err.message)
      throw err
    }
  }
}

/** Docker's events.Message for an engine event; its JSON has Docker's field names. */
function message(e: EngineEvent): unknown {
  const { GoObject } = goTemplateEngine()
  const attributes = e.Actor.Attributes
  const from = attributes.image ?? ''
  const actor = new GoObject('events.Actor', 'struct', { ID: e.Actor.ID, Attributes: attributes })
  // status, id and from are omitempty in Docker's struct.
  const json = () => ({
    ...(e.Action ? { status: e.Action } : {}),
    ...(e.Actor.ID ? { id: e.Actor.ID } : {}),
    ...(from ? { from } : {}),
    Type: e.Type,
    Action: e.Action,
    Actor: { ID: e.Actor.ID, Attributes: Object.fromEntries(Object.keys(attributes).sort().map((k) => [k, attributes[k]])) },
    scope: 'local',
    time: e.time,
    timeNano: e.timeNano,
  })
  const fields = { Status: e.Action, ID: e.Actor.ID, From: from, Type: e.Type, Action: e.Action, Actor: actor, Scope: 'local', Time: e.time, TimeNano: e.timeNano }
  return new GoObject('*events.Message', 'struct', fields, {}, { json })
}
