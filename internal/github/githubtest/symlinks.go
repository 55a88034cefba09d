package githubtest

import (
	"net/http"
	"path"
	"strings"
)

// exContentSymlink is GitHub's example answer for a symbolic link.
const exContentSymlink = "repos__get-content.200.response-if-content-is-a-symlink"

// SetSymlink puts a symbolic link at path in the tree of ref, pointing at
// target as git stores it (relative to the link's directory, or absolute).
// The contents API answers for it as GitHub does: when the target is a file
// in the repository, with that file's content under the target's path;
// otherwise with an object of type "symlink" and its target. A directory
// listing shows it with type "symlink".
func (s *Server) SetSymlink(ref, linkPath, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.links == nil {
		s.links = map[string]map[string]string{}
	}
	links := s.links[ref]
	if links == nil {
		links = map[string]string{}
		s.links[ref] = links
	}
	links[strings.Trim(linkPath, "/")] = target
	// The link's directory exists in the tree like any other.
	if s.contents[ref] == nil {
		s.contents[ref] = map[string][]byte{}
	}
}

// linksAt finds the links at ref, as treeAt finds the files.
func (s *Server) linksAt(ref string) map[string]string {
	if ref == "" {
		ref = "main"
	}
	if links, ok := s.links[ref]; ok {
		return links
	}
	if sha, ok := s.resolve(ref); ok {
		return s.links[sha]
	}
	return nil
}

// serveSymlink answers a contents request for a link, and reports whether p was one.
func (s *Server) serveSymlink(w http.ResponseWriter, r *http.Request, ref, p string, tree map[string][]byte) bool {
	target, ok := s.linksAt(ref)[p]
	if !ok {
		return false
	}
	resolved := path.Join(path.Dir(p), target)
	if data, isFile := tree[resolved]; isFile && !path.IsAbs(target) && !strings.HasPrefix(resolved, "../") {
		if strings.Contains(r.Header.Get("Accept"), "raw") {
			w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			w.Write(data)
			return true
		}
		writeJSON(w, http.StatusOK, s.contentFileJSON(ref, resolved, data))
		return true
	}
	m := s.example(exContentSymlink, 0)
	s.contentLinks(m, ref, p, "symlink", blobSHA([]byte(target)))
	m["target"] = target
	m["size"] = len(target)
	writeJSON(w, http.StatusOK, m)
	return true
}

// addSymlinkEntries adds the links directly under prefix to a directory listing.
func (s *Server) addSymlinkEntries(ref, prefix string, kinds map[string]string) {
	for p := range s.linksAt(ref) {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		if name, _, isDir := strings.Cut(rest, "/"); isDir {
			kinds[prefix+name] = "dir"
		} else {
			kinds[p] = "symlink"
		}
	}
}
