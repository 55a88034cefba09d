package githubtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	const repo = "/repos/{owner}/{repo}"
	handle := func(pattern string, h func(http.ResponseWriter, *http.Request)) {
		method, rest, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+repo+rest, func(w http.ResponseWriter, r *http.Request) {
			// GitHub matches owner and repository names case-insensitively.
			if !strings.EqualFold(r.PathValue("owner"), s.owner) || !strings.EqualFold(r.PathValue("repo"), s.repo) {
				writeJSONError(w, http.StatusNotFound, notFoundBody)
				return
			}
			s.mu.Lock()
			defer s.mu.Unlock()
			h(w, r)
		})
	}
	handle("GET /pulls/{number}", s.getPull)
	handle("GET /pulls/{number}/reviews", s.listReviews)
	handle("GET /pulls/{number}/files", s.listFiles)
	handle("GET /pulls/{number}/commits", s.listPullCommits)
	handle("GET /pulls/{number}/requested_reviewers", s.listRequestedReviewers)
	handle("POST /pulls/{number}/requested_reviewers", s.requestReviewers)
	handle("GET /issues/{number}/events", s.listEvents)
	handle("GET /issues/{number}/comments", s.listComments)
	handle("POST /issues/{number}/comments", s.createComment)
	handle("PATCH /issues/comments/{id}", s.updateComment)
	handle("GET /issues", s.listIssues)
	handle("POST /issues", s.createIssue)
	handle("PATCH /issues/{number}", s.updateIssue)
	handle("POST /issues/{number}/assignees", s.addAssignees)
	handle("POST /statuses/{sha}", s.createStatus)
	handle("GET /contents/{path...}", s.getContents)
	handle("GET /git/trees/{sha}", s.getTree)
	handle("GET /tags", s.listTags)
	handle("GET /compare/{basehead...}", s.compare)
	handle("GET /commits/{sha}", s.getCommit)
	handle("GET /commits/{sha}/pulls", s.listCommitPulls)
	s.routeHeadAndBranches(handle)
	handle("GET /commits/{ref}/status", s.combinedStatus)
	handle("GET /commits/{ref}/statuses", s.listStatuses)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSONError(w, http.StatusNotFound, notFoundBody)
	})
	return mux
}

// GitHub's page sizes: 30 by default, at most 100.
const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// GitHub's caps on two pull-request listings.
const (
	maxPullFiles   = 3000
	maxPullCommits = 250
	// maxCompareFiles is how many changed files GitHub's compare lists.
	maxCompareFiles = 300
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // GitHub sends "<!-- -->" as is
	enc.Encode(v)
}

// validationFailed answers 422 as GitHub does for a bad write.
func validationFailed(w http.ResponseWriter, resource, field, message, docs string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []any{map[string]any{"resource": resource, "code": "custom", "field": field, "message": message}},
		"documentation_url": docs,
		"status":            "422",
	})
}

// paginate picks the slice [lo, hi) of n items that the request's page and
// per_page ask for, and sets GitHub's Link header (prev, next, last, first).
func (s *Server) paginate(w http.ResponseWriter, r *http.Request, n, defPer, maxPer int) (lo, hi int) {
	q := r.URL.Query()
	per := defPer
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, maxPer)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max(1, (n+per-1)/per)
	lo = min((page-1)*per, n)
	hi = min(lo+per, n)

	link := func(p int, rel string) string {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("per_page", strconv.Itoa(per))
		q2.Set("page", strconv.Itoa(p))
		u := s.srv.URL + (&url.URL{Path: s.prefix + r.URL.Path}).EscapedPath() + "?" + q2.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u, rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	return lo, hi
}

// pullFor finds the pull request the path names, or answers 404.
func (s *Server) pullFor(w http.ResponseWriter, r *http.Request) *pull {
	n, err := strconv.Atoi(r.PathValue("number"))
	if p := s.pulls[n]; err == nil && p != nil {
		return p
	}
	writeJSONError(w, http.StatusNotFound, notFoundBody)
	return nil
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	if p := s.pullFor(w, r); p != nil {
		writeJSON(w, http.StatusOK, s.pullJSON(p, false))
		s.afterPullRead(p)
	}
}

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	lo, hi := s.paginate(w, r, len(p.reviews), defaultPerPage, maxPerPage)
	out := []any{}
	for _, rv := range p.reviews[lo:hi] {
		out = append(out, s.reviewJSON(p, rv))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	files := p.files[:min(len(p.files), maxPullFiles)]
	lo, hi := s.paginate(w, r, len(files), defaultPerPage, maxPerPage)
	out := []any{}
	for _, f := range files[lo:hi] {
		out = append(out, s.fileJSON(f, p.HeadSHA))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listPullCommits(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	shas := p.commits[:min(len(p.commits), maxPullCommits)]
	lo, hi := s.paginate(w, r, len(shas), defaultPerPage, maxPerPage)
	out := []any{}
	for _, sha := range shas[lo:hi] {
		out = append(out, s.commitJSON(s.commits[sha]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listRequestedReviewers(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	users := []any{}
	for _, l := range p.RequestedReviewers {
		users = append(users, s.userJSON(l, 0))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "teams": []any{}})
}

func (s *Server) requestReviewers(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "status": "400"})
		return
	}
	const docs = "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request"
	for _, l := range req.Reviewers {
		if strings.EqualFold(l, p.Author) {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"message": "Review cannot be requested from pull request author.", "documentation_url": docs, "status": "422",
			})
			return
		}
	}
	for _, l := range req.Reviewers {
		if !slices.ContainsFunc(p.RequestedReviewers, func(x string) bool { return strings.EqualFold(x, l) }) {
			p.RequestedReviewers = append(p.RequestedReviewers, l)
		}
	}
	writeJSON(w, http.StatusCreated, s.pullJSON(p, true))
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	var events []event
	if n, err := strconv.Atoi(r.PathValue("number")); err == nil && s.issues[n] != nil && !s.issues[n].PullRequest {
		events = s.issueEvents[n] // an issue's own timeline
	} else {
		p := s.pullFor(w, r)
		if p == nil {
			return
		}
		events = p.events
	}
	lo, hi := s.paginate(w, r, len(events), defaultPerPage, maxPerPage)
	out := []any{}
	for _, e := range events[lo:hi] {
		out = append(out, s.eventJSON(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	lo, hi := s.paginate(w, r, len(p.comments), defaultPerPage, maxPerPage)
	out := []any{}
	for _, c := range p.comments[lo:hi] {
		out = append(out, s.commentJSON(p.Number, c))
	}
	writeJSON(w, http.StatusOK, out)
}

// maxCommentBody is GitHub's limit on a comment, in characters.
const maxCommentBody = 65536

const commentDocs = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"

// commentBody reads and checks a comment write, answering 4xx if it is bad.
func commentBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var req struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "status": "400"})
		return "", false
	}
	if req.Body == nil || *req.Body == "" {
		validationFailed(w, "IssueComment", "body", "body wasn't supplied", commentDocs)
		return "", false
	}
	if utf8.RuneCountInString(*req.Body) > maxCommentBody {
		validationFailed(w, "IssueComment", "body", "Body is too long (maximum is 65536 characters)", commentDocs)
		return "", false
	}
	return *req.Body, true
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	p := s.pullFor(w, r)
	if p == nil {
		return
	}
	body, ok := commentBody(w, r)
	if !ok {
		return
	}
	now := s.tick()
	c := Comment{ID: s.newID(), Body: body, Login: ActionsBot, UserID: ActionsBotID, CreatedAt: now, UpdatedAt: now}
	p.comments = append(p.comments, c)
	w.Header().Set("Location", fmt.Sprintf("%s/issues/comments/%d", s.apiRepo(), c.ID))
	writeJSON(w, http.StatusCreated, s.commentJSON(p.Number, c))
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSONError(w, http.StatusNotFound, notFoundBody)
		return
	}
	for _, p := range s.pulls {
		for i := range p.comments {
			if p.comments[i].ID != id {
				continue
			}
			body, ok := commentBody(w, r)
			if !ok {
				return
			}
			p.comments[i].Body = body
			p.comments[i].UpdatedAt = s.tick()
			writeJSON(w, http.StatusOK, s.commentJSON(p.Number, p.comments[i]))
			return
		}
	}
	writeJSONError(w, http.StatusNotFound, notFoundBody)
}

// maxStatusDescription is GitHub's limit on a status description.
const maxStatusDescription = 140

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	const docs = "https://docs.github.com/rest/commits/statuses#create-a-commit-status"
	sha := r.PathValue("sha")
	var req struct {
		State       string  `json:"state"`
		TargetURL   *string `json:"target_url"`
		Description *string `json:"description"`
		Context     *string `json:"context"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "status": "400"})
		return
	}
	switch req.State {
	case "success", "failure", "pending", "error":
	default:
		validationFailed(w, "Status", "state", "state is not included in the list", docs)
		return
	}
	st := Status{SHA: sha, State: req.State, Context: "default", Creator: ActionsBot}
	if req.Context != nil {
		st.Context = *req.Context
	}
	if req.Description != nil {
		if utf8.RuneCountInString(*req.Description) > maxStatusDescription {
			validationFailed(w, "Status", "description", "description is too long (maximum is 140 characters)", docs)
			return
		}
		st.Description = *req.Description
	}
	if req.TargetURL != nil {
		st.TargetURL = *req.TargetURL
	}
	if !s.knownSHA(sha) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message": "No commit found for SHA: " + sha, "documentation_url": docs, "status": "422",
		})
		return
	}
	st.ID = s.newID()
	st.CreatedAt = s.tick()
	s.statuses = append(s.statuses, st)
	w.Header().Set("Location", s.apiRepo()+"/statuses/"+sha)
	writeJSON(w, http.StatusCreated, s.statusJSON(st))
}

// knownSHA reports whether sha is a commit the model knows: one added, a
// pull request's head, base or merge commit, a tag or branch target, or a
// ref with contents.
func (s *Server) knownSHA(sha string) bool {
	if _, ok := s.commits[sha]; ok {
		return true
	}
	if _, ok := s.contents[sha]; ok {
		return true
	}
	for _, p := range s.pulls {
		if sha == p.HeadSHA || sha == p.BaseSHA || sha == p.MergeCommitSHA {
			return true
		}
	}
	for _, t := range s.tags {
		if t.SHA == sha {
			return true
		}
	}
	for _, b := range s.branches {
		if b == sha {
			return true
		}
	}
	return false
}

// resolve turns a ref (tag, branch, refs/tags/..., refs/heads/..., or SHA)
// into a SHA the model knows.
func (s *Server) resolve(ref string) (string, bool) {
	if t, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		ref = t
	} else if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		ref = b
	}
	for i := len(s.tags) - 1; i >= 0; i-- {
		if s.tags[i].Name == ref {
			return s.tags[i].SHA, true
		}
	}
	if sha, ok := s.branches[ref]; ok {
		return sha, true
	}
	if s.knownSHA(ref) {
		return ref, true
	}
	return "", false
}

func (s *Server) getContents(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("ref")
	tree, ok := s.treeAt(ref)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{
			"message":           "No commit found for the ref " + ref,
			"documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content",
			"status":            "404",
		})
		return
	}
	if ref == "" {
		ref = "main"
	}
	p := strings.Trim(r.PathValue("path"), "/")
	if s.serveSymlink(w, r, ref, p, tree) {
		return
	}
	if data, ok := tree[p]; ok && p != "" {
		if strings.Contains(r.Header.Get("Accept"), "raw") {
			w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			w.Write(data)
			return
		}
		writeJSON(w, http.StatusOK, s.contentFileJSON(ref, p, data))
		return
	}

	// A directory: the immediate children of p, sorted by name as GitHub does.
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	kinds := map[string]string{}
	for fp := range tree {
		rest, ok := strings.CutPrefix(fp, prefix)
		if !ok || rest == "" {
			continue
		}
		if name, _, isDir := strings.Cut(rest, "/"); isDir {
			kinds[prefix+name] = "dir"
		} else {
			kinds[fp] = "file"
		}
	}
	s.addSymlinkEntries(ref, prefix, kinds)
	if len(kinds) == 0 {
		writeJSONError(w, http.StatusNotFound, notFoundBody)
		return
	}
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	out := []any{}
	for _, n := range names {
		out = append(out, s.contentEntryJSON(ref, n, kinds[n], tree[n]))
	}
	writeJSON(w, http.StatusOK, out)
}

// treeAt finds the files at ref: set for that exact ref, or for the SHA it
// resolves to. A known commit without contents has an empty tree; an unknown
// ref has none.
func (s *Server) treeAt(ref string) (map[string][]byte, bool) {
	if ref == "" {
		ref = "main" // the default branch
	}
	if tree, ok := s.contents[ref]; ok {
		return tree, true
	}
	if sha, ok := s.resolve(ref); ok {
		return s.contents[sha], true
	}
	return nil, false
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	lo, hi := s.paginate(w, r, len(s.tags), defaultPerPage, maxPerPage)
	out := []any{}
	for _, t := range s.tags[lo:hi] {
		out = append(out, s.tagJSON(t))
	}
	writeJSON(w, http.StatusOK, out)
}

// compare answers GET /compare/{base}...{head}: the commits reachable from
// head and not from base, parents before children. Without per_page GitHub
// gives up to 250 commits; with it, pages of at most 100.
func (s *Server) compare(w http.ResponseWriter, r *http.Request) {
	base, head, ok := strings.Cut(r.PathValue("basehead"), "...")
	baseSHA, okBase := s.resolve(base)
	headSHA, okHead := s.resolve(head)
	if !ok || !okBase || !okHead {
		writeJSONError(w, http.StatusNotFound, notFoundBody)
		return
	}
	ahead := s.onlyIn(headSHA, baseSHA)
	behind := s.onlyIn(baseSHA, headSHA)
	status := "diverged"
	switch {
	case len(ahead) == 0 && len(behind) == 0:
		status = "identical"
	case len(behind) == 0:
		status = "ahead"
	case len(ahead) == 0:
		status = "behind"
	}
	defPer := maxPullCommits
	if r.URL.Query().Get("per_page") != "" || r.URL.Query().Get("page") != "" {
		defPer = defaultPerPage
	}
	lo, hi := s.paginate(w, r, len(ahead), defPer, max(defPer, maxPerPage))
	commits := []any{}
	for _, sha := range ahead[lo:hi] {
		commits = append(commits, s.commitJSON(s.commits[sha]))
	}
	// Like GitHub, the changed files come on the first page only, at most
	// 300 of them, each as the newest commit left it.
	files := []any{}
	if lo == 0 {
		seen := map[string]bool{}
		for i := len(ahead) - 1; i >= 0 && len(files) < maxCompareFiles; i-- {
			for _, f := range s.commits[ahead[i]].Files {
				if !seen[f.Path] && len(files) < maxCompareFiles {
					seen[f.Path] = true
					files = append(files, s.fileJSON(f, headSHA))
				}
			}
		}
	}
	api, html := s.apiRepo(), s.htmlRepo()
	basehead := base + "..." + head
	writeJSON(w, http.StatusOK, map[string]any{
		"url":               api + "/compare/" + basehead,
		"html_url":          html + "/compare/" + basehead,
		"permalink_url":     html + "/compare/" + s.owner + ":" + short(baseSHA) + "..." + s.owner + ":" + short(headSHA),
		"diff_url":          html + "/compare/" + basehead + ".diff",
		"patch_url":         html + "/compare/" + basehead + ".patch",
		"base_commit":       s.commitJSON(s.commitOrStub(baseSHA)),
		"merge_base_commit": s.commitJSON(s.commitOrStub(s.mergeBase(headSHA, baseSHA))),
		"status":            status,
		"ahead_by":          len(ahead),
		"behind_by":         len(behind),
		"total_commits":     len(ahead),
		"commits":           commits,
		"files":             files,
	})
}

// ancestors is every commit reachable from sha, itself included.
func (s *Server) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	stack := []string{sha}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[c] {
			continue
		}
		seen[c] = true
		stack = append(stack, s.parentsOf(c)...)
	}
	return seen
}

// parentsOf gives a commit's parents. A pull request's head that was never
// added as a commit sits on the pull request's last commit, so comparing base
// and head lists the pull request's commits without more setup.
func (s *Server) parentsOf(sha string) []string {
	if c := s.commits[sha]; c != nil {
		return c.Parents
	}
	for _, p := range s.pulls {
		if p.HeadSHA == sha && len(p.commits) > 0 {
			return p.commits[len(p.commits)-1:]
		}
	}
	return nil
}

// onlyIn lists the commits reachable from head and not from base, parents
// before children.
func (s *Server) onlyIn(head, base string) []string {
	exclude := s.ancestors(base)
	var out []string
	visited := map[string]bool{}
	var visit func(string)
	visit = func(sha string) {
		if visited[sha] || exclude[sha] {
			return
		}
		visited[sha] = true
		for _, p := range s.parentsOf(sha) {
			visit(p)
		}
		if s.commits[sha] != nil {
			out = append(out, sha)
		}
	}
	visit(head)
	return out
}

// mergeBase is the nearest commit reachable from both, or base.
func (s *Server) mergeBase(head, base string) string {
	fromBase := s.ancestors(base)
	queue := []string{head}
	seen := map[string]bool{}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if seen[c] {
			continue
		}
		seen[c] = true
		if fromBase[c] {
			return c
		}
		queue = append(queue, s.parentsOf(c)...)
	}
	return base
}

func (s *Server) commitOrStub(sha string) *Commit {
	if c := s.commits[sha]; c != nil {
		return c
	}
	return &Commit{SHA: sha, Message: "Commit " + sha, AuthorName: "A Developer", AuthorEmail: "developer@example.com",
		CommitterName: "A Developer", CommitterEmail: "developer@example.com", Date: epoch}
}

// getCommit answers GET /commits/{sha}: the commit with its stats and a page
// of its files (300 a page by default).
func (s *Server) getCommit(w http.ResponseWriter, r *http.Request) {
	sha, ok := s.resolve(r.PathValue("sha"))
	if !ok {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
			"message":           "No commit found for SHA: " + r.PathValue("sha"),
			"documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
			"status":            "422",
		})
		return
	}
	c := s.commitOrStub(sha)
	files := c.Files[:min(len(c.Files), maxPullFiles)]
	lo, hi := s.paginate(w, r, len(files), 300, 300)
	out := []any{}
	for _, f := range files[lo:hi] {
		out = append(out, s.fileJSON(f, sha))
	}
	m := s.commitJSON(c)
	m["stats"] = map[string]any{"total": 2 * len(files), "additions": len(files), "deletions": len(files)}
	m["files"] = out
	writeJSON(w, http.StatusOK, m)
}

// listCommitPulls answers GET /commits/{sha}/pulls: the pull requests the
// commit is part of, or was merged by.
func (s *Server) listCommitPulls(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	numbers := []int{}
	for n, p := range s.pulls {
		if p.HeadSHA == sha || p.MergeCommitSHA == sha || slices.Contains(p.commits, sha) || slices.Contains(p.RebasedSHAs, sha) {
			numbers = append(numbers, n)
		}
	}
	sort.Ints(numbers)
	lo, hi := s.paginate(w, r, len(numbers), defaultPerPage, maxPerPage)
	out := []any{}
	for _, n := range numbers[lo:hi] {
		out = append(out, s.pullJSON(s.pulls[n], true))
	}
	writeJSON(w, http.StatusOK, out)
}

func short(sha string) string { return sha[:min(7, len(sha))] }

// The pull request's moving head and the repository's branches: a force
// push racing a run, and the base branch's tip as the git references API
// reports it.

func (s *Server) routeHeadAndBranches(handle func(string, func(http.ResponseWriter, *http.Request))) {
	handle("GET /git/ref/{ref...}", s.getRef)
}

// afterPullRead moves the pull request's head if MoveHeadAfterRead asked.
func (s *Server) afterPullRead(p *pull) {
	if p.moveTo != "" {
		p.HeadSHA, p.moveTo = p.moveTo, ""
	}
}

// getRef answers GET /git/ref/heads/{branch}: the branch's commit, or 404 as
// GitHub does for a ref that does not exist (the singular endpoint matches
// exactly). Only branches are modelled.
func (s *Server) getRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	branch, ok := strings.CutPrefix(ref, "heads/")
	sha, known := s.branches[branch]
	if !ok || !known {
		writeJSONError(w, http.StatusNotFound, notFoundBody)
		return
	}
	api := s.apiRepo()
	writeJSON(w, http.StatusOK, map[string]any{
		"ref":     "refs/" + ref,
		"node_id": base64.StdEncoding.EncodeToString([]byte("03:Ref" + ref)),
		"url":     api + "/git/refs/" + escapePath(ref),
		"object":  map[string]any{"type": "commit", "sha": sha, "url": api + "/git/commits/" + sha},
	})
}
