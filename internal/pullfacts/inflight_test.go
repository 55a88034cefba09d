package pullfacts

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestConcurrentReadsAskOnce: pull requests evaluated concurrently that share
// a base commit read its files at the same moment; GitHub is asked once, and
// each gets the file.
func TestConcurrentReadsAskOnce(t *testing.T) {
	srv := githubtest.New(t, githubtest.WithLatency(50*time.Millisecond))
	srv.SetContent(base, "safety/changes.yaml", []byte("release: 2.3.0\nchanges: []\n"))
	srv.SetContent(base, "safety/hazards/HAZ-001.md", []byte("# HAZ-001\n"))
	c, err := github.New(github.Options{BaseURL: srv.URL(), Token: "ghs_test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := NewReader(c, srv.Owner(), srv.Repo())
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			data, found, err := r.File(context.Background(), base, "safety/changes.yaml")
			if err != nil || !found || string(data) != "release: 2.3.0\nchanges: []\n" {
				t.Errorf("File = %q, %v, %v; want the manifest", data, found, err)
			}
			files, err := r.Dir(context.Background(), base, "safety/hazards")
			if err != nil || len(files) != 1 {
				t.Errorf("Dir = %v, %v; want HAZ-001.md", files, err)
			}
		})
	}
	wg.Wait()
	if got := requestStrings(srv); len(got) != 3 {
		t.Errorf("requests = %q, want the file, and the directory and its one file, once each", got)
	}
}
