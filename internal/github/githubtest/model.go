package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pull is a pull request in the model. Zero fields take defaults: Title
// "Pull request N", Author "developer", HeadRef "feature-N", BaseRef "main",
// HeadSHA SHA("head-N"), BaseSHA SHA("base-N"), IDs from UserID.
type Pull struct {
	Number   int
	Title    string
	Author   string
	AuthorID int64
	HeadSHA  string
	HeadRef  string
	BaseSHA  string
	BaseRef  string
	Draft    bool
	// HeadRepo is the full name (owner/name) of the fork the head branch
	// lives in; "" for a branch of the repository itself.
	HeadRepo       string
	State          string // "open" (default) or "closed"; a merged pull request is closed
	Merged         bool
	MergeCommitSHA string
	// RebasedSHAs are the commits a rebase merge made of the pull request's
	// on the base branch (the last is MergeCommitSHA); GitHub lists the pull
	// request for each (commits/{sha}/pulls).
	RebasedSHAs []string
	MergedAt    time.Time
	// RequestedReviewers are users asked to review and not yet reviewing.
	RequestedReviewers []string
}

// Review is a pull-request review. State is GitHub's upper-case REST state
// (APPROVED, CHANGES_REQUESTED, COMMENTED, PENDING, DISMISSED); lower case is
// accepted and served upper-cased, as the REST API does.
type Review struct {
	ID          int64 // zero: assigned
	Login       string
	UserID      int64 // zero: UserID(Login)
	State       string
	CommitID    string // the commit reviewed; zero: the pull request's head
	SubmittedAt time.Time
	Body        string
}

// File is a file a pull request or commit changes.
type File struct {
	Path         string
	PreviousPath string // for renames
	Status       string // added, removed, modified (default), renamed, copied, changed, unchanged
	// Content names the file's content after the change: files of one path
	// and one Content have one blob (BlobSHA). "" is the path's usual content.
	Content string
}

// BlobSHA is the blob GitHub lists for the file ("sha"): one per path and
// Content, so a merge that gives a file other content than the pull
// request's head has another blob.
func BlobSHA(f File) string {
	if f.Content == "" {
		return SHA("blob:" + f.Path)
	}
	return SHA("blob:" + f.Path + "\x00" + f.Content)
}

// Commit is a commit. AuthorLogin and CommitterLogin are the GitHub accounts
// GitHub matched to the emails (empty: none, served as null).
type Commit struct {
	SHA            string
	Message        string
	AuthorLogin    string
	AuthorID       int64
	AuthorName     string
	AuthorEmail    string
	CommitterLogin string
	CommitterID    int64
	CommitterName  string
	CommitterEmail string
	Date           time.Time
	Parents        []string // parent SHAs, for compare
	Files          []File   // what the commit changes, for GET /commits/{sha}
}

// Dismissal dismisses a review, as a repository maintainer does.
type Dismissal struct {
	ReviewID int64
	By       string
	ByID     int64 // zero: UserID(By)
	Message  string
	At       time.Time
	// OriginalState is what the dismissed_review event reports the review
	// had said; zero: the review's state before dismissal, lower-cased.
	OriginalState string
}

// Event is an issue event other than a dismissal (e.g. "labeled"), to give
// the events listing realistic noise.
type Event struct {
	ID        int64
	Event     string
	Actor     string
	ActorID   int64
	CreatedAt time.Time
	// Label is the label a labeled or unlabeled event names; RenameFrom
	// and RenameTo a renamed event's titles.
	Label                string
	RenameFrom, RenameTo string
}

// Comment is an issue comment on a pull request.
type Comment struct {
	ID        int64
	Body      string
	Login     string
	UserID    int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Status is a commit status posted to the server.
type Status struct {
	ID          int64
	SHA         string
	State       string
	Context     string
	Description string
	TargetURL   string
	Creator     string
	CreatedAt   time.Time
}

// Tag is a git tag.
type Tag struct {
	Name string
	SHA  string
}

// ActionsBot is the user the workflow token acts as: API writes are
// attributed to it.
const (
	ActionsBot   = "github-actions[bot]"
	ActionsBotID = 41898282
)

// SHA returns a 40-hex-digit commit SHA made from s, for readable tests:
// SHA("head-7") is always the same SHA.
func SHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// UserID is the user id the server gives login when a test gives none: stable
// for a login, so a register's github_id can be written down.
func UserID(login string) int64 {
	if login == ActionsBot {
		return ActionsBotID
	}
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(login)))
	return 1_000_000 + int64(h.Sum32()%9_000_000)
}

// pull is a pull request with everything attached to it.
type pull struct {
	Pull
	reviews  []Review
	files    []File
	commits  []string // SHAs, in order
	events   []event
	comments []Comment
	// moveTo is the head the pull request moves to after its next read
	// (MoveHeadAfterRead), "" for none.
	moveTo string
}

type event struct {
	Event
	dismissed *dismissedReview
}

type dismissedReview struct {
	state, message, commitID string
	reviewID                 int64
}

// epoch is where the server's clock starts, for times tests leave zero.
var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// AddPull adds a pull request to the model.
func (s *Server) AddPull(p Pull) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Number <= 0 {
		s.t.Fatalf("githubtest: AddPull: pull request number %d must be positive", p.Number)
	}
	if _, ok := s.pulls[p.Number]; ok {
		s.t.Fatalf("githubtest: AddPull: pull request #%d added twice", p.Number)
	}
	n := itoa(p.Number)
	def(&p.Title, "Pull request "+n)
	def(&p.Author, "developer")
	def(&p.HeadRef, "feature-"+n)
	def(&p.BaseRef, "main")
	def(&p.HeadSHA, SHA("head-"+n))
	def(&p.BaseSHA, SHA("base-"+n))
	if p.AuthorID == 0 {
		p.AuthorID = UserID(p.Author)
	}
	if p.Merged && p.MergedAt.IsZero() {
		p.MergedAt = s.tick()
	}
	if p.Merged {
		p.State = "closed"
	}
	def(&p.State, "open")
	p.RequestedReviewers = slices.Clone(p.RequestedReviewers)
	s.pulls[p.Number] = &pull{Pull: p}
}

// AddReview adds a submitted (or pending) review and returns its id. Like
// GitHub, a submitted review takes its author off the requested reviewers.
func (s *Server) AddReview(number int, r Review) int64 {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("AddReview", number)
	if r.ID == 0 {
		r.ID = s.newID()
	}
	if r.UserID == 0 {
		r.UserID = UserID(r.Login)
	}
	r.State = strings.ToUpper(r.State)
	def(&r.CommitID, p.HeadSHA)
	if r.SubmittedAt.IsZero() && r.State != "PENDING" {
		r.SubmittedAt = s.tick()
	}
	p.reviews = append(p.reviews, r)
	if r.State != "PENDING" {
		p.RequestedReviewers = slices.DeleteFunc(p.RequestedReviewers, func(l string) bool { return strings.EqualFold(l, r.Login) })
	}
	return r.ID
}

// DismissReview dismisses a review: its state becomes DISMISSED in the
// reviews listing and a review_dismissed issue event records who dismissed it
// and what it had said, as on GitHub.
func (s *Server) DismissReview(number int, d Dismissal) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("DismissReview", number)
	i := slices.IndexFunc(p.reviews, func(r Review) bool { return r.ID == d.ReviewID })
	if i < 0 {
		s.t.Fatalf("githubtest: DismissReview: pull request #%d has no review %d", number, d.ReviewID)
	}
	def(&d.OriginalState, strings.ToLower(p.reviews[i].State))
	p.reviews[i].State = "DISMISSED"
	if d.ByID == 0 {
		d.ByID = UserID(d.By)
	}
	if d.At.IsZero() {
		d.At = s.tick()
	}
	p.events = append(p.events, event{
		Event:     Event{ID: s.newID(), Event: "review_dismissed", Actor: d.By, ActorID: d.ByID, CreatedAt: d.At},
		dismissed: &dismissedReview{state: d.OriginalState, message: d.Message, reviewID: d.ReviewID, commitID: p.HeadSHA},
	})
}

// AddEvent adds an issue event to a pull request's timeline.
func (s *Server) AddEvent(number int, e Event) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("AddEvent", number)
	if e.ID == 0 {
		e.ID = s.newID()
	}
	if e.ActorID == 0 {
		e.ActorID = UserID(e.Actor)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.tick()
	}
	p.events = append(p.events, event{Event: e})
}

// AddFiles adds changed files to a pull request. GitHub lists at most 3,000
// of them; the server does the same while counting all in changed_files.
func (s *Server) AddFiles(number int, files ...File) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("AddFiles", number)
	for _, f := range files {
		def(&f.Status, "modified")
		p.files = append(p.files, f)
	}
}

// AddCommits adds commits to a pull request, oldest first, and to the
// repository. A commit without parents gets the previous one (or the base)
// as its parent; a head SHA that is not one of the commits is taken to sit on
// the last one. So compare from base to head lists the pull request's commits
// without more setup.
func (s *Server) AddCommits(number int, commits ...Commit) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("AddCommits", number)
	for _, c := range commits {
		if len(c.Parents) == 0 {
			parent := p.BaseSHA
			if len(p.commits) > 0 {
				parent = p.commits[len(p.commits)-1]
			}
			c.Parents = []string{parent}
		}
		c = s.addCommit(c)
		p.commits = append(p.commits, c.SHA)
	}
}

// AddCommit adds a commit to the repository (not to any pull request).
func (s *Server) AddCommit(c Commit) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addCommit(c)
}

func (s *Server) addCommit(c Commit) Commit {
	if c.SHA == "" {
		s.t.Fatalf("githubtest: a commit needs a SHA (githubtest.SHA makes one)")
	}
	def(&c.Message, "Change "+c.SHA[:7])
	def(&c.AuthorName, c.AuthorLogin)
	def(&c.AuthorName, "A Developer")
	def(&c.AuthorEmail, noreply(c.AuthorLogin, c.AuthorID))
	def(&c.CommitterLogin, c.AuthorLogin)
	def(&c.CommitterName, c.AuthorName)
	def(&c.CommitterEmail, c.AuthorEmail)
	if c.AuthorLogin != "" && c.AuthorID == 0 {
		c.AuthorID = UserID(c.AuthorLogin)
	}
	if c.CommitterLogin != "" && c.CommitterID == 0 {
		c.CommitterID = UserID(c.CommitterLogin)
	}
	if c.Date.IsZero() {
		c.Date = s.tick()
	}
	c.Parents = slices.Clone(c.Parents)
	c.Files = slices.Clone(c.Files)
	if _, ok := s.commits[c.SHA]; !ok {
		s.commitOrder = append(s.commitOrder, c.SHA)
	}
	s.commits[c.SHA] = &c
	return c
}

// noreply is GitHub's private commit email for a user.
func noreply(login string, id int64) string {
	if login == "" {
		return "developer@example.com"
	}
	if id == 0 {
		id = UserID(login)
	}
	return itoa64(id) + "+" + login + "@users.noreply.github.com"
}

// AddComment adds an existing issue comment (say, from a person) and returns
// its id.
func (s *Server) AddComment(number int, c Comment) int64 {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("AddComment", number)
	if c.ID == 0 {
		c.ID = s.newID()
	}
	def(&c.Login, "developer")
	if c.UserID == 0 {
		c.UserID = UserID(c.Login)
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.tick()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	p.comments = append(p.comments, c)
	return c.ID
}

// SetContent puts a file at path in the tree of ref (a SHA, branch or tag
// name: the contents API is asked with the same ref, or one that resolves to
// it). Directories exist by having files under them.
func (s *Server) SetContent(ref, path string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tree := s.contents[ref]
	if tree == nil {
		tree = map[string][]byte{}
		s.contents[ref] = tree
	}
	tree[strings.Trim(path, "/")] = slices.Clone(data)
}

// AddTag adds a tag pointing at sha.
func (s *Server) AddTag(name, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tags = append(s.tags, Tag{Name: name, SHA: sha})
}

// SetBranch points a branch at sha (for compare and contents by branch name).
func (s *Server) SetBranch(name, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.branches[name] = sha
}

// Statuses returns every commit status posted, in order.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.statuses)
}

// LatestStatus returns the last status posted on sha with context (compared
// case-insensitively, as GitHub does).
func (s *Server) LatestStatus(sha, context string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.statuses) - 1; i >= 0; i-- {
		if st := s.statuses[i]; st.SHA == sha && strings.EqualFold(st.Context, context) {
			return st, true
		}
	}
	return Status{}, false
}

// EditComment edits an issue comment of a pull request as its author (or a
// maintainer) would on GitHub: a new body, updated_at moves on. An empty
// body deletes the comment.
func (s *Server) EditComment(number int, id int64, body string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("EditComment", number)
	for i := range p.comments {
		if p.comments[i].ID != id {
			continue
		}
		if body == "" {
			p.comments = slices.Delete(p.comments, i, i+1)
			return
		}
		p.comments[i].Body, p.comments[i].UpdatedAt = body, s.tick()
		return
	}
	s.t.Fatalf("githubtest: EditComment: #%d has no comment %d", number, id)
}

// Comments returns the issue comments of a pull request as they now stand.
func (s *Server) Comments(number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.pulls[number]; p != nil {
		return slices.Clone(p.comments)
	}
	return nil
}

// Reviews returns the reviews of a pull request as they now stand.
func (s *Server) Reviews(number int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.pulls[number]; p != nil {
		return slices.Clone(p.reviews)
	}
	return nil
}

// RequestedReviewers returns the users whose review is requested on a pull
// request.
func (s *Server) RequestedReviewers(number int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.pulls[number]; p != nil {
		return slices.Clone(p.RequestedReviewers)
	}
	return nil
}

func (s *Server) mustPull(fn string, number int) *pull {
	s.t.Helper()
	p := s.pulls[number]
	if p == nil {
		s.t.Fatalf("githubtest: %s: no pull request #%d (AddPull first)", fn, number)
	}
	return p
}

// tick returns the server clock's next minute: times tests leave zero come
// out in the order things were added.
func (s *Server) tick() time.Time {
	s.clock = s.clock.Add(time.Minute)
	return s.clock
}

func (s *Server) newID() int64 {
	s.lastID++
	return s.lastID
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func def(v *string, d string) {
	if *v == "" {
		*v = d
	}
}

// SetDefaultBranch names the repository's default branch (base.repo's
// default_branch in pull requests); "main" unless set.
func (s *Server) SetDefaultBranch(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.defaultBranch = name
}

// EditPull changes a pull request as GitHub would after a push (HeadSHA), a
// change of base (BaseRef, BaseSHA), an author's edit (Draft) and so on.
func (s *Server) EditPull(number int, edit func(p *Pull)) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.mustPull("EditPull", number)
	edit(&p.Pull)
	if p.AuthorID == 0 {
		p.AuthorID = UserID(p.Author)
	}
}

// MoveHeadAfterRead points a pull request's head at sha right after the next
// read of the pull request has been answered: a force push racing a run.
func (s *Server) MoveHeadAfterRead(number int, sha string) {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustPull("MoveHeadAfterRead", number).moveTo = sha
}
