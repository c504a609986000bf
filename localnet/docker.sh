#!/usr/bin/env bash
# Run the 4-validator ICN localnet in containers (docker compose).
#
#   localnet/docker.sh start   stop any running localnet (processes or
#                              containers), generate a fresh one in localnet/.data,
#                              start it and wait until it makes blocks
#   localnet/docker.sh stop    stop and remove the containers and their network
#                              (the homes in localnet/.data stay until the next start)
#
# Expects build/icnd (it generates the homes) and the image of `make docker`.
# Node i runs at ${ICND_SUBNET}.(2+i) on a private bridge network; its RPC and
# metrics are published on ${ICND_HOST_NET}.(2+i), the process localnet's
# addresses, so the README's commands work unchanged. The environment
# overrides the defaults (tests run a second network this way):
#   ICND_IMAGE (icnd:latest)   ICND_PROJECT (icnd-localnet)   ICND_DATA (localnet/.data)
#   ICND_SUBNET (10.213.0)     ICND_HOST_NET (127.0.0)        ICND (build/icnd)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ICND="${ICND:-$ROOT/build/icnd}"
export ICND_IMAGE="${ICND_IMAGE:-icnd:latest}"
export ICND_DATA="${ICND_DATA:-$ROOT/localnet/.data}"
export ICND_SUBNET="${ICND_SUBNET:-10.213.0}"
export ICND_HOST_NET="${ICND_HOST_NET:-127.0.0}"
ICND_USER="$(id -u):$(id -g)"
export ICND_USER
PROJECT="${ICND_PROJECT:-icnd-localnet}"
COMPOSE_FILE="$ROOT/localnet/docker-compose.yml"
# The marker that tells run.sh (and a later stop) that containers use ICND_DATA.
MARKER="$ICND_DATA/docker.env"
VALIDATORS=4
CHAIN_ID="icn-localnet"
WAIT_SECONDS=90
MIN_HEIGHT=2

# compose runs docker compose v2, or the standalone docker-compose.
compose() {
	if docker compose version >/dev/null 2>&1; then
		docker compose -p "$PROJECT" -f "$COMPOSE_FILE" "$@"
	elif command -v docker-compose >/dev/null 2>&1; then
		docker-compose -p "$PROJECT" -f "$COMPOSE_FILE" "$@"
	else
		echo "localnet: neither 'docker compose' nor 'docker-compose' is installed" >&2
		exit 1
	fi
}

node_rpc() { echo "tcp://$ICND_HOST_NET.$((2 + $1)):26657"; }

stop() {
	local out
	if ! out="$(compose down --remove-orphans --timeout 20 2>&1)"; then
		echo "localnet: docker compose down failed:" >&2
		echo "$out" >&2
		return 1
	fi
	rm -f "$MARKER"
	echo "docker localnet stopped"
}

# height prints node i's latest height, or nothing when it does not answer.
height() {
	"$ICND" status --node "$(node_rpc "$1")" --output json 2>/dev/null |
		sed -n 's/.*"latest_height": *\([0-9]*\).*/\1/p'
}

fail() {
	echo "localnet: $1" >&2
	compose logs --tail 30 >&2 || true
	stop >/dev/null || true
	exit 1
}

start() {
	if [[ ! -x "$ICND" ]]; then
		echo "localnet: $ICND not found; run 'make build' first" >&2
		exit 1
	fi
	if ! docker image inspect "$ICND_IMAGE" >/dev/null 2>&1; then
		echo "localnet: no image $ICND_IMAGE; run 'make docker' first" >&2
		exit 1
	fi
	# The process localnet uses the same directory and addresses.
	if [[ "$ICND_DATA" == "$ROOT/localnet/.data" ]]; then
		"$ROOT/localnet/run.sh" stop >/dev/null
	fi
	stop >/dev/null
	rm -rf "$ICND_DATA"
	"$ICND" testnet --validators "$VALIDATORS" --output "$ICND_DATA" --chain-id "$CHAIN_ID" \
		--starting-ip-address "$ICND_SUBNET.2" --keyring-backend test >/dev/null
	printf 'ICND_PROJECT=%s\n' "$PROJECT" >"$MARKER"
	local out
	if ! out="$(compose up -d 2>&1)"; then
		fail "docker compose up failed: $out"
	fi

	local deadline=$((SECONDS + WAIT_SECONDS)) i h
	for ((i = 0; i < VALIDATORS; i++)); do
		while :; do
			h="$(height "$i" || true)"
			if [[ -n "$h" && "$h" -ge "$MIN_HEIGHT" ]]; then
				break
			fi
			if ((SECONDS >= deadline)); then
				fail "node$i did not reach height $MIN_HEIGHT within ${WAIT_SECONDS}s"
			fi
			sleep 0.5
		done
	done

	local data="${ICND_DATA#"$ROOT"/}"
	echo "docker localnet $CHAIN_ID is running ($VALIDATORS validators in compose project $PROJECT, homes in $data)"
	echo
	printf '  %-6s %-24s %-18s %s\n' NODE RPC CONTAINER-IP HOME
	for ((i = 0; i < VALIDATORS; i++)); do
		printf '  %-6s %-24s %-18s %s\n' "node$i" "$(node_rpc "$i")" "$ICND_SUBNET.$((2 + i))" "$data/node$i"
	done
	echo
	echo "The README's quickstart works as it is. Logs: docker compose -p $PROJECT logs; stop: make localnet-docker-stop"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
