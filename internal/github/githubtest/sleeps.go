package githubtest

import (
	"context"
	"sync"
	"time"
)

// Sleeps records the waits a client asks for instead of sleeping; pass its
// Sleep as github.Options.Sleep, so retry and rate-limit tests run at once
// and can assert what was waited.
type Sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d and returns at once (with the context's error, if any).
func (s *Sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waits = append(s.waits, d)
	return ctx.Err()
}

// All returns the waits recorded so far.
func (s *Sleeps) All() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}
