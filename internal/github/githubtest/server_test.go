package githubtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github/githubtest"
)

// do sends a request to the fake and decodes the JSON answer.
func do(t *testing.T, method, url, body string) (int, http.Header, any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, url, err, data)
	}
	return resp.StatusCode, resp.Header, v
}

func readJSON(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// missingKeys lists the keys of want (recursively, through objects and the
// first element of lists) that got lacks.
func missingKeys(prefix string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{prefix + " (not an object)"}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, prefix+"."+k)
				continue
			}
			if gv != nil && wv != nil {
				out = append(out, missingKeys(prefix+"."+k, wv, gv)...)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{prefix + " (not a list)"}
		}
		if len(w) == 0 || len(g) == 0 {
			return nil
		}
		return missingKeys(prefix+"[0]", w[0], g[0])
	}
	return nil
}

func newModel(t *testing.T) *githubtest.Server {
	srv := githubtest.New(t)
	srv.AddPull(githubtest.Pull{Number: 7, Author: "dev-dan", RequestedReviewers: []string{"carol"}})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "APPROVED", Body: "Safe"})
	srv.AddFiles(7, githubtest.File{Path: "src/a.go", Status: "added"})
	srv.AddCommits(7, githubtest.Commit{SHA: githubtest.SHA("c1"), AuthorLogin: "dev-dan", Message: "Add a"})
	srv.AddComment(7, githubtest.Comment{Login: "dev-dan", Body: "hi"})
	srv.SetContent(githubtest.SHA("base-7"), "safety/cso-register.yaml", []byte("officers: []\n"))
	srv.SetContent(githubtest.SHA("base-7"), "safety/policies/a.rego", []byte("package a\n"))
	return srv
}

// Every field of GitHub's documented example is in the fake's answer.
func TestAnswersHaveGitHubsShape(t *testing.T) {
	t.Parallel()
	srv := newModel(t)
	repo := srv.URL() + srv.RepoPath()
	base := githubtest.SHA("base-7")
	const examples = "examples/"
	tests := []struct {
		name, method, url, body string
		wantStatus              int
		example                 string
	}{
		{"get pull", "GET", repo + "/pulls/7", "", 200, "pulls__get.200.default"},
		{"list reviews", "GET", repo + "/pulls/7/reviews", "", 200, "pulls__list-reviews.200.default"},
		{"list files", "GET", repo + "/pulls/7/files", "", 200, "pulls__list-files.200.default"},
		{"list commits", "GET", repo + "/pulls/7/commits", "", 200, "pulls__list-commits.200.default"},
		{"list comments", "GET", repo + "/issues/7/comments", "", 200, "issues__list-comments.200.default"},
		{"create comment", "POST", repo + "/issues/7/comments", `{"body":"x"}`, 201, "issues__list-comments.200.default"},
		{"create status", "POST", repo + "/statuses/" + githubtest.SHA("head-7"), `{"state":"success","context":"c","description":"d","target_url":"https://x"}`, 201, "repos__create-commit-status.201.default"},
		{"file content", "GET", repo + "/contents/safety/cso-register.yaml?ref=" + base, "", 200, "repos__get-content.200.response-if-content-is-a-file"},
		{"directory", "GET", repo + "/contents/safety?ref=" + base, "", 200, "repos__get-content.200.response-if-content-is-a-directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, got := do(t, tt.method, tt.url, tt.body)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %v", status, tt.wantStatus, got)
			}
			want := readJSON(t, examples+tt.example+".json")
			if tt.method == "POST" && strings.Contains(tt.example, "list") {
				want = want.([]any)[0] // a created comment is one list item
			}
			if missing := missingKeys("", want, got); len(missing) > 0 {
				t.Errorf("answer lacks %q", missing)
			}
		})
	}
}

// The Link header has the rels and page numbers GitHub's recorded answers
// have, page by page (13 items, 3 a page).
func TestLinkHeadersMatchRecording(t *testing.T) {
	t.Parallel()
	var recorded []struct {
		Path    string         `json:"path"`
		Headers map[string]any `json:"headers"`
	}
	data, err := os.ReadFile("../testdata/paginate-issues.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recorded); err != nil {
		t.Fatal(err)
	}
	srv := githubtest.New(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	for i := range 13 {
		srv.AddComment(7, githubtest.Comment{Body: fmt.Sprint(i)})
	}
	rels := regexp.MustCompile(`<([^>]*)>; rel="(\w+)"`)
	summary := func(link string) []string {
		var out []string
		for _, m := range rels.FindAllStringSubmatch(link, -1) {
			u, err := url.Parse(m[1])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m[2]+"="+u.Query().Get("page")+" per_page="+u.Query().Get("per_page"))
		}
		return out
	}
	for page, rec := range recorded {
		_, header, body := do(t, "GET", fmt.Sprintf("%s%s/issues/7/comments?per_page=3&page=%d", srv.URL(), srv.RepoPath(), page+1), "")
		if got, want := summary(header.Get("Link")), summary(fmt.Sprint(rec.Headers["link"])); !slices.Equal(got, want) {
			t.Errorf("page %d: Link rels %q, GitHub's %q", page+1, got, want)
		}
		if n, want := len(body.([]any)), min(3, 13-3*page); n != want {
			t.Errorf("page %d: %d items, want %d", page+1, n, want)
		}
	}
}

func TestFaultInjection(t *testing.T) {
	t.Parallel()
	srv := newModel(t)
	pull := srv.URL() + srv.RepoPath() + "/pulls/7"

	srv.Fail("GET", srv.RepoPath()+"/pulls/7", githubtest.BadGateway(), githubtest.SecondaryRateLimit(2*time.Second))
	if status, _, _ := do(t, "GET", pull, ""); status != 502 {
		t.Errorf("first: %d, want 502", status)
	}
	status, header, body := do(t, "GET", pull, "")
	if status != 403 || header.Get("Retry-After") != "2" || !strings.Contains(fmt.Sprint(body), "secondary rate limit") {
		t.Errorf("second: %d Retry-After=%q %v", status, header.Get("Retry-After"), body)
	}
	if status, _, _ := do(t, "GET", pull, ""); status != 200 {
		t.Errorf("after the faults: %d, want 200", status)
	}

	srv.FailAlways("", srv.RepoPath()+"/issues/", githubtest.Forbidden())
	for range 3 {
		if status, _, _ := do(t, "POST", srv.URL()+srv.RepoPath()+"/issues/7/comments", `{"body":"x"}`); status != 403 {
			t.Errorf("FailAlways: %d, want 403", status)
		}
	}
	if n := len(srv.Comments(7)); n != 1 {
		t.Errorf("refused writes changed the model: %d comments", n)
	}

	var got []int
	for _, r := range srv.Requests() {
		got = append(got, r.Status)
	}
	if want := []int{502, 403, 200, 403, 403, 403}; !slices.Equal(got, want) {
		t.Errorf("recorded statuses %v, want %v", got, want)
	}
	if w := srv.Writes(); len(w) != 3 || w[0].Method != "POST" || string(w[0].Body) != `{"body":"x"}` {
		t.Errorf("Writes = %v", w)
	}
}

func TestFaultApplyCarriesOutTheWrite(t *testing.T) {
	t.Parallel()
	srv := newModel(t)
	lost := githubtest.BadGateway()
	lost.Apply = true
	srv.Fail("POST", srv.RepoPath()+"/statuses/", lost)
	if status, _, _ := do(t, "POST", srv.URL()+srv.RepoPath()+"/statuses/"+githubtest.SHA("head-7"), `{"state":"failure","context":"c"}`); status != 502 {
		t.Fatalf("status %d, want 502", status)
	}
	if st := srv.Statuses(); len(st) != 1 || st[0].State != "failure" {
		t.Errorf("statuses = %+v, want the write done despite the 502", st)
	}
}

func TestSlowAnswerGivesUpWithTheClient(t *testing.T) {
	t.Parallel()
	srv := newModel(t)
	srv.Fail("GET", srv.RepoPath()+"/pulls/7", githubtest.Slow(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL()+srv.RepoPath()+"/pulls/7", nil)
	start := time.Now()
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("a one-minute answer arrived within 50ms")
	}
	srv.Close() // waits for the handler: it must not hold on for the minute
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the slow handler held on for %v", d)
	}
}

func TestTokenAndPrefix(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t, githubtest.WithToken("s3cret"), githubtest.WithPathPrefix("api/v3"), githubtest.WithRepo("nhs-trust", "epr"))
	srv.AddPull(githubtest.Pull{Number: 1})
	if !strings.HasSuffix(srv.URL(), "/api/v3") {
		t.Errorf("URL() = %s, want the /api/v3 prefix", srv.URL())
	}
	get := func(url, auth string) int {
		req, _ := http.NewRequest("GET", url, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		url, auth string
		want      int
	}{
		{srv.URL() + "/repos/nhs-trust/epr/pulls/1", "Bearer s3cret", 200},
		{srv.URL() + "/repos/NHS-Trust/EPR/pulls/1", "token s3cret", 200},
		{srv.URL() + "/repos/nhs-trust/epr/pulls/1", "", 401},
		{srv.URL() + "/repos/nhs-trust/epr/pulls/1", "Bearer wrong", 401},
		{strings.TrimSuffix(srv.URL(), "/api/v3") + "/repos/nhs-trust/epr/pulls/1", "Bearer s3cret", 404},
		{srv.URL() + "/repos/other/repo/pulls/1", "Bearer s3cret", 404},
		{srv.URL() + "/repos/nhs-trust/epr/pulls/2", "Bearer s3cret", 404},
		{srv.URL() + "/repos/nhs-trust/epr/git/trees/main", "Bearer s3cret", 404},
	}
	for _, tt := range tests {
		if got := get(tt.url, tt.auth); got != tt.want {
			t.Errorf("GET %s (%q) = %d, want %d", tt.url, tt.auth, got, tt.want)
		}
	}
	if r := srv.Requests()[0]; r.Path != "/repos/nhs-trust/epr/pulls/1" {
		t.Errorf("recorded path %q, want it without the prefix", r.Path)
	}
}

// Writes are checked as GitHub checks them.
func TestWritesAreValidated(t *testing.T) {
	t.Parallel()
	srv := newModel(t)
	repo := srv.URL() + srv.RepoPath()
	head := githubtest.SHA("head-7")
	tests := []struct {
		name, method, url, body string
		want                    int
	}{
		{"status on an unknown commit", "POST", repo + "/statuses/" + githubtest.SHA("nowhere"), `{"state":"success"}`, 422},
		{"status with a bad state", "POST", repo + "/statuses/" + head, `{"state":"approved"}`, 422},
		{"status description too long", "POST", repo + "/statuses/" + head, `{"state":"success","description":"` + strings.Repeat("x", 141) + `"}`, 422},
		{"empty comment", "POST", repo + "/issues/7/comments", `{"body":""}`, 422},
		{"comment too long", "POST", repo + "/issues/7/comments", `{"body":"` + strings.Repeat("x", 65537) + `"}`, 422},
		{"comment on a missing pull request", "POST", repo + "/issues/8/comments", `{"body":"x"}`, 404},
		{"update a missing comment", "PATCH", repo + "/issues/comments/999999", `{"body":"x"}`, 404},
		{"review from the author", "POST", repo + "/pulls/7/requested_reviewers", `{"reviewers":["dev-dan"]}`, 422},
		{"not JSON", "POST", repo + "/issues/7/comments", `{`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, _, body := do(t, tt.method, tt.url, tt.body); status != tt.want {
				t.Errorf("status %d, want %d: %v", status, tt.want, body)
			}
		})
	}
	if len(srv.Statuses()) != 0 || len(srv.Comments(7)) != 1 || !slices.Equal(srv.RequestedReviewers(7), []string{"carol"}) {
		t.Error("a refused write changed the model")
	}
}

func TestReviewsDismissalAndRequests(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t)
	srv.AddPull(githubtest.Pull{Number: 7, RequestedReviewers: []string{"alice-gp", "bob-gp"}})
	id := srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "changes_requested"})
	if got := srv.RequestedReviewers(7); !slices.Equal(got, []string{"bob-gp"}) {
		t.Errorf("after alice reviewed, requested = %q, want bob-gp only", got)
	}
	srv.DismissReview(7, githubtest.Dismissal{ReviewID: id, By: "dev-dan", Message: "done"})
	if r := srv.Reviews(7); r[0].State != "DISMISSED" {
		t.Errorf("dismissed review state %q", r[0].State)
	}
	_, _, events := do(t, "GET", srv.URL()+srv.RepoPath()+"/issues/7/events", "")
	e := events.([]any)[0].(map[string]any)
	d := e["dismissed_review"].(map[string]any)
	if e["event"] != "review_dismissed" || d["state"] != "changes_requested" || d["review_id"] != float64(id) || d["dismissal_message"] != "done" {
		t.Errorf("event = %v", e)
	}
	if e["actor"].(map[string]any)["login"] != "dev-dan" {
		t.Errorf("actor = %v", e["actor"])
	}
}

func TestCompareAndCommitPulls(t *testing.T) {
	t.Parallel()
	srv := githubtest.New(t)
	a, b, c := githubtest.SHA("a"), githubtest.SHA("b"), githubtest.SHA("c")
	srv.AddCommit(githubtest.Commit{SHA: a})
	srv.AddCommit(githubtest.Commit{SHA: b, Parents: []string{a}, Files: []githubtest.File{{Path: "x.go"}}})
	srv.AddCommit(githubtest.Commit{SHA: c, Parents: []string{b}, Files: []githubtest.File{{Path: "y.go"}}})
	srv.AddTag("v1.0.0", a)
	srv.AddTag("v1.1.0", c)
	srv.SetBranch("main", c)
	srv.AddPull(githubtest.Pull{Number: 3, Merged: true, MergeCommitSHA: c})

	for _, basehead := range []string{"v1.0.0...v1.1.0", "refs%2Ftags%2Fv1.0.0...main", a + "..." + c} {
		status, _, body := do(t, "GET", srv.URL()+srv.RepoPath()+"/compare/"+basehead, "")
		m := body.(map[string]any)
		if status != 200 || m["status"] != "ahead" || m["ahead_by"] != float64(2) || len(m["files"].([]any)) != 2 {
			t.Fatalf("compare %s: %d %v", basehead, status, m["status"])
		}
		commits := m["commits"].([]any)
		if commits[0].(map[string]any)["sha"] != b || commits[1].(map[string]any)["sha"] != c {
			t.Errorf("compare %s: commits out of order", basehead)
		}
	}
	if status, _, _ := do(t, "GET", srv.URL()+srv.RepoPath()+"/compare/v9...v1.1.0", ""); status != 404 {
		t.Errorf("compare from an unknown tag: %d, want 404", status)
	}
	_, _, pulls := do(t, "GET", srv.URL()+srv.RepoPath()+"/commits/"+c+"/pulls", "")
	p := pulls.([]any)[0].(map[string]any)
	if p["number"] != float64(3) || p["merged_at"] == nil {
		t.Errorf("pulls of the merge commit: %v", p)
	}
	if _, ok := p["merged"]; ok {
		t.Error(`a pull request in a list has "merged", which GitHub leaves out`)
	}
}
