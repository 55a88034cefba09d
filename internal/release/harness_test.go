package release

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/github/githubtest"
	"github.com/csogate/csogate/internal/safetyfile"
)

// today is the day the tests run the gate: the test product's hazard log
// (reviewed 2026-10-01) is current, alice-gp's registration (to 2027-06-30)
// too, and pharm-priya's lapsed.
var today = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// releaseContext is the status context of the gate's release runs in these
// tests, as the action names it.
const releaseContext = "clinical-safety/cso-approval/release"

// catalog holds the manifest entries the test pull requests add.
var catalog = map[string]string{
	"CHG-101": `  - id: CHG-101
    summary: Allergy banner colour and wording
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/**"]
    assessment: Banner stays non-collapsible (CTL-020); no change to HAZ-003's residual risk.
`,
	"CHG-102": `  - id: CHG-102
    summary: Faster patient search index
    clinical: unsure
    hazards: [HAZ-001]
    paths: ["src/search/**"]
    assessment: Ranking unchanged; CTL-002's ranking tests pass on the new index.
`,
	"CHG-103": `  - id: CHG-103
    summary: Update the developer documentation
    clinical: false
    paths: ["docs/**"]
`,
	"CHG-105": `  - id: CHG-105
    summary: Results inbox groups results by team
    clinical: true
    hazards: [HAZ-004]
    paths: ["src/results/**"]
    assessment: Grouping does not change routing; CTL-030's escalation still applies.
`,
	"CHG-106": `  - id: CHG-106
    summary: Allergy icon in the patient banner
    clinical: true
    hazards: [HAZ-003]
    paths: ["src/ui/allergy/icon/**"]
    assessment: The icon adds to the banner; it hides nothing.
`,
	"CHG-201": `  - id: CHG-201
    summary: Allergy banner on small screens
    clinical: true
    hazards: [HAZ-1]
    paths: ["src/ui/allergy/**"]
    assessment: The banner no longer collapses on small screens.
`,
}

// manifest writes a change manifest of release with the catalog's entries.
func manifest(release string, ids []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "release: %s\nchanges:", release)
	if len(ids) == 0 {
		b.WriteString(" []\n")
		return []byte(b.String())
	}
	b.WriteString("\n")
	for _, id := range ids {
		b.WriteString(catalog[id])
	}
	return []byte(b.String())
}

// userIDs are the GitHub user ids of the register's officers with a github_id.
var userIDs = map[string]int64{"alice-gp": 583231, "nurse-niamh": 1021937}

func userID(login string) int64 {
	if id, ok := userIDs[login]; ok {
		return id
	}
	return githubtest.UserID(login)
}

// pull is a pull request the test merges into the fake repository.
type pull struct {
	number int
	title  string
	author string
	files  []githubtest.File
	// adds are catalog changes the pull request adds to the manifest, drops
	// those it takes out; prepares sets release: to a version.
	adds, drops []string
	prepares    string
	// edit holds other files the head changes (e.g. the register).
	edit map[string][]byte
	// commits on the branch (default 1); mergeCommit merges with a merge
	// commit instead of squashing.
	commits     int
	mergeCommit bool
	// rebase merges by rebasing: one commit on the main branch per branch
	// commit, each changing all of files, the earlier ones to interim
	// content ("part i"); mergeAlters and mergeDrops apply to the last, the
	// merge commit. unassociated names a rebased commit (1-based) GitHub
	// does not list the pull request for.
	rebase       bool
	unassociated int
	// mergeExtra are files the merge (or squash) commit changes beyond the
	// pull request's own: an edit made while merging.
	mergeExtra []githubtest.File
	// mergeAlters names files of the pull request's own that the merge (or
	// squash) commit leaves with other content than its head: an edit
	// made while merging, or a merge of what the base changed meanwhile.
	mergeAlters []string
	// mergeDrops names files of the pull request's own that the merge (or
	// squash) commit does not change: it leaves them as the base branch had
	// them, without the pull request's change.
	mergeDrops []string
	// branchedBefore is how many merges before this one the pull request
	// branched from (0: the main branch's tip when it merges).
	branchedBefore int
	// mergesMainIn makes the head commit a merge of the main branch's tip
	// into the branch: a long-lived branch brought up to date.
	mergesMainIn bool
	reviews      []review
	// pushAfter are direct pushes to the main branch after the merge.
	pushAfter []push
}

type review struct {
	login string
	state string // default APPROVED
	// onCommit is the branch commit (1-based) reviewed; 0 is the final head.
	onCommit int
}

type push struct {
	author string
	files  []githubtest.File
	edit   map[string][]byte
}

func files(paths ...string) []githubtest.File {
	out := make([]githubtest.File, len(paths))
	for i, p := range paths {
		out[i] = githubtest.File{Path: p}
	}
	return out
}

// repo builds a repository's history in a fake GitHub: commits, merged pull
// requests, the safety files at every commit that is read, and tags.
type repo struct {
	t       testing.TB
	srv     *githubtest.Server
	trees   map[string]map[string][]byte
	tip     string
	version string
	changes []string
	tags    map[string]string
	pushes  int
	// bases are the main branch's tips each merge was made on, in order.
	bases []string
}

// newRepo starts a repository whose first commit holds the test product with
// a manifest of version; tag (if any) is put on it.
func newRepo(t testing.TB, product, version, tag string, opts ...githubtest.Option) *repo {
	t.Helper()
	r := &repo{t: t, srv: githubtest.New(t, opts...), trees: map[string]map[string][]byte{}, version: version, tags: map[string]string{}}
	tree := map[string][]byte{}
	root := filepath.Join("testdata", product)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		tree[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tree[safetyfile.ManifestPath] = manifest(version, nil)
	// The code the hazard logs' components name, and the files their
	// controls give as evidence, are in the repository as in a real one.
	for _, p := range productCode {
		tree[p] = []byte("package x\n")
	}
	sha := githubtest.SHA("initial " + product + " " + version)
	r.srv.AddCommit(githubtest.Commit{SHA: sha, AuthorLogin: "dev-dana", Message: "Initial commit"})
	r.setTree(sha, tree)
	r.tip = sha
	if tag != "" {
		r.tag(tag)
		r.passed(tag)
	}
	return r
}

// productCode is the code and evidence the test products' hazard logs name.
var productCode = []string{
	"src/search/index.go", "src/prescribing/dose/calc.go", "src/api/weights.go", "src/ui/allergy/banner.go",
	"src/api/allergies.go", "src/results/inbox.go", "tests/search/banner_test.go", "tests/search/ranking_test.go",
	"tests/prescribing/weight_age_test.go", "tests/ui/allergy_banner_test.go", "tests/prescribing/allergy_stop_test.go",
}

func (r *repo) setTree(sha string, tree map[string][]byte) {
	r.trees[sha] = tree
	for p, data := range tree {
		r.srv.SetContent(sha, p, data)
	}
}

func (r *repo) tag(name string) {
	r.srv.AddTag(name, r.tip)
	r.tags[name] = r.tip
}

// passed records that the release of tag passed the gate: its release run
// posted success on the tagged commit.
func (r *repo) passed(tag string) {
	r.status(tag, "success")
}

// status records the gate's release status on a tag's commit.
func (r *repo) status(tag, state string) {
	r.srv.AddStatus(githubtest.Status{SHA: r.tags[tag], Context: releaseContext, State: state, Description: "release " + tag})
}

// merge adds p as a pull request based on the main branch's tip and merged
// into it, then its direct pushes.
func (r *repo) merge(p pull) {
	base := r.tip
	r.bases = append(r.bases, base)
	branchPoint := r.bases[len(r.bases)-1-p.branchedBefore]
	tree := maps.Clone(r.trees[base])
	if len(p.adds) > 0 || len(p.drops) > 0 || p.prepares != "" {
		r.changes = append(slices.DeleteFunc(slices.Clone(r.changes), func(id string) bool { return slices.Contains(p.drops, id) }), p.adds...)
		if p.prepares != "" {
			r.version = p.prepares
		}
		tree[safetyfile.ManifestPath] = manifest(r.version, r.changes)
	}
	maps.Copy(tree, p.edit)
	if p.author == "" {
		p.author = "dev-dana"
	}
	shas := make([]string, max(1, p.commits))
	for i := range shas {
		shas[i] = githubtest.SHA(fmt.Sprintf("pr-%d-commit-%d", p.number, i+1))
	}
	head := shas[len(shas)-1]
	mergeSHA := githubtest.SHA(fmt.Sprintf("pr-%d-merge", p.number))
	var rebased []string
	if p.rebase {
		for i := range len(shas) - 1 {
			rebased = append(rebased, githubtest.SHA(fmt.Sprintf("pr-%d-rebased-%d", p.number, i+1)))
		}
		for i, sha := range rebased {
			interim := slices.Clone(p.files)
			for k := range interim {
				interim[k].Content = fmt.Sprintf("part %d", i+1)
			}
			r.srv.AddCommit(githubtest.Commit{SHA: sha, AuthorLogin: p.author, CommitterLogin: "web-flow", Parents: []string{base},
				Files: interim, Message: fmt.Sprintf("%s, part %d", p.title, i+1)})
			r.setTree(sha, maps.Clone(r.trees[base]))
			base = sha
		}
		rebased = append(rebased, mergeSHA)
	}
	associated := slices.Clone(rebased)
	if p.unassociated > 0 {
		associated = slices.Delete(associated, p.unassociated-1, p.unassociated)
	}
	r.srv.AddPull(githubtest.Pull{Number: p.number, Title: p.title, Author: p.author, HeadSHA: head, BaseSHA: r.tip, Merged: true, MergeCommitSHA: mergeSHA, RebasedSHAs: associated})
	var commits []githubtest.Commit
	for i, sha := range shas {
		parent := branchPoint
		if i > 0 {
			parent = shas[i-1]
		}
		parents := []string{parent}
		if p.mergesMainIn && i == len(shas)-1 {
			parents = append(parents, r.tip)
		}
		commits = append(commits, githubtest.Commit{SHA: sha, AuthorLogin: p.author, Parents: parents, Message: fmt.Sprintf("%s, part %d", p.title, i+1)})
	}
	r.srv.AddCommits(p.number, commits...)
	r.srv.AddFiles(p.number, p.files...)
	parents := []string{base}
	if p.mergeCommit {
		parents = append(parents, head)
	}
	merged := slices.DeleteFunc(slices.Clone(p.files), func(f githubtest.File) bool { return slices.Contains(p.mergeDrops, f.Path) })
	for i := range merged {
		if slices.Contains(p.mergeAlters, merged[i].Path) {
			merged[i].Content = "as merged"
		}
	}
	r.srv.AddCommit(githubtest.Commit{SHA: mergeSHA, AuthorLogin: p.author, CommitterLogin: "web-flow", Parents: parents,
		Files: append(merged, p.mergeExtra...), Message: fmt.Sprintf("%s (#%d)", p.title, p.number)})
	for _, rv := range p.reviews {
		commit := head
		if rv.onCommit > 0 {
			commit = shas[rv.onCommit-1]
		}
		state := rv.state
		if state == "" {
			state = "APPROVED"
		}
		r.srv.AddReview(p.number, githubtest.Review{Login: rv.login, UserID: userID(rv.login), State: state, CommitID: commit})
	}
	r.setTree(head, tree)
	r.setTree(mergeSHA, tree)
	r.tip = mergeSHA
	for _, ps := range p.pushAfter {
		r.push(ps)
	}
}

// push adds a commit to the main branch without a pull request.
func (r *repo) push(ps push) string {
	r.pushes++
	sha := githubtest.SHA(fmt.Sprintf("direct-push-%d", r.pushes))
	r.srv.AddCommit(githubtest.Commit{SHA: sha, AuthorLogin: ps.author, Parents: []string{r.tip}, Files: ps.files,
		Message: fmt.Sprintf("Direct push %d", r.pushes)})
	tree := maps.Clone(r.trees[r.tip])
	maps.Copy(tree, ps.edit)
	r.setTree(sha, tree)
	r.tip = sha
	return sha
}

// checkout writes the tree of a commit into a directory, as actions/checkout
// would.
func (r *repo) checkout(t testing.TB, sha string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range r.trees[sha] {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// client is the real GitHub client of the fake.
func (r *repo) client(t testing.TB) (*github.Client, *githubtest.Sleeps) {
	t.Helper()
	s := &githubtest.Sleeps{}
	c, err := github.New(github.Options{BaseURL: r.srv.URL(), Token: "ghs_test", Timeout: 5 * time.Second, Sleep: s.Sleep})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// request is a release request for tag, with a checkout of the tagged commit.
func (r *repo) request(t testing.TB, tag, since string) Request {
	t.Helper()
	return Request{Owner: r.srv.Owner(), Repo: r.srv.Repo(), Tag: tag, Since: since, Paths: gate.DefaultPaths(),
		WorkspaceRoot: r.checkout(t, r.tags[tag]), StatusContext: releaseContext, Today: today}
}

// gate evaluates the release of tag.
func (r *repo) gate(t *testing.T, tag, since string) *Result {
	t.Helper()
	c, _ := r.client(t)
	return Evaluate(context.Background(), c, r.request(t, tag, since))
}

// build makes the standard history: v2.3.0, the given pull requests merged
// in order, and v2.4.0 on the last commit.
func build(t *testing.T, pulls []pull) *repo {
	t.Helper()
	r := newRepo(t, "product", "2.3.0", "v2.3.0")
	for _, p := range pulls {
		r.merge(p)
	}
	r.tag("v2.4.0")
	return r
}

// standardPulls is a clean release 2.4.0 of five pull requests: two
// clinically relevant ones approved by CSOs on their final heads, a
// documentation change, a build change, and the pull request that prepares
// the release, signed off by a CSO.
func standardPulls() []pull {
	return []pull{
		{number: 11, title: "Allergy banner colour and wording", author: "dev-dana",
			files: files("src/ui/allergy/banner.go", "src/ui/allergy/banner_test.go"), adds: []string{"CHG-101"},
			reviews: []review{{login: "alice-gp"}}},
		{number: 12, title: "Faster patient search index", author: "dev-eve", commits: 2, mergeCommit: true,
			files: files("src/search/index.go"), adds: []string{"CHG-102"},
			reviews: []review{{login: "bob-dev", state: "COMMENTED"}, {login: "nurse-niamh"}}},
		{number: 13, title: "Developer documentation for search", author: "dev-eve",
			files: files("docs/search.md"), adds: []string{"CHG-103"}, reviews: []review{{login: "bob-dev"}}},
		{number: 14, title: "Faster CI build", author: "dev-dana", files: files("Makefile")},
		{number: 15, title: "Release 2.4.0", author: "dev-dana", files: files(safetyfile.ManifestPath), prepares: "2.4.0",
			reviews: []review{{login: "alice-gp"}}},
	}
}

// pullNumber finds a pull request of the standard set.
func pullNumber(ps []pull, n int) *pull {
	for i := range ps {
		if ps[i].number == n {
			return &ps[i]
		}
	}
	panic(fmt.Sprintf("no pull request #%d", n))
}

// insertBefore puts p before pull request n.
func insertBefore(ps []pull, n int, p pull) []pull {
	i := slices.IndexFunc(ps, func(x pull) bool { return x.number == n })
	return slices.Insert(ps, i, p)
}
