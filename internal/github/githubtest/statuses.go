package githubtest

import (
	"net/http"
	"slices"
	"strings"
)

// AddStatus adds a commit status as an earlier run (or anyone with
// statuses: write) posted it; Creator defaults to ActionsBot. Statuses the
// gate posts come through the API instead.
func (s *Server) AddStatus(st Status) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if st.SHA == "" || st.Context == "" {
		s.t.Fatalf("githubtest: AddStatus: a status needs a SHA and a context")
	}
	def(&st.Creator, ActionsBot)
	st.ID = s.newID()
	if st.CreatedAt.IsZero() {
		st.CreatedAt = s.tick()
	}
	s.statuses = append(s.statuses, st)
}

// combinedStatus answers GET /commits/{ref}/status: the latest status of
// each context on the commit (contexts compared case-insensitively), newest
// first, paged 30 by default and at most 100, with the overall state GitHub
// derives from them.
func (s *Server) combinedStatus(w http.ResponseWriter, r *http.Request) {
	sha, ok := s.resolve(r.PathValue("ref"))
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message":           "No commit found for SHA: " + r.PathValue("ref"),
			"documentation_url": "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference",
			"status":            "422",
		})
		return
	}
	var latest []Status
	for i := len(s.statuses) - 1; i >= 0; i-- {
		st := s.statuses[i]
		if st.SHA == sha && !slices.ContainsFunc(latest, func(l Status) bool { return strings.EqualFold(l.Context, st.Context) }) {
			latest = append(latest, st)
		}
	}
	state := "success"
	switch {
	case len(latest) == 0:
		state = "pending"
	case slices.ContainsFunc(latest, func(l Status) bool { return l.State == "failure" || l.State == "error" }):
		state = "failure"
	case slices.ContainsFunc(latest, func(l Status) bool { return l.State == "pending" }):
		state = "pending"
	}
	lo, hi := s.paginate(w, r, len(latest), defaultPerPage, maxPerPage)
	statuses := []any{}
	for _, st := range latest[lo:hi] {
		m := s.statusJSON(st)
		delete(m, "creator") // the combined status does not say who posted each
		statuses = append(statuses, m)
	}
	api := s.apiRepo()
	writeJSON(w, http.StatusOK, map[string]any{
		"state":       state,
		"statuses":    statuses,
		"sha":         sha,
		"total_count": len(latest),
		"repository":  map[string]any{"name": s.repo, "full_name": s.owner + "/" + s.repo, "owner": s.userJSON(s.owner, 0), "private": true},
		"commit_url":  api + "/commits/" + sha,
		"url":         api + "/commits/" + sha + "/status",
	})
}

// listStatuses answers GET /commits/{ref}/statuses: every status on the
// commit, each context's earlier ones too, newest first, with its creator,
// paged 30 by default and at most 100.
func (s *Server) listStatuses(w http.ResponseWriter, r *http.Request) {
	sha, ok := s.resolve(r.PathValue("ref"))
	if !ok {
		// GitHub lists nothing for a ref it does not know.
		writeJSON(w, http.StatusOK, []any{})
		return
	}
	var all []Status
	for i := len(s.statuses) - 1; i >= 0; i-- {
		if s.statuses[i].SHA == sha {
			all = append(all, s.statuses[i])
		}
	}
	lo, hi := s.paginate(w, r, len(all), defaultPerPage, maxPerPage)
	out := []any{}
	for _, st := range all[lo:hi] {
		out = append(out, s.statusJSON(st))
	}
	writeJSON(w, http.StatusOK, out)
}
