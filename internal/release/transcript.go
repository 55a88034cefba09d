package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/csogate/csogate/internal/github"
)

// Exchange is one question release mode asked GitHub and the answer it got:
// the call (the API method), its arguments, and the answer as JSON, or the
// error. File contents are not inline: an answer names each file's SHA-256,
// and Transcript.Blobs holds the bytes, so a record keeps them as copies it
// can check by hash.
type Exchange struct {
	Call   string          `json:"call"`
	Args   []string        `json:"args"`
	Answer json.RawMessage `json:"answer,omitempty"`
	Error  *ExchangeError  `json:"error,omitempty"`
}

// ExchangeError is an error GitHub's client gave, kept with its kind, so a
// replay fails the way the run did (GITHUB_UNAVAILABLE or GATE_ERROR, with
// the same message).
type ExchangeError struct {
	Message     string                  `json:"message"`
	Unavailable *UnavailableAnswer      `json:"unavailable,omitempty"`
	Permission  *github.PermissionError `json:"permission,omitempty"`
	Status      *github.StatusError     `json:"status,omitempty"`
}

// UnavailableAnswer is a github.UnavailableError without its network error,
// which does not survive JSON and is not part of its message.
type UnavailableAnswer struct {
	Operation string `json:"operation"`
	Last      string `json:"last"`
	Attempts  int    `json:"attempts"`
	Reason    string `json:"reason,omitempty"`
}

// fileAnswer is the answer to FileAt: whether the file exists, and its hash.
type fileAnswer struct {
	Found  bool   `json:"found"`
	SHA256 string `json:"sha256,omitempty"`
}

// Transcript is everything release mode read from GitHub in one run, in a
// fixed order, with the contents of the files it read by SHA-256.
type Transcript struct {
	Exchanges []Exchange
	Blobs     map[string][]byte
}

// Recorder is an API that asks another and keeps every exchange, so the
// run's record can hold every fact it gathered from GitHub.
type Recorder struct {
	api       API
	mu        sync.Mutex
	exchanges map[string]Exchange
	blobs     map[string][]byte
}

var _ API = (*Recorder)(nil)

// NewRecorder records what api answers.
func NewRecorder(api API) *Recorder {
	return &Recorder{api: api, exchanges: map[string]Exchange{}, blobs: map[string][]byte{}}
}

// Transcript returns the exchanges so far, sorted by call and arguments.
func (r *Recorder) Transcript() *Transcript {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &Transcript{Blobs: map[string][]byte{}}
	keys := make([]string, 0, len(r.exchanges))
	for k := range r.exchanges {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Exchanges = append(t.Exchanges, r.exchanges[k])
	}
	for k, v := range r.blobs {
		t.Blobs[k] = v
	}
	return t
}

func exchangeKey(call string, args []string) string {
	return call + "\x00" + strings.Join(args, "\x00")
}

// keep records an exchange; the first answer to a question stands, as the
// evaluator asks each question once.
func (r *Recorder) keep(call string, args []string, answer any, err error) {
	x := Exchange{Call: call, Args: args}
	if err != nil {
		x.Error = exchangeError(err)
	} else {
		data, merr := json.Marshal(answer)
		if merr != nil {
			// The answers are plain structs; a failure here is a bug, and
			// a record without the answer is refused by its replay.
			x.Error = &ExchangeError{Message: "the answer could not be recorded: " + merr.Error()}
		}
		x.Answer = data
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.exchanges[exchangeKey(call, args)]; !ok {
		r.exchanges[exchangeKey(call, args)] = x
	}
}

func (r *Recorder) blob(data []byte) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	r.mu.Lock()
	r.blobs[h] = append([]byte(nil), data...)
	r.mu.Unlock()
	return h
}

func exchangeError(err error) *ExchangeError {
	x := &ExchangeError{Message: err.Error()}
	var unavailable *github.UnavailableError
	var permission *github.PermissionError
	var status *github.StatusError
	switch {
	case errors.As(err, &unavailable):
		x.Unavailable = &UnavailableAnswer{Operation: unavailable.Operation, Last: unavailable.Last, Attempts: unavailable.Attempts, Reason: unavailable.Reason}
	case errors.As(err, &permission):
		x.Permission = permission
	case errors.As(err, &status):
		x.Status = status
	}
	return x
}

// Reviews implements API.
func (r *Recorder) Reviews(ctx context.Context, owner, repo string, number int) ([]github.Review, error) {
	v, err := r.api.Reviews(ctx, owner, repo, number)
	r.keep("reviews", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// Files implements API.
func (r *Recorder) Files(ctx context.Context, owner, repo string, number int) ([]github.ChangedFile, error) {
	v, err := r.api.Files(ctx, owner, repo, number)
	r.keep("files", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// Commits implements API.
func (r *Recorder) Commits(ctx context.Context, owner, repo string, number int) ([]github.Commit, error) {
	v, err := r.api.Commits(ctx, owner, repo, number)
	r.keep("commits", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// Dismissals implements API.
func (r *Recorder) Dismissals(ctx context.Context, owner, repo string, number int) ([]github.Dismissal, error) {
	v, err := r.api.Dismissals(ctx, owner, repo, number)
	r.keep("dismissals", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// FileAt implements API; the answer names the content by hash.
func (r *Recorder) FileAt(ctx context.Context, owner, repo, ref, path string) ([]byte, bool, error) {
	data, found, err := r.api.FileAt(ctx, owner, repo, ref, path)
	a := fileAnswer{Found: found}
	if err == nil && found {
		a.SHA256 = r.blob(data)
	}
	r.keep("file_at", []string{owner, repo, ref, path}, a, err)
	return data, found, err
}

// DirAt implements API; the answer maps each file to its content's hash.
func (r *Recorder) DirAt(ctx context.Context, owner, repo, ref, dir string) (map[string][]byte, error) {
	files, err := r.api.DirAt(ctx, owner, repo, ref, dir)
	a := map[string]string{}
	if err == nil {
		for name, data := range files {
			a[name] = r.blob(data)
		}
	}
	r.keep("dir_at", []string{owner, repo, ref, dir}, a, err)
	return files, err
}

// treeAnswer is the answer to Tree: its entries are kept as a copy (JSON),
// named by hash, as a file is: a tree is large, and the transcript small.
type treeAnswer struct {
	SHA256  string `json:"sha256"`
	Entries int    `json:"entries"`
}

// Tree implements API; the answer names the entries' JSON by hash.
func (r *Recorder) Tree(ctx context.Context, owner, repo, sha string) ([]github.TreeEntry, error) {
	entries, err := r.api.Tree(ctx, owner, repo, sha)
	var a treeAnswer
	if err == nil {
		data, merr := json.Marshal(entries)
		if merr != nil {
			err = merr
		} else {
			a = treeAnswer{SHA256: r.blob(data), Entries: len(entries)}
		}
	}
	r.keep("tree", []string{owner, repo, sha}, a, err)
	return entries, err
}

// Tags implements API.
func (r *Recorder) Tags(ctx context.Context, owner, repo string) ([]github.Tag, error) {
	v, err := r.api.Tags(ctx, owner, repo)
	r.keep("tags", []string{owner, repo}, v, err)
	return v, err
}

// Comparison implements API.
func (r *Recorder) Comparison(ctx context.Context, owner, repo, base, head string) (github.Comparison, error) {
	v, err := r.api.Comparison(ctx, owner, repo, base, head)
	r.keep("comparison", []string{owner, repo, base, head}, v, err)
	return v, err
}

// StatusState implements API.
func (r *Recorder) StatusState(ctx context.Context, owner, repo, sha, statusContext string) (string, error) {
	v, err := r.api.StatusState(ctx, owner, repo, sha, statusContext)
	r.keep("status_state", []string{owner, repo, sha, statusContext}, v, err)
	return v, err
}

// PullRequestsForCommit implements API.
func (r *Recorder) PullRequestsForCommit(ctx context.Context, owner, repo, sha string) ([]github.PullRequest, error) {
	v, err := r.api.PullRequestsForCommit(ctx, owner, repo, sha)
	r.keep("pull_requests_for_commit", []string{owner, repo, sha}, v, err)
	return v, err
}

// CommitFiles implements API.
func (r *Recorder) CommitFiles(ctx context.Context, owner, repo, sha string) ([]github.ChangedFile, error) {
	v, err := r.api.CommitFiles(ctx, owner, repo, sha)
	r.keep("commit_files", []string{owner, repo, sha}, v, err)
	return v, err
}

// filesSince is FilesSince's answer as a transcript keeps it.
type filesSince struct {
	Files    []github.ChangedFile `json:"files"`
	Complete bool                 `json:"complete"`
}

// FilesSince implements API.
func (r *Recorder) FilesSince(ctx context.Context, owner, repo, base, head string) ([]github.ChangedFile, bool, error) {
	files, complete, err := r.api.FilesSince(ctx, owner, repo, base, head)
	r.keep("files_since", []string{owner, repo, base, head}, filesSince{files, complete}, err)
	return files, complete, err
}

// PullRequest implements API.
func (r *Recorder) PullRequest(ctx context.Context, owner, repo string, number int) (github.PullRequest, error) {
	v, err := r.api.PullRequest(ctx, owner, repo, number)
	r.keep("pull_request", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// IssueComments implements API.
func (r *Recorder) IssueComments(ctx context.Context, owner, repo string, number int) ([]github.IssueComment, error) {
	v, err := r.api.IssueComments(ctx, owner, repo, number)
	r.keep("issue_comments", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// IssuesWithLabel implements API.
func (r *Recorder) IssuesWithLabel(ctx context.Context, owner, repo, label string) ([]github.Issue, error) {
	v, err := r.api.IssuesWithLabel(ctx, owner, repo, label)
	r.keep("issues_with_label", []string{owner, repo, label}, v, err)
	return v, err
}

// CommitStatuses implements API.
func (r *Recorder) CommitStatuses(ctx context.Context, owner, repo, sha string) ([]github.CommitStatus, error) {
	v, err := r.api.CommitStatuses(ctx, owner, repo, sha)
	r.keep("commit_statuses", []string{owner, repo, sha}, v, err)
	return v, err
}

// Replayer is an API that answers from a transcript, offline: a question
// the transcript holds no answer to fails, and is listed by Unanswered.
type Replayer struct {
	t          *Transcript
	mu         sync.Mutex
	byKey      map[string]Exchange
	asked      map[string]bool
	unanswered []string
}

var _ API = (*Replayer)(nil)

// NewReplayer answers from t. Two exchanges for the same question are an
// error: a transcript has one answer to each.
func NewReplayer(t *Transcript) (*Replayer, error) {
	p := &Replayer{t: t, byKey: map[string]Exchange{}, asked: map[string]bool{}}
	for i, x := range t.Exchanges {
		k := exchangeKey(x.Call, x.Args)
		if _, dup := p.byKey[k]; dup {
			return nil, fmt.Errorf("github[%d] answers %s again", i, describeCall(x.Call, x.Args))
		}
		p.byKey[k] = x
	}
	return p, nil
}

// Unanswered lists the questions the transcript held no answer to.
func (p *Replayer) Unanswered() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.unanswered...)
}

// Unasked lists the transcript's exchanges no question asked for.
func (p *Replayer) Unasked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, x := range p.t.Exchanges {
		if !p.asked[exchangeKey(x.Call, x.Args)] {
			out = append(out, describeCall(x.Call, x.Args))
		}
	}
	return out
}

func describeCall(call string, args []string) string {
	return call + "(" + strings.Join(args, ", ") + ")"
}

// ErrNotRecorded marks a question a replayed transcript holds no answer to.
var ErrNotRecorded = errors.New("the record holds no answer to it")

// answer decodes the recorded answer into v, or returns the recorded error.
func (p *Replayer) answer(call string, args []string, v any) error {
	k := exchangeKey(call, args)
	p.mu.Lock()
	x, ok := p.byKey[k]
	p.asked[k] = true
	if !ok {
		p.unanswered = append(p.unanswered, describeCall(call, args))
	}
	p.mu.Unlock()
	if !ok {
		return fmt.Errorf("asking GitHub %s: %w", describeCall(call, args), ErrNotRecorded)
	}
	if x.Error != nil {
		return x.Error.err()
	}
	if err := json.Unmarshal(x.Answer, v); err != nil {
		return fmt.Errorf("the recorded answer to %s cannot be read: %w", describeCall(call, args), err)
	}
	return nil
}

// replayedError is a recorded error: its message as the run saw it, and the
// client's error type, so errors.As classifies it as the run did.
type replayedError struct {
	msg string
	err error
}

func (e *replayedError) Error() string { return e.msg }
func (e *replayedError) Unwrap() error { return e.err }

func (x *ExchangeError) err() error {
	var inner error
	switch {
	case x.Unavailable != nil:
		u := x.Unavailable
		inner = &github.UnavailableError{Operation: u.Operation, Last: u.Last, Attempts: u.Attempts, Reason: u.Reason}
	case x.Permission != nil:
		inner = x.Permission
	case x.Status != nil:
		inner = x.Status
	}
	return &replayedError{msg: x.Message, err: inner}
}

func (p *Replayer) blob(sum string) ([]byte, error) {
	data, ok := p.t.Blobs[sum]
	if !ok {
		return nil, fmt.Errorf("the record holds no copy of the file with sha256 %s: %w", sum, ErrNotRecorded)
	}
	return data, nil
}

// Reviews implements API.
func (p *Replayer) Reviews(_ context.Context, owner, repo string, number int) (v []github.Review, err error) {
	return v, p.answer("reviews", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// Files implements API.
func (p *Replayer) Files(_ context.Context, owner, repo string, number int) (v []github.ChangedFile, err error) {
	return v, p.answer("files", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// Commits implements API.
func (p *Replayer) Commits(_ context.Context, owner, repo string, number int) (v []github.Commit, err error) {
	return v, p.answer("commits", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// Dismissals implements API.
func (p *Replayer) Dismissals(_ context.Context, owner, repo string, number int) (v []github.Dismissal, err error) {
	return v, p.answer("dismissals", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// FileAt implements API.
func (p *Replayer) FileAt(_ context.Context, owner, repo, ref, path string) ([]byte, bool, error) {
	var a fileAnswer
	if err := p.answer("file_at", []string{owner, repo, ref, path}, &a); err != nil || !a.Found {
		return nil, false, err
	}
	data, err := p.blob(a.SHA256)
	return data, err == nil, err
}

// DirAt implements API.
func (p *Replayer) DirAt(_ context.Context, owner, repo, ref, dir string) (map[string][]byte, error) {
	var a map[string]string
	if err := p.answer("dir_at", []string{owner, repo, ref, dir}, &a); err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(a))
	for name, sum := range a {
		data, err := p.blob(sum)
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// Tree implements API.
func (p *Replayer) Tree(_ context.Context, owner, repo, sha string) ([]github.TreeEntry, error) {
	var a treeAnswer
	if err := p.answer("tree", []string{owner, repo, sha}, &a); err != nil {
		return nil, err
	}
	data, err := p.blob(a.SHA256)
	if err != nil {
		return nil, err
	}
	var entries []github.TreeEntry
	if err := json.Unmarshal(data, &entries); err != nil || len(entries) != a.Entries {
		return nil, fmt.Errorf("the recorded file tree of %s cannot be read", sha)
	}
	return entries, nil
}

// Tags implements API.
func (p *Replayer) Tags(_ context.Context, owner, repo string) (v []github.Tag, err error) {
	return v, p.answer("tags", []string{owner, repo}, &v)
}

// Comparison implements API.
func (p *Replayer) Comparison(_ context.Context, owner, repo, base, head string) (v github.Comparison, err error) {
	return v, p.answer("comparison", []string{owner, repo, base, head}, &v)
}

// StatusState implements API.
func (p *Replayer) StatusState(_ context.Context, owner, repo, sha, statusContext string) (v string, err error) {
	return v, p.answer("status_state", []string{owner, repo, sha, statusContext}, &v)
}

// PullRequestsForCommit implements API.
func (p *Replayer) PullRequestsForCommit(_ context.Context, owner, repo, sha string) (v []github.PullRequest, err error) {
	return v, p.answer("pull_requests_for_commit", []string{owner, repo, sha}, &v)
}

// CommitFiles implements API.
func (p *Replayer) CommitFiles(_ context.Context, owner, repo, sha string) (v []github.ChangedFile, err error) {
	return v, p.answer("commit_files", []string{owner, repo, sha}, &v)
}

// FilesSince implements API.
func (p *Replayer) FilesSince(_ context.Context, owner, repo, base, head string) ([]github.ChangedFile, bool, error) {
	var v filesSince
	err := p.answer("files_since", []string{owner, repo, base, head}, &v)
	return v.Files, v.Complete, err
}

// PullRequest implements API.
func (p *Replayer) PullRequest(_ context.Context, owner, repo string, number int) (v github.PullRequest, err error) {
	return v, p.answer("pull_request", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// IssueComments implements API.
func (p *Replayer) IssueComments(_ context.Context, owner, repo string, number int) (v []github.IssueComment, err error) {
	return v, p.answer("issue_comments", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// IssuesWithLabel implements API.
func (p *Replayer) IssuesWithLabel(_ context.Context, owner, repo, label string) (v []github.Issue, err error) {
	return v, p.answer("issues_with_label", []string{owner, repo, label}, &v)
}

// issuesAnswer is the answer to HazardIssues: the listing is kept as a
// copy named by hash, as a file is, for it is the hazard log itself.
type issuesAnswer struct {
	SHA256 string `json:"sha256"`
}

// HazardIssues implements API; the answer names the listing by hash.
func (r *Recorder) HazardIssues(ctx context.Context, owner, repo, label string) ([]byte, error) {
	data, err := r.api.HazardIssues(ctx, owner, repo, label)
	var a issuesAnswer
	if err == nil {
		a.SHA256 = r.blob(data)
	}
	r.keep("hazard_issues", []string{owner, repo, label}, a, err)
	return data, err
}

// HazardIssues implements API.
func (p *Replayer) HazardIssues(_ context.Context, owner, repo, label string) ([]byte, error) {
	var a issuesAnswer
	if err := p.answer("hazard_issues", []string{owner, repo, label}, &a); err != nil {
		return nil, err
	}
	return p.blob(a.SHA256)
}

// LatestStatus implements API.
func (r *Recorder) LatestStatus(ctx context.Context, owner, repo, sha, statusContext string) (github.CommitStatus, error) {
	v, err := r.api.LatestStatus(ctx, owner, repo, sha, statusContext)
	r.keep("latest_status", []string{owner, repo, sha, statusContext}, v, err)
	return v, err
}

// LatestStatus implements API.
func (p *Replayer) LatestStatus(_ context.Context, owner, repo, sha, statusContext string) (v github.CommitStatus, err error) {
	return v, p.answer("latest_status", []string{owner, repo, sha, statusContext}, &v)
}

// IssueEvents implements API.
func (r *Recorder) IssueEvents(ctx context.Context, owner, repo string, number int) ([]github.IssueEvent, error) {
	v, err := r.api.IssueEvents(ctx, owner, repo, number)
	r.keep("issue_events", []string{owner, repo, strconv.Itoa(number)}, v, err)
	return v, err
}

// IssueEvents implements API.
func (p *Replayer) IssueEvents(_ context.Context, owner, repo string, number int) (v []github.IssueEvent, err error) {
	return v, p.answer("issue_events", []string{owner, repo, strconv.Itoa(number)}, &v)
}

// IssuesUpdatedSince implements API; the answer names the listing by hash.
func (r *Recorder) IssuesUpdatedSince(ctx context.Context, owner, repo string, since time.Time) ([]byte, error) {
	data, err := r.api.IssuesUpdatedSince(ctx, owner, repo, since)
	var a issuesAnswer
	if err == nil {
		a.SHA256 = r.blob(data)
	}
	r.keep("issues_updated_since", []string{owner, repo, since.UTC().Format(time.RFC3339)}, a, err)
	return data, err
}

// IssuesUpdatedSince implements API.
func (p *Replayer) IssuesUpdatedSince(_ context.Context, owner, repo string, since time.Time) ([]byte, error) {
	var a issuesAnswer
	if err := p.answer("issues_updated_since", []string{owner, repo, since.UTC().Format(time.RFC3339)}, &a); err != nil {
		return nil, err
	}
	return p.blob(a.SHA256)
}

// CommitStatuses implements API.
func (p *Replayer) CommitStatuses(_ context.Context, owner, repo, sha string) (v []github.CommitStatus, err error) {
	return v, p.answer("commit_statuses", []string{owner, repo, sha}, &v)
}
