package githubtest

import (
	"net/http"
	"time"
)

// WithLatency holds every answer back by d, as GitHub's round trip would,
// so a benchmark measures what a run's API calls cost in wall time and what
// running them concurrently saves.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// wait holds a request back by the server's latency, or until the client
// gives up.
func (s *Server) wait(r *http.Request) {
	if s.latency <= 0 {
		return
	}
	select {
	case <-time.After(s.latency):
	case <-r.Context().Done():
	}
}
