/**
 * The parse tree of a Go template, node for node as text/template/parse
 * defines it, and `nodeString`, which prints a node back as template source:
 * execution errors quote it (`executing "" at <index .Names 1>: ...`).
 */
import { goQuote } from './go-literals'

/** The parse of one named template, and the text it came from (for error positions). */
export interface Tree {
  name: string
  /** Name of the top-level template this was parsed within: error messages use it. */
  parseName: string
  root: ListNode
  text: string
}

interface At {
  /** String index of the node in `tree.text`. */
  pos: number
  tree: Tree
}

export interface ListNode extends At { type: 'list'; nodes: Node[] }
export interface TextNode extends At { type: 'text'; text: string }
export interface CommentNode extends At { type: 'comment'; text: string }
export interface ActionNode extends At { type: 'action'; line: number; pipe: PipeNode }
export interface PipeNode extends At { type: 'pipe'; line: number; isAssign: boolean; decl: VariableNode[]; cmds: CommandNode[] }
export interface CommandNode extends At { type: 'command'; args: ArgNode[] }
export interface IdentifierNode extends At { type: 'identifier'; ident: string }
/** `$x.A.B`: ident is ['$x', 'A', 'B']. */
export interface VariableNode extends At { type: 'variable'; ident: string[] }
export interface DotNode extends At { type: 'dot' }
export interface NilNode extends At { type: 'nil' }
/** `.A.B`: ident is ['A', 'B']. */
export interface FieldNode extends At { type: 'field'; ident: string[] }
/** `(pipeline).A.B` or `fn.A`: a term followed by fields. */
export interface ChainNode extends At { type: 'chain'; node: ArgNode; fields: string[] }
export interface BoolNode extends At { type: 'bool'; value: boolean }
export interface StringNode extends At { type: 'string'; quoted: string; text: string }
/** A numeric constant with every reading of it that is exact, as Go keeps them. */
export interface NumberNode extends At {
  type: 'number'
  text: string
  isInt: boolean
  isUint: boolean
  isFloat: boolean
  isComplex: boolean
  int: number
  float: number
  complex?: [number, number]
}
export interface BranchNode extends At { line: number; pipe: PipeNode; list: ListNode; elseList?: ListNode }
export interface IfNode extends BranchNode { type: 'if' }
export interface RangeNode extends BranchNode { type: 'range' }
export interface WithNode extends BranchNode { type: 'with' }
export interface TemplateNode extends At { type: 'template'; line: number; name: string; pipe?: PipeNode }
export interface BreakNode extends At { type: 'break'; line: number }
export interface ContinueNode extends At { type: 'continue'; line: number }
/** `{{end}}` and `{{else}}`: only seen while parsing. */
export interface EndNode extends At { type: 'end' }
export interface ElseNode extends At { type: 'else'; line: number }

/** What may appear as an argument of a command. */
export type ArgNode = IdentifierNode | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | StringNode | NumberNode | PipeNode
export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | CommandNode
  | ArgNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | EndNode
  | ElseNode

/** The node as template source, as Go's Node.String prints it. */
export function nodeString(n: Node): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeString).join('')
    case 'text':
      return n.text
    case 'comment':
      return `{{${n.text}}}`
    case 'action':
      return `{{${nodeString(n.pipe)}}}`
    case 'pipe': {
      const decl = n.decl.length ? `${n.decl.map(nodeString).join(', ')}${n.isAssign ? ' = ' : ' := '}` : ''
      return decl + n.cmds.map(nodeString).join(' | ')
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ')
    case 'identifier':
      return n.ident
    case 'variable':
      return n.ident.join('.')
    case 'dot':
      return '.'
    case 'nil':
      return 'nil'
    case 'field':
      return n.ident.map((i) => `.${i}`).join('')
    case 'chain':
      return (n.node.type === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) + n.fields.map((f) => `.${f}`).join('')
    case 'bool':
      return n.value ? 'true' : 'false'
    case 'string':
      return n.quoted
    case 'number':
      return n.text
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.type} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`
    case 'template':
      return `{{template ${goQuote(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`
    case 'break':
      return '{{break}}'
    case 'continue':
      return '{{continue}}'
    case 'end':
      return '{{end}}'
    case 'else':
      return '{{else}}'
  }
}

/**
 * `NAME:LINE:COL` of a node, as Go's ErrorContext gives it: the line is
 * 1-based, the column the byte offset within that line (0-based).
 */
export function nodeLocation(n: Node): string {
  const before = n.tree.text.slice(0, n.pos)
  const nl = before.lastIndexOf('\n')
  const line = 1 + (before.match(/\n/g)?.length ?? 0)
  const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8')
  return `${n.tree.parseName}:${line}:${col}`
}
