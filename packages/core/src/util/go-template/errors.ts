import { InvalidArgumentError } from '../../errors'

/**
 * A template text that does not parse. The message is Go's own, starting
 * `template: NAME:LINE: ` (`template: :1: unclosed action`); commands add
 * Docker's prefix (`template parsing error: `) before printing it.
 */
export class TemplateSyntaxError extends InvalidArgumentError {}

/**
 * A template that failed while running (`index` of a non-map, a missing
 * field of a struct). The message is Go's (`template: :1:2: executing "" at
 * <.Nmes>: can't evaluate field Nmes in type ...`); `partial` is what was
 * written before the failure, as Go leaves it in the writer.
 */
export class TemplateExecError extends InvalidArgumentError {
  constructor(message: string, readonly partial: string) {
    super(message)
  }
}
