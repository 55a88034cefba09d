package github_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/safetyfile"
)

func TestFileAt(t *testing.T) {
	t.Parallel()
	base := githubtest.SHA("base-7")
	register := []byte("officers:\n  - github: alice-gp\n    name: Dr Alice Example – GMC ✓\n")
	big := bytes.Repeat([]byte("0123456789abcdef"), (1<<20)/16+10) // over 1 MB: served without inline content

	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.SetContent(base, "safety/cso-register.yaml", register)
	srv.SetContent(base, "safety/hazard-log.xlsx", big)
	srv.SetContent(base, "safety/policies/extra.rego", []byte("package csogate\n"))
	srv.SetContent(base, "docs/a file with spaces.md", []byte("spaces"))
	srv.AddTag("v2.4.0", base)
	c, _ := newClient(t, srv)

	tests := []struct {
		name      string
		ref, path string
		want      []byte
		wantFound bool
		wantErr   string
	}{
		{name: "base64 content", ref: base, path: "safety/cso-register.yaml", want: register, wantFound: true},
		{name: "leading slash", ref: base, path: "/safety/cso-register.yaml", want: register, wantFound: true},
		{name: "by tag", ref: "v2.4.0", path: "safety/cso-register.yaml", want: register, wantFound: true},
		{name: "over 1 MB, fetched raw", ref: base, path: "safety/hazard-log.xlsx", want: big, wantFound: true},
		{name: "escaped path", ref: base, path: "docs/a file with spaces.md", want: []byte("spaces"), wantFound: true},
		{name: "missing file", ref: base, path: "safety/csogate.yaml", wantFound: false},
		{name: "missing at a known commit without files", ref: githubtest.SHA("head-7"), path: "safety/csogate.yaml", wantFound: false},
		{name: "unknown ref is an error", ref: githubtest.SHA("nowhere"), path: "safety/csogate.yaml", wantErr: "404 Not Found (No commit found for the ref"},
		{name: "directory is an error", ref: base, path: "safety/policies", wantErr: "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, found, err := c.FileAt(context.Background(), owner, repo, tt.ref, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FileAt error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.wantFound || !bytes.Equal(got, tt.want) {
				t.Errorf("FileAt = %d bytes, found=%t; want %d bytes, found=%t", len(got), found, len(tt.want), tt.wantFound)
			}
		})
	}
}

func TestFileAtRefusesSymlinksAndSubmodules(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"symlink", "submodule"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			srv.AddPull(githubtest.Pull{Number: 7})
			body := `{"type":"` + kind + `","target":"/etc/passwd","size":11,"name":"x","path":"safety/x","sha":"1","url":"u"}`
			srv.FailAlways("GET", repoPath+"/contents/safety/x", githubtest.Response{Status: 200, Body: body})
			c, _ := newClient(t, srv)
			_, _, err := c.FileAt(context.Background(), owner, repo, githubtest.SHA("base-7"), "safety/x")
			var link *safetyfile.LinkError
			if kind == "symlink" && !errors.As(err, &link) || kind != "symlink" && (err == nil || !strings.Contains(err.Error(), kind)) {
				t.Errorf("FileAt of a %s = %v, want an error naming it", kind, err)
			}
		})
	}
}

func TestDirAt(t *testing.T) {
	t.Parallel()
	base := githubtest.SHA("base-7")
	files := map[string][]byte{
		"safety/policies/extra.rego":        []byte("package csogate.extra\n"),
		"safety/policies/data.json":         []byte(`{"max": 3}`),
		"safety/policies/nested/deep.rego":  []byte("package csogate.deep\n"),
		"safety/policies/nested/more/x.txt": []byte("x"),
	}
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	for p, data := range files {
		srv.SetContent(base, p, data)
	}
	srv.SetContent(base, "safety/cso-register.yaml", []byte("officers: []\n"))
	c, _ := newClient(t, srv)
	ctx := context.Background()

	got, err := c.DirAt(ctx, owner, repo, base, "safety/policies/")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, files) {
		t.Errorf("DirAt got %q, want %q", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(files)))
	}

	missing, err := c.DirAt(ctx, owner, repo, base, "safety/no-such-dir")
	if err != nil || missing == nil || len(missing) != 0 {
		t.Errorf("DirAt of a missing directory = %v, %v; want an empty map", missing, err)
	}

	if _, err := c.DirAt(ctx, owner, repo, base, "safety/cso-register.yaml"); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("DirAt of a file = %v, want an error", err)
	}

	_, err = c.DirAt(ctx, owner, repo, githubtest.SHA("nowhere"), "safety/policies")
	var status *github.StatusError
	if !errors.As(err, &status) || status.StatusCode != 404 {
		t.Errorf("DirAt at an unknown ref = %v, want a 404 *StatusError", err)
	}
}

// TestContentsRefuseSymlinks is the attack of a pull request that makes a
// safety file a symbolic link: to another file in the repository (GitHub
// then answers with that file, under its own path), out of the repository,
// or inside a directory the gate reads whole. Every read fails closed with a
// LinkError naming the link and its target, and no content is returned.
func TestContentsRefuseSymlinks(t *testing.T) {
	t.Parallel()
	base := githubtest.SHA("base-7")
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.SetContent(base, "safety/old-register.yaml", []byte("officers: [{github: dev-dan}]\n"))
	srv.SetContent(base, "safety/policies/extra.rego", []byte("package csogate.extra\n"))
	srv.SetSymlink(base, "safety/cso-register.yaml", "old-register.yaml")
	srv.SetSymlink(base, "safety/hazard-log.yaml", "/etc/passwd")
	srv.SetSymlink(base, "safety/policies/evil.rego", "../../../runner/secrets.rego")
	c, _ := newClient(t, srv)
	ctx := context.Background()

	tests := []struct {
		name, path, target string
		dir                bool
	}{
		{name: "link to a file in the repository", path: "safety/cso-register.yaml", target: "safety/old-register.yaml"},
		{name: "link out of the repository", path: "safety/hazard-log.yaml", target: "/etc/passwd"},
		{name: "link inside a directory read whole", path: "safety/policies", target: "../../../runner/secrets.rego", dir: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			var got any
			if tt.dir {
				got, err = c.DirAt(ctx, owner, repo, base, tt.path)
			} else {
				got, _, err = c.FileAt(ctx, owner, repo, base, tt.path)
			}
			var link *safetyfile.LinkError
			if !errors.As(err, &link) {
				t.Fatalf("read = %v, %v; want a LinkError", got, err)
			}
			if link.Target != tt.target || !strings.Contains(err.Error(), tt.target) {
				t.Errorf("error %q names target %q, want %q", err, link.Target, tt.target)
			}
		})
	}
}
