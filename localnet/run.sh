#!/usr/bin/env bash
# Run a 4-validator ICN network on this machine, one process per node.
#
#   localnet/run.sh start   stop any running localnet, generate a fresh one in
#                           localnet/.data, start it and wait until it makes blocks
#   localnet/run.sh stop    stop the nodes started by `start`
#
# Node i listens on 127.0.0.(2+i); on Linux all of 127.0.0.0/8 is loopback, so
# no setup is needed. Expects build/icnd (make build, or make localnet).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ICND="${ICND:-$ROOT/build/icnd}"
DATA="$ROOT/localnet/.data"
PIDS="$DATA/pids"
VALIDATORS=4
CHAIN_ID="icn-localnet"
FIRST_IP_SUFFIX=2
WAIT_SECONDS=60
MIN_HEIGHT=2
DAG_P2P_PORT=26680

node_ip() { echo "127.0.0.$((FIRST_IP_SUFFIX + $1))"; }
node_rpc() { echo "tcp://$(node_ip "$1"):26657"; }

stop() {
	# Prometheus watching the localnet (make localnet-monitor) goes with it.
	if [[ -f "$DATA/prometheus.pid" ]]; then
		"$ROOT/localnet/monitor.sh" stop
	fi
	# So does the indexer (make indexer-localnet).
	if [[ -f "$DATA/indexer.pid" || -f "$DATA/indexer.env" ]]; then
		"$ROOT/localnet/indexer.sh" stop
	fi
	if [[ ! -f "$PIDS" ]]; then
		echo "no localnet running"
		return 0
	fi
	local pids=() pid
	while read -r pid; do
		if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
			pids+=("$pid")
		fi
	done <"$PIDS"
	if ((${#pids[@]} > 0)); then
		kill -TERM "${pids[@]}" 2>/dev/null || true
		for _ in $(seq 1 50); do
			local alive=()
			for pid in "${pids[@]}"; do
				if kill -0 "$pid" 2>/dev/null; then
					alive+=("$pid")
				fi
			done
			if ((${#alive[@]} == 0)); then
				break
			fi
			sleep 0.1
		done
		for pid in "${pids[@]}"; do
			if kill -0 "$pid" 2>/dev/null; then
				echo "node pid $pid did not stop within 5s; killing it" >&2
				kill -KILL "$pid" 2>/dev/null || true
			fi
		done
	fi
	rm -f "$PIDS"
	echo "localnet stopped"
}

fail() {
	local i="$1" msg="$2"
	echo "localnet: $msg" >&2
	echo "--- last lines of $DATA/node$i/icnd.log ---" >&2
	tail -n 30 "$DATA/node$i/icnd.log" >&2 || true
	stop >/dev/null
	exit 1
}

# height prints node i's latest height, or nothing when it does not answer.
height() {
	"$ICND" status --node "$(node_rpc "$1")" --output json 2>/dev/null |
		sed -n 's/.*"latest_height": *\([0-9]*\).*/\1/p'
}

# dag_addr prints node0's libp2p multiaddr, from the line its host logs at start.
dag_addr() {
	grep -o "addrs=/ip4/$(node_ip 0)/tcp/$DAG_P2P_PORT/p2p/[A-Za-z0-9]*" "$DATA/node0/icnd.log" | head -1 | cut -d= -f2
}

start() {
	if [[ ! -x "$ICND" ]]; then
		echo "localnet: $ICND not found; run 'make build' first" >&2
		exit 1
	fi
	# The docker localnet (localnet/docker.sh) uses the same directory and addresses.
	if [[ -f "$DATA/docker.env" ]]; then
		"$ROOT/localnet/docker.sh" stop >/dev/null
	fi
	stop >/dev/null
	rm -rf "$DATA"
	"$ICND" testnet --validators "$VALIDATORS" --output "$DATA" --chain-id "$CHAIN_ID" \
		--starting-ip-address "$(node_ip 0)" --keyring-backend test >/dev/null
	# node0 runs the mesh's libp2p host (app.toml [dag-p2p]): it serves its
	# data/blocks to executors and announces posted jobs.
	sed -i -e '/^\[dag-p2p\]/,/^\[/{' -e 's/^enable = false/enable = true/' \
		-e "s#^listen-addrs = .*#listen-addrs = ['/ip4/$(node_ip 0)/tcp/$DAG_P2P_PORT']#" -e '}' \
		"$DATA/node0/config/app.toml"
	for ((i = 0; i < VALIDATORS; i++)); do
		nohup "$ICND" start --home "$DATA/node$i" >"$DATA/node$i/icnd.log" 2>&1 &
		echo $! >>"$PIDS"
	done

	local deadline=$((SECONDS + WAIT_SECONDS)) i h
	for ((i = 0; i < VALIDATORS; i++)); do
		while :; do
			if ! kill -0 "$(sed -n "$((i + 1))p" "$PIDS")" 2>/dev/null; then
				fail "$i" "node$i exited"
			fi
			h="$(height "$i" || true)"
			if [[ -n "$h" && "$h" -ge "$MIN_HEIGHT" ]]; then
				break
			fi
			if ((SECONDS >= deadline)); then
				fail "$i" "node$i did not reach height $MIN_HEIGHT within ${WAIT_SECONDS}s"
			fi
			sleep 0.5
		done
	done

	echo "localnet $CHAIN_ID is running ($VALIDATORS validators, data in ${DATA#"$ROOT"/})"
	echo
	printf '  %-6s %-24s %-9s %s\n' NODE RPC KEY HOME
	for ((i = 0; i < VALIDATORS; i++)); do
		printf '  %-6s %-24s %-9s %s\n' "node$i" "$(node_rpc "$i")" "node$i" "localnet/.data/node$i"
	done
	echo
	echo "node0's libp2p address (bootstrap for executors and 'icnd dag get --peer'):"
	echo "  $(dag_addr)"
	echo
	echo "Each key is funded and in its node's test keyring. Try:"
	echo
	echo "  build/icnd tx dag anchor --file localnet/README.md --kind document --from node0 \\"
	echo "    --home localnet/.data/node0 --keyring-backend test --node $(node_rpc 0)"
	echo "  build/icnd query dag entry <cid printed above> --prove --home localnet/.data/node0 \\"
	echo "    --node $(node_rpc 1) --witnesses $(node_rpc 2),$(node_rpc 3)"
	echo
	echo "Logs: localnet/.data/nodeN/icnd.log; manifest: localnet/.data/testnet.json; stop: make localnet-stop"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
