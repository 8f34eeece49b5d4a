/**
 * The tokenizer of Go's text/template, behaving as Go's documents it: text is
 * copied until `{{`; inside an action come identifiers, `.Field`s, `$var`s,
 * constants, `|`, `(`, `)`, `:=`, `=` and runs of spaces; `{{- ` and ` -}}`
 * trim the white space (space, tab, CR, LF) next to them; `{{/* *\/}}` is a
 * comment. Tokens come one at a time as the parser asks (the parser stops at
 * the first error, so the first error in reading order is the one reported),
 * each with the line it starts on, which Go's messages quote.
 */
import { goQuote } from './go-literals'

/** Kinds of token; keywords come after `Keyword`, as in Go, so `kind > Tok.Keyword` tests for one. */
export const enum Tok {
  Error,
  Bool,
  Char,
  CharConstant,
  Comment,
  Complex,
  Assign,
  Declare,
  EOF,
  Field,
  Identifier,
  LeftDelim,
  LeftParen,
  Number,
  Pipe,
  RawString,
  RightDelim,
  RightParen,
  Space,
  String,
  Text,
  Variable,
  Keyword,
  Block,
  Break,
  Continue,
  Dot,
  Define,
  Else,
  End,
  If,
  Nil,
  Range,
  Template,
  With,
}

/** One token: its kind, where it starts (a string index), its text, and its starting line (1-based). */
export interface Token {
  kind: Tok
  pos: number
  val: string
  line: number
}

const KEYWORDS: Record<string, Tok> = {
  '.': Tok.Dot,
  block: Tok.Block,
  break: Tok.Break,
  continue: Tok.Continue,
  define: Tok.Define,
  else: Tok.Else,
  end: Tok.End,
  if: Tok.If,
  range: Tok.Range,
  nil: Tok.Nil,
  template: Tok.Template,
  with: Tok.With,
}

const LEFT = '{{'
const RIGHT = '}}'
const LEFT_COMMENT = '/*'
const RIGHT_COMMENT = '*/'
const SPACE = ' \t\r\n'
const EOF = -1

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u
/** Go's isAlphaNumeric: underscore, unicode.IsLetter, unicode.IsDigit. */
export function isAlphaNumeric(c: number): boolean {
  if (c < 0) return false
  if (c === 0x5f) return true
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)
  return LETTER_OR_DIGIT.test(String.fromCodePoint(c))
}

const hasLeftTrim = (s: string, at: number): boolean => s.charCodeAt(at) === 0x2d && isSpace(s.charCodeAt(at + 1))
const hasRightTrim = (s: string, at: number): boolean => isSpace(s.charCodeAt(at)) && s.charCodeAt(at + 1) === 0x2d

/** `%#U` of a code point, as Go's fmt prints it: `U+0001`, or `U+0078 'x'` when printable. */
export function goUnicodeName(c: number): string {
  const hex = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(c)) ? `${hex} '${String.fromCodePoint(c)}'` : hex
}

const enum State {
  Text,
  LeftDelim,
  Comment,
  RightDelim,
  InsideAction,
  Space,
  Identifier,
  Field,
  Variable,
  Char,
  Number,
  Quote,
  RawQuote,
}

/** Options the parser sets: `break`/`continue` are keywords unless a function takes the name. */
export interface LexOptions {
  breakOK: boolean
  continueOK: boolean
}

/** A pull tokenizer over one template text. */
export class Lexer {
  private pos = 0
  private start = 0
  private atEOF = false
  private parenDepth = 0
  private line = 1
  private startLine = 1
  private insideAction = false
  private item: Token | undefined

  constructor(private input: string, private readonly options: LexOptions) {}

  /** The next token; after an error or EOF, EOF forever. */
  nextItem(): Token {
    this.item = undefined
    let state: State | undefined = this.insideAction ? State.InsideAction : State.Text
    while (state !== undefined && this.item === undefined) state = this.step(state)
    return this.item ?? { kind: Tok.EOF, pos: this.pos, val: 'EOF', line: this.startLine }
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true
      return EOF
    }
    const c = this.input.codePointAt(this.pos)!
    this.pos += c > 0xffff ? 2 : 1
    if (c === 0x0a) this.line++
    return c
  }

  private backup(): void {
    if (this.atEOF || this.pos <= 0) return
    const low = this.input.charCodeAt(this.pos - 1)
    const pair = this.pos >= 2 && low >= 0xdc00 && low <= 0xdfff && this.input.charCodeAt(this.pos - 2) >= 0xd800 && this.input.charCodeAt(this.pos - 2) <= 0xdbff
    this.pos -= pair ? 2 : 1
    if (low === 0x0a) this.line--
  }

  private peek(): number {
    const c = this.next()
    this.backup()
    return c
  }

  private take(kind: Tok): Token {
    const t: Token = { kind, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine }
    this.start = this.pos
    this.startLine = this.line
    return t
  }

  private emit(kind: Tok): undefined {
    this.item = this.take(kind)
    return undefined
  }

  /** Skip the pending input, counting its newlines (for text skipped without next()). */
  private ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos)
    this.start = this.pos
    this.startLine = this.line
  }

  private accept(valid: string): boolean {
    const c = this.next()
    if (c !== EOF && valid.includes(String.fromCodePoint(c))) return true
    this.backup()
    return false
  }

  private acceptRun(valid: string): void {
    for (;;) {
      const c = this.next()
      if (c === EOF || !valid.includes(String.fromCodePoint(c))) break
    }
    this.backup()
  }

  private errorf(message: string): undefined {
    this.item = { kind: Tok.Error, pos: this.start, val: message, line: this.startLine }
    this.start = 0
    this.pos = 0
    this.input = ''
    return undefined
  }

  private atRightDelim(): { delim: boolean; trim: boolean } {
    if (hasRightTrim(this.input, this.pos) && this.input.startsWith(RIGHT, this.pos + 2)) return { delim: true, trim: true }
    if (this.input.startsWith(RIGHT, this.pos)) return { delim: true, trim: false }
    return { delim: false, trim: false }
  }

  /** Whether what follows may end an identifier: space, EOF, `. , | : ( )` or the right delimiter. */
  private atTerminator(): boolean {
    const c = this.peek()
    if (c === EOF || isSpace(c)) return true
    if ('.,|:)('.includes(String.fromCodePoint(c))) return true
    return this.input.startsWith(RIGHT, this.pos)
  }

  private step(state: State): State | undefined {
    switch (state) {
      case State.Text:
        return this.lexText()
      case State.LeftDelim:
        return this.lexLeftDelim()
      case State.Comment:
        return this.lexComment()
      case State.RightDelim:
        return this.lexRightDelim()
      case State.InsideAction:
        return this.lexInsideAction()
      case State.Space:
        return this.lexSpace()
      case State.Identifier:
        return this.lexIdentifier()
      case State.Field:
        return this.lexFieldOrVariable(Tok.Field)
      case State.Variable:
        return this.atTerminator() ? this.emit(Tok.Variable) : this.lexFieldOrVariable(Tok.Variable)
      case State.Char:
        return this.lexQuoted("'", 'unterminated character constant', Tok.CharConstant)
      case State.Number:
        return this.lexNumber()
      case State.Quote:
        return this.lexQuoted('"', 'unterminated quoted string', Tok.String)
      case State.RawQuote:
        return this.lexRawQuote()
    }
  }

  private lexText(): State | undefined {
    const x = this.input.indexOf(LEFT, this.pos)
    if (x >= 0) {
      if (x > this.pos) {
        this.pos = x
        // Text before `{{- ` loses its trailing white space.
        let trim = 0
        if (hasLeftTrim(this.input, this.pos + LEFT.length)) trim = trailingSpace(this.input, this.start, this.pos)
        this.pos -= trim
        this.line += countNewlines(this.input, this.start, this.pos)
        const text = this.take(Tok.Text)
        this.pos += trim
        this.ignore()
        if (text.val.length > 0) {
          this.item = text
          return undefined
        }
      }
      return State.LeftDelim
    }
    this.pos = this.input.length
    if (this.pos > this.start) {
      this.line += countNewlines(this.input, this.start, this.pos)
      return this.emit(Tok.Text)
    }
    return this.emit(Tok.EOF)
  }

  private lexLeftDelim(): State | undefined {
    this.pos += LEFT.length
    const trim = hasLeftTrim(this.input, this.pos)
    const afterMarker = trim ? 2 : 0
    if (this.input.startsWith(LEFT_COMMENT, this.pos + afterMarker)) {
      this.pos += afterMarker
      this.ignore()
      return State.Comment
    }
    const delim = this.take(Tok.LeftDelim)
    this.insideAction = true
    this.pos += afterMarker
    this.ignore()
    this.parenDepth = 0
    this.item = delim
    return undefined
  }

  private lexComment(): State | undefined {
    this.pos += LEFT_COMMENT.length
    const x = this.input.indexOf(RIGHT_COMMENT, this.pos)
    if (x < 0) return this.errorf('unclosed comment')
    this.pos = x + RIGHT_COMMENT.length
    const { delim, trim } = this.atRightDelim()
    if (!delim) return this.errorf('comment ends before closing delimiter')
    this.line += countNewlines(this.input, this.start, this.pos)
    this.take(Tok.Comment) // comments are not passed to the parser
    if (trim) this.pos += 2
    this.pos += RIGHT.length
    if (trim) this.pos += leadingSpace(this.input, this.pos)
    this.ignore()
    return State.Text
  }

  private lexRightDelim(): State | undefined {
    const { trim } = this.atRightDelim()
    if (trim) {
      this.pos += 2
      this.ignore()
    }
    this.pos += RIGHT.length
    const delim = this.take(Tok.RightDelim)
    if (trim) {
      this.pos += leadingSpace(this.input, this.pos)
      this.ignore()
    }
    this.insideAction = false
    this.item = delim
    return undefined
  }

  private lexInsideAction(): State | undefined {
    if (this.atRightDelim().delim) {
      if (this.parenDepth === 0) return State.RightDelim
      return this.errorf('unclosed left paren')
    }
    const c = this.next()
    if (c === EOF) return this.errorf('unclosed action')
    if (isSpace(c)) {
      this.backup() // the space may begin " -}}"
      return State.Space
    }
    switch (c) {
      case 0x3d: // =
        return this.emit(Tok.Assign)
      case 0x3a: // :
        if (this.next() !== 0x3d) return this.errorf('expected :=')
        return this.emit(Tok.Declare)
      case 0x7c: // |
        return this.emit(Tok.Pipe)
      case 0x22: // "
        return State.Quote
      case 0x60: // `
        return State.RawQuote
      case 0x24: // $
        return State.Variable
      case 0x27: // '
        return State.Char
      case 0x28: // (
        this.parenDepth++
        return this.emit(Tok.LeftParen)
      case 0x29: // )
        this.parenDepth--
        if (this.parenDepth < 0) return this.errorf('unexpected right paren')
        return this.emit(Tok.RightParen)
    }
    if (c === 0x2e) {
      // ".field" unless a digit follows: ".5" is a number.
      if (this.pos < this.input.length) {
        const d = this.input.charCodeAt(this.pos)
        if (d < 0x30 || d > 0x39) return State.Field
      }
      this.backup()
      return State.Number
    }
    if (c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      this.backup()
      return State.Number
    }
    if (isAlphaNumeric(c)) {
      this.backup()
      return State.Identifier
    }
    if (c <= 0x7e && c >= 0x20) return this.emit(Tok.Char)
    return this.errorf(`unrecognized character in action: ${goUnicodeName(c)}`)
  }

  private lexSpace(): State | undefined {
    let spaces = 0
    while (isSpace(this.peek())) {
      this.next()
      spaces++
    }
    // A trim-marked right delimiter starts with a space: leave it to lexRightDelim.
    if (hasRightTrim(this.input, this.pos - 1) && this.input.startsWith(RIGHT, this.pos - 1 + 2)) {
      this.backup()
      if (spaces === 1) return State.RightDelim
    }
    return this.emit(Tok.Space)
  }

  private lexIdentifier(): State | undefined {
    for (;;) {
      const c = this.next()
      if (isAlphaNumeric(c)) continue
      this.backup()
      const word = this.input.slice(this.start, this.pos)
      if (!this.atTerminator()) return this.errorf(`bad character ${goUnicodeName(c)}`)
      const keyword = KEYWORDS[word]
      if (keyword !== undefined && keyword > Tok.Keyword) {
        if ((keyword === Tok.Break && !this.options.breakOK) || (keyword === Tok.Continue && !this.options.continueOK)) return this.emit(Tok.Identifier)
        return this.emit(keyword)
      }
      if (word[0] === '.') return this.emit(Tok.Field)
      if (word === 'true' || word === 'false') return this.emit(Tok.Bool)
      return this.emit(Tok.Identifier)
    }
  }

  private lexFieldOrVariable(kind: Tok.Field | Tok.Variable): State | undefined {
    if (this.atTerminator()) return this.emit(kind === Tok.Variable ? Tok.Variable : Tok.Dot)
    let c: number
    for (;;) {
      c = this.next()
      if (!isAlphaNumeric(c)) {
        this.backup()
        break
      }
    }
    if (!this.atTerminator()) return this.errorf(`bad character ${goUnicodeName(c)}`)
    return this.emit(kind)
  }

  private lexQuoted(quote: string, unterminated: string, kind: Tok): State | undefined {
    const q = quote.charCodeAt(0)
    for (;;) {
      const c = this.next()
      if (c === 0x5c) {
        const e = this.next()
        if (e !== EOF && e !== 0x0a) continue
        return this.errorf(unterminated)
      }
      if (c === EOF || c === 0x0a) return this.errorf(unterminated)
      if (c === q) return this.emit(kind)
    }
  }

  private lexRawQuote(): State | undefined {
    for (;;) {
      const c = this.next()
      if (c === EOF) return this.errorf('unterminated raw quoted string')
      if (c === 0x60) return this.emit(Tok.RawString)
    }
  }

  private lexNumber(): State | undefined {
    if (!this.scanNumber()) return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`)
    const sign = this.peek()
    if (sign === 0x2b || sign === 0x2d) {
      // A complex constant such as 1+2i: no spaces, ends in i.
      if (!this.scanNumber() || this.input[this.pos - 1] !== 'i') return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`)
      return this.emit(Tok.Complex)
    }
    return this.emit(Tok.Number)
  }

  private scanNumber(): boolean {
    this.accept('+-')
    let digits = '0123456789_'
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_'
      else if (this.accept('oO')) digits = '01234567_'
      else if (this.accept('bB')) digits = '01_'
    }
    this.acceptRun(digits)
    if (this.accept('.')) this.acceptRun(digits)
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-')
      this.acceptRun('0123456789_')
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-')
      this.acceptRun('0123456789_')
    }
    this.accept('i')
    if (isAlphaNumeric(this.peek())) {
      this.next()
      return false
    }
    return true
  }
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++
  return n
}

function trailingSpace(s: string, from: number, to: number): number {
  let i = to
  while (i > from && SPACE.includes(s[i - 1])) i--
  return to - i
}

function leadingSpace(s: string, from: number): number {
  let i = from
  while (i < s.length && SPACE.includes(s[i])) i++
  return i - from
}
