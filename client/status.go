package client

import (
	"context"
	"time"
)

// NodeStatus is what `icnd status` reports about a node.
type NodeStatus struct {
	ChainID         string    `json:"chain_id"`
	NodeID          string    `json:"node_id"`
	Moniker         string    `json:"moniker"`
	LatestHeight    int64     `json:"latest_height"`
	LatestBlockHash string    `json:"latest_block_hash"`
	LatestAppHash   string    `json:"latest_app_hash"`
	LatestBlockTime time.Time `json:"latest_block_time"`
	CatchingUp      bool      `json:"catching_up"`
}

// Status asks the node for its chain, identity and latest block.
func (c *Client) Status(ctx context.Context) (NodeStatus, error) {
	st, err := c.RPC.Status(ctx)
	if err != nil {
		return NodeStatus{}, c.wrap(err)
	}
	return NodeStatus{
		ChainID:         st.NodeInfo.Network,
		NodeID:          string(st.NodeInfo.DefaultNodeID),
		Moniker:         st.NodeInfo.Moniker,
		LatestHeight:    st.SyncInfo.LatestBlockHeight,
		LatestBlockHash: st.SyncInfo.LatestBlockHash.String(),
		LatestAppHash:   st.SyncInfo.LatestAppHash.String(),
		LatestBlockTime: st.SyncInfo.LatestBlockTime,
		CatchingUp:      st.SyncInfo.CatchingUp,
	}, nil
}
