package runner

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/intercooperative/icnd/client"
)

// sample is one poll of a node's /status (and, every few polls, of its
// app through /abci_info).
type sample struct {
	at         time.Duration // since the load started
	ok         bool
	height     int64
	catchingUp bool
}

// appSample is what a node's app reported: its last committed height and
// the app hash after it.
type appSample struct {
	node    int
	height  int64
	appHash string
}

// monitor polls every node twice a second for the whole run.
type monitor struct {
	clients []*client.Client
	t0      time.Time

	mu      sync.Mutex
	samples [][]sample
	apps    []appSample

	stop chan struct{}
	done sync.WaitGroup
}

const pollEvery = 500 * time.Millisecond

func newMonitor(clients []*client.Client, t0 time.Time) *monitor {
	m := &monitor{clients: clients, t0: t0, samples: make([][]sample, len(clients)), stop: make(chan struct{})}
	for i := range clients {
		m.done.Add(1)
		go m.poll(i)
	}
	return m
}

func (m *monitor) poll(i int) {
	defer m.done.Done()
	c := m.clients[i]
	for k := 0; ; k++ {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		st, err := c.RPC.Status(ctx)
		s := sample{at: time.Since(m.t0), ok: err == nil}
		if err == nil {
			s.height, s.catchingUp = st.SyncInfo.LatestBlockHeight, st.SyncInfo.CatchingUp
		}
		var app *appSample
		if err == nil && k%4 == 0 {
			if info, err := c.RPC.ABCIInfo(ctx); err == nil && info.Response.LastBlockHeight > 0 {
				app = &appSample{node: i, height: info.Response.LastBlockHeight, appHash: fmt.Sprintf("%X", info.Response.LastBlockAppHash)}
			}
		}
		cancel()
		m.mu.Lock()
		m.samples[i] = append(m.samples[i], s)
		if app != nil {
			m.apps = append(m.apps, *app)
		}
		m.mu.Unlock()
		select {
		case <-m.stop:
			return
		case <-time.After(pollEvery):
		}
	}
}

// close stops polling.
func (m *monitor) close() {
	close(m.stop)
	m.done.Wait()
}

// latest returns node i's last answered sample.
func (m *monitor) latest(i int) (sample, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := len(m.samples[i]) - 1; k >= 0; k-- {
		if m.samples[i][k].ok {
			return m.samples[i][k], true
		}
	}
	return sample{}, false
}

// maxHeight returns the highest height any node but skip has reported.
func (m *monitor) maxHeight(skip map[int]bool) int64 {
	var h int64
	for i := range m.clients {
		if skip[i] {
			continue
		}
		if s, ok := m.latest(i); ok {
			h = max(h, s.height)
		}
	}
	return h
}

// snapshot copies the samples.
func (m *monitor) snapshot() ([][]sample, []appSample) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]sample, len(m.samples))
	for i := range m.samples {
		out[i] = append([]sample(nil), m.samples[i]...)
	}
	return out, append([]appSample(nil), m.apps...)
}

// rise is a moment the network's height went up.
type rise struct {
	at     time.Duration
	height int64
}

// chainRises merges the nodes' samples into the network's height over
// time (at each sample, the highest height any node had reported so far)
// and returns the moments it rose.
func chainRises(samples [][]sample) []rise {
	var all []rise
	for _, ss := range samples {
		for _, s := range ss {
			if s.ok {
				all = append(all, rise{s.at, s.height})
			}
		}
	}
	slices.SortStableFunc(all, func(a, b rise) int { return cmp.Compare(a.at, b.at) })
	var out []rise
	var best int64
	for _, p := range all {
		if p.height > best {
			best = p.height
			out = append(out, p)
		}
	}
	return out
}
