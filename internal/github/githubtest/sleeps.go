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

// Clock is a virtual clock for github.Options.Now and Sleep: Sleep returns
// at once and moves the time on by what it was asked to wait, so a test of
// waits that add up to minutes or hours runs at once and sees the times the
// requests would have gone. It is exact for one request at a time; sleepers
// that overlap move it on by the sum of their waits.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a virtual clock at start.
func NewClock(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now tells the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the virtual time on by d (with the context's error, if any).
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}
