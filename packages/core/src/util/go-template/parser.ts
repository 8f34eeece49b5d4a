/**
 * The parser of Go's text/template: it turns a template text into named
 * trees (the top-level one plus each `{{define}}` and `{{block}}`), refusing
 * what Go refuses with Go's own messages (`template: :1: unclosed action`,
 * `template: :1: function "foo" not defined`), so that a malformed
 * `--format` is an error before anything runs, as it is for Docker.
 *
 * The grammar, as Go's documentation gives it:
 *   action   := control | pipeline
 *   pipeline := decl? command ('|' command)*
 *   command  := operand (' ' operand)*
 *   operand  := term ('.' Field)*
 *   term     := literal | function | '.' | '.Field' | '$var' | '(' pipeline ')'
 */
import { goQuote, LiteralSyntaxError, parseGoFloat, parseGoInt, parseGoUint, unquote, unquoteChar } from './go-literals'
import { Lexer, Tok, type Token } from './lexer'
import { TemplateSyntaxError } from './errors'
import type * as N from './nodes'

/** Parse `text` as template `name`; `hasFunction` says which identifiers are functions. */
export function parseTemplate(name: string, text: string, hasFunction: (name: string) => boolean): Map<string, N.Tree> {
  const trees = new Map<string, N.Tree>()
  const stream = new TokenStream(new Lexer(text, { breakOK: !hasFunction('break'), continueOK: !hasFunction('continue') }))
  new TreeParser(name, name, text, stream, trees, hasFunction).parseTop()
  return trees
}

/** The tokens of one text, shared by the trees parsed from it (a `define` continues where its parent stopped). */
class TokenStream {
  private readonly tokens: Token[] = []
  cursor = 0
  constructor(private readonly lexer: Lexer) {}

  /** The token at the cursor, and whether it was read from the text just now. */
  at(): { token: Token; fresh: boolean } {
    if (this.cursor < this.tokens.length) return { token: this.tokens[this.cursor], fresh: false }
    const token = this.lexer.nextItem()
    this.tokens.push(token)
    return { token, fresh: true }
  }
}

/**
 * How deep parentheses, if/range/with and blocks may nest: the recursive
 * parser and executor must not run out of JavaScript's stack (Go allows
 * 10000 parentheses, 1000 on WebAssembly, whose message this is).
 */
const MAX_DEPTH = 1000

class TreeParser {
  readonly tree: N.Tree
  private vars: string[] = ['$']
  private rangeDepth = 0
  private actionLine = 0
  /** Line of the token this tree read last from the text: Go's messages give it. */
  private lastLine = 1

  constructor(
    name: string,
    parseName: string,
    text: string,
    private readonly stream: TokenStream,
    private readonly trees: Map<string, N.Tree>,
    private readonly hasFunction: (name: string) => boolean,
    private depth = 0,
  ) {
    this.tree = { name, parseName, text, root: undefined as unknown as N.ListNode }
  }

  // --- tokens

  private next(): Token {
    const { token, fresh } = this.stream.at()
    if (fresh) this.lastLine = token.line
    this.stream.cursor++
    return token
  }

  private backup(n = 1): void {
    this.stream.cursor -= n
  }

  private peek(): Token {
    const t = this.next()
    this.backup()
    return t
  }

  private nextNonSpace(): Token {
    for (;;) {
      const t = this.next()
      if (t.kind !== Tok.Space) return t
    }
  }

  private peekNonSpace(): Token {
    const t = this.nextNonSpace()
    this.backup()
    return t
  }

  private errorf(message: string): never {
    throw new TemplateSyntaxError(`template: ${this.tree.parseName}:${this.lastLine}: ${message}`)
  }

  private expect(kind: Tok, context: string): Token {
    const t = this.nextNonSpace()
    if (t.kind !== kind) this.unexpected(t, context)
    return t
  }

  private unexpected(t: Token, context: string): never {
    if (t.kind === Tok.Error) {
      let extra = ''
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.tree.parseName}:${this.actionLine}`
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length)
      }
      this.errorf(`${t.val}${extra}`)
    }
    this.errorf(`unexpected ${tokenString(t)} in ${context}`)
  }

  private at<T extends object>(pos: number, node: T): T & { pos: number; tree: N.Tree } {
    return Object.assign(node, { pos, tree: this.tree })
  }

  // --- structure

  /** The whole text: text and actions, with `{{define}}`s split off into their own trees. */
  parseTop(): void {
    this.tree.root = this.at(this.peek().pos, { type: 'list' as const, nodes: [] as N.Node[] })
    while (this.peek().kind !== Tok.EOF) {
      if (this.peek().kind === Tok.LeftDelim) {
        const mark = this.stream.cursor
        this.next()
        if (this.nextNonSpace().kind === Tok.Define) {
          const def = new TreeParser('definition', this.tree.parseName, this.tree.text, this.stream, this.trees, this.hasFunction)
          def.parseDefinition()
          continue
        }
        this.stream.cursor = mark
      }
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeText(n)}`)
      this.tree.root.nodes.push(n)
    }
    this.add()
  }

  private add(): void {
    const existing = this.trees.get(this.tree.name)
    if (!existing || isEmptyTree(existing.root)) {
      this.trees.set(this.tree.name, this.tree)
      return
    }
    if (!isEmptyTree(this.tree.root)) this.errorf(`template: multiple definition of template ${goQuote(this.tree.name)}`)
  }

  private parseDefinition(): void {
    const context = 'define clause'
    const name = this.nextNonSpace()
    if (name.kind !== Tok.String && name.kind !== Tok.RawString) this.unexpected(name, context)
    this.tree.name = this.unquoteOrFail(name.val)
    this.expect(Tok.RightDelim, context)
    const [list, end] = this.itemList()
    if (end.type !== 'end') this.errorf(`unexpected ${nodeText(end)} in ${context}`)
    this.tree.root = list
    this.add()
  }

  /** textOrAction* up to `{{end}}` or `{{else}}`, which is returned beside the list. */
  private itemList(): [N.ListNode, N.EndNode | N.ElseNode] {
    const list = this.at(this.peekNonSpace().pos, { type: 'list' as const, nodes: [] as N.Node[] })
    while (this.peekNonSpace().kind !== Tok.EOF) {
      const n = this.textOrAction()
      if (n.type === 'end' || n.type === 'else') return [list, n]
      list.nodes.push(n)
    }
    this.errorf('unexpected EOF')
  }

  private textOrAction(): N.Node {
    const t = this.nextNonSpace()
    if (t.kind === Tok.Text) return this.at(t.pos, { type: 'text' as const, text: t.val })
    if (t.kind === Tok.LeftDelim) {
      this.actionLine = t.line
      try {
        return this.action()
      } finally {
        this.actionLine = 0
      }
    }
    if (t.kind === Tok.Comment) return this.at(t.pos, { type: 'comment' as const, text: t.val })
    this.unexpected(t, 'input')
  }

  private action(): N.Node {
    const t = this.nextNonSpace()
    switch (t.kind) {
      case Tok.Block:
        return this.blockControl()
      case Tok.Break:
        return this.loopControl('break', t)
      case Tok.Continue:
        return this.loopControl('continue', t)
      case Tok.Else:
        return this.elseControl()
      case Tok.End:
        return this.at(this.expect(Tok.RightDelim, 'end').pos, { type: 'end' as const })
      case Tok.If:
        return this.branch('if')
      case Tok.Range:
        return this.branch('range')
      case Tok.Template:
        return this.templateControl()
      case Tok.With:
        return this.branch('with')
    }
    this.backup()
    const first = this.peek()
    // Variables declared here stay in scope until the enclosing {{end}}.
    return this.at(first.pos, { type: 'action' as const, line: first.line, pipe: this.pipeline('command', Tok.RightDelim) })
  }

  private loopControl(kind: 'break' | 'continue', t: Token): N.BreakNode | N.ContinueNode {
    const after = this.nextNonSpace()
    if (after.kind !== Tok.RightDelim) this.unexpected(after, `{{${kind}}}`)
    if (this.rangeDepth === 0) this.errorf(`{{${kind}}} outside {{range}}`)
    return this.at(t.pos, { type: kind, line: t.line })
  }

  private pipeline(context: string, end: Tok): N.PipeNode {
    const first = this.peekNonSpace()
    const pipe = this.at(first.pos, { type: 'pipe' as const, line: first.line, isAssign: false, decl: [] as N.VariableNode[], cmds: [] as N.CommandNode[] })
    // Declarations: `$x :=`, `$x =`, or in a range `$i, $e :=`.
    for (;;) {
      const v = this.peekNonSpace()
      if (v.kind !== Tok.Variable) break
      const mark = this.stream.cursor
      this.next()
      const after = this.peekNonSpace()
      if (after.kind === Tok.Assign || after.kind === Tok.Declare) {
        pipe.isAssign = after.kind === Tok.Assign
        this.nextNonSpace()
        pipe.decl.push(this.variableNode(v.pos, v.val))
        this.vars.push(v.val)
        break
      }
      if (after.kind === Tok.Char && after.val === ',') {
        this.nextNonSpace()
        pipe.decl.push(this.variableNode(v.pos, v.val))
        this.vars.push(v.val)
        if (context === 'range' && pipe.decl.length < 2) {
          const k = this.peekNonSpace().kind
          if (k === Tok.Variable || k === Tok.RightDelim || k === Tok.RightParen) continue
          this.errorf('range can only initialize variables')
        }
        this.errorf(`too many declarations in ${context}`)
      }
      this.stream.cursor = mark // an operand, not a declaration
      break
    }
    for (;;) {
      const t = this.nextNonSpace()
      if (t.kind === end) {
        this.checkPipeline(pipe, context)
        return pipe
      }
      switch (t.kind) {
        case Tok.Bool:
        case Tok.CharConstant:
        case Tok.Complex:
        case Tok.Dot:
        case Tok.Field:
        case Tok.Identifier:
        case Tok.Number:
        case Tok.Nil:
        case Tok.RawString:
        case Tok.String:
        case Tok.Variable:
        case Tok.LeftParen:
          this.backup()
          pipe.cmds.push(this.command())
          continue
        default:
          this.unexpected(t, context)
      }
    }
  }

  private checkPipeline(pipe: N.PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`)
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0].type
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') this.errorf(`non executable command in pipeline stage ${i + 2}`)
    })
  }

  private nested<T>(parse: () => T): T {
    if (this.depth >= MAX_DEPTH) this.errorf('max expression depth exceeded')
    this.depth++
    try {
      return parse()
    } finally {
      this.depth--
    }
  }

  private branch(kind: 'if' | 'range' | 'with'): N.IfNode | N.RangeNode | N.WithNode {
    return this.nested(() => this.branchBody(kind))
  }

  private branchBody(kind: 'if' | 'range' | 'with'): N.IfNode | N.RangeNode | N.WithNode {
    const varsBefore = this.vars.length
    try {
      const pipe = this.pipeline(kind, Tok.RightDelim)
      if (kind === 'range') this.rangeDepth++
      let [list, next] = this.itemList()
      if (kind === 'range') this.rangeDepth--
      let elseList: N.ListNode | undefined
      if (next.type === 'else') {
        // `{{else if x}}` / `{{else with x}}` is `{{else}}{{if x}}...{{end}}{{end}}` with the inner {{end}} implied.
        const nested = this.peek().kind
        if ((kind === 'if' && nested === Tok.If) || (kind === 'with' && nested === Tok.With)) {
          this.next()
          elseList = this.at(next.pos, { type: 'list' as const, nodes: [this.branch(kind)] as N.Node[] })
        } else {
          ;[elseList, next] = this.itemList()
          if (next.type !== 'end') this.errorf(`expected end; found ${nodeText(next)}`)
        }
      }
      return this.at(pipe.pos, { type: kind, line: pipe.line, pipe, list, elseList })
    } finally {
      this.vars.length = varsBefore
    }
  }

  private elseControl(): N.ElseNode {
    const p = this.peekNonSpace()
    if (p.kind === Tok.If || p.kind === Tok.With) return this.at(p.pos, { type: 'else' as const, line: p.line })
    const t = this.expect(Tok.RightDelim, 'else')
    return this.at(t.pos, { type: 'else' as const, line: t.line })
  }

  private blockControl(): N.TemplateNode {
    const context = 'block clause'
    const t = this.nextNonSpace()
    const name = this.templateName(t, context)
    const pipe = this.pipeline(context, Tok.RightDelim)
    const block = new TreeParser(name, this.tree.parseName, this.tree.text, this.stream, this.trees, this.hasFunction, this.depth + 1)
    if (this.depth + 1 > MAX_DEPTH) this.errorf('max expression depth exceeded')
    const [list, end] = block.itemList()
    if (end.type !== 'end') this.errorf(`unexpected ${nodeText(end)} in ${context}`)
    block.tree.root = list
    block.add()
    return this.at(t.pos, { type: 'template' as const, line: t.line, name, pipe })
  }

  private templateControl(): N.TemplateNode {
    const context = 'template clause'
    const t = this.nextNonSpace()
    const name = this.templateName(t, context)
    let pipe: N.PipeNode | undefined
    if (this.nextNonSpace().kind !== Tok.RightDelim) {
      this.backup()
      pipe = this.pipeline(context, Tok.RightDelim)
    }
    return this.at(t.pos, { type: 'template' as const, line: t.line, name, pipe })
  }

  private templateName(t: Token, context: string): string {
    if (t.kind !== Tok.String && t.kind !== Tok.RawString) this.unexpected(t, context)
    return this.unquoteOrFail(t.val)
  }

  private unquoteOrFail(lit: string): string {
    try {
      return unquote(lit)
    } catch (err) {
      if (err instanceof LiteralSyntaxError) this.errorf(err.message)
      throw err
    }
  }

  private command(): N.CommandNode {
    const cmd = this.at(this.peekNonSpace().pos, { type: 'command' as const, args: [] as N.ArgNode[] })
    for (;;) {
      this.peekNonSpace()
      const operand = this.operand()
      if (operand) cmd.args.push(operand)
      const t = this.next()
      if (t.kind === Tok.Space) continue
      if (t.kind === Tok.RightDelim || t.kind === Tok.RightParen) this.backup()
      else if (t.kind !== Tok.Pipe) this.unexpected(t, 'operand')
      break
    }
    if (cmd.args.length === 0) this.errorf('empty command')
    return cmd
  }

  private operand(): N.ArgNode | undefined {
    const node = this.term()
    if (!node) return undefined
    if (this.peek().kind !== Tok.Field) return node
    const pos = this.peek().pos
    const fields: string[] = []
    while (this.peek().kind === Tok.Field) fields.push(this.next().val.slice(1))
    switch (node.type) {
      case 'field':
        return this.at(pos, { type: 'field' as const, ident: [...node.ident, ...fields] })
      case 'variable':
        return this.at(pos, { type: 'variable' as const, ident: [...node.ident, ...fields] })
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.errorf(`unexpected . after term ${goQuote(nodeText(node))}`)
      // falls through: errorf never returns
      default:
        return this.at(pos, { type: 'chain' as const, node, fields })
    }
  }

  private term(): N.ArgNode | undefined {
    const t = this.nextNonSpace()
    switch (t.kind) {
      case Tok.Identifier:
        if (!this.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`)
        return this.at(t.pos, { type: 'identifier' as const, ident: t.val })
      case Tok.Dot:
        return this.at(t.pos, { type: 'dot' as const })
      case Tok.Nil:
        return this.at(t.pos, { type: 'nil' as const })
      case Tok.Variable:
        return this.useVar(t.pos, t.val)
      case Tok.Field:
        return this.at(t.pos, { type: 'field' as const, ident: t.val.slice(1).split('.') })
      case Tok.Bool:
        return this.at(t.pos, { type: 'bool' as const, value: t.val === 'true' })
      case Tok.CharConstant:
      case Tok.Complex:
      case Tok.Number:
        return this.numberNode(t)
      case Tok.LeftParen:
        return this.nested(() => this.pipeline('parenthesized pipeline', Tok.RightParen))
      case Tok.String:
      case Tok.RawString:
        return this.at(t.pos, { type: 'string' as const, quoted: t.val, text: this.unquoteOrFail(t.val) })
    }
    this.backup()
    return undefined
  }

  private variableNode(pos: number, name: string): N.VariableNode {
    return this.at(pos, { type: 'variable' as const, ident: name.split('.') })
  }

  private useVar(pos: number, name: string): N.VariableNode {
    const v = this.variableNode(pos, name)
    if (!this.vars.includes(v.ident[0])) this.errorf(`undefined variable ${goQuote(v.ident[0])}`)
    return v
  }

  private numberNode(t: Token): N.NumberNode {
    const n = this.at(t.pos, { type: 'number' as const, text: t.val, isInt: false, isUint: false, isFloat: false, isComplex: false, int: 0, float: 0 } as N.NumberNode)
    const text = t.val
    if (t.kind === Tok.CharConstant) {
      let c
      try {
        c = unquoteChar(text.slice(1), text[0])
      } catch (err) {
        if (err instanceof LiteralSyntaxError) this.errorf(err.message)
        throw err
      }
      if (c.tail !== "'") this.errorf(`malformed character constant: ${text}`)
      return Object.assign(n, { isInt: true, isUint: true, isFloat: true, int: c.code, float: c.code })
    }
    if (t.kind === Tok.Complex) {
      const m = /^(.*?)([+-][^+-]*)i$/.exec(text.replace(/([eEpP])([+-])/g, '$1\u0000$2'))
      const re = m ? parseGoFloat(m[1].replace(/\u0000/g, '')) : undefined
      const im = m ? parseGoFloat(m[2].replace(/\u0000/g, '')) : undefined
      if (re === undefined || im === undefined) this.errorf(`expected integer`)
      return simplifyComplex(Object.assign(n, { isComplex: true, complex: [re, im] as [number, number] }))
    }
    if (text.endsWith('i')) {
      const f = parseGoFloat(text.slice(0, -1))
      if (f !== undefined) return simplifyComplex(Object.assign(n, { isComplex: true, complex: [0, f] as [number, number] }))
    }
    const u = parseGoUint(text)
    if (u !== undefined) n.isUint = true
    const i = parseGoInt(text)
    if (i !== undefined) {
      n.isInt = true
      n.int = Number(i)
      if (i === 0n) n.isUint = true
    }
    if (n.isInt) {
      n.isFloat = true
      n.float = n.int
    } else if (n.isUint) {
      n.isFloat = true
      n.float = Number(u)
    } else {
      const f = parseGoFloat(text)
      if (f !== undefined) {
        // It parsed as a float but reads like an integer: an integer too large for int64.
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`)
        n.isFloat = true
        n.float = f
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true
          n.int = f
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) n.isUint = true
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`)
    return n
  }
}

function simplifyComplex(n: N.NumberNode): N.NumberNode {
  const [re, im] = n.complex!
  n.isFloat = im === 0
  if (n.isFloat) {
    n.float = re
    n.isInt = Number.isInteger(re) && Math.abs(re) < 2 ** 63
    if (n.isInt) n.int = re
    n.isUint = Number.isInteger(re) && re >= 0 && re < 2 ** 64
  }
  return n
}

/** Whether a tree holds nothing but white space and comments (it may then be redefined). */
function isEmptyTree(n: N.Node | undefined): boolean {
  if (!n) return true
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree)
    case 'comment':
      return true
    case 'text':
      return n.text.trim() === ''
    default:
      return false
  }
}

/** How a node reads in "unexpected X" messages. */
function nodeText(n: N.Node): string {
  switch (n.type) {
    case 'end':
      return '{{end}}'
    case 'else':
      return '{{else}}'
    case 'bool':
      return n.value ? 'true' : 'false'
    case 'string':
      return n.quoted
    case 'number':
      return n.text
    case 'nil':
      return 'nil'
    case 'dot':
      return '.'
    default:
      return n.type
  }
}

/** A token as Go's parser names it in messages: EOF, <keyword>, "text", or its first 10 characters quoted. */
function tokenString(t: Token): string {
  if (t.kind === Tok.EOF) return 'EOF'
  if (t.kind === Tok.Error) return t.val
  if (t.kind > Tok.Keyword) return `<${t.val}>`
  const chars = [...t.val]
  if (chars.length > 10) return `${goQuote(chars.slice(0, 10).join(''))}...`
  return goQuote(t.val)
}
