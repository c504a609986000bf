// Package executor is section 1 of the mesh executor (issue 10): the metered,
// deterministic WASM runtime that runs a compute job. The rules it enforces are in
// docs/executor.md; this comment says how the parts fit.
//
// A job is a WASI preview 1 command module, an input block and a fuel limit. Run
// feeds the input on stdin and takes the output from stdout. Before a module is
// compiled, Instrument checks it (structure, imports, opcodes: no SIMD, no threads)
// and rewrites it: a fuel counter charged per basic block by instruction count and
// per memory.grow page and bulk-operation length, canonical NaNs after float
// arithmetic, and a call-depth bound. wazero runs the result with a fake clock, a
// fixed random stream, no file system, network or environment, and the memory limit
// of the Config. Whatever the engine (compiler or interpreter) and machine, a job
// gives the same Result: output, output CID, fuel used and Status, which become the
// `output`, `fuel` and `exit` fields of the mesh receipt (docs/receipts.md).
//
// The daemon (executor/daemon, docs/executor.md section 3) uses it this way: one
// Runtime per memory limit, the job's memory_pages requirement, with the block
// store's raw block limit as the output cap, shared by the jobs of that limit; for
// each assigned job it fetches the module and the input by CID, calls Run with a
// context carrying its wall-clock safety net, and then
//   - on a Result, stores the output under Result.OutputID and signs a receipt
//     with exit = Result.Status and fuel = Result.Fuel;
//   - on an error wrapping ErrNoReceipt (timeout, shutdown), submits nothing and
//     may retry later; the safety net never decides a receipt.
//
// `icnd job verify` re-runs a job the same way (Rerun) and compares the exit
// status, the fuel and the output CID with each anchored receipt (Compare). A
// Runtime caches compiled modules by module CID (CIDv1, raw, sha2-256); Close
// releases them. Run starts no goroutine that outlives it.
package executor
