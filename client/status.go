package client

import (
	"context"
	"time"
)

// NodeStatus is what `icnd status` reports about a node. The JSON field
// names are stable: scripts read them.
type NodeStatus struct {
	ChainID         string    `json:"chain_id"`
	NodeID          string    `json:"node_id"`
	Moniker         string    `json:"moniker"`
	LatestHeight    int64     `json:"latest_height"`
	LatestBlockHash string    `json:"latest_block_hash"`
	LatestAppHash   string    `json:"latest_app_hash"`
	LatestBlockTime time.Time `json:"latest_block_time"`
	CatchingUp      bool      `json:"catching_up"`
	// Peers is the number of connected p2p peers.
	Peers int `json:"peers"`
	// ValidatorAddress is the address of the node's validator key, and
	// VotingPower that key's power in the latest validator set: 0 when the
	// node is not a validator.
	ValidatorAddress string `json:"validator_address"`
	VotingPower      int64  `json:"voting_power"`
}

// Status asks the node for its chain, identity, latest block, peers and
// voting power.
func (c *Client) Status(ctx context.Context) (NodeStatus, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return NodeStatus{}, c.wrap(err)
	}
	net, err := c.RPC.NetInfo(ctx)
	if err != nil {
		return NodeStatus{}, c.wrap(err)
	}
	return NodeStatus{
		ChainID:          st.NodeInfo.Network,
		NodeID:           string(st.NodeInfo.DefaultNodeID),
		Moniker:          st.NodeInfo.Moniker,
		LatestHeight:     st.SyncInfo.LatestBlockHeight,
		LatestBlockHash:  st.SyncInfo.LatestBlockHash.String(),
		LatestAppHash:    st.SyncInfo.LatestAppHash.String(),
		LatestBlockTime:  st.SyncInfo.LatestBlockTime,
		CatchingUp:       st.SyncInfo.CatchingUp,
		Peers:            net.NPeers,
		ValidatorAddress: st.ValidatorInfo.Address.String(),
		VotingPower:      st.ValidatorInfo.VotingPower,
	}, nil
}
