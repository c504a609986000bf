package executor

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// threadCPU locks the goroutine to its thread and returns a function that reports
// the CPU time the thread has used since, and unlocks it. wazero runs a module on
// the calling goroutine, so on a loaded machine this measures the run itself,
// without the time the thread waited for a core.
func threadCPU() func() time.Duration {
	runtime.LockOSThread()
	start := rusageThread()
	return func() time.Duration {
		d := rusageThread() - start
		runtime.UnlockOSThread()
		return d
	}
}

func rusageThread() time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
