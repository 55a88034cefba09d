package githubtest

import (
	"crypto/sha1"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// The server's JSON is GitHub's documented example for each operation with
// the model's values written over it, so every field GitHub sends is there,
// in GitHub's shape. Operations without an example in the subset (events,
// tags, compare, requested reviewers) are built from GitHub's schema.

//go:embed examples/*.json
var exampleFS embed.FS

const (
	exPull        = "pulls__get.200.default"
	exReview      = "pulls__list-reviews.200.default"
	exFile        = "pulls__list-files.200.default"
	exCommit      = "pulls__list-commits.200.default"
	exComment     = "issues__list-comments.200.default"
	exStatus      = "repos__create-commit-status.201.default"
	exContentFile = "repos__get-content.200.response-if-content-is-a-file"
	exContentDir  = "repos__get-content.200.response-if-content-is-a-directory"
)

// examples holds the parsed examples; each use gets a deep copy.
var examples = func() map[string]any {
	out := map[string]any{}
	entries, err := exampleFS.ReadDir("examples")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := exampleFS.ReadFile("examples/" + e.Name())
		if err != nil {
			panic(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			panic(fmt.Sprintf("githubtest: example %s: %v", e.Name(), err))
		}
		out[strings.TrimSuffix(e.Name(), ".json")] = v
	}
	return out
}()

// example returns a fresh copy of an example object; for a list example, of
// its item at index.
func (s *Server) example(name string, index int) map[string]any {
	v := examples[name]
	if list, ok := v.([]any); ok {
		v = list[index]
	}
	return s.rewrite(deepCopy(v)).(map[string]any)
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = deepCopy(x)
		}
		return l
	default:
		return v
	}
}

// rewrite points the example's URLs at this server and repository, so that
// fields the server does not set explicitly still make sense.
func (s *Server) rewrite(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = s.rewrite(e)
		}
	case []any:
		for i, e := range x {
			x[i] = s.rewrite(e)
		}
	case string:
		return s.replacer().Replace(x)
	}
	return v
}

func (s *Server) replacer() *strings.Replacer {
	s.replOnce.Do(func() {
		api, html := s.URL(), "https://github.com"
		full := s.owner + "/" + s.repo
		s.repl = strings.NewReplacer(
			"https://api.github.com/repos/octocat/Hello-World", api+"/repos/"+full,
			"https://api.github.com/repos/octokit/octokit.rb", api+"/repos/"+full,
			"https://github.com/octocat/Hello-World", html+"/"+full,
			"https://github.com/octokit/octokit.rb", html+"/"+full,
			"https://raw.githubusercontent.com/octokit/octokit.rb", "https://raw.githubusercontent.com/"+full,
			"github.com/octocat/Hello-World", "github.com/"+full,
			"github.com:octocat/Hello-World", "github.com:"+full,
			"octocat/Hello-World", full,
			"https://api.github.com", api,
		)
	})
	return s.repl
}

func (s *Server) apiRepo() string  { return s.URL() + "/repos/" + s.owner + "/" + s.repo }
func (s *Server) htmlRepo() string { return "https://github.com/" + s.owner + "/" + s.repo }

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nodeID(kind string, id int64) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + strconv.FormatInt(id, 10)))
}

// userJSON is a simple-user object; nil (JSON null) for no login.
func (s *Server) userJSON(login string, id int64) any {
	if login == "" {
		return nil
	}
	if id == 0 {
		id = UserID(login)
	}
	// Only the user part of the example is copied: this runs for every user
	// in every answer.
	u := s.rewrite(deepCopy(examples[exPull].(map[string]any)["user"])).(map[string]any)
	api := s.URL() + "/users/" + login
	for k, v := range u {
		if str, ok := v.(string); ok && strings.HasPrefix(str, s.URL()+"/users/octocat") {
			u[k] = api + strings.TrimPrefix(str, s.URL()+"/users/octocat")
		}
	}
	u["login"] = login
	u["id"] = id
	u["node_id"] = nodeID("04:User", id)
	u["avatar_url"] = fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", id)
	u["html_url"] = "https://github.com/" + login
	u["type"] = "User"
	if strings.HasSuffix(login, "[bot]") {
		u["type"] = "Bot"
	}
	u["site_admin"] = false
	return u
}

// pullJSON is a pull request; simple drops the fields GitHub leaves out of
// pull requests in lists.
func (s *Server) pullJSON(p *pull, simple bool) map[string]any {
	m := s.example(exPull, 0)
	n := strconv.Itoa(p.Number)
	api, html := s.apiRepo(), s.htmlRepo()
	self := api + "/pulls/" + n
	m["url"] = self
	m["id"] = int64(p.Number) + 500_000
	m["node_id"] = nodeID("011:PullRequest", int64(p.Number))
	m["html_url"] = html + "/pull/" + n
	m["diff_url"] = html + "/pull/" + n + ".diff"
	m["patch_url"] = html + "/pull/" + n + ".patch"
	m["issue_url"] = api + "/issues/" + n
	m["commits_url"] = self + "/commits"
	m["review_comments_url"] = self + "/comments"
	m["review_comment_url"] = api + "/pulls/comments{/number}"
	m["comments_url"] = api + "/issues/" + n + "/comments"
	m["statuses_url"] = api + "/statuses/" + p.HeadSHA
	m["number"] = p.Number
	m["state"] = p.State
	m["locked"] = false
	m["active_lock_reason"] = nil
	m["title"] = p.Title
	m["user"] = s.userJSON(p.Author, p.AuthorID)
	m["body"] = nil
	m["labels"] = []any{}
	m["milestone"] = nil
	m["created_at"] = ts(epoch)
	m["updated_at"] = ts(s.clock)
	m["closed_at"] = ts(p.MergedAt)
	m["merged_at"] = ts(p.MergedAt)
	m["merge_commit_sha"] = nullable(p.MergeCommitSHA)
	m["assignee"] = nil
	m["assignees"] = []any{}
	reviewers := []any{}
	for _, l := range p.RequestedReviewers {
		reviewers = append(reviewers, s.userJSON(l, 0))
	}
	m["requested_reviewers"] = reviewers
	m["requested_teams"] = []any{}
	m["head"] = s.branchJSON(m["head"].(map[string]any), p.HeadRef, p.HeadSHA)
	if p.HeadRepo != "" {
		s.forkHead(m["head"].(map[string]any), p.HeadRepo)
	}
	m["base"] = s.branchJSON(m["base"].(map[string]any), p.BaseRef, p.BaseSHA)
	m["_links"] = map[string]any{
		"self":            map[string]any{"href": self},
		"html":            map[string]any{"href": html + "/pull/" + n},
		"issue":           map[string]any{"href": api + "/issues/" + n},
		"comments":        map[string]any{"href": api + "/issues/" + n + "/comments"},
		"review_comments": map[string]any{"href": self + "/comments"},
		"review_comment":  map[string]any{"href": api + "/pulls/comments{/number}"},
		"commits":         map[string]any{"href": self + "/commits"},
		"statuses":        map[string]any{"href": api + "/statuses/" + p.HeadSHA},
	}
	m["author_association"] = "MEMBER"
	m["auto_merge"] = nil
	m["draft"] = p.Draft
	m["merged"] = p.Merged
	m["mergeable"] = !p.Merged
	m["rebaseable"] = !p.Merged
	m["mergeable_state"] = "clean"
	m["merged_by"] = nil
	if p.Merged {
		m["merged_by"] = s.userJSON(p.Author, p.AuthorID)
	}
	m["comments"] = len(p.comments)
	m["review_comments"] = 0
	m["maintainer_can_modify"] = false
	m["commits"] = len(p.commits)
	m["additions"] = len(p.files)
	m["deletions"] = 0
	m["changed_files"] = len(p.files)
	if simple {
		for _, k := range []string{"merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments",
			"review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files"} {
			delete(m, k)
		}
	}
	return m
}

func (s *Server) branchJSON(b map[string]any, ref, sha string) map[string]any {
	b["label"] = s.owner + ":" + ref
	b["ref"] = ref
	b["sha"] = sha
	owner := s.userJSON(s.owner, 0).(map[string]any)
	owner["type"] = "Organization"
	b["user"] = owner
	if repo, ok := b["repo"].(map[string]any); ok {
		repo["name"] = s.repo
		repo["full_name"] = s.owner + "/" + s.repo
		repo["owner"] = owner
		repo["private"] = true
		repo["default_branch"] = s.defaultBranch
	}
	return b
}

// forkHead makes a pull request's head branch one of the fork repo
// (owner/name), as GitHub shows a pull request from a fork.
func (s *Server) forkHead(b map[string]any, repo string) {
	owner, name, _ := strings.Cut(repo, "/")
	b["label"] = owner + ":" + b["ref"].(string)
	user := s.userJSON(owner, 0).(map[string]any)
	b["user"] = user
	if r, ok := b["repo"].(map[string]any); ok {
		r["name"] = name
		r["full_name"] = repo
		r["owner"] = user
		r["fork"] = true
		r["private"] = false
	}
}

func (s *Server) reviewJSON(p *pull, r Review) map[string]any {
	m := s.example(exReview, 0)
	html := fmt.Sprintf("%s/pull/%d#pullrequestreview-%d", s.htmlRepo(), p.Number, r.ID)
	prURL := fmt.Sprintf("%s/pulls/%d", s.apiRepo(), p.Number)
	m["id"] = r.ID
	m["node_id"] = nodeID("017:PullRequestReview", r.ID)
	m["user"] = s.userJSON(r.Login, r.UserID)
	m["body"] = r.Body
	m["state"] = r.State
	m["html_url"] = html
	m["pull_request_url"] = prURL
	m["_links"] = map[string]any{"html": map[string]any{"href": html}, "pull_request": map[string]any{"href": prURL}}
	m["commit_id"] = r.CommitID
	m["author_association"] = "MEMBER"
	if r.SubmittedAt.IsZero() {
		delete(m, "submitted_at") // a pending review has not been submitted
	} else {
		m["submitted_at"] = ts(r.SubmittedAt)
	}
	return m
}

func (s *Server) fileJSON(f File, ref string) map[string]any {
	m := s.example(exFile, 0)
	m["sha"] = BlobSHA(f)
	m["filename"] = f.Path
	m["status"] = f.Status
	add, del := 1, 1
	switch f.Status {
	case "added":
		del = 0
	case "removed":
		add = 0
	case "renamed", "unchanged":
		add, del = 0, 0
	}
	m["additions"], m["deletions"], m["changes"] = add, del, add+del
	escaped := escapePath(f.Path)
	m["blob_url"] = s.htmlRepo() + "/blob/" + ref + "/" + escaped
	m["raw_url"] = s.htmlRepo() + "/raw/" + ref + "/" + escaped
	m["contents_url"] = s.apiRepo() + "/contents/" + escaped + "?ref=" + ref
	m["patch"] = "@@ -1 +1 @@\n-old\n+new"
	if f.PreviousPath != "" {
		m["previous_filename"] = f.PreviousPath
	}
	return m
}

func (s *Server) commitJSON(c *Commit) map[string]any {
	m := s.example(exCommit, 0)
	api, html := s.apiRepo(), s.htmlRepo()
	m["url"] = api + "/commits/" + c.SHA
	m["sha"] = c.SHA
	m["node_id"] = base64.StdEncoding.EncodeToString([]byte("06:Commit" + c.SHA))
	m["html_url"] = html + "/commit/" + c.SHA
	m["comments_url"] = api + "/commits/" + c.SHA + "/comments"
	inner := m["commit"].(map[string]any)
	inner["url"] = api + "/git/commits/" + c.SHA
	inner["author"] = map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(c.Date)}
	inner["committer"] = map[string]any{"name": c.CommitterName, "email": c.CommitterEmail, "date": ts(c.Date)}
	inner["message"] = c.Message
	tree := SHA("tree:" + c.SHA)
	inner["tree"] = map[string]any{"url": api + "/git/trees/" + tree, "sha": tree}
	m["author"] = s.userJSON(c.AuthorLogin, c.AuthorID)
	m["committer"] = s.userJSON(c.CommitterLogin, c.CommitterID)
	parents := []any{}
	for _, p := range c.Parents {
		parents = append(parents, map[string]any{"url": api + "/commits/" + p, "sha": p})
	}
	m["parents"] = parents
	return m
}

func (s *Server) commentJSON(number int, c Comment) map[string]any {
	m := s.example(exComment, 0)
	m["id"] = c.ID
	m["node_id"] = nodeID("012:IssueComment", c.ID)
	m["url"] = fmt.Sprintf("%s/issues/comments/%d", s.apiRepo(), c.ID)
	m["html_url"] = fmt.Sprintf("%s/pull/%d#issuecomment-%d", s.htmlRepo(), number, c.ID)
	m["body"] = c.Body
	m["user"] = s.userJSON(c.Login, c.UserID)
	m["created_at"] = ts(c.CreatedAt)
	m["updated_at"] = ts(c.UpdatedAt)
	m["issue_url"] = fmt.Sprintf("%s/issues/%d", s.apiRepo(), number)
	m["author_association"] = "NONE"
	if c.Login == ActionsBot {
		m["performed_via_github_app"] = nil
	}
	return m
}

func (s *Server) statusJSON(st Status) map[string]any {
	m := s.example(exStatus, 0)
	m["url"] = s.apiRepo() + "/statuses/" + st.SHA
	m["avatar_url"] = fmt.Sprintf("https://avatars.githubusercontent.com/in/%d?v=4", 15368)
	m["id"] = st.ID
	m["node_id"] = nodeID("06:Status", st.ID)
	m["state"] = st.State
	m["description"] = nullable(st.Description)
	m["target_url"] = nullable(st.TargetURL)
	m["context"] = st.Context
	m["created_at"] = ts(st.CreatedAt)
	m["updated_at"] = ts(st.CreatedAt)
	m["creator"] = s.userJSON(st.Creator, 0)
	return m
}

// maxInlineContent is the largest file the contents API returns inline
// (base64); larger ones come with encoding "none" and need the raw media type.
const maxInlineContent = 1 << 20

func (s *Server) contentFileJSON(ref, p string, data []byte) map[string]any {
	m := s.example(exContentFile, 0)
	sha := blobSHA(data)
	s.contentLinks(m, ref, p, "file", sha)
	m["encoding"] = "base64"
	m["content"] = wrapBase64(base64.StdEncoding.EncodeToString(data))
	if len(data) > maxInlineContent {
		m["encoding"] = "none"
		m["content"] = ""
	}
	m["size"] = len(data)
	return m
}

// contentEntryJSON is an entry of a directory listing.
func (s *Server) contentEntryJSON(ref, p, kind string, data []byte) map[string]any {
	index := 0
	if kind == "dir" {
		index = 1 // the example's second entry is a directory
	}
	m := s.example(exContentDir, index)
	sha := SHA("tree:" + ref + ":" + p)
	if kind == "file" {
		sha = blobSHA(data)
		m["size"] = len(data)
	} else {
		m["size"] = 0
	}
	s.contentLinks(m, ref, p, kind, sha)
	return m
}

func (s *Server) contentLinks(m map[string]any, ref, p, kind, sha string) {
	api, escaped := s.apiRepo(), escapePath(p)
	self := api + "/contents/" + escaped + "?ref=" + ref
	git := api + "/git/blobs/" + sha
	html := s.htmlRepo() + "/blob/" + ref + "/" + escaped
	var download any = "https://raw.githubusercontent.com/" + s.owner + "/" + s.repo + "/" + ref + "/" + escaped
	if kind == "dir" {
		git = api + "/git/trees/" + sha
		html = s.htmlRepo() + "/tree/" + ref + "/" + escaped
		download = nil
	}
	m["type"] = kind
	m["name"] = path.Base(p)
	m["path"] = p
	m["sha"] = sha
	m["url"] = self
	m["git_url"] = git
	m["html_url"] = html
	m["download_url"] = download
	m["_links"] = map[string]any{"self": self, "git": git, "html": html}
}

// eventJSON is an issue event, per GitHub's issue-event schema.
func (s *Server) eventJSON(e event) map[string]any {
	m := map[string]any{
		"id":                       e.ID,
		"node_id":                  nodeID("RDE_", e.ID),
		"url":                      fmt.Sprintf("%s/issues/events/%d", s.apiRepo(), e.ID),
		"actor":                    s.userJSON(e.Actor, e.ActorID),
		"event":                    e.Event.Event,
		"commit_id":                nil,
		"commit_url":               nil,
		"created_at":               ts(e.CreatedAt),
		"performed_via_github_app": nil,
	}
	switch e.Event.Event {
	case "labeled", "unlabeled":
		m["label"] = map[string]any{"name": e.Label, "color": "d73a4a"}
	case "renamed":
		m["rename"] = map[string]any{"from": e.RenameFrom, "to": e.RenameTo}
	case "closed", "reopened":
		m["state_reason"] = map[string]any{"closed": "completed", "reopened": "reopened"}[e.Event.Event]
	}
	if d := e.dismissed; d != nil {
		m["dismissed_review"] = map[string]any{
			"state":               d.state,
			"review_id":           d.reviewID,
			"dismissal_message":   nullable(d.message),
			"dismissal_commit_id": nullable(d.commitID),
		}
	}
	return m
}

func (s *Server) tagJSON(t Tag) map[string]any {
	return map[string]any{
		"name":        t.Name,
		"commit":      map[string]any{"sha": t.SHA, "url": s.apiRepo() + "/commits/" + t.SHA},
		"zipball_url": s.apiRepo() + "/zipball/refs/tags/" + t.Name,
		"tarball_url": s.apiRepo() + "/tarball/refs/tags/" + t.Name,
		"node_id":     base64.StdEncoding.EncodeToString([]byte("03:Ref" + t.Name)),
	}
}

// blobSHA is git's object id for a blob with this content.
func blobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// wrapBase64 breaks base64 into lines of 60, as GitHub sends file content.
func wrapBase64(s string) string {
	const width = 60
	var b strings.Builder
	for len(s) > width {
		b.WriteString(s[:width])
		b.WriteByte('\n')
		s = s[width:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	return strings.Join(parts, "/")
}
