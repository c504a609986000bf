# The icnd image: the static binary that `make build` leaves in build/, and
# nothing else. Nothing is pulled: `make docker` builds with build/ as the
# context (docker build -f Dockerfile build).
#
# No CA certificates or time zone data are needed: nodes talk plain TCP to
# their peers and clients, and every timestamp is UTC.
FROM scratch
COPY icnd /icnd
# The node's home; mount one per container.
VOLUME /icnd-home
# The image has no /tmp: Go's temporary directory is the home, where
# CometBFT's state sync keeps the chunks it fetches while it restores a
# snapshot (config.toml statesync.temp_dir, empty by default).
ENV TMPDIR=/icnd-home
# p2p, RPC, Prometheus metrics.
EXPOSE 26656 26657 26660
ENTRYPOINT ["/icnd"]
CMD ["start", "--home", "/icnd-home"]
