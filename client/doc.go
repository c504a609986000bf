// Package client builds, signs and broadcasts transactions and runs queries
// whose answers are verified against light-client headers. It is used by
// the icnd CLI, the load generator and the end-to-end tests.
package client
