//go:build !linux

package executor

import "time"

// threadCPU measures nothing outside Linux: the CPU-time metrics read 0.
func threadCPU() func() time.Duration {
	return func() time.Duration { return 0 }
}
