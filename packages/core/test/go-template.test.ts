// The Go template engine, case by case against Go's documented behaviour
// (text/template's package documentation, "doc" below) and Go's own output
// (messages as Go 1.26 prints them for the same template and data).
import { describe, expect, it } from 'vitest'
import { compileGoTemplate, GoFloat, GoObject } from '../src/util/go-template'
import { TemplateExecError, TemplateSyntaxError } from '../src/util/go-template/errors'

const data = {
  Name: 'web',
  Names: ['a', 'b'],
  Labels: { z: '1', a: '2' },
  N: 3,
  F: 1.5,
  T: true,
  Z: 0,
  E: '',
  Nil: null,
  Mixed: [1, 'x', null],
  Obj: { Inner: { V: 'deep' }, Num: 7 },
  Ints: [3, 1, 2],
  Empty: [],
  Html: `<a href='x'>&"</a>`,
}

const run = (template: string, dot: unknown = data): string => compileGoTemplate(template).execute(dot)

describe('actions and text', () => {
  it.each([
    ['text outside actions is copied unchanged (doc: "Text and spaces")', 'a {{.Name}} b', 'a web b'],
    ['trim markers trim the white space next to them (doc: "{{23 -}} < {{- 45}}" is "23<45")', '{{23 -}} < {{- 45}}', '23<45'],
    ['"{{-3}}" is an action containing the number -3 (doc)', '{{-3}}', '-3'],
    ['a comment is discarded, and may trim (doc: Actions)', 'a {{- /* note */ -}} b{{/* x */}}', 'ab'],
    ['a raw string constant (doc: Examples)', '{{`"output"`}}', '"output"'],
    ['a string constant with escapes (doc: Examples)', '{{"\\"output\\""}}', '"output"'],
    ['a character constant is its code point', "{{'a'}} {{'\\n'}} {{'\\u00e9'}}", '97 10 233'],
    ['integer constants in Go syntax: hex, octal, binary, underscores', '{{0x1F}} {{0o17}} {{017}} {{0b101}} {{1_000}}', '31 15 15 5 1000'],
    ['float constants print in the shortest form, as fmt.Print does', '{{1.0}} {{1.5e3}} {{1e6}} {{0.000012}} {{123456.0}}', '1 1500 1e+06 1.2e-05 123456'],
    ['a map prints with sorted keys (fmt: "maps are printed in key-sorted order")', '{{.Labels}}', 'map[a:2 z:1]'],
    ['a slice prints as [a b] (fmt: %v of a slice)', '{{.Names}} {{.Mixed}}', '[a b] [1 x <nil>]'],
    ['a missing map key prints <no value> (doc: missingkey=default)', '{{.Missing}} {{.Labels.nope}} {{.Obj.Nope.X}}', '<no value> <no value> <no value>'],
    ['a nil value printed by a pipeline is <no value>, as for JSON-decoded data', '{{.Nil}} {{index .Mixed 2}}', '<no value> <no value>'],
    ['fields chain on maps (doc: "Key invocations may be chained")', '{{.Obj.Inner.V}}', 'deep'],
    ['a parenthesized pipeline can be followed by fields (doc: Arguments)', '{{(index .Obj "Inner").V}}', 'deep'],
    ['$ is the data passed to Execute (doc: Variables)', '{{with .Obj}}{{$.Name}}{{end}}', 'web'],
  ])('%s', (_why, template, want) => expect(run(template)).toBe(want))
})

describe('pipelines and variables (doc: every example prints "output")', () => {
  it.each([
    '{{printf "%q" "output"}}',
    '{{"output" | printf "%q"}}',
    '{{printf "%q" (print "out" "put")}}',
    '{{"put" | printf "%s%s" "out" | printf "%q"}}',
    '{{"output" | printf "%s" | printf "%q"}}',
    '{{with "output"}}{{printf "%q" .}}{{end}}',
    '{{with $x := "output" | printf "%q"}}{{$x}}{{end}}',
    '{{with $x := "output"}}{{printf "%q" $x}}{{end}}',
    '{{with $x := "output"}}{{$x | printf "%q"}}{{end}}',
  ])('%s', (template) => expect(run(template)).toBe('"output"'))

  it.each([
    ['a declaration prints nothing; assignment changes the variable (doc: Variables)', '{{$x := 1}}{{$x = 2}}{{$x}}', '2'],
    ['an assignment inside range reaches the outer variable', '{{$x := "none"}}{{range .Names}}{{$x = .}}{{end}}{{$x}}', 'b'],
    ['range $i, $e sets index and element (doc: Variables)', '{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}', '0=a 1=b '],
    ['with one range variable it is the element, not the index (doc)', '{{range $e := .Names}}{{$e}}{{end}}', 'ab'],
    ['range over a map visits keys in sorted order (doc: range)', '{{range $k, $v := .Labels}}{{$k}}:{{$v}},{{end}}', 'a:2,z:1,'],
    ['range over an integer counts from 0 (doc: range ... integer)', '{{range 3}}{{.}}{{end}}', '012'],
    ['range of an empty slice runs else, dot unchanged (doc)', '{{range .Empty}}x{{else}}{{.Name}}{{end}}', 'web'],
    ['break ends the innermost range (doc: {{break}})', '{{range .Ints}}{{if eq . 1}}{{break}}{{end}}{{.}}{{end}}', '3'],
    ['continue starts the next iteration (doc: {{continue}})', '{{range .Ints}}{{if eq . 1}}{{continue}}{{end}}{{.}}{{end}}', '32'],
    ['if/else if is if/else{{if}} (doc)', '{{if .Z}}a{{else if .E}}b{{else if .T}}c{{end}}', 'c'],
    ['with sets dot; else runs with dot unaffected (doc)', '{{with .Obj}}{{.Num}}{{end}} {{with .Missing}}x{{else}}{{.Name}}{{end}}', '7 web'],
    ['else with chains withs (doc)', '{{with .E}}x{{else with .Name}}{{.}}{{end}}', 'web'],
    ['the empty values are false, 0, nil and empty strings, slices and maps (doc: if)', '{{if or .Z .E .Nil .Empty .Missing}}t{{else}}f{{end}}', 'f'],
    ['define/template execute other templates (doc: "ONE TWO")', '{{define "T1"}}ONE{{end}}{{define "T2"}}TWO{{end}}{{define "T3"}}{{template "T1"}} {{template "T2"}}{{end}}{{template "T3"}}', 'ONE TWO'],
    ['template "name" pipeline sets dot for the call (doc)', '{{define "n"}}<{{.}}>{{end}}{{template "n" .Name}}', '<web>'],
    ['block defines a template and executes it in place (doc)', '{{block "b" .N}}n={{.}}{{end}}', 'n=3'],
  ])('%s', (_why, template, want) => expect(run(template)).toBe(want))
})

describe('functions (doc: "Predefined global functions")', () => {
  it.each([
    ['and returns the first empty argument or the last', '{{and 1 0 2}} {{and 1 2}}', '0 2'],
    ['or returns the first non-empty argument or the last', '{{or 0 "" "x"}} {{or 0 ""}}', 'x '],
    ['and/or stop once the result is known: the failing index is never called', '{{and .Z (index .Names 99)}}{{or .T (index .Names 99)}}', '0true'],
    ['not is the negation of its argument\'s truth', '{{not 0}} {{not .Name}}', 'true false'],
    ['eq accepts two or more arguments: arg1==arg2 || arg1==arg3', '{{eq .N 1 2 3}} {{eq .Name "x" "web"}}', 'true true'],
    ['ne lt le gt ge on ints, floats and strings', '{{ne .N 3}} {{lt 1 2}} {{le 2 2}} {{gt "b" "a"}} {{ge 1.5 2.5}}', 'false true true true false'],
    ['eq compares nil with nil', '{{eq .Nil nil}} {{eq .Missing nil}}', 'true true'],
    ['index x 1 2 is x[1][2]; a missing key of a map[string]string is ""', '{{index .Names 1}} {{index .Labels "z"}}[{{index .Labels "nope"}}] {{index .Obj "Inner" "V"}}', 'b 1[] deep'],
    ['slice x 1 2 is x[1:2]; slice x 1 is x[1:]', '{{slice .Names 1}} {{slice .Name 1 2}} {{slice .Ints 0 2}}', '[b] e [3 1]'],
    ['len of a slice, string (bytes) and map', '{{len .Names}} {{len "héllo"}} {{len .Labels}}', '2 6 2'],
    ['print adds spaces between operands when neither is a string (fmt.Sprint)', '{{print "a" "b" 1 2 "c"}}', 'ab1 2c'],
    ['println always adds spaces and a newline (fmt.Sprintln)', '{{println "a" 1}}', 'a 1\n'],
    ['html escapes the HTML special characters', '{{html .Html}}', '&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;'],
    ['js escapes for JavaScript', '{{js .Html}}', "\\u003Ca href\\u003D\\'x\\'\\u003E\\u0026\\\"\\u003C/a\\u003E"],
    ['urlquery escapes for a URL query', '{{urlquery "a b&c=d/é"}}', 'a+b%26c%3Dd%2F%C3%A9'],
    ['call calls a function value with the remaining arguments', '{{call .Add 2 3}}', '5'],
  ])('%s', (_why, template, want) => expect(run(template, { ...data, Add: (a: number, b: number) => a + b })).toBe(want))
})

describe("Docker's functions (docker/cli templates package)", () => {
  it.each([
    ['json encodes as encoding/json does, HTML left unescaped', '{{json .Names}} {{json .Html}} {{json .Missing}}', `["a","b"] "<a href='x'>&\\"</a>" null`],
    ['json keeps a struct-like object\'s key order', '{{json .Obj}}', '{"Inner":{"V":"deep"},"Num":7}'],
    ['join and split are strings.Join and strings.Split', '{{join .Names ","}} {{split "a,b" ","}} {{split "ab" ""}}', 'a,b [a b] [a b]'],
    ['lower, upper and title', '{{upper .Name}} {{lower "ABC"}} {{title "hello world-foo bar_baz"}}', 'WEB abc Hello World-Foo Bar_baz'],
    ['pad adds spaces around a non-empty string only', '[{{pad .Name 1 2}}][{{pad "" 1 2}}]', '[ web  ][]'],
    ['truncate keeps the first n bytes', '{{truncate .Name 2}} {{truncate .Name 10}}', 'we web'],
  ])('%s', (_why, template, want) => expect(run(template)).toBe(want))
})

describe('structs and methods (GoObject)', () => {
  const row = new GoObject('*formatter.ContainerContext', 'struct', { ID: 'abc' }, {
    Names: { params: [], fn: () => 'web' },
    Label: { params: ['string'], fn: (k) => ({ app: 'shop' } as Record<string, string>)[k as string] ?? '' },
  })
  it.each([
    ['a niladic method is called by name (doc: .Method)', '{{.ID}} {{.Names}}', 'abc web'],
    ['a method takes arguments as the last element of a chain (doc: .Method [Argument...])', '{{.Label "app"}}|{{.Label "nope"}}', 'shop|'],
    ['a pipeline passes its value as the last argument', '{{"app" | .Label}}', 'shop'],
  ])('%s', (_why, template, want) => expect(run(template, row)).toBe(want))

  it('an unknown field of a struct is an error naming the type', () => {
    expect(() => run('{{.Nmes}}', row)).toThrow('template: :1:2: executing "" at <.Nmes>: can\'t evaluate field Nmes in type *formatter.ContainerContext')
  })
  it('a method called with the wrong number of arguments is an error', () => {
    expect(() => run('{{.Label}}', row)).toThrow('template: :1:2: executing "" at <.Label>: wrong number of args for Label: want 1 got 0')
  })
})

describe('templates that do not parse: Go\'s messages', () => {
  it.each([
    ['{{', 'template: :1: unclosed action'],
    ['{{.Names', 'template: :1: unclosed action'],
    ['{{json .}', "template: :1: bad character U+007D '}'"],
    ['{{foo}}', 'template: :1: function "foo" not defined'],
    ['{{.Name | foo}}', 'template: :1: function "foo" not defined'],
    ['{{if .T}}x', 'template: :1: unexpected EOF'],
    ['{{end}}', 'template: :1: unexpected {{end}}'],
    ['{{else}}', 'template: :1: unexpected {{else}}'],
    ['{{range .Names}}{{end}}{{break}}', 'template: :1: {{break}} outside {{range}}'],
    ['{{$y}}', 'template: :1: undefined variable "$y"'],
    ['{{"unterminated}}', 'template: :1: unterminated quoted string'],
    ['{{`raw}}', 'template: :1: unterminated raw quoted string'],
    ["{{'ab'}}", "template: :1: malformed character constant: 'ab'"],
    ['{{3x}}', 'template: :1: bad number syntax: "3x"'],
    ['{{99999999999999999999}}', 'template: :1: integer overflow: "99999999999999999999"'],
    ['{{(1}}', 'template: :1: unclosed left paren'],
    ['{{1)}}', 'template: :1: unexpected right paren'],
    ['{{#}}', 'template: :1: unexpected "#" in command'],
    ['{{/* unclosed', 'template: :1: unclosed comment'],
    ['{{\n\n.Name', 'template: :3: unclosed action started at :1'],
    ['{{1 | 2}}', 'template: :1: non executable command in pipeline stage 2'],
    ['{{define "a"}}x{{end}}{{define "a"}}y{{end}}', 'template: :1: template: multiple definition of template "a"'],
    ['{{ "\\q" }}', 'template: :1: invalid syntax'],
    ['{{range $x, $y, $z := .}}{{end}}', 'template: :1: too many declarations in range'],
    // Nesting stops at 1000 (Go's limit on WebAssembly), before JavaScript's stack would.
    [`{{${'('.repeat(1001)}1${')'.repeat(1001)}}}`, 'template: :1: max expression depth exceeded'],
    [`${'{{if 1}}'.repeat(1001)}x${'{{end}}'.repeat(1001)}`, 'template: :1: max expression depth exceeded'],
  ])('%j', (template, message) => {
    let err: unknown
    try {
      compileGoTemplate(template)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TemplateSyntaxError)
    expect((err as Error).message).toBe(message)
  })
})

describe('templates that fail while running: Go\'s messages', () => {
  it.each([
    ['{{index .N 0}}', 'template: :1:2: executing "" at <index .N 0>: error calling index: can\'t index item of type int'],
    ['{{index .Names 5}}', 'template: :1:2: executing "" at <index .Names 5>: error calling index: index out of range: 5'],
    ['{{index .Names "x"}}', 'template: :1:2: executing "" at <index .Names "x">: error calling index: cannot index slice/array with type string'],
    ['{{len .N}}', 'template: :1:2: executing "" at <len .N>: error calling len: len of type int'],
    ['{{eq .N "3"}}', 'template: :1:2: executing "" at <eq .N "3">: error calling eq: incompatible types for comparison: int and string'],
    ['{{lt .T .T}}', 'template: :1:2: executing "" at <lt .T .T>: error calling lt: invalid type for comparison'],
    ['{{join .Name ","}}', 'template: :1:7: executing "" at <.Name>: wrong type for value; expected []string; got string'],
    ['{{upper 3}}', 'template: :1:8: executing "" at <3>: expected string; found 3'],
    ['{{.Name 1}}', 'template: :1:2: executing "" at <.Name>: Name is not a method but has arguments'],
    ['{{.Nil.X}}', 'template: :1:6: executing "" at <.Nil.X>: nil pointer evaluating interface {}.X'],
    ['{{range .Name}}x{{end}}', 'template: :1:8: executing "" at <.Name>: range can\'t iterate over web'],
    ['{{template "nope"}}', 'template: :1:11: executing "" at <{{template "nope"}}>: template "nope" not defined'],
    ['{{define "x"}}{{index .Names 9}}{{end}}{{template "x" .}}', 'template: :1:16: executing "x" at <index .Names 9>: error calling index: index out of range: 9'],
    ['a\nbé {{index .Names 7}}', 'template: :2:6: executing "" at <index .Names 7>: error calling index: index out of range: 7'],
  ])('%j', (template, message) => {
    let err: unknown
    try {
      run(template)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(TemplateExecError)
    expect((err as Error).message).toBe(message)
  })

  it('what was written before the failure is kept, as Go leaves it in the writer', () => {
    let err: unknown
    try {
      run('before {{index .Names 9}} after')
    } catch (e) {
      err = e
    }
    expect((err as TemplateExecError).partial).toBe('before ')
  })

  it('missingkey=error makes a missing key an error (doc: Option)', () => {
    expect(() => compileGoTemplate('{{.Nope}}').execute({}, { missingKey: 'error' })).toThrow('map has no entry for key "Nope"')
  })

  it('a float constant is a float64 value: it does not equal an int', () => {
    expect(run('{{printf "%T %T" 1.0 1}}')).toBe('float64 int')
    expect(run('{{.}}', new GoFloat(2))).toBe('2')
  })
})
