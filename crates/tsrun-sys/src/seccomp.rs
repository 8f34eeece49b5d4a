//! Seccomp for `linux.seccomp` of the OCI spec, without libseccomp: the
//! policy is compiled here into a classic BPF program and loaded with
//! seccomp(2). The shim installs it in the container init as late as the
//! kernel lets it (see `tsrun-shim/src/init.rs`).
//!
//! What the compiled filter does, in order:
//! 1. an audit arch other than the native one (x86_64), and x32 calls
//!    (bit 30 of the number), get the default action: we keep no table for
//!    them, so they are refused rather than guessed;
//! 2. each rule, in the order given: when the number matches and every
//!    argument condition holds (AND), its action is returned;
//! 3. anything else gets `defaultAction`.
//!
//! Names this architecture does not have are skipped (profiles list calls of
//! every architecture, as libseccomp skips them too). `SCMP_CMP_MASKED_EQ`
//! follows libseccomp: `value` is the mask, `valueTwo` the expected result.
//! Arguments are compared as 64-bit values, high word first.
use serde::Deserialize;

use crate::error::{Result, SysError};

mod bpf;
#[cfg(target_arch = "x86_64")]
mod x86_64;

pub use bpf::{run as evaluate, Insn, Verdict};

/// `linux.seccomp` as the OCI runtime spec defines it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Seccomp {
    pub default_action: String,
    pub default_errno_ret: Option<u32>,
    #[serde(default)]
    pub architectures: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub syscalls: Vec<SyscallRule>,
}

/// One entry of `linux.seccomp.syscalls`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyscallRule {
    #[serde(default)]
    pub names: Vec<String>,
    pub action: String,
    pub errno_ret: Option<u32>,
    #[serde(default)]
    pub args: Vec<ArgCond>,
}

/// One argument condition of a rule.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArgCond {
    pub index: u32,
    pub value: u64,
    #[serde(default)]
    pub value_two: u64,
    pub op: CmpOp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum CmpOp {
    #[serde(rename = "SCMP_CMP_NE")]
    Ne,
    #[serde(rename = "SCMP_CMP_LT")]
    Lt,
    #[serde(rename = "SCMP_CMP_LE")]
    Le,
    #[serde(rename = "SCMP_CMP_EQ")]
    Eq,
    #[serde(rename = "SCMP_CMP_GE")]
    Ge,
    #[serde(rename = "SCMP_CMP_GT")]
    Gt,
    #[serde(rename = "SCMP_CMP_MASKED_EQ")]
    MaskedEq,
}

/// Return values of a filter (linux/seccomp.h).
pub const RET_KILL_PROCESS: u32 = 0x8000_0000;
pub const RET_KILL_THREAD: u32 = 0x0000_0000;
pub const RET_TRAP: u32 = 0x0003_0000;
pub const RET_ERRNO: u32 = 0x0005_0000;
pub const RET_TRACE: u32 = 0x7ff0_0000;
pub const RET_LOG: u32 = 0x7ffc_0000;
pub const RET_ALLOW: u32 = 0x7fff_0000;

/// `AUDIT_ARCH_X86_64`.
pub const AUDIT_ARCH_X86_64: u32 = 0xC000_003E;
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// The audit arch this build filters for.
pub fn native_arch() -> u32 {
    AUDIT_ARCH_X86_64
}

/// The number of a syscall on this architecture.
pub fn syscall_number(name: &str) -> Option<u32> {
    #[cfg(target_arch = "x86_64")]
    {
        x86_64::SYSCALLS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, nr)| *nr)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = name;
        None
    }
}

/// `SCMP_ACT_ERRNO` etc. to a filter return value; errno defaults to EPERM.
pub fn action(name: &str, errno: Option<u32>) -> Result<u32> {
    let data = errno.unwrap_or(libc::EPERM as u32) & 0xffff;
    Ok(match name {
        "SCMP_ACT_ALLOW" => RET_ALLOW,
        "SCMP_ACT_ERRNO" => RET_ERRNO | data,
        "SCMP_ACT_KILL" | "SCMP_ACT_KILL_THREAD" => RET_KILL_THREAD,
        "SCMP_ACT_KILL_PROCESS" => RET_KILL_PROCESS,
        "SCMP_ACT_TRAP" => RET_TRAP,
        "SCMP_ACT_TRACE" => RET_TRACE | data,
        "SCMP_ACT_LOG" => RET_LOG,
        other => {
            return Err(SysError::invalid(
                "seccomp",
                other,
                "unsupported action (use SCMP_ACT_ALLOW, ERRNO, KILL, KILL_PROCESS, TRAP, TRACE or LOG)",
            ))
        }
    })
}

/// Flags of seccomp(SECCOMP_SET_MODE_FILTER) from their spec names.
pub fn filter_flags(names: &[String]) -> Result<u32> {
    let mut f = 0;
    for n in names {
        f |= match n.as_str() {
            "SECCOMP_FILTER_FLAG_TSYNC" => 1,
            "SECCOMP_FILTER_FLAG_LOG" => 2,
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW" => 4,
            other => return Err(SysError::invalid("seccomp", other, "unsupported flag")),
        };
    }
    Ok(f)
}

/// Compile the policy into a BPF program (at most 4096 instructions).
pub fn compile(s: &Seccomp) -> Result<Vec<Insn>> {
    let default = action(&s.default_action, s.default_errno_ret)?;
    let mut rules = Vec::new();
    for r in &s.syscalls {
        let ret = action(&r.action, r.errno_ret)?;
        for a in &r.args {
            if a.index > 5 {
                return Err(SysError::invalid(
                    "seccomp",
                    format!("args.index {}", a.index),
                    "a syscall has 6 arguments (0..5)",
                ));
            }
        }
        for n in &r.names {
            if let Some(nr) = syscall_number(n) {
                rules.push(bpf::Rule {
                    nr,
                    args: &r.args,
                    ret,
                });
            }
        }
    }
    let prog = bpf::assemble(native_arch(), X32_SYSCALL_BIT, default, &rules)
        .map_err(|why| SysError::invalid("seccomp", "linux.seccomp", why))?;
    if prog.len() > 4096 {
        return Err(SysError::invalid(
            "seccomp",
            "linux.seccomp",
            format!(
                "the filter has {} instructions; the kernel allows 4096",
                prog.len()
            ),
        ));
    }
    Ok(prog)
}

/// Load `prog` for this thread and its future children. Needs no_new_privs
/// or CAP_SYS_ADMIN; cannot be undone.
pub fn install(prog: &[Insn], flags: u32) -> Result<()> {
    #[repr(C)]
    struct SockFprog {
        len: libc::c_ushort,
        filter: *const Insn,
    }
    let fprog = SockFprog {
        len: prog.len() as libc::c_ushort,
        filter: prog.as_ptr(),
    };
    // SAFETY: the program outlives the call; the kernel copies it.
    let r = unsafe {
        libc::syscall(
            libc::SYS_seccomp,
            1 as libc::c_ulong, // SECCOMP_SET_MODE_FILTER
            flags as libc::c_ulong,
            &fprog as *const SockFprog,
        )
    };
    if r != 0 {
        return Err(SysError::last("seccomp", "set_mode_filter"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpf::run;

    fn policy(json: &str) -> Seccomp {
        serde_json::from_str(json).unwrap()
    }

    fn nr(name: &str) -> u32 {
        syscall_number(name).unwrap()
    }

    #[test]
    fn syscall_table() {
        assert_eq!(nr("read"), 0);
        assert_eq!(nr("clone3"), 435);
        assert_eq!(nr("fchmodat2"), 452);
        assert_eq!(syscall_number("vm86old"), None, "i386 only");
    }

    #[test]
    fn allow_list_with_errno_default() {
        let p = policy(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
              {"names":["read","write","socketcall"],"action":"SCMP_ACT_ALLOW"},
              {"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}"#,
        );
        let prog = compile(&p).unwrap();
        let a = AUDIT_ARCH_X86_64;
        assert_eq!(run(&prog, a, nr("read"), [0; 6]), RET_ALLOW);
        assert_eq!(run(&prog, a, nr("write"), [0; 6]), RET_ALLOW);
        assert_eq!(run(&prog, a, nr("mount"), [0; 6]), RET_ERRNO | 1);
        assert_eq!(run(&prog, a, nr("clone3"), [0; 6]), RET_ERRNO | 38);
        // x32 numbering and foreign architectures get the default action.
        assert_eq!(
            run(&prog, a, nr("read") | X32_SYSCALL_BIT, [0; 6]),
            RET_ERRNO | 1
        );
        assert_eq!(run(&prog, 0x4000_0003, 3, [0; 6]), RET_ERRNO | 1);
    }

    #[test]
    fn default_errno_ret() {
        let p = policy(r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}"#);
        assert_eq!(
            run(&compile(&p).unwrap(), AUDIT_ARCH_X86_64, 1, [0; 6]),
            RET_ERRNO | 38
        );
    }

    #[test]
    fn argument_conditions() {
        // personality(0|8|0xffffffff) allowed; clone without namespace flags.
        let p = policy(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
              {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
              {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}]},
              {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":4294967295,"op":"SCMP_CMP_EQ"}]},
              {"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"valueTwo":0,"op":"SCMP_CMP_MASKED_EQ"}]}]}"#,
        );
        let prog = compile(&p).unwrap();
        let a = AUDIT_ARCH_X86_64;
        let pers = nr("personality");
        assert_eq!(run(&prog, a, pers, [0, 0, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(run(&prog, a, pers, [8, 0, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(run(&prog, a, pers, [0xffff_ffff, 0, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(
            run(&prog, a, pers, [0x0040000, 0, 0, 0, 0, 0]),
            RET_ERRNO | 1
        );
        // The high word counts: 1<<32 is not 0.
        assert_eq!(run(&prog, a, pers, [1 << 32, 0, 0, 0, 0, 0]), RET_ERRNO | 1);
        let clone = nr("clone");
        assert_eq!(
            run(&prog, a, clone, [0x0001_1200, 0, 0, 0, 0, 0]),
            RET_ALLOW
        );
        assert_eq!(
            run(&prog, a, clone, [0x1000_0000, 0, 0, 0, 0, 0]),
            RET_ERRNO | 1
        );
    }

    #[test]
    fn every_comparison() {
        let check = |op: &str, value: u64, two: u64, arg: u64| -> bool {
            let p = policy(&format!(
                r#"{{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{{"names":["read"],"action":"SCMP_ACT_ALLOW",
                  "args":[{{"index":2,"value":{value},"valueTwo":{two},"op":"{op}"}}]}}]}}"#
            ));
            let mut args = [0u64; 6];
            args[2] = arg;
            run(&compile(&p).unwrap(), AUDIT_ARCH_X86_64, 0, args) == RET_ALLOW
        };
        let big = 5u64 << 32;
        for (op, v, t, arg, want) in [
            ("SCMP_CMP_EQ", big + 7, 0, big + 7, true),
            ("SCMP_CMP_EQ", big + 7, 0, 7, false),
            ("SCMP_CMP_NE", big + 7, 0, big + 7, false),
            ("SCMP_CMP_NE", big + 7, 0, big + 8, true),
            ("SCMP_CMP_NE", big + 7, 0, 7, true),
            ("SCMP_CMP_GT", big, 0, big + 1, true),
            ("SCMP_CMP_GT", big, 0, big, false),
            ("SCMP_CMP_GT", big, 0, u32::MAX as u64, false),
            ("SCMP_CMP_GT", 10, 0, big, true),
            ("SCMP_CMP_GE", big, 0, big, true),
            ("SCMP_CMP_GE", big, 0, big - 1, false),
            ("SCMP_CMP_LT", big, 0, big - 1, true),
            ("SCMP_CMP_LT", big, 0, big, false),
            ("SCMP_CMP_LT", 10, 0, big, false),
            ("SCMP_CMP_LE", big, 0, big, true),
            ("SCMP_CMP_LE", big, 0, big + 1, false),
            ("SCMP_CMP_LE", big + 3, 0, 2, true),
            ("SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x3a, true),
            ("SCMP_CMP_MASKED_EQ", 0xf0, 0x30, 0x4a, false),
            ("SCMP_CMP_MASKED_EQ", big | 0xf0, big, big | 0x05, true),
        ] {
            assert_eq!(
                check(op, v, t, arg),
                want,
                "{op} value={v:#x} two={t:#x} arg={arg:#x}"
            );
        }
    }

    #[test]
    fn several_conditions_are_and() {
        let p = policy(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":97,
              "args":[{"index":0,"value":40,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        );
        let prog = compile(&p).unwrap();
        let s = nr("socket");
        let a = AUDIT_ARCH_X86_64;
        assert_eq!(run(&prog, a, s, [40, 1, 0, 0, 0, 0]), RET_ERRNO | 97);
        assert_eq!(run(&prog, a, s, [40, 2, 0, 0, 0, 0]), RET_ALLOW);
        assert_eq!(run(&prog, a, s, [2, 1, 0, 0, 0, 0]), RET_ALLOW);
    }

    #[test]
    fn bad_policies() {
        let e = compile(&policy(r#"{"defaultAction":"SCMP_ACT_NOTIFY"}"#)).unwrap_err();
        assert!(e.to_string().contains("SCMP_ACT_NOTIFY"), "{e}");
        let e = compile(&policy(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#,
        ))
        .unwrap_err();
        assert!(e.to_string().contains("args.index 6"), "{e}");
        assert!(serde_json::from_str::<Seccomp>(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XX"}]}]}"#
        )
        .is_err());
        assert_eq!(
            filter_flags(&["SECCOMP_FILTER_FLAG_LOG".into()]).unwrap(),
            2
        );
        assert!(filter_flags(&["NOPE".into()]).is_err());
    }

    #[test]
    fn unknown_names_are_skipped() {
        let p = policy(
            r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["vm86old","read"],"action":"SCMP_ACT_ALLOW"}]}"#,
        );
        assert_eq!(
            run(&compile(&p).unwrap(), AUDIT_ARCH_X86_64, 0, [0; 6]),
            RET_ALLOW
        );
    }

    #[test]
    fn the_kernel_applies_it() {
        // In a forked child (nothing but raw syscalls there): mkdir gets
        // EPERM from the filter where it would otherwise be ENOENT.
        let p = policy(
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}"#,
        );
        let prog = compile(&p).unwrap();
        // SAFETY: the child only makes raw syscalls and _exits.
        unsafe {
            let pid = libc::fork();
            if pid == 0 {
                libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
                if install(&prog, 0).is_err() {
                    libc::_exit(2);
                }
                let r = libc::mkdir(c"/nonexistent-tsrun/x".as_ptr(), 0o755);
                let e = *libc::__errno_location();
                libc::_exit(if r == -1 && e == libc::EPERM { 0 } else { 1 });
            }
            let mut st = 0;
            libc::waitpid(pid, &mut st, 0);
            assert!(
                libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0,
                "status {st}"
            );
        }
    }

    #[test]
    fn a_large_profile_fits() {
        let names: Vec<String> = x86_64::SYSCALLS
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        let p = Seccomp {
            default_action: "SCMP_ACT_ERRNO".into(),
            syscalls: vec![SyscallRule {
                names,
                action: "SCMP_ACT_ALLOW".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let prog = compile(&p).unwrap();
        assert!(prog.len() < 4096);
        assert_eq!(
            run(&prog, AUDIT_ARCH_X86_64, nr("open_tree_attr"), [0; 6]),
            RET_ALLOW
        );
    }
}
