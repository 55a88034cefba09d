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

// enter counts a request being served until the function it returns is
// called, keeping the most served at once for MaxInFlight.
func (s *Server) enter() (leave func()) {
	s.mu.Lock()
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}
}

// MaxInFlight is the most requests the server was serving at once since it
// started (or since ResetRequests): with WithLatency, how many the client
// had in flight together.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}
