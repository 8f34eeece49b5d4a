//! Device rules on cgroup v2, which has no devices files: an eBPF program
//! of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup2
//! directory. The kernel runs it on every open and mknod of a device node
//! by a process of that cgroup (or below), with a `struct
//! bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }` where
//! access_type = access << 16 | type; returning 1 allows, 0 gives EPERM.
//!
//! The program is built from the list the v1 kernel would keep
//! (`devices::effective`), so v1 and v2 decide alike: one block per
//! exception, in order, each jumping to the next on a mismatch, then the
//! default. Written from the kernel's UAPI (linux/bpf.h) and
//! Documentation/bpf; no libbpf.
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

use super::devices::{Effective, Kind, ACC_ALL};
use crate::error::{Result, SysError};

/// One `struct bpf_insn`: opcode, dst/src registers (4 bits each), offset, immediate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub struct Insn {
    pub code: u8,
    pub regs: u8,
    pub off: i16,
    pub imm: i32,
}

// Opcodes used (class | op | source), from linux/bpf_common.h and bpf.h.
const LDX_MEM_W: u8 = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K: u8 = 0x54; // dst &= imm
const ALU32_RSH_K: u8 = 0x74; // dst >>= imm
const ALU32_MOV_K: u8 = 0xb4; // dst = imm
const ALU32_MOV_X: u8 = 0xbc; // dst = src
const JMP_JNE_K: u8 = 0x55; // if dst != imm goto +off
const JMP_JNE_X: u8 = 0x5d; // if dst != src goto +off
const JMP_JEQ_K: u8 = 0x15; // if dst == imm goto +off
const JMP_EXIT: u8 = 0x95;

// BPF_DEVCG_DEV_* (the low half of access_type).
const DEV_BLOCK: i32 = 1;
const DEV_CHAR: i32 = 2;

// Registers: r1 holds the context on entry (then scratch), r2 the type,
// r3 the access asked for, r4 the major, r5 the minor.
const R0: u8 = 0;
const R1: u8 = 1;
const R2: u8 = 2;
const R3: u8 = 3;
const R4: u8 = 4;
const R5: u8 = 5;

fn insn(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Insn {
    Insn {
        code,
        regs: (src << 4) | dst,
        off,
        imm,
    }
}

/// The program for an effective rule list.
pub fn program(e: &Effective) -> Vec<Insn> {
    let mut p = vec![
        insn(LDX_MEM_W, R2, R1, 0, 0),
        insn(ALU32_AND_K, R2, 0, 0, 0xffff),
        insn(LDX_MEM_W, R3, R1, 0, 0),
        insn(ALU32_RSH_K, R3, 0, 0, 16),
        insn(LDX_MEM_W, R4, R1, 4, 0),
        insn(LDX_MEM_W, R5, R1, 8, 0),
    ];
    for x in &e.exceptions {
        // Checks that jump past this block (to the next) when they fail;
        // the offset is patched once the block's length is known.
        let mut block: Vec<Insn> = Vec::new();
        let mut jumps: Vec<usize> = Vec::new();
        match x.kind {
            Kind::Char => {
                jumps.push(block.len());
                block.push(insn(JMP_JNE_K, R2, 0, 0, DEV_CHAR));
            }
            Kind::Block => {
                jumps.push(block.len());
                block.push(insn(JMP_JNE_K, R2, 0, 0, DEV_BLOCK));
            }
            Kind::All => {}
        }
        if x.access != ACC_ALL {
            // Allow exceptions must cover every bit asked for (asked & rule
            // == asked); deny exceptions need only share one (asked & rule
            // != 0), as the v1 kernel matches them.
            block.push(insn(ALU32_MOV_X, R1, R3, 0, 0));
            block.push(insn(ALU32_AND_K, R1, 0, 0, x.access as i32));
            jumps.push(block.len());
            if e.default_allow {
                block.push(insn(JMP_JEQ_K, R1, 0, 0, 0));
            } else {
                block.push(insn(JMP_JNE_X, R1, R3, 0, 0));
            }
        }
        if let Some(m) = x.major {
            jumps.push(block.len());
            block.push(insn(JMP_JNE_K, R4, 0, 0, m as i32));
        }
        if let Some(m) = x.minor {
            jumps.push(block.len());
            block.push(insn(JMP_JNE_K, R5, 0, 0, m as i32));
        }
        block.push(insn(ALU32_MOV_K, R0, 0, 0, i32::from(!e.default_allow)));
        block.push(insn(JMP_EXIT, 0, 0, 0, 0));
        let len = block.len();
        for j in jumps {
            block[j].off = (len - j - 1) as i16;
        }
        p.extend(block);
    }
    p.push(insn(ALU32_MOV_K, R0, 0, 0, i32::from(e.default_allow)));
    p.push(insn(JMP_EXIT, 0, 0, 0, 0));
    p
}

const BPF_PROG_LOAD: libc::c_long = 5;
const BPF_PROG_ATTACH: libc::c_long = 8;
const BPF_PROG_TYPE_CGROUP_DEVICE: u32 = 15;
const BPF_CGROUP_DEVICE: u32 = 6;
/// Programs of the ancestors keep running too, and all must allow: a
/// container's program can only narrow what its parent cgroup permits.
const BPF_F_ALLOW_MULTI: u32 = 2;

/// The leading fields of `union bpf_attr` for BPF_PROG_LOAD; the kernel
/// takes a shorter attr as zero-filled.
#[repr(C)]
struct ProgLoadAttr {
    prog_type: u32,
    insn_cnt: u32,
    insns: u64,
    license: u64,
    log_level: u32,
    log_size: u32,
    log_buf: u64,
    kern_version: u32,
    prog_flags: u32,
    prog_name: [u8; 16],
}

#[repr(C)]
struct ProgAttachAttr {
    target_fd: u32,
    attach_bpf_fd: u32,
    attach_type: u32,
    attach_flags: u32,
}

fn bpf<T>(cmd: libc::c_long, attr: &mut T) -> std::io::Result<i64> {
    // SAFETY: attr is a live #[repr(C)] prefix of union bpf_attr, and the
    // size passed is its own.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd,
            attr as *mut T as *mut libc::c_void,
            std::mem::size_of::<T>() as libc::c_uint,
        )
    };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Load the program; on refusal the error carries the verifier's last line.
pub fn load(insns: &[Insn]) -> Result<OwnedFd> {
    let license = CString::new("GPL").expect("no NUL");
    let mut name = [0u8; 16];
    name[..12].copy_from_slice(b"tsrun_device");
    let mut attr = ProgLoadAttr {
        prog_type: BPF_PROG_TYPE_CGROUP_DEVICE,
        insn_cnt: insns.len() as u32,
        insns: insns.as_ptr() as u64,
        license: license.as_ptr() as u64,
        log_level: 0,
        log_size: 0,
        log_buf: 0,
        kern_version: 0,
        prog_flags: 0,
        prog_name: name,
    };
    match bpf(BPF_PROG_LOAD, &mut attr) {
        // SAFETY: the kernel gave us a new fd.
        Ok(fd) => Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) }),
        Err(e) => {
            // Again with the verifier's log, to say why.
            let mut log = vec![0u8; 64 * 1024];
            attr.log_level = 1;
            attr.log_size = log.len() as u32;
            attr.log_buf = log.as_mut_ptr() as u64;
            let _ = bpf(BPF_PROG_LOAD, &mut attr);
            let text =
                String::from_utf8_lossy(&log[..log.iter().position(|&b| b == 0).unwrap_or(0)])
                    .into_owned();
            let last = text
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let mut err = SysError::from_io(&e, "bpf load", "device program");
            if !last.is_empty() {
                err = SysError::invalid("bpf load", "device program", format!("{err}: {last}"));
            }
            Err(err)
        }
    }
}

/// Attach a loaded program to a cgroup2 directory. The attachment holds the
/// program: it lives as long as the cgroup, so the fd may be closed.
pub fn attach(cgroup_dir: &Path, prog: &OwnedFd) -> Result<()> {
    let dir = std::fs::File::open(cgroup_dir)
        .map_err(|e| SysError::from_io(&e, "open", cgroup_dir.display().to_string()))?;
    let mut attr = ProgAttachAttr {
        target_fd: dir.as_raw_fd() as u32,
        attach_bpf_fd: prog.as_raw_fd() as u32,
        attach_type: BPF_CGROUP_DEVICE,
        attach_flags: BPF_F_ALLOW_MULTI,
    };
    bpf(BPF_PROG_ATTACH, &mut attr)
        .map(|_| ())
        .map_err(|e| SysError::from_io(&e, "bpf attach", cgroup_dir.display().to_string()))
}

/// Build, load and attach the program for `e` to `cgroup_dir`.
pub fn apply(cgroup_dir: &Path, e: &Effective) -> Result<()> {
    let prog = load(&program(e))?;
    attach(cgroup_dir, &prog)
}

/// A reference interpreter for the few opcodes `program` emits: what the
/// kernel would answer for one access, checked in tests without root.
#[cfg(test)]
pub fn run(p: &[Insn], access_type: u32, major: u32, minor: u32) -> u64 {
    let ctx = [access_type, major, minor];
    let mut r = [0u64; 11];
    let mut pc = 0usize;
    loop {
        let i = p[pc];
        let (d, s) = ((i.regs & 0xf) as usize, (i.regs >> 4) as usize);
        pc += 1;
        match i.code {
            LDX_MEM_W => {
                assert_eq!(s, 1, "loads only from the context");
                r[d] = ctx[i.off as usize / 4] as u64;
            }
            ALU32_AND_K => r[d] = (r[d] as u32 & i.imm as u32) as u64,
            ALU32_RSH_K => r[d] = ((r[d] as u32) >> i.imm) as u64,
            ALU32_MOV_K => r[d] = i.imm as u32 as u64,
            ALU32_MOV_X => r[d] = r[s] as u32 as u64,
            JMP_JNE_K if r[d] != i.imm as i64 as u64 => pc = (pc as i64 + i.off as i64) as usize,
            JMP_JNE_X if r[d] != r[s] => pc = (pc as i64 + i.off as i64) as usize,
            JMP_JEQ_K if r[d] == i.imm as i64 as u64 => pc = (pc as i64 + i.off as i64) as usize,
            JMP_JNE_K | JMP_JNE_X | JMP_JEQ_K => {}
            JMP_EXIT => return r[0],
            c => panic!("opcode {c:#x} not emitted by program()"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::devices::{self, decide, effective, ACC_MKNOD, ACC_READ, ACC_WRITE};
    use super::*;
    use crate::oci::DeviceRule;

    fn rules(spec: &[(bool, &str, i64, i64, &str)]) -> Effective {
        let r: Vec<DeviceRule> = spec
            .iter()
            .map(|&(allow, k, ma, mi, a)| DeviceRule {
                allow,
                kind: Some(k.into()),
                major: Some(ma),
                minor: Some(mi),
                access: Some(a.into()),
            })
            .collect();
        effective(&devices::parse(&r).unwrap())
    }

    fn docker() -> Effective {
        rules(&[
            (false, "a", -1, -1, "rwm"),
            (true, "c", 1, 3, "rwm"),
            (true, "c", 1, 5, "rwm"),
            (true, "c", -1, -1, "m"),
            (true, "b", -1, -1, "m"),
            (true, "c", 136, -1, "rwm"),
            (true, "c", 5, 2, "rwm"),
            (true, "b", 7, 0, "r"),
        ])
    }

    fn blacklist() -> Effective {
        rules(&[
            (true, "a", -1, -1, "rwm"),
            (false, "b", 8, -1, "w"),
            (false, "c", 10, 229, "rwm"),
        ])
    }

    /// Every (type, major, minor, access) the rules mention, and some they do not.
    #[test]
    fn program_decides_as_the_v1_kernel() {
        for e in [docker(), blacklist(), rules(&[(false, "a", -1, -1, "rwm")])] {
            let p = program(&e);
            for (kind, t) in [(Kind::Char, DEV_CHAR), (Kind::Block, DEV_BLOCK)] {
                for (ma, mi) in [
                    (1, 3),
                    (1, 5),
                    (1, 9),
                    (5, 2),
                    (136, 0),
                    (136, 77),
                    (7, 0),
                    (8, 0),
                    (8, 3),
                    (10, 229),
                ] {
                    for acc in 1..=7u8 {
                        let want = decide(&e, kind, ma, mi, acc);
                        let got = run(&p, (acc as u32) << 16 | t as u32, ma, mi);
                        assert_eq!(
                            got,
                            u64::from(want),
                            "{kind:?} {ma}:{mi} access {acc} with {e:?}"
                        );
                    }
                }
            }
        }
        let p = program(&docker());
        let acc = |a: u8, t: i32| (a as u32) << 16 | t as u32;
        assert_eq!(run(&p, acc(ACC_READ, DEV_BLOCK), 8, 0), 0, "reading a disk");
        assert_eq!(
            run(&p, acc(ACC_MKNOD, DEV_BLOCK), 8, 0),
            1,
            "making its node"
        );
        assert_eq!(
            run(&p, acc(ACC_READ | ACC_WRITE, DEV_CHAR), 1, 3),
            1,
            "/dev/null"
        );
    }

    fn root_with_cgroup2() -> Option<std::path::PathBuf> {
        // SAFETY: getuid cannot fail.
        if unsafe { libc::getuid() } != 0 {
            return None;
        }
        let h = super::super::host_hierarchies().ok()?;
        h.into_iter().find_map(|h| match h {
            super::super::Hierarchy::V2 { mount } => Some(mount),
            _ => None,
        })
    }

    /// The kernel's verifier accepts the programs (root only).
    #[test]
    fn programs_load() {
        if root_with_cgroup2().is_none() {
            eprintln!("skipped: needs root and a cgroup2 mount");
            return;
        }
        for e in [docker(), blacklist(), rules(&[(true, "a", -1, -1, "rwm")])] {
            load(&program(&e)).unwrap();
        }
    }

    /// What a child process in `dir` may do, one bit per check: 1 opened
    /// /dev/null, 2 made a block node, 4 opening it was EPERM, 8 opening
    /// /dev/loop-control was EPERM; 100 if it could not join.
    fn probe_in(dir: &Path, node: &Path) -> i32 {
        let _ = std::fs::remove_file(node);
        let node = CString::new(node.to_str().unwrap()).unwrap();
        let procs = CString::new(dir.join("cgroup.procs").to_str().unwrap()).unwrap();
        // SAFETY: fork; the child makes raw syscalls only, then _exit.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            unsafe {
                let fd = libc::open(procs.as_ptr(), libc::O_WRONLY);
                if fd < 0 || libc::write(fd, b"0".as_ptr() as *const libc::c_void, 1) != 1 {
                    libc::_exit(100);
                }
                libc::close(fd);
                let mut bits = 0;
                if libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) >= 0 {
                    bits |= 1;
                }
                if libc::mknod(node.as_ptr(), libc::S_IFBLK | 0o600, libc::makedev(7, 1)) == 0 {
                    bits |= 2;
                }
                if libc::open(node.as_ptr(), libc::O_RDONLY) < 0
                    && *libc::__errno_location() == libc::EPERM
                {
                    bits |= 4;
                }
                if libc::open(c"/dev/loop-control".as_ptr(), libc::O_RDWR) < 0
                    && *libc::__errno_location() == libc::EPERM
                {
                    bits |= 8;
                }
                libc::_exit(bits);
            }
        }
        let mut status = 0;
        // SAFETY: reaping our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status));
        libc::WEXITSTATUS(status)
    }

    /// Attached to a real cgroup2 directory, the program is what the kernel
    /// enforces for a process in it (on a hybrid host too, where the v1
    /// devices hierarchy still allows everything for this process): the
    /// same checks before and after attaching.
    #[test]
    fn enforced_in_a_real_cgroup() {
        let Some(mount) = root_with_cgroup2() else {
            eprintln!("skipped: needs root and a cgroup2 mount");
            return;
        };
        if !Path::new("/dev/loop-control").exists() {
            eprintln!("skipped: needs /dev/loop-control");
            return;
        }
        let dir = mount.join(format!("tsrun-devbpf-test-{}", std::process::id()));
        std::fs::create_dir(&dir).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let node = tmp.path().join("disk");
        let before = probe_in(&dir, &node);
        let applied = apply(&dir, &docker());
        let after = probe_in(&dir, &node);
        let _ = std::fs::remove_dir(&dir);
        applied.unwrap();
        assert_eq!(before, 1 | 2, "without the program nothing is refused");
        assert_eq!(
            after,
            1 | 2 | 4 | 8,
            "with it: /dev/null and mknod yes, opening 7:1 and loop-control EPERM"
        );
    }
}
