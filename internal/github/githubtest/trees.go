package githubtest

import (
	"net/http"
	"sort"
	"strings"
)

// SetSubmodule puts a submodule at path in the tree of ref, pinned at
// commit: the git trees API lists it as type "commit", mode 160000.
func (s *Server) SetSubmodule(ref, p, commit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.submodules == nil {
		s.submodules = map[string]map[string]string{}
	}
	if s.submodules[ref] == nil {
		s.submodules[ref] = map[string]string{}
	}
	s.submodules[ref][strings.Trim(p, "/")] = commit
	if s.contents[ref] == nil {
		s.contents[ref] = map[string][]byte{}
	}
}

// SetTreeLimit makes the git trees API truncate any listing longer than n
// entries, as GitHub does past 100,000 entries or 7 MB: the first n
// entries are served with "truncated": true. Zero (the default) never
// truncates.
func (s *Server) SetTreeLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.treeLimit = n
}

// treeEntry is a path of a tree listing.
type treeEntry struct {
	path, kind string // blob | link | tree | commit
	data       []byte
	target     string // a link's target; a submodule's commit
}

// getTree answers GET /git/trees/{sha}[?recursive=1]: sha is a commit (or
// a ref, as GitHub accepts) for the root, or a tree sha this server gave
// out for a directory.
func (s *Server) getTree(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	ref, dir := sha, ""
	if at, ok := s.treeSHAs[sha]; ok {
		ref, dir = at[0], at[1]
	}
	files, ok := s.treeAt(ref)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message":           "Not Found",
			"documentation_url": "https://docs.github.com/rest/git/trees#get-a-tree",
			"status":            "404",
		})
		return
	}
	recursive := r.URL.Query().Get("recursive") != ""
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	entries := map[string]treeEntry{}
	add := func(full string, e treeEntry) {
		rest, ok := strings.CutPrefix(full, prefix)
		if !ok || rest == "" {
			return
		}
		// Every directory between prefix and the entry is a tree entry.
		parts := strings.Split(rest, "/")
		for i := 1; i < len(parts); i++ {
			d := strings.Join(parts[:i], "/")
			if _, seen := entries[d]; !seen {
				entries[d] = treeEntry{path: d, kind: "tree"}
			}
			if !recursive {
				return
			}
		}
		e.path = rest
		entries[rest] = e
	}
	for p, data := range files {
		add(p, treeEntry{kind: "blob", data: data})
	}
	for p, target := range s.linksAt(ref) {
		add(p, treeEntry{kind: "link", target: target})
	}
	for p, commit := range s.submodulesAt(ref) {
		add(p, treeEntry{kind: "commit", target: commit})
	}
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	truncated := false
	if s.treeLimit > 0 && len(names) > s.treeLimit {
		names, truncated = names[:s.treeLimit], true
	}
	api := s.apiRepo()
	tree := []any{}
	for _, n := range names {
		e := entries[n]
		m := map[string]any{"path": n}
		switch e.kind {
		case "tree":
			tsha := SHA("tree:" + ref + ":" + prefix + n)
			if s.treeSHAs == nil {
				s.treeSHAs = map[string][2]string{}
			}
			s.treeSHAs[tsha] = [2]string{ref, prefix + n}
			m["mode"], m["type"], m["sha"], m["url"] = "040000", "tree", tsha, api+"/git/trees/"+tsha
		case "commit":
			m["mode"], m["type"], m["sha"] = "160000", "commit", e.target
		case "link":
			bsha := blobSHA([]byte(e.target))
			m["mode"], m["type"], m["sha"], m["size"], m["url"] = "120000", "blob", bsha, len(e.target), api+"/git/blobs/"+bsha
		default:
			bsha := blobSHA(e.data)
			m["mode"], m["type"], m["sha"], m["size"], m["url"] = "100644", "blob", bsha, len(e.data), api+"/git/blobs/"+bsha
		}
		tree = append(tree, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sha":       sha,
		"url":       api + "/git/trees/" + sha,
		"tree":      tree,
		"truncated": truncated,
	})
}

// submodulesAt finds the submodules at ref, as treeAt finds the files.
func (s *Server) submodulesAt(ref string) map[string]string {
	if ref == "" {
		ref = "main"
	}
	if m, ok := s.submodules[ref]; ok {
		return m
	}
	if sha, ok := s.resolve(ref); ok {
		return s.submodules[sha]
	}
	return nil
}

// DeleteContent removes the file at path from the tree of ref: a file the
// commit deleted or moved away.
func (s *Server) DeleteContent(ref, p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.contents[ref], strings.Trim(p, "/"))
}
