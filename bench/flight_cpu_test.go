//go:build duckdb_arrow

package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/quiverdb/quiver/internal/testenv"
)

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ,
// which is 100 on Linux).
const clockTick = 10 * time.Millisecond

// cpuMeter adds up the CPU time spent while it runs, by this process
// (quiver's servers, the clients, DuckDB) and by the server processes of a
// PostgreSQL cluster. On a shared machine CPU time per row is steadier than
// rows/s, which other people's work slows down.
type cpuMeter struct {
	postmaster   int // 0: no PostgreSQL
	server       int // a quiver process of its own; 0: none
	self, pg     time.Duration
	selfAt, pgAt time.Duration
	srv, srvAt   time.Duration
}

// newCPUMeter returns a meter of this process and, when pg is not nil, of
// pg's server processes.
func newCPUMeter(b *testing.B, pg *testenv.Postgres) *cpuMeter {
	m := &cpuMeter{}
	if pg != nil {
		pid, err := os.ReadFile(filepath.Join(pg.Dir, "data", "postmaster.pid"))
		if err != nil {
			b.Fatal(err)
		}
		if m.postmaster, err = strconv.Atoi(string(bytes.Fields(pid)[0])); err != nil {
			b.Fatal(err)
		}
	}
	return m
}

// start starts counting, with the benchmark timer stopped while it reads
// the counters. PostgreSQL's are read first: reading them (a walk of
// /proc) is this process's work, not the benchmark's (stop reads this
// process's first for the same reason).
func (m *cpuMeter) start(b *testing.B) {
	b.StopTimer()
	m.pgAt = m.pgCPU()
	m.srvAt = procCPU(m.server)
	m.selfAt = selfCPU()
	b.StartTimer()
}

// stop stops counting.
func (m *cpuMeter) stop(b *testing.B) {
	b.StopTimer()
	m.self += selfCPU() - m.selfAt
	m.srv += procCPU(m.server) - m.srvAt
	m.pg += m.pgCPU() - m.pgAt
	b.StartTimer()
}

// report reports the CPU time per row: go-cpu-ns/row for this process,
// pg-cpu-ns/row for PostgreSQL's and quiver-cpu-ns/row for the quiver
// process.
func (m *cpuMeter) report(b *testing.B, rows int) {
	b.ReportMetric(float64(m.self.Nanoseconds())/float64(rows), "go-cpu-ns/row")
	if m.postmaster != 0 {
		b.ReportMetric(float64(m.pg.Nanoseconds())/float64(rows), "pg-cpu-ns/row")
	}
	if m.server != 0 {
		b.ReportMetric(float64(m.srv.Nanoseconds())/float64(rows), "quiver-cpu-ns/row")
	}
}

// procCPU is the user and system time process pid has used; 0 for pid 0.
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	if _, u, s, ok := statTimes(filepath.Join("/proc", strconv.Itoa(pid), "stat")); ok {
		return time.Duration(u+s) * clockTick
	}
	return 0
}

// statTimes reads the parent's pid and the user and system ticks of a
// /proc/PID/stat file.
func statTimes(path string) (ppid int, utime, stime int64, ok bool) {
	st, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, false // exited
	}
	// pid (comm) state ppid ... utime stime: fields 4, 14 and 15, the
	// comm being free text in parentheses.
	f := bytes.Fields(st[bytes.LastIndexByte(st, ')')+1:])
	if len(f) < 13 {
		return 0, 0, 0, false
	}
	ppid, _ = strconv.Atoi(string(f[1]))
	utime, _ = strconv.ParseInt(string(f[11]), 10, 64)
	stime, _ = strconv.ParseInt(string(f[12]), 10, 64)
	return ppid, utime, stime, true
}

// selfCPU is the user and system time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgCPU is the user and system time used by the postmaster's children
// alive now (the backends, the background writer, the WAL writer, and so
// on).
func (m *cpuMeter) pgCPU() time.Duration {
	if m.postmaster == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range procs {
		if ppid, u, s, ok := statTimes(p); ok && ppid == m.postmaster {
			ticks += u + s
		}
	}
	return time.Duration(ticks) * clockTick
}
