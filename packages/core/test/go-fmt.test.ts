// printf, print and Go's value printing, as fmt documents them (the fmt
// package documentation, "fmt doc" below); expected strings are Go 1.26's output.
import { describe, expect, it } from 'vitest'
import { goSprint, goSprintf } from '../src/util/go-template/go-fmt'
import { formatGoFloat } from '../src/util/go-template/go-float'
import { GoFloat } from '../src/util/go-template/go-values'

const f = (x: number) => (Number.isInteger(x) ? new GoFloat(x) : x)

describe('printf verbs (fmt doc: "Printing")', () => {
  it.each([
    ['%v %d %s %q %t: the general, integer, string, quoted and boolean verbs', '%v|%d|%s|%q|%t', [42, 42, 's', 'q', true], '42|42|s|"q"|true'],
    ['width and precision; - pads on the right', '%5.2f|%-10s|%10s|', [3.14159, 'ab', 'cd'], ' 3.14|ab        |        cd|'],
    ['flags 0 + space and the bases x X o b, # for 0x', '%05d|%+d|% d|%x|%X|%o|%b|%#x', [42, 5, 7, 255, 255, 8, 5, 255], '00042|+5| 7|ff|FF|10|101|0xff'],
    ['%e %E %g and precisions ("%.3g" is 3 significant digits)', '%e|%E|%g|%.3g|%8.3e', [1234.5678, 0.000123, f(100000), 3.14159, 1234.5678], '1.234568e+03|1.230000E-04|100000|3.14|1.235e+03'],
    ['rounding is of the exact binary value, ties to even', '%.0f %.0f %.1f %.2f', [f(2.5), f(3.5), 0.25, 1.005], '2 4 0.2 1.00'],
    ['%q quotes with Go escapes, %+q in ASCII, %#q backquoted; %x of a string is its bytes', '%q|%+q|%#q|%x|% x', ['a"b\n', 'é', 'ab', 'hé', 'ab'], '"a\\"b\\n"|"\\u00e9"|`ab`|68c3a9|61 62'],
    ['%c %U %#U of a code point; %q of an int is a character literal', '%c|%U|%#U|%q', [65, 0x1f600, 0x1f600, 0x27], "A|U+1F600|U+1F600 '\u{1f600}'|'\\''"],
    ['precision truncates strings; %.0d of 0 prints nothing; zero padding after the sign', '%.2s|%.0d|%08.3f|%-8.3f|', ['hello', 0, -3.14159, 2.5], 'he||-003.142|2.500   |'],
    ['* takes width or precision from the arguments', '%*d|%-*d|%.*f', [5, 1, 4, 2, 2, 3.14159], '    1|2   |3.14'],
    ['[n] picks the argument', '%[2]s %[1]s', ['a', 'b'], 'b a'],
    ['%T is the type', '%T %T %T %T %T', [1, 1.5, 's', ['a', 'b'], { z: '1' }], 'int float64 string []string map[string]string'],
    ['verbs apply to each element of slices and maps', '%v %s %02d', [{ z: '1', a: '2' }, ['a', 'b'], [3, 1, 2]], 'map[a:2 z:1] [a b] [03 01 02]'],
    ['%% is a percent sign', '%6.2f%%', [99.5], ' 99.50%'],
  ])('%s', (_why, format, args, want) => expect(goSprintf(format, args)).toBe(want))

  it.each([
    ['wrong type', '%d', ['x'], '%!d(string=x)'],
    ['wrong type', '%s', [5], '%!s(int=5)'],
    ['missing argument', '%d %d', [1], '1 %!d(MISSING)'],
    ['extra argument', '%d', [1, 2], '1%!(EXTRA int=2)'],
    ['no verb', '%', [], '%!(NOVERB)'],
    ['unknown verb', '%z', [1], '%!z(int=1)'],
  ])('misuse is reported in the output (fmt doc: "Format errors"): %s', (_why, format, args, want) => expect(goSprintf(format, args)).toBe(want))
})

describe('floats as %v prints them: the shortest exact digits, in exponent form below 1e-4 and from 1e+06', () => {
  it.each([
    [1e21, '1e+21'],
    [1e20, '1e+20'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5, '1.5'],
    [0.1 + 0.2, '0.30000000000000004'],
    [-0, '-0'],
  ])('%d', (x, want) => expect(formatGoFloat(x, 'g', -1)).toBe(want))
})

describe('print (fmt doc: "Sprint ... adds spaces between operands when neither is a string")', () => {
  it.each([
    [['a', 'b', 1, 2, 'c'], 'ab1 2c'],
    [[null], '<nil>'],
    [[[1, 'x', null]], '[1 x <nil>]'],
    [[{ b: [1], a: { c: true } }], 'map[a:map[c:true] b:[1]]'],
  ])('%j', (args, want) => expect(goSprint(args)).toBe(want))
})
