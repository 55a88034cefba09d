package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Issue is a repository issue. Issues share the number sequence of pull
// requests, as on GitHub. PullRequest marks a pull request as GitHub's
// issues endpoint lists it too (with a pull_request key), as it does any
// pull request carrying the labels asked for.
type Issue struct {
	Number      int
	ID          int64
	Title       string
	Body        *string // nil: an issue with no body (JSON null)
	PullRequest bool
	State       string // open or closed
	StateReason string // completed, not_planned, reopened or ""
	Labels      []string
	Assignees   []string
	Author      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time
}

// AddIssue adds an existing issue (say, one a person opened or closed by
// hand) and returns its number: the next free one, or is.Number when set,
// which replaces the issue of that number (an edit).
func (s *Server) AddIssue(is Issue) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.Number <= 0 {
		is.Number = s.nextNumber()
	}
	if is.ID == 0 {
		is.ID = s.newID()
	}
	def(&is.State, "open")
	def(&is.Author, "developer")
	if is.CreatedAt.IsZero() {
		is.CreatedAt = s.tick()
	}
	if is.UpdatedAt.IsZero() {
		is.UpdatedAt = is.CreatedAt
	}
	if s.issues == nil {
		s.issues = map[int]*Issue{}
	}
	s.issues[is.Number] = &is
	return is.Number
}

// Issues returns every issue as it now stands, by number.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, is := range s.issues {
		c := *is
		c.Labels, c.Assignees = slices.Clone(is.Labels), slices.Clone(is.Assignees)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// CloseIssue closes an issue as a person would by hand, with its closed
// event on the issue's timeline.
func (s *Server) CloseIssue(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.issues[number]; is != nil {
		is.State, is.StateReason, is.ClosedAt, is.UpdatedAt = "closed", "completed", s.tick(), s.clock
		s.issueEvent(number, Event{Event: "closed", Actor: "developer", CreatedAt: s.clock})
		return
	}
	s.t.Fatalf("githubtest: CloseIssue: no issue #%d", number)
}

// RelabelIssue removes and adds labels on an issue at the given time (zero:
// the fake's clock) by actor, as a person does in GitHub's sidebar: the
// issue's updated_at moves, and its timeline gets an unlabeled or labeled
// event for each.
func (s *Server) RelabelIssue(number int, actor string, remove, add []string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.relabelIssue(number, actor, remove, add, at)
}

// RelabelIssueAfterListing relabels an issue as RelabelIssue does, right
// after the next listing of issues filtered by label has been answered: a
// person editing the hazard log while a gate run that listed it goes on.
func (s *Server) RelabelIssueAfterListing(number int, actor string, remove, add []string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.afterIssueListing = append(s.afterIssueListing, func() { s.relabelIssue(number, actor, remove, add, at) })
}

// relabelIssue is RelabelIssue; s.mu is held.
func (s *Server) relabelIssue(number int, actor string, remove, add []string, at time.Time) {
	is := s.issues[number]
	if is == nil {
		s.t.Fatalf("githubtest: RelabelIssue: no issue #%d", number)
		return
	}
	if at.IsZero() {
		at = s.tick()
	}
	for _, l := range remove {
		i := slices.IndexFunc(is.Labels, func(x string) bool { return strings.EqualFold(x, l) })
		if i < 0 {
			s.t.Fatalf("githubtest: RelabelIssue: #%d has no label %q", number, l)
		}
		is.Labels = slices.Delete(is.Labels, i, i+1)
		s.issueEvent(number, Event{Event: "unlabeled", Actor: actor, CreatedAt: at, Label: l})
	}
	for _, l := range add {
		is.Labels = append(is.Labels, l)
		s.issueEvent(number, Event{Event: "labeled", Actor: actor, CreatedAt: at, Label: l})
	}
	is.UpdatedAt = at
}

// AddIssueEvent adds an event to an issue's timeline as it stands (the
// issue itself is not changed): history for an issue added as it is now.
func (s *Server) AddIssueEvent(number int, e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.tick()
	}
	s.issueEvent(number, e)
}

// issueEvent records an event on an issue's timeline; s.mu is held.
func (s *Server) issueEvent(number int, e Event) {
	if e.ID == 0 {
		e.ID = s.newID()
	}
	if e.ActorID == 0 {
		e.ActorID = UserID(e.Actor)
	}
	if s.issueEvents == nil {
		s.issueEvents = map[int][]event{}
	}
	s.issueEvents[number] = append(s.issueEvents[number], event{Event: e})
}

// DeleteIssue deletes an issue as a person would by hand (an admin of the
// repository): it is gone from every listing, its number is not reused.
func (s *Server) DeleteIssue(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.issues[number] == nil {
		s.t.Fatalf("githubtest: DeleteIssue: no issue #%d", number)
	}
	delete(s.issues, number)
	s.deleted = max(s.deleted, number)
}

// nextNumber is the next issue or pull request number.
func (s *Server) nextNumber() int {
	n := 0
	for k := range s.pulls {
		n = max(n, k)
	}
	for k := range s.issues {
		n = max(n, k)
	}
	return max(n, s.deleted) + 1
}

const issueDocs = "https://docs.github.com/rest/issues/issues#create-an-issue"

// listIssues serves GET /issues: state (open by default, closed, all), a
// comma-separated labels filter (every label must be on the issue) and
// since (issues updated at or after it), newest
// first, as GitHub sorts by default. Pull requests carry no labels in the
// model, so a label filter never lists one.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			validationFailed(w, "Issue", "since", "since is not an ISO 8601 timestamp", "https://docs.github.com/rest/issues/issues#list-repository-issues")
			return
		}
		since = t
	}
	var match []*Issue
	for _, is := range s.issues {
		if state != "all" && is.State != state {
			continue
		}
		if !since.IsZero() && is.UpdatedAt.Before(since) {
			continue // GitHub lists only issues updated at or after since
		}
		ok := true
		for _, l := range want {
			ok = ok && slices.ContainsFunc(is.Labels, func(x string) bool { return strings.EqualFold(x, l) })
		}
		if ok {
			match = append(match, is)
		}
	}
	sort.Slice(match, func(i, j int) bool {
		if !match[i].CreatedAt.Equal(match[j].CreatedAt) {
			return match[i].CreatedAt.After(match[j].CreatedAt)
		}
		return match[i].Number > match[j].Number
	})
	lo, hi := s.paginate(w, r, len(match), defaultPerPage, maxPerPage)
	out := []any{}
	for _, is := range match[lo:hi] {
		out = append(out, s.issueJSON(is))
	}
	writeJSON(w, http.StatusOK, out)
	if len(want) > 0 && len(s.afterIssueListing) > 0 {
		edits := s.afterIssueListing
		s.afterIssueListing = nil
		for _, edit := range edits {
			edit()
		}
	}
}

// issueWrite is the body of a create or update.
type issueWrite struct {
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	State       *string   `json:"state"`
	StateReason *string   `json:"state_reason"`
	Labels      *[]string `json:"labels"`
	Assignees   *[]string `json:"assignees"`
}

func readIssueWrite(w http.ResponseWriter, r *http.Request) (issueWrite, bool) {
	var req issueWrite
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "status": "400"})
		return req, false
	}
	if req.Body != nil && len([]rune(*req.Body)) > maxCommentBody {
		validationFailed(w, "Issue", "body", "body is too long (maximum is 65536 characters)", issueDocs)
		return req, false
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		validationFailed(w, "Issue", "state", "state is not included in the list", issueDocs)
		return req, false
	}
	return req, true
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	req, ok := readIssueWrite(w, r)
	if !ok {
		return
	}
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		validationFailed(w, "Issue", "title", "title wasn't supplied", issueDocs)
		return
	}
	now := s.tick()
	is := &Issue{Number: s.nextNumber(), ID: s.newID(), Title: *req.Title, State: "open", Author: ActionsBot, CreatedAt: now, UpdatedAt: now}
	if req.Body != nil {
		body := *req.Body
		is.Body = &body
	}
	if req.Labels != nil {
		is.Labels = slices.Clone(*req.Labels)
	}
	if req.Assignees != nil {
		is.Assignees = slices.Clone(*req.Assignees)
	}
	if s.issues == nil {
		s.issues = map[int]*Issue{}
	}
	s.issues[is.Number] = is
	w.Header().Set("Location", fmt.Sprintf("%s/issues/%d", s.apiRepo(), is.Number))
	writeJSON(w, http.StatusCreated, s.issueJSON(is))
}

func (s *Server) issueFor(w http.ResponseWriter, r *http.Request) *Issue {
	n, err := strconv.Atoi(r.PathValue("number"))
	if is := s.issues[n]; err == nil && is != nil {
		return is
	}
	writeJSONError(w, http.StatusNotFound, notFoundBody)
	return nil
}

func (s *Server) updateIssue(w http.ResponseWriter, r *http.Request) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	req, ok := readIssueWrite(w, r)
	if !ok {
		return
	}
	now := s.tick()
	if req.Title != nil {
		is.Title = *req.Title
	}
	if req.Body != nil {
		body := *req.Body
		is.Body = &body
	}
	if req.Labels != nil {
		is.Labels = slices.Clone(*req.Labels)
	}
	if req.Assignees != nil {
		is.Assignees = slices.Clone(*req.Assignees)
	}
	if req.State != nil && *req.State != is.State {
		is.State = *req.State
		if is.State == "closed" {
			is.ClosedAt, is.StateReason = now, "completed"
		} else {
			is.ClosedAt, is.StateReason = time.Time{}, "reopened"
		}
	}
	if req.StateReason != nil {
		is.StateReason = *req.StateReason
	}
	is.UpdatedAt = now
	writeJSON(w, http.StatusOK, s.issueJSON(is))
}

// addAssignees serves POST /issues/{n}/assignees: GitHub adds the users who
// can be assigned and silently ignores the others; the answer is the issue.
func (s *Server) addAssignees(w http.ResponseWriter, r *http.Request) {
	is := s.issueFor(w, r)
	if is == nil {
		return
	}
	var req struct {
		Assignees []string `json:"assignees"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "status": "400"})
		return
	}
	for _, a := range req.Assignees {
		if !slices.ContainsFunc(is.Assignees, func(x string) bool { return strings.EqualFold(x, a) }) && len(is.Assignees) < 10 {
			is.Assignees = append(is.Assignees, a)
		}
	}
	is.UpdatedAt = s.tick()
	writeJSON(w, http.StatusCreated, s.issueJSON(is))
}

// issueJSON is an issue in the shape of GitHub's list-repository-issues
// answer (internal/github/testdata/paginate-issues.json, from
// @octokit/fixtures), with the model's values.
func (s *Server) issueJSON(is *Issue) map[string]any {
	api := fmt.Sprintf("%s/issues/%d", s.apiRepo(), is.Number)
	labels := []any{}
	for _, l := range is.Labels {
		id := UserID("label:" + l)
		labels = append(labels, map[string]any{"id": id, "node_id": nodeID("05:Label", id), "url": s.apiRepo() + "/labels/" + l,
			"name": l, "color": "d73a4a", "default": false, "description": nil})
	}
	assignees := []any{}
	for _, a := range is.Assignees {
		assignees = append(assignees, s.userJSON(a, 0))
	}
	var assignee any
	if len(assignees) > 0 {
		assignee = assignees[0]
	}
	var stateReason any
	if is.StateReason != "" {
		stateReason = is.StateReason
	}
	var body any
	if is.Body != nil {
		body = *is.Body
	}
	out := map[string]any{
		"url": api, "repository_url": s.apiRepo(), "labels_url": api + "/labels{/name}", "comments_url": api + "/comments",
		"events_url": api + "/events", "html_url": fmt.Sprintf("%s/issues/%d", s.htmlRepo(), is.Number),
		"id": is.ID, "node_id": nodeID("05:Issue", is.ID), "number": is.Number, "title": is.Title,
		"user": s.userJSON(is.Author, 0), "labels": labels, "state": is.State, "locked": false,
		"assignee": assignee, "assignees": assignees, "milestone": nil, "comments": 0,
		"created_at": ts(is.CreatedAt), "updated_at": ts(is.UpdatedAt), "closed_at": ts(is.ClosedAt),
		"author_association": "MEMBER", "active_lock_reason": nil, "body": body,
		"reactions": map[string]any{"url": api + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
			"confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
		"timeline_url": api + "/timeline", "performed_via_github_app": nil, "state_reason": stateReason,
	}
	if is.PullRequest {
		out["pull_request"] = map[string]any{
			"url": fmt.Sprintf("%s/pulls/%d", s.apiRepo(), is.Number), "html_url": fmt.Sprintf("%s/pull/%d", s.htmlRepo(), is.Number),
			"diff_url": fmt.Sprintf("%s/pull/%d.diff", s.htmlRepo(), is.Number), "patch_url": fmt.Sprintf("%s/pull/%d.patch", s.htmlRepo(), is.Number),
			"merged_at": nil,
		}
	}
	return out
}

// BodyText is the issue's body, "" when it has none.
func (is Issue) BodyText() string {
	if is.Body == nil {
		return ""
	}
	return *is.Body
}

// Text returns a pointer to s, for Issue.Body.
func Text(s string) *string { return &s }
