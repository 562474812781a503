//go:build linux

package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setSchedBatch gives every thread of the process Linux's SCHED_BATCH
// policy (--sched-batch). Threads started later inherit the policy of
// the thread that starts them, so once all the threads have it, Go's and
// DuckDB's new threads get it too; the threads are listed until a pass
// finds none left to change.
//
// A woken SCHED_BATCH thread does not preempt the one running: it waits
// for the end of that one's time slice. When quiver shares CPUs with the
// PostgreSQL it reads, that stops quiver's threads from waking for, and
// preempting PostgreSQL at, every 8 KiB PostgreSQL writes to a socket;
// each wake-up then reads a time slice's worth. The cost is latency when
// the CPUs are busy: a woken thread waits for a slice.
func setSchedBatch() error {
	for pass := 0; pass < 10; pass++ {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		changed := 0
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			attr, err := unix.SchedGetAttr(tid, 0)
			if err != nil {
				continue // the thread has exited
			}
			if attr.Policy == unix.SCHED_BATCH {
				continue
			}
			if attr.Policy != unix.SCHED_NORMAL {
				return fmt.Errorf("thread %d has scheduling policy %d, not SCHED_OTHER (SCHED_NORMAL)", tid, attr.Policy)
			}
			attr.Policy, attr.Flags = unix.SCHED_BATCH, 0
			if err := unix.SchedSetAttr(tid, attr, 0); err != nil {
				if err == unix.ESRCH {
					continue
				}
				return fmt.Errorf("sched_setattr(SCHED_BATCH): %w", err)
			}
			changed++
		}
		if changed == 0 {
			return nil
		}
	}
	return fmt.Errorf("threads kept appearing while setting SCHED_BATCH")
}
