#!/usr/bin/env bash
# Run Prometheus against the localnet (make localnet-monitor).
#
#   localnet/monitor.sh start   start Prometheus in the background, scraping the
#                               localnet's nodes (localnet/monitoring/prometheus.yml),
#                               with its data in localnet/.data/prometheus; print its URL
#   localnet/monitor.sh stop    stop it (localnet/run.sh stop does too)
#
# Expects Debian's prometheus package (the Makefile installs it when missing).
# Listens on 127.0.0.1:9190 unless ICND_PROMETHEUS_ADDR says otherwise (keep it
# on a loopback address): not Prometheus's usual 9090, which the Debian
# package's own service takes where systemd runs it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/localnet/.data"
PROM_DATA="$DATA/prometheus"
PID="$DATA/prometheus.pid"
LOG="$DATA/prometheus.log"
CONFIG="$ROOT/localnet/monitoring/prometheus.yml"
ADDR="${ICND_PROMETHEUS_ADDR:-127.0.0.1:9190}"
WAIT_SECONDS=30

stop() {
	if [[ ! -f "$PID" ]]; then
		echo "no localnet Prometheus running"
		return 0
	fi
	local pid
	pid="$(cat "$PID")"
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "prometheus pid $pid did not stop within 10s; killing it" >&2
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$PID"
	echo "localnet Prometheus stopped"
}

start() {
	if ! command -v prometheus >/dev/null 2>&1; then
		echo "localnet-monitor: prometheus not found; install Debian's prometheus package" >&2
		exit 1
	fi
	if [[ ! -f "$DATA/testnet.json" ]]; then
		echo "localnet-monitor: no localnet in localnet/.data; run 'make localnet' first" >&2
		exit 1
	fi
	stop >/dev/null
	mkdir -p "$PROM_DATA"
	nohup prometheus --config.file="$CONFIG" --storage.tsdb.path="$PROM_DATA" \
		--web.listen-address="$ADDR" >"$LOG" 2>&1 &
	echo $! >"$PID"

	local deadline=$((SECONDS + WAIT_SECONDS))
	until curl -fsS "http://$ADDR/-/ready" >/dev/null 2>&1; do
		if ! kill -0 "$(cat "$PID")" 2>/dev/null; then
			echo "localnet-monitor: prometheus exited; last lines of ${LOG#"$ROOT"/}:" >&2
			tail -n 20 "$LOG" >&2 || true
			rm -f "$PID"
			exit 1
		fi
		if ((SECONDS >= deadline)); then
			echo "localnet-monitor: prometheus not ready within ${WAIT_SECONDS}s; see ${LOG#"$ROOT"/}" >&2
			stop >/dev/null
			exit 1
		fi
		sleep 0.5
	done
	echo "Prometheus is scraping the localnet: http://$ADDR"
	echo "  targets: http://$ADDR/targets"
	echo "  Grafana dashboard to import: localnet/monitoring/dashboard.json (data source: this Prometheus)"
	echo "Log: ${LOG#"$ROOT"/}; stop: make localnet-monitor-stop (make localnet-stop stops it too)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 start|stop" >&2
	exit 2
	;;
esac
