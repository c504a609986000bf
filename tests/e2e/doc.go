// Package e2e runs the real icnd binary as a 4-validator network of
// separate processes on loopback addresses and talks to it over CometBFT's
// RPC, as an operator and a client would.
//
// The network listens on 127.0.X.2-5 with X chosen from the test's process
// id, so it never collides with a `make localnet` on 127.0.0.2-5 or with a
// concurrent run; set ICND_E2E_IP to choose the first address. Set
// ICND_E2E_KEEP=1 to keep the node homes and logs of a run.
package e2e
