package github_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
)

func TestNewValidatesBaseURL(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"api.github.com", "ftp://ghes.example/api/v3", "https://", "https://x:" + testToken + "@ghes.example/api/v3"} {
		_, err := github.New(github.Options{BaseURL: base, Token: testToken})
		if err == nil {
			t.Errorf("New(%q) accepted it", base)
			continue
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("New(%q) error shows the token: %v", base, err)
		}
	}
	if _, err := github.New(github.Options{}); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
}

// GitHub Enterprise Server serves the API under /api/v3, as GITHUB_API_URL
// says.
func TestGitHubEnterpriseServerPrefix(t *testing.T) {
	t.Parallel()
	srv := newFake(t, githubtest.WithPathPrefix("/api/v3"))
	srv.AddPull(githubtest.Pull{Number: 7})
	srv.AddReview(7, githubtest.Review{Login: "alice-gp", State: "APPROVED"})
	srv.SetContent(githubtest.SHA("base-7"), "safety/cso-register.yaml", []byte("officers: []\n"))
	ctx := context.Background()

	for _, base := range []string{srv.URL(), srv.URL() + "/"} {
		c, _ := newClient(t, srv, func(o *github.Options) { o.BaseURL = base })
		pr, err := c.PullRequest(ctx, owner, repo, 7)
		if err != nil || pr.Number != 7 {
			t.Fatalf("BaseURL %s: PullRequest = %+v, %v", base, pr, err)
		}
		reviews, err := c.Reviews(ctx, owner, repo, 7)
		if err != nil || len(reviews) != 1 {
			t.Fatalf("BaseURL %s: Reviews = %v, %v", base, reviews, err)
		}
		data, found, err := c.FileAt(ctx, owner, repo, githubtest.SHA("base-7"), "safety/cso-register.yaml")
		if err != nil || !found || string(data) != "officers: []\n" {
			t.Fatalf("BaseURL %s: FileAt = %q, %t, %v", base, data, found, err)
		}
	}

	// Without the prefix, the server is not the API: the client reports it
	// and names the request without any prefix confusion.
	srv.FailAlways("GET", "/repos/", githubtest.BadGateway())
	c, _ := newClient(t, srv, func(o *github.Options) { o.MaxRetries = -1 })
	_, err := c.PullRequest(ctx, owner, repo, 7)
	if err == nil || !strings.Contains(err.Error(), "GET "+repoPath+"/pulls/7: 502") {
		t.Errorf("error %v does not name the request without the /api/v3 prefix", err)
	}
}

// The token goes in the Authorization header and nowhere else: not into any
// error, and not to another host a redirect points at.
func TestTokenIsNeverShown(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	srv.AddPull(githubtest.Pull{Number: 7})
	sha := githubtest.SHA("head-7")
	srv.FailAlways("GET", repoPath+"/pulls/7/reviews", githubtest.BadGateway())
	srv.FailAlways("POST", repoPath+"/statuses/", githubtest.Forbidden())
	srv.FailAlways("GET", repoPath+"/pulls/7/files", githubtest.RateLimitExceeded(fixedNow.Add(time.Hour)))
	srv.FailAlways("GET", repoPath+"/pulls/7/commits", githubtest.Response{Status: 422, Body: `{"message":"token ` + testToken + ` echoed by a proxy"}`})
	c, _ := newClient(t, srv)
	ctx := context.Background()

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	down, _ := newClient(t, srv, func(o *github.Options) { o.BaseURL = closed.URL; o.MaxRetries = 1 })
	wrongToken, _ := newClient(t, srv, func(o *github.Options) { o.Token = testToken + "-revoked" })

	errs := map[string]error{}
	_, errs["502"] = c.Reviews(ctx, owner, repo, 7)
	errs["403"] = c.SetStatus(ctx, owner, repo, sha, github.Status{State: "success", Context: "x"})
	_, errs["rate limit"] = c.Files(ctx, owner, repo, 7)
	_, errs["echoing proxy"] = c.Commits(ctx, owner, repo, 7)
	_, errs["network"] = down.PullRequest(ctx, owner, repo, 7)
	_, errs["401"] = wrongToken.PullRequest(ctx, owner, repo, 7)
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		t.Logf("%s: %v", name, err)
		if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), testToken[4:20]) {
			t.Errorf("%s: error shows the token: %v", name, err)
		}
	}
	var status *github.StatusError
	if !errors.As(errs["401"], &status) || status.StatusCode != 401 || !strings.Contains(errs["401"].Error(), "Bad credentials") {
		t.Errorf("wrong token: %v, want a 401 *StatusError saying Bad credentials", errs["401"])
	}
	for _, r := range srv.Requests() {
		if r.Header.Get("Authorization") != "Bearer "+testToken && r.Header.Get("Authorization") != "Bearer "+testToken+"-revoked" {
			t.Errorf("%s sent Authorization %q", r, r.Header.Get("Authorization"))
		}
	}

	// A redirect to another host does not take the token along.
	var leaked []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			leaked = append(leaked, a)
		}
		w.Write([]byte(`{"number": 7}`))
	}))
	defer elsewhere.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirector.Close()
	redirected, _ := newClient(t, srv, func(o *github.Options) { o.BaseURL = redirector.URL })
	if pr, err := redirected.PullRequest(ctx, owner, repo, 7); err != nil || pr.Number != 7 {
		t.Fatalf("redirected PullRequest = %+v, %v", pr, err)
	}
	if len(leaked) != 0 {
		t.Errorf("the token went to another host: %q", leaked)
	}
}

func TestCoAuthorEmails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		message string
		want    []string
	}{
		{name: "none", message: "Fix banner colour", want: nil},
		{
			name:    "GitHub's squash trailers",
			message: "Allergy banner (#7)\n\n* wording\n\n---------\n\nCo-authored-by: Alice GP <583231+alice-gp@users.noreply.github.com>\nCo-authored-by: Bob <bob@example.org>\n",
			want:    []string{"583231+alice-gp@users.noreply.github.com", "bob@example.org"},
		},
		{
			name:    "key in any case, spaces around",
			message: "x\n\nco-authored-by: A <a@example.org>\nCO-AUTHORED-BY:B <b@example.org>  \n   Co-Authored-By :  C D <c@example.org>",
			want:    []string{"a@example.org", "b@example.org", "c@example.org"},
		},
		{
			name:    "CRLF line ends",
			message: "x\r\n\r\nCo-authored-by: A <a@example.org>\r\nCo-authored-by: B <b@example.org>\r\n",
			want:    []string{"a@example.org", "b@example.org"},
		},
		{
			name:    "duplicates dropped, case-insensitively, first spelling kept",
			message: "Co-authored-by: A <A@Example.org>\nCo-authored-by: A again <a@example.org>",
			want:    []string{"A@Example.org"},
		},
		{
			name:    "bare address accepted, junk ignored",
			message: "Co-authored-by: c@example.org\nCo-authored-by: just a name\nCo-authored-by: Broken <no-end@example.org\nSigned-off-by: S <s@example.org>",
			want:    []string{"c@example.org"},
		},
		{
			name:    "a name with angle brackets takes the last pair",
			message: "Co-authored-by: Dr <Who> Smith <who@example.org>",
			want:    []string{"who@example.org"},
		},
		{
			name:    "not a trailer unless the key starts the line",
			message: "See Co-authored-by: X <x@example.org> in the docs",
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := github.CoAuthorEmails(tt.message); !slices.Equal(got, tt.want) {
				t.Errorf("CoAuthorEmails = %q, want %q", got, tt.want)
			}
		})
	}
}
