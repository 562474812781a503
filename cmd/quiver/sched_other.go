//go:build !linux

package main

import "errors"

// setSchedBatch is --sched-batch, which needs Linux.
func setSchedBatch() error {
	return errors.New("--sched-batch needs Linux")
}
