// Command benchjob is benchjob.Work as a WASI command: the input on stdin, the
// output on stdout. The executor's benchmark builds it for wasip1.
package main

import (
	"io"
	"os"

	"github.com/intercooperative/icnd/executor/internal/benchjob"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		os.Exit(3)
	}
	if _, err := os.Stdout.Write(benchjob.Work(in)); err != nil {
		os.Exit(4)
	}
}
