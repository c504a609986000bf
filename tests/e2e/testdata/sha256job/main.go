// Command sha256job is a mesh job for WASI preview 1: it writes the hex
// SHA-256 of its input (stdin) and a newline to stdout. Build it with
//
//	GOOS=wasip1 GOARCH=wasm go build -o sha256.wasm ./tests/e2e/testdata/sha256job
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		os.Exit(3)
	}
	fmt.Printf("%x\n", sha256.Sum256(in))
}
