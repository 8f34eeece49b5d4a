//! A tiny classic-BPF assembler for seccomp filters, and an interpreter of
//! the same subset so tests can check what a filter answers without loading
//! it. Only what seccomp needs: absolute 32-bit loads from `seccomp_data`,
//! `and` with a constant, conditional jumps on a constant, returns.
use super::{ArgCond, CmpOp};

/// `struct sock_filter`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

/// What a filter answered (for tests and callers that evaluate programs).
pub type Verdict = u32;

const LD_ABS_W: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
const ALU_AND_K: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const JGT_K: u16 = 0x25;
const JGE_K: u16 = 0x35;
const RET_K: u16 = 0x06; // BPF_RET | BPF_K

/// Offsets in `struct seccomp_data` (little-endian: low word first).
const OFF_NR: u32 = 0;
const OFF_ARCH: u32 = 4;
fn off_arg_lo(i: u32) -> u32 {
    16 + 8 * i
}
fn off_arg_hi(i: u32) -> u32 {
    20 + 8 * i
}

/// One compiled rule: syscall number, conditions (all must hold), result.
pub struct Rule<'a> {
    pub nr: u32,
    pub args: &'a [ArgCond],
    pub ret: u32,
}

/// Where a jump of a condition goes: the next instruction, past this
/// condition (it holds), or past the rule (it does not).
#[derive(Clone, Copy)]
enum To {
    Next,
    Pass,
    Fail,
}

struct Op {
    code: u16,
    jt: To,
    jf: To,
    k: u32,
}

fn ld(k: u32) -> Op {
    Op {
        code: LD_ABS_W,
        jt: To::Next,
        jf: To::Next,
        k,
    }
}
fn and(k: u32) -> Op {
    Op {
        code: ALU_AND_K,
        jt: To::Next,
        jf: To::Next,
        k,
    }
}
fn jmp(code: u16, k: u32, jt: To, jf: To) -> Op {
    Op { code, jt, jf, k }
}

/// The instructions testing one condition, as 64-bit values (high word first).
fn condition(c: &ArgCond) -> Vec<Op> {
    let (hi, lo) = ((c.value >> 32) as u32, c.value as u32);
    let (ahi, alo) = (off_arg_hi(c.index), off_arg_lo(c.index));
    use To::*;
    match c.op {
        CmpOp::Eq => vec![
            ld(ahi),
            jmp(JEQ_K, hi, Next, Fail),
            ld(alo),
            jmp(JEQ_K, lo, Next, Fail),
        ],
        CmpOp::Ne => vec![
            ld(ahi),
            jmp(JEQ_K, hi, Next, Pass),
            ld(alo),
            jmp(JEQ_K, lo, Fail, Next),
        ],
        CmpOp::MaskedEq => {
            let (want_hi, want_lo) = ((c.value_two >> 32) as u32, c.value_two as u32);
            vec![
                ld(ahi),
                and(hi),
                jmp(JEQ_K, want_hi, Next, Fail),
                ld(alo),
                and(lo),
                jmp(JEQ_K, want_lo, Next, Fail),
            ]
        }
        CmpOp::Gt | CmpOp::Ge => vec![
            ld(ahi),
            jmp(JGT_K, hi, Pass, Next),
            jmp(JEQ_K, hi, Next, Fail),
            ld(alo),
            jmp(
                if c.op == CmpOp::Gt { JGT_K } else { JGE_K },
                lo,
                Next,
                Fail,
            ),
        ],
        CmpOp::Lt | CmpOp::Le => vec![
            ld(ahi),
            jmp(JGT_K, hi, Fail, Next),
            jmp(JEQ_K, hi, Next, Pass),
            ld(alo),
            jmp(
                if c.op == CmpOp::Lt { JGE_K } else { JGT_K },
                lo,
                Fail,
                Next,
            ),
        ],
    }
}

fn ret(k: u32) -> Insn {
    Insn {
        code: RET_K,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(distance: usize) -> Result<u8, String> {
    u8::try_from(distance)
        .map_err(|_| format!("a rule needs a jump of {distance} instructions; at most 255"))
}

/// One rule: `ld nr; jeq nr ? body : past; body = conditions; ret`.
fn rule_block(r: &Rule, out: &mut Vec<Insn>) -> Result<(), String> {
    let conds: Vec<Vec<Op>> = r.args.iter().map(condition).collect();
    let body_len: usize = conds.iter().map(Vec::len).sum::<usize>() + 1;
    out.push(Insn {
        code: LD_ABS_W,
        jt: 0,
        jf: 0,
        k: OFF_NR,
    });
    out.push(Insn {
        code: JEQ_K,
        jt: 0,
        jf: jump(body_len)?,
        k: r.nr,
    });
    let mut pos = 0usize;
    for ops in &conds {
        let end = pos + ops.len();
        for op in ops {
            let target = |t: To| -> Result<u8, String> {
                match t {
                    To::Next => Ok(0),
                    To::Pass => jump(end - pos - 1),
                    To::Fail => jump(body_len - pos - 1),
                }
            };
            out.push(Insn {
                code: op.code,
                jt: target(op.jt)?,
                jf: target(op.jf)?,
                k: op.k,
            });
            pos += 1;
        }
    }
    out.push(ret(r.ret));
    Ok(())
}

/// The whole filter: arch check, x32 check, rules in order, default.
pub fn assemble(
    arch: u32,
    x32_bit: u32,
    default: u32,
    rules: &[Rule],
) -> Result<Vec<Insn>, String> {
    let mut p = vec![
        Insn {
            code: LD_ABS_W,
            jt: 0,
            jf: 0,
            k: OFF_ARCH,
        },
        Insn {
            code: JEQ_K,
            jt: 1,
            jf: 0,
            k: arch,
        },
        ret(default),
        Insn {
            code: LD_ABS_W,
            jt: 0,
            jf: 0,
            k: OFF_NR,
        },
        Insn {
            code: JGE_K,
            jt: 0,
            jf: 1,
            k: x32_bit,
        },
        ret(default),
    ];
    for r in rules {
        rule_block(r, &mut p)?;
    }
    p.push(ret(default));
    Ok(p)
}

/// Evaluate a program on one call, as the kernel would.
pub fn run(prog: &[Insn], arch: u32, nr: u32, args: [u64; 6]) -> Verdict {
    let mut data = [0u8; 64];
    data[0..4].copy_from_slice(&nr.to_le_bytes());
    data[4..8].copy_from_slice(&arch.to_le_bytes());
    for (i, a) in args.iter().enumerate() {
        data[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
    }
    let mut acc = 0u32;
    let mut pc = 0usize;
    loop {
        let i = prog[pc];
        pc += 1;
        match i.code {
            LD_ABS_W => {
                let o = i.k as usize;
                acc = u32::from_le_bytes(data[o..o + 4].try_into().unwrap());
            }
            ALU_AND_K => acc &= i.k,
            JEQ_K | JGT_K | JGE_K => {
                let hit = match i.code {
                    JEQ_K => acc == i.k,
                    JGT_K => acc > i.k,
                    _ => acc >= i.k,
                };
                pc += if hit { i.jt } else { i.jf } as usize;
            }
            RET_K => return i.k,
            other => panic!("unexpected opcode {other:#x}"),
        }
    }
}
