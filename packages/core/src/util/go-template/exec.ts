/**
 * Running a parsed Go template over data, with text/template's semantics:
 * dot and `$`, variables scoped to their `{{end}}`, pipelines passing each
 * result as the last argument of the next command, fields, map keys and
 * methods along chains, `if`/`with`/`range` (with `else`, `break`,
 * `continue`; maps ranged in key order), `template`/`block` calls that see
 * only their own dot, and Go's messages when something cannot be done:
 * `template: :1:2: executing "" at <.Nmes>: can't evaluate field Nmes in type T`.
 */
import { BUILTINS, callFunction } from './builtins'
import { TemplateExecError } from './errors'
import { goSprint } from './go-fmt'
import { goQuote } from './go-literals'
import { assignable, GoFloat, GoObject, isTrue, kindOf, paramTypeName, sortedEntries, typeName, type GoFunc, type GoParamType } from './go-values'
import { nodeLocation, nodeString, type ArgNode, type ChainNode, type CommandNode, type FieldNode, type Node, type NumberNode, type PipeNode, type RangeNode, type TemplateNode, type Tree, type VariableNode } from './nodes'

/** How a missing map key reads: no value (Go's default), the zero value, or an error (Go's missingkey option). */
export type MissingKey = 'default' | 'zero' | 'error'

/** Everything one execution needs: the named trees, the functions beyond the builtins, options. */
export interface ExecContext {
  trees: Map<string, Tree>
  funcs: Record<string, GoFunc>
  missingKey: MissingKey
}

/** The absence of a piped-in value (Go's missingVal), distinct from a piped-in "no value". */
const MISSING = Symbol('missing')
type Final = unknown | typeof MISSING

const BREAK = Symbol('break')
const CONTINUE = Symbol('continue')

/**
 * Deep enough for any real template; a recursive `{{template}}` hits it long
 * before JavaScript's own stack does (Go allows 100000 on its larger stacks).
 */
const MAX_DEPTH = 1000

/** Run template `name` over `data`; throws TemplateExecError carrying the output made before the failure. */
export function executeTemplate(ctx: ExecContext, name: string, data: unknown): string {
  const tree = ctx.trees.get(name)
  const state = new State(ctx, name, [{ name: '$', value: data }], 0, [])
  if (!tree) return state.errorf(`${goQuote(name)} is an incomplete or empty template`)
  state.walk(data, tree.root)
  return state.out.join('')
}

interface Variable {
  name: string
  value: unknown
}

class State {
  private node: Node | undefined

  constructor(
    private readonly ctx: ExecContext,
    private readonly name: string,
    private vars: Variable[],
    private readonly depth: number,
    readonly out: string[],
  ) {}

  // --- errors and variables

  errorf(message: string): never {
    const head = this.node ? `template: ${nodeLocation(this.node)}: executing ${goQuote(this.name)} at <${nodeString(this.node)}>: ` : `template: ${this.name}: `
    throw new TemplateExecError(head + message, this.out.join(''))
  }

  private at(node: Node): void {
    this.node = node
  }

  private mark(): number {
    return this.vars.length
  }

  private pop(mark: number): void {
    this.vars.length = mark
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value
        return
      }
    }
    this.errorf(`undefined variable: ${name}`)
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n].value = value
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value
    this.errorf(`undefined variable: ${name}`)
  }

  // --- walking the tree

  walk(dot: unknown, node: Node): void {
    this.at(node)
    switch (node.type) {
      case 'action': {
        // Variables declared here persist until the enclosing {{end}}; a declaration prints nothing.
        const v = this.evalPipeline(dot, node.pipe)
        if (node.pipe.decl.length === 0) this.printValue(node, v)
        return
      }
      case 'break':
        throw BREAK
      case 'continue':
        throw CONTINUE
      case 'comment':
        return
      case 'if':
      case 'with': {
        const mark = this.mark()
        try {
          const v = this.evalPipeline(dot, node.pipe)
          if (isTrue(v)) this.walk(node.type === 'with' ? v : dot, node.list)
          else if (node.elseList) this.walk(dot, node.elseList)
        } finally {
          this.pop(mark)
        }
        return
      }
      case 'list':
        for (const n of node.nodes) this.walk(dot, n)
        return
      case 'range':
        return this.walkRange(dot, node)
      case 'template':
        return this.walkTemplate(dot, node)
      case 'text':
        this.out.push(node.text)
        return
      default:
        this.errorf(`unknown node: ${nodeString(node)}`)
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    this.at(r)
    const outer = this.mark()
    try {
      const val = this.evalPipeline(dot, r.pipe)
      const mark = this.mark()
      const decl = r.pipe.decl
      const one = (index: unknown, elem: unknown): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem)
          else this.setTopVar(1, elem)
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem)
          else this.setTopVar(2, index)
        }
        try {
          this.walk(elem, r.list)
        } catch (e) {
          if (e !== CONTINUE) throw e
        } finally {
          this.pop(mark)
        }
      }
      let ran = false
      switch (kindOf(val)) {
        case 'int': {
          if (decl.length > 1) this.errorf(`can't use ${goSprint([val])} to iterate over more than one variable`)
          for (let i = 0; i < Number(val); i++) {
            ran = true
            one(undefined, i)
          }
          break
        }
        case 'slice': {
          const arr = val as unknown[]
          for (let i = 0; i < arr.length; i++) {
            ran = true
            one(i, arr[i] ?? null)
          }
          break
        }
        case 'map': {
          for (const [k, v] of sortedEntries(val as object)) {
            ran = true
            one(k, v)
          }
          break
        }
        case 'invalid':
        case 'nil':
          break // acts as an empty map
        default:
          this.errorf(`range can't iterate over ${goSprint([val])}`)
      }
      if (!ran && r.elseList) this.walk(dot, r.elseList)
    } catch (e) {
      if (e !== BREAK) throw e
    } finally {
      this.pop(outer)
    }
  }

  private walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t)
    const tree = this.ctx.trees.get(t.name)
    if (!tree) this.errorf(`template ${goQuote(t.name)} not defined`)
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`)
    const value = this.evalPipeline(dot, t.pipe)
    // No dynamic scoping: the called template sees only $ (its dot).
    const inner = new State(this.ctx, t.name, [{ name: '$', value }], this.depth + 1, this.out)
    inner.walk(value, tree.root)
  }

  // --- evaluation

  private evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (!pipe) return undefined
    this.at(pipe)
    let value: Final = MISSING
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value)
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0], value)
      else this.vars.push({ name: v.ident[0], value })
    }
    return value
  }

  private notAFunction(args: ArgNode[] | undefined, final: Final): void {
    if ((args && args.length > 1) || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args![0])}`)
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0]
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final)
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final)
      case 'identifier':
        return this.evalFunction(dot, first.ident, first, cmd, cmd.args, final)
      case 'pipe':
        this.notAFunction(cmd.args, final)
        return this.evalPipeline(dot, first)
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final)
    }
    this.at(first)
    this.notAFunction(cmd.args, final)
    switch (first.type) {
      case 'bool':
        return first.value
      case 'dot':
        return dot
      case 'nil':
        this.errorf('nil is not a command')
      // falls through: errorf never returns
      case 'number':
        return this.idealConstant(first)
      case 'string':
        return first.text
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`)
  }

  /** A number whose type nothing dictates: float if written like one, else int. */
  private idealConstant(n: NumberNode): unknown {
    this.at(n)
    if (n.isComplex) this.errorf(`complex constant ${n.text} is not supported`)
    const hexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text)
    if (n.isFloat && !hexInt && n.text[0] !== "'" && /[.eEpP]/.test(n.text)) return Number.isInteger(n.float) ? new GoFloat(n.float) : n.float
    if (n.isInt) {
      if (!Number.isSafeInteger(n.int)) this.errorf(`${n.text} overflows int`)
      return n.int
    }
    if (n.isUint) this.errorf(`${n.text} overflows int`)
    return undefined
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(field)
    return this.evalFieldChain(dot, dot, field, field.ident, args, final)
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(chain)
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`)
    const receiver = this.evalArg(dot, undefined, chain.node)
    return this.evalFieldChain(dot, receiver, chain, chain.fields, args, final)
  }

  private evalVariableNode(dot: unknown, v: VariableNode, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(v)
    const value = this.varValue(v.ident[0])
    if (v.ident.length === 1) {
      this.notAFunction(args, final)
      return value
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final)
  }

  private evalFieldChain(dot: unknown, receiver: unknown, node: Node, ident: string[], args: ArgNode[] | undefined, final: Final): unknown {
    for (let i = 0; i < ident.length - 1; i++) receiver = this.evalField(dot, ident[i], node, undefined, MISSING, receiver)
    // Only the last element of a chain takes arguments.
    return this.evalField(dot, ident[ident.length - 1], node, args, final, receiver)
  }

  private evalFunction(dot: unknown, name: string, node: Node, cmd: Node, args: ArgNode[] | undefined, final: Final): unknown {
    this.at(node)
    const own = Object.hasOwn(this.ctx.funcs, name) ? this.ctx.funcs[name] : undefined
    const builtin = own ? undefined : Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined
    const fn = own ?? builtin
    if (!fn) this.errorf(`${goQuote(name)} is not a defined function`)
    return this.evalCall(dot, fn, builtin !== undefined, cmd, name, args, final)
  }

  /** `.Name` on receiver: a method (called with args), a struct field, or a map key. */
  private evalField(dot: unknown, name: string, node: Node, args: ArgNode[] | undefined, final: Final, receiver: unknown): unknown {
    if (receiver === undefined) {
      if (this.ctx.missingKey === 'error') this.errorf(`nil data; no entry for key ${goQuote(name)}`)
      return undefined
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${name}`)
    if (receiver instanceof GoObject && Object.hasOwn(receiver.methods, name)) return this.evalCall(dot, receiver.methods[name], false, node, name, args, final)
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING
    const kind = kindOf(receiver)
    if (kind === 'struct') {
      const fields = (receiver as GoObject).fields
      if (Object.hasOwn(fields, name)) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`)
        return fields[name]
      }
    } else if (kind === 'map') {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`)
      const fields = receiver instanceof GoObject ? receiver.fields : (receiver as Record<string, unknown>)
      if (Object.hasOwn(fields, name)) return fields[name]
      if (this.ctx.missingKey === 'error') this.errorf(`map has no entry for key ${goQuote(name)}`)
      if (this.ctx.missingKey === 'zero' && typeName(receiver) === 'map[string]string') return ''
      return undefined
    }
    this.errorf(`can't evaluate field ${name} in type ${typeName(receiver)}`)
  }

  private evalCall(dot: unknown, fun: GoFunc, isBuiltin: boolean, node: Node, name: string, args: ArgNode[] | undefined, final: Final): unknown {
    const given = args ? args.slice(1) : [] // args[0] names the function itself
    const numIn = given.length + (final !== MISSING ? 1 : 0)
    const numFixed = fun.variadic ? fun.params.length : given.length
    if (fun.variadic) {
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${fun.params.length} got ${given.length}`)
    } else if (numIn !== fun.params.length) {
      this.errorf(`wrong number of args for ${name}: want ${fun.params.length} got ${numIn}`)
    }

    // and/or evaluate their arguments left to right and stop once the answer is known.
    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: unknown
      for (const a of given) {
        v = this.evalArg(dot, 'value', a)
        if (isTrue(v) === (name === 'or')) return v
      }
      if (final !== MISSING) v = final
      return v
    }

    const argv: unknown[] = []
    let i = 0
    for (; i < numFixed && i < given.length; i++) argv.push(this.evalArg(dot, fun.params[i], given[i]))
    if (fun.variadic) for (; i < given.length; i++) argv.push(this.evalArg(dot, fun.variadic, given[i]))
    if (final !== MISSING) {
      let t: GoParamType
      if (fun.variadic) t = numIn - 1 < numFixed ? fun.params[numIn - 1] : fun.variadic
      else t = fun.params[fun.params.length - 1]
      argv.push(this.validateType(final, t))
    }

    let call = fun.fn
    if (isBuiltin && name === 'call') {
      const callee = given.length === 0 ? goSprint([final]) : nodeString(given[0])
      argv.unshift(callee)
      call = callFunction as (...a: unknown[]) => unknown
    }
    try {
      return call(...argv)
    } catch (err) {
      if (err instanceof TemplateExecError) throw err
      this.at(node)
      this.errorf(`error calling ${name}: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  /** Check a value against a parameter type, as Go's assignability does. `undefined` type: anything. */
  private validateType(value: unknown, t: GoParamType | undefined): unknown {
    if (t === undefined || t === 'value') return value
    if (value === undefined || value === null) {
      if (t === 'any' || t === '[]string') return null
      this.errorf(`invalid value; expected ${paramTypeName(t)}`)
    }
    if (!assignable(value, t)) this.errorf(`wrong type for value; expected ${paramTypeName(t)}; got ${typeName(value)}`)
    return value
  }

  private evalArg(dot: unknown, t: GoParamType | undefined, n: ArgNode): unknown {
    this.at(n)
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, t)
      case 'nil':
        if (t === 'value') return undefined // Go passes the zero reflect.Value
        if (t === undefined || t === 'any' || t === '[]string') return null
        this.errorf(`cannot assign nil to ${paramTypeName(t)}`)
      // falls through: errorf never returns
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), t)
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, undefined, MISSING), t)
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), t)
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n.ident, n, n, undefined, MISSING), t)
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, undefined, MISSING), t)
    }
    // A constant: its type comes from the parameter.
    switch (t) {
      case 'bool':
        if (n.type === 'bool') return n.value
        this.errorf(`expected bool; found ${nodeString(n)}`)
      // falls through: errorf never returns
      case 'float64':
        if (n.type === 'number' && n.isFloat) return Number.isInteger(n.float) ? new GoFloat(n.float) : n.float
        this.errorf(`expected float; found ${nodeString(n)}`)
      // falls through
      case 'int':
        if (n.type === 'number' && n.isInt) return n.int
        this.errorf(`expected integer; found ${nodeString(n)}`)
      // falls through
      case 'string':
        if (n.type === 'string') return n.text
        this.errorf(`expected string; found ${nodeString(n)}`)
      // falls through
      case 'any':
      case 'value':
      case undefined:
        if (n.type === 'bool') return n.value
        if (n.type === 'number') return this.idealConstant(n)
        if (n.type === 'string') return n.text
        this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`)
      // falls through
      default:
        this.errorf(`can't handle ${nodeString(n)} for arg of type ${paramTypeName(t)}`)
    }
  }

  private printValue(node: Node, v: unknown): void {
    this.at(node)
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(node)} of type ${typeName(v)}`)
    // A pipeline's nil (a JSON null, a nil element) is Go's empty interface dug into: no value.
    this.out.push(v === undefined || v === null ? '<no value>' : goSprint([v]))
  }
}
