package mesh

import (
	"crypto/sha256"

	"github.com/intercooperative/icnd/modules"
	meshv1 "github.com/intercooperative/icnd/proto/icn/mesh/v1"
)

// StorePrefix is the mesh module's key prefix.
const StorePrefix = modules.PrefixMesh

const (
	subExecutor      byte = 0x01 // did -> Executor
	subJob           byte = 0x02 // job id -> Job
	subParams        byte = 0x03 // -> Params
	subJobsByPoster  byte = 0x04 // poster | job id -> 0x01
	subJobsByStatus  byte = 0x05 // status | job id -> 0x01
	subPendingParams byte = 0x06 // -> Params set this block, applied at its end
	subWindowCloses  byte = 0x10 // Schedule: height | job id -> 0x01
	subDeadlines     byte = 0x11 // Schedule: height | job id -> 0x01
	subSettlements   byte = 0x12 // Schedule: height | job id -> 0x01
	indexPresent     byte = 0x01 // the value of index keys (the store holds no empty values)
	bondEscrowDomain      = "icn-mesh-bond-v1\x00"
)

// The module's schedules (modules.Schedule), drained at block end in this
// order: settlements, window closes, deadlines.
var (
	settlements  = modules.Schedule{Prefix: StorePrefix, Sub: subSettlements}
	windowCloses = modules.Schedule{Prefix: StorePrefix, Sub: subWindowCloses}
	deadlines    = modules.Schedule{Prefix: StorePrefix, Sub: subDeadlines}
)

// ExecutorKey is the key of did's executor record.
func ExecutorKey(did string) []byte {
	return modules.Key(StorePrefix, subExecutor, []byte(did))
}

// ExecutorsPrefix is the prefix of every executor record, in DID order.
func ExecutorsPrefix() []byte { return []byte{StorePrefix, subExecutor} }

// JobKey is the key of the job with id (32 bytes).
func JobKey(id []byte) []byte {
	return modules.Key(StorePrefix, subJob, id)
}

// JobsPrefix is the prefix of every job record, in id order.
func JobsPrefix() []byte { return []byte{StorePrefix, subJob} }

// ParamsKey is the key of the module's params.
func ParamsKey() []byte { return []byte{StorePrefix, subParams} }

// PendingParamsKey is the key of the params set_mesh_params wrote in the
// current block; the module's end-of-block hook moves them to ParamsKey, so
// no committed state holds it.
func PendingParamsKey() []byte { return []byte{StorePrefix, subPendingParams} }

// JobByPosterKey is poster's index entry for job id.
func JobByPosterKey(poster string, id []byte) []byte {
	return modules.Key(StorePrefix, subJobsByPoster, []byte(poster), id)
}

// JobsByPosterPrefix is the prefix of poster's index entries, in id order.
func JobsByPosterPrefix(poster string) []byte {
	return modules.Key(StorePrefix, subJobsByPoster, []byte(poster))
}

// JobByStatusKey is the status index entry of job id.
func JobByStatusKey(s meshv1.JobStatus, id []byte) []byte {
	return modules.Key(StorePrefix, subJobsByStatus, []byte{byte(s)}, id)
}

// JobsByStatusPrefix is the prefix of the index entries of the jobs in
// status s, in id order.
func JobsByStatusPrefix(s meshv1.JobStatus) []byte {
	return modules.Key(StorePrefix, subJobsByStatus, []byte{byte(s)})
}

// JobIDFromIndexKey returns the job id, the last part of an index key
// (JobByPosterKey, JobByStatusKey): its final 32 bytes.
func JobIDFromIndexKey(key []byte) ([]byte, bool) {
	if len(key) < JobIDLength+1 || key[len(key)-JobIDLength-1] != JobIDLength {
		return nil, false
	}
	return key[len(key)-JobIDLength:], true
}

// BondEscrowID is the mana escrow id of did's bond:
// sha256("icn-mesh-bond-v1\x00" || did). A job's escrow id is its id; the
// domain keeps the two apart.
func BondEscrowID(did string) []byte {
	h := sha256.New()
	h.Write([]byte(bondEscrowDomain))
	h.Write([]byte(did))
	return h.Sum(nil)
}
