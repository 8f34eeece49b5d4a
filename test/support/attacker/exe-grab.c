// exe-grab: a container process hunting for the host's runtime binary, as
// CVE-2019-5736 did. Used by test/e2e/escape-runtime-binary.test.ts; built
// statically by the test so it runs in the busybox image.
//
//   exe-grab SECONDS HOST_DEV HOST_INO GO_FILE REPORT_FILE
//
// For SECONDS it scans /proc/*/exe and /proc/*/map_files/* of every other
// process it can see and keeps an O_PATH descriptor of each distinct file it
// reaches. Then it waits for GO_FILE to exist (the test kills the monitor
// first) and tries to reopen every kept file for writing through
// /proc/self/fd/N, as the attack does once nothing runs the binary (the
// container's own files, OTHER, are left alone). It
// writes one line per finding to REPORT_FILE:
//   HOST <where>             reached the host file (dev/ino given) at all
//   SEALED <where>           reached a sealed memfd (F_GET_SEALS has WRITE)
//   OTHER <where>            reached some other file (the container's own)
//   WRITE-OK <where>         reopened for writing (and, if not the host
//                            file, wrote a byte): the defence failed
//   WRITE-REFUSED <where> <errno>
//   SCANNED <n>              how many processes were looked at
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef F_SEAL_WRITE
#define F_SEAL_WRITE 0x0008
#endif

struct found { int fd; dev_t dev; ino_t ino; int ours; char where[600]; };
static struct found kept[256];
static int nkept;
static FILE *report;
static dev_t host_dev;
static ino_t host_ino;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void keep(const char *path) {
  int fd = open(path, O_PATH | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st;
  if (fstat(fd, &st) != 0) { close(fd); return; }
  for (int i = 0; i < nkept; i++)
    if (kept[i].dev == st.st_dev && kept[i].ino == st.st_ino) { close(fd); return; }
  if (nkept == 256) { close(fd); return; }
  struct found *f = &kept[nkept++];
  f->fd = fd; f->dev = st.st_dev; f->ino = st.st_ino;
  snprintf(f->where, sizeof f->where, "%s", path);
  // Classify now, while the process may still be there.
  char buf[64];
  snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
  int rd = open(buf, O_RDONLY | O_CLOEXEC);
  int seals = rd >= 0 ? fcntl(rd, F_GET_SEALS) : -1;
  if (rd >= 0) close(rd);
  f->ours = 1;
  if (st.st_dev == host_dev && st.st_ino == host_ino) fprintf(report, "HOST %s\n", path);
  else if (seals >= 0 && (seals & F_SEAL_WRITE)) fprintf(report, "SEALED %s\n", path);
  else { fprintf(report, "OTHER %s\n", path); f->ours = 0; }
  fflush(report);
}

static void scan(pid_t self, long *scanned) {
  DIR *proc = opendir("/proc");
  if (!proc) return;
  struct dirent *e;
  while ((e = readdir(proc))) {
    pid_t pid = atoi(e->d_name);
    if (pid <= 0 || pid == self) continue;
    (*scanned)++;
    char path[200];
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    keep(path);
    snprintf(path, sizeof path, "/proc/%d/map_files", pid);
    DIR *maps = opendir(path);
    if (!maps) continue;
    struct dirent *m;
    while ((m = readdir(maps))) {
      if (m->d_name[0] == '.') continue;
      char p2[600];
      snprintf(p2, sizeof p2, "%s/%s", path, m->d_name);
      keep(p2);
    }
    closedir(maps);
  }
  closedir(proc);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: exe-grab SECONDS HOST_DEV HOST_INO GO_FILE REPORT_FILE\n");
    return 2;
  }
  double seconds = atof(argv[1]);
  host_dev = (dev_t)strtoull(argv[2], 0, 10);
  host_ino = (ino_t)strtoull(argv[3], 0, 10);
  report = fopen(argv[5], "w");
  if (!report) { perror(argv[5]); return 2; }
  // Tell the test we are scanning.
  fprintf(report, "STARTED\n");
  fflush(report);
  pid_t self = getpid();
  long scanned = 0;
  double end = now() + seconds;
  while (now() < end) scan(self, &scanned);
  fprintf(report, "SCANNED %ld\n", scanned);
  fflush(report);
  while (access(argv[4], F_OK) != 0) usleep(20000);
  // The monitor is dead now: nothing of ours may still be writable.
  scan(self, &scanned);
  for (int i = 0; i < nkept; i++) {
    if (!kept[i].ours) continue; // the container's own files may well be writable
    char buf[64];
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", kept[i].fd);
    int w = open(buf, O_WRONLY | O_CLOEXEC);
    if (w < 0) { fprintf(report, "WRITE-REFUSED %s %d\n", kept[i].where, errno); continue; }
    int is_host = kept[i].dev == host_dev && kept[i].ino == host_ino;
    // Never write into the host's binary, even when the defence failed:
    // opening it for writing is the proof.
    if (!is_host && write(w, "x", 1) != 1) {
      fprintf(report, "WRITE-REFUSED %s %d\n", kept[i].where, errno);
    } else {
      fprintf(report, "WRITE-OK %s\n", kept[i].where);
    }
    close(w);
  }
  fprintf(report, "DONE\n");
  fclose(report);
  return 0;
}
