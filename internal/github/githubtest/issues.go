package githubtest

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// exIssue is a real recorded issue of GET /repos/{owner}/{repo}/issues.
const exIssue = "issues__list-for-repo.fixture"

// Issue is an issue as the model holds it. PullRequest marks a pull
// request, which GitHub's issues endpoint lists too (with a pull_request
// key), as it does any pull request carrying the labels asked for.
type Issue struct {
	Number      int
	Title       string
	Body        *string // nil: an issue with no body (JSON null)
	State       string  // open (default) | closed
	Labels      []string
	Assignees   []string
	Author      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	PullRequest bool
}

// AddIssue adds an issue to the model, or replaces the one with its number
// (an edit: GitHub moves updated_at on, as the model does when it is zero).
func (s *Server) AddIssue(is Issue) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.Number <= 0 {
		s.t.Fatalf("githubtest: AddIssue: issue number %d must be positive", is.Number)
	}
	def(&is.State, "open")
	def(&is.Author, "clinician")
	if is.CreatedAt.IsZero() {
		is.CreatedAt = epoch
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = s.tick()
	}
	is.Labels, is.Assignees = slices.Clone(is.Labels), slices.Clone(is.Assignees)
	if s.issues == nil {
		s.issues = map[int]*Issue{}
	}
	s.issues[is.Number] = &is
}

// listIssues answers GET /repos/{o}/{r}/issues as GitHub does: open issues
// unless state says closed or all; only issues carrying every label of the
// comma-separated labels (names compared without regard to case); newest
// first (sort=created, direction=desc); paginated, at most 100 a page.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "":
		state = "open"
	case "open", "closed", "all":
	default:
		validationFailed(w, "Issue", "state", "invalid", "https://docs.github.com/rest/issues/issues#list-repository-issues")
		return
	}
	var want []string
	if v := q.Get("labels"); v != "" {
		for _, l := range strings.Split(v, ",") {
			want = append(want, strings.ToLower(strings.TrimSpace(l)))
		}
	}
	var list []*Issue
	for _, is := range s.issues {
		if state != "all" && is.State != state {
			continue
		}
		has := map[string]bool{}
		for _, l := range is.Labels {
			has[strings.ToLower(l)] = true
		}
		ok := true
		for _, l := range want {
			ok = ok && has[l]
		}
		if ok {
			list = append(list, is)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].CreatedAt.Equal(list[j].CreatedAt) {
			return list[i].CreatedAt.After(list[j].CreatedAt)
		}
		return list[i].Number > list[j].Number
	})
	lo, hi := s.paginate(w, r, len(list), defaultPerPage, maxPerPage)
	out := []any{}
	for _, is := range list[lo:hi] {
		out = append(out, s.issueJSON(is))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) issueJSON(is *Issue) map[string]any {
	m := s.example(exIssue, 0)
	id := int64(9_000_000 + is.Number)
	api := fmt.Sprintf("%s/issues/%d", s.apiRepo(), is.Number)
	m["url"] = api
	m["repository_url"] = s.apiRepo()
	m["labels_url"] = api + "/labels{/name}"
	m["comments_url"] = api + "/comments"
	m["events_url"] = api + "/events"
	m["timeline_url"] = api + "/timeline"
	m["html_url"] = fmt.Sprintf("%s/issues/%d", s.htmlRepo(), is.Number)
	m["id"] = id
	m["node_id"] = nodeID("05:Issue", id)
	m["number"] = is.Number
	m["title"] = is.Title
	m["user"] = s.userJSON(is.Author, UserID(is.Author))
	labels := []any{}
	for i, l := range is.Labels {
		labels = append(labels, map[string]any{
			"id": 208045946 + int64(i), "node_id": nodeID("05:Label", 208045946+int64(i)),
			"url": s.apiRepo() + "/labels/" + l, "name": l, "color": "892CBB", "default": false, "description": nil,
		})
	}
	m["labels"] = labels
	m["state"] = is.State
	assignees := []any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, s.userJSON(a, UserID(a)))
	}
	m["assignees"] = assignees
	m["assignee"] = nil
	if len(assignees) > 0 {
		m["assignee"] = assignees[0]
	}
	m["created_at"] = ts(is.CreatedAt)
	m["updated_at"] = ts(is.UpdatedAt)
	m["closed_at"], m["state_reason"] = nil, nil
	if is.State == "closed" {
		m["closed_at"], m["state_reason"] = ts(is.UpdatedAt), "completed"
	}
	if is.Body == nil {
		m["body"] = nil
	} else {
		m["body"] = *is.Body
	}
	if is.PullRequest {
		m["pull_request"] = map[string]any{
			"url": fmt.Sprintf("%s/pulls/%d", s.apiRepo(), is.Number), "html_url": fmt.Sprintf("%s/pull/%d", s.htmlRepo(), is.Number),
			"diff_url": fmt.Sprintf("%s/pull/%d.diff", s.htmlRepo(), is.Number), "patch_url": fmt.Sprintf("%s/pull/%d.patch", s.htmlRepo(), is.Number),
			"merged_at": nil,
		}
	}
	return m
}
