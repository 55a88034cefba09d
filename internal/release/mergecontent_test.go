package release

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// searchBefore12 is a reviewed pull request, merged before #12 branched from
// the main branch's tip, that changes #12's file too: content names what it
// leaves the file with ("" is #12's own content, so the same blob).
func searchBefore12(content string, paths ...string) pull {
	fs := make([]githubtest.File, len(paths))
	for i, p := range paths {
		fs[i] = githubtest.File{Path: p, Content: content}
	}
	return pull{number: 16, title: "Search ranking by NHS number", author: "dev-dana",
		files: fs, reviews: []review{{login: "alice-gp"}}}
}

// Attacker scenario 7c: the merge drops part of a reviewed change. Someone
// who may push to the main branch merges a CSO-approved pull request by
// hand and leaves one of its files as it was, say the code of a control
// the hazard log now claims: the merge's file list is a subset of the pull
// request's (no name beyond its own), and there is no blob to compare, so
// the check compared nothing. A file of the pull request's own the merge
// did not change is as the base branch had it: unless the base had it as
// the reviewed head does, the merge altered it.
func TestMergeDropsPartOfItsPullRequest(t *testing.T) {
	t.Parallel()
	for _, tt := range mergeKinds {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			pullNumber(ps, tt.number).mergeDrops = []string{tt.file}
			expectAlteredMerge(t, build(t, ps).gate(t, "v2.4.0", ""), tt.number, tt.file)
		})
	}

	// A pull request stacked on another: the base branch already has its
	// change (the same blob), so the merge need not change the file.
	t.Run("the base branch has the reviewed content already", func(t *testing.T) {
		t.Parallel()
		ps := insertBefore(standardPulls(), 12, searchBefore12("", "src/search/index.go"))
		p := pullNumber(ps, 12)
		p.branchedBefore, p.mergeDrops = 1, []string{"src/search/index.go"}
		res := build(t, ps).gate(t, "v2.4.0", "")
		if len(res.DirectPushes) != 0 || len(res.MergesUnchecked) != 0 {
			t.Fatalf("direct pushes %+v, unchecked %+v; the base branch had the reviewed content", res.DirectPushes, res.MergesUnchecked)
		}
	})

	// The base branch changed the file otherwise, and the merge kept the
	// base's version: a merge of both sides that dropped this side.
	t.Run("the base branch changed the file otherwise", func(t *testing.T) {
		t.Parallel()
		ps := insertBefore(standardPulls(), 12, searchBefore12("the base's", "src/search/index.go"))
		p := pullNumber(ps, 12)
		p.branchedBefore, p.mergeDrops = 1, []string{"src/search/index.go"}
		res := build(t, ps).gate(t, "v2.4.0", "")
		if len(res.DirectPushes) != 0 {
			t.Fatalf("direct pushes %+v; a merge of both sides is no direct push", res.DirectPushes)
		}
		w := findings(res.Release.Decision.Warnings, CodeMergeUnchecked)
		if len(w) != 1 || w[0].File != "src/search/index.go" || !strings.Contains(w[0].Message, "the merge of #12") {
			t.Fatalf("warnings = %+v, want one MERGE_RESULT_UNCHECKED on src/search/index.go", res.Release.Decision.Warnings)
		}
		if !strings.Contains(w[0].Message, "as the base branch had it, without #12's reviewed change") {
			t.Errorf("message = %q, want it to say the merge kept the base's version without #12's change", w[0].Message)
		}
	})
}

// A pull request renames a file; its merge adds the new name but keeps the
// old one, which the review saw removed.
func TestMergeKeepsARenamedFile(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	p := pullNumber(ps, 11)
	p.files = []githubtest.File{{Path: "src/ui/allergy/banner_v2.go", PreviousPath: "src/ui/allergy/banner.go", Status: "renamed"}, {Path: "src/ui/allergy/banner_test.go"}}
	p.mergeDrops = []string{"src/ui/allergy/banner_v2.go"}
	p.mergeExtra = []githubtest.File{{Path: "src/ui/allergy/banner_v2.go", Status: "added"}}
	res := build(t, ps).gate(t, "v2.4.0", "")
	if len(res.DirectPushes) != 1 || !slices.Equal(res.DirectPushes[0].Altered, []string{"src/ui/allergy/banner.go"}) {
		t.Fatalf("direct pushes = %+v, want #11's merge keeping src/ui/allergy/banner.go", res.DirectPushes)
	}
}

// The base branch changed 300 files or more since the pull request
// branched: GitHub lists 300. The release's own first-parent line tells
// every file the base touched since, when the pull request branched within
// the range: an edit the base never touched is a direct push, and the cut
// list does not downgrade it. A pull request that branched before the range
// cannot be told so: a warning that says GitHub's list is cut, not that the
// base changed the file.
func TestMergeCheckBaseChangesCut(t *testing.T) {
	t.Parallel()
	many := make([]string, 300)
	for i := range many {
		many[i] = fmt.Sprintf("docs/generated/page-%03d.md", i)
	}
	t.Run("the range's line tells", func(t *testing.T) {
		t.Parallel()
		ps := insertBefore(standardPulls(), 12, searchBefore12("", many...))
		p := pullNumber(ps, 12)
		p.branchedBefore, p.mergeAlters = 1, []string{"src/search/index.go"}
		res := build(t, ps).gate(t, "v2.4.0", "")
		if len(res.DirectPushes) != 1 || !slices.Equal(res.DirectPushes[0].Altered, []string{"src/search/index.go"}) || len(res.MergesUnchecked) != 0 {
			t.Fatalf("direct pushes %+v, unchecked %+v; want #12's merge altering src/search/index.go", res.DirectPushes, res.MergesUnchecked)
		}
	})
	t.Run("the range's line tells the base touched it", func(t *testing.T) {
		t.Parallel()
		ps := insertBefore(standardPulls(), 12, searchBefore12("the base's", append(slices.Clone(many), "src/search/index.go")...))
		p := pullNumber(ps, 12)
		p.branchedBefore, p.mergeAlters = 1, []string{"src/search/index.go"}
		res := build(t, ps).gate(t, "v2.4.0", "")
		w := findings(res.Release.Decision.Warnings, CodeMergeUnchecked)
		if len(res.DirectPushes) != 0 || len(w) != 1 || !strings.Contains(w[0].Message, "had also changed") {
			t.Fatalf("direct pushes %+v, warnings %+v; want the merge of both sides warned of", res.DirectPushes, w)
		}
	})
	t.Run("branched before the range", func(t *testing.T) {
		t.Parallel()
		r := newRepo(t, "product", "2.3.0", "v2.3.0")
		r.merge(pull{number: 10, title: "Early documentation", author: "dev-dana", files: files("docs/early.md")})
		r.tag("v2.3.1")
		r.passed("v2.3.1")
		ps := insertBefore(standardPulls(), 12, searchBefore12("", many...))
		p := pullNumber(ps, 12)
		p.branchedBefore, p.mergeAlters = 3, []string{"src/search/index.go"}
		for _, p := range ps {
			r.merge(p)
		}
		r.tag("v2.4.0")
		res := r.gate(t, "v2.4.0", "")
		if res.PreviousTag != "v2.3.1" {
			t.Fatalf("the range starts after %s, want v2.3.1", res.PreviousTag)
		}
		if len(res.DirectPushes) != 0 {
			t.Fatalf("direct pushes %+v; whether the base changed the file cannot be told", res.DirectPushes)
		}
		w := findings(res.Release.Decision.Warnings, CodeMergeUnchecked)
		if len(w) != 1 || w[0].File != "src/search/index.go" {
			t.Fatalf("warnings = %+v, want one MERGE_RESULT_UNCHECKED on src/search/index.go", res.Release.Decision.Warnings)
		}
		if strings.Contains(w[0].Message, "had also changed") || !strings.Contains(w[0].Message, "stops at 300") {
			t.Errorf("message = %q, want it to say GitHub's list of the base's changes stops at 300, not that the base changed the file", w[0].Message)
		}
	})
}

// Direct pushes of merges are listed oldest first, an altered merge too.
func TestAlteredMergesOldestFirst(t *testing.T) {
	t.Parallel()
	ps := standardPulls()
	pullNumber(ps, 11).mergeAlters = []string{"src/ui/allergy/banner.go"}
	pullNumber(ps, 14).mergeExtra = files("src/ui/allergy/banner_test.go")
	res := build(t, ps).gate(t, "v2.4.0", "")
	var got []int
	for _, dp := range res.DirectPushes {
		got = append(got, dp.Pull)
	}
	if !slices.Equal(got, []int{11, 14}) {
		t.Errorf("direct pushes of the merges of %v, want #11's then #14's", got)
	}
}

// A rebase merge puts one commit on the main branch per branch commit; the
// release compares what the last of them to change each file left with the
// reviewed head. An interim commit's content that a later one replaces is
// not released; an edit in the last, a file the last leaves at an interim
// content, or a rebased commit GitHub does not associate with the pull
// request is a direct push.
func TestRebaseMerge(t *testing.T) {
	t.Parallel()
	const file = "src/ui/allergy/banner.go"
	last, first := githubtest.SHA("pr-11-merge"), githubtest.SHA("pr-11-rebased-1")
	for _, tt := range []struct {
		name string
		edit func(p *pull)
		want []DirectPush // SHA, Pull and Altered compared
		// unchecked: the merge is warned of as discarding the base's
		// change (the unassociated commit's, which a later one replaced).
		unchecked bool
	}{
		{"as reviewed", func(*pull) {}, nil, false},
		{"the last rebased commit edits a file", func(p *pull) { p.mergeAlters = []string{file} },
			[]DirectPush{{SHA: last, Pull: 11, Altered: []string{file}}}, false},
		{"the last rebased commit leaves a file at interim content", func(p *pull) { p.mergeDrops = []string{file} },
			[]DirectPush{{SHA: githubtest.SHA("pr-11-rebased-2"), Pull: 11, Altered: []string{file}}}, false},
		{"a rebased commit GitHub does not associate", func(p *pull) { p.unassociated = 1 },
			[]DirectPush{{SHA: first}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			p := pullNumber(ps, 11)
			p.rebase, p.commits = true, 3
			tt.edit(p)
			res := build(t, ps).gate(t, "v2.4.0", "")
			var got []DirectPush
			for _, dp := range res.DirectPushes {
				got = append(got, DirectPush{SHA: dp.SHA, Pull: dp.Pull, Altered: dp.Altered})
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("direct pushes = %+v, want %+v", got, tt.want)
			}
			if (len(res.MergesUnchecked) != 0) != tt.unchecked {
				t.Errorf("unchecked merges = %+v, want some: %v", res.MergesUnchecked, tt.unchecked)
			}
			if d := res.Release.Decision; (len(tt.want) > 0) != (d.Decision == decision.Blocked) {
				t.Errorf("decision = %s %+v", d.Decision, d.Violations)
			}
		})
	}
}

// Attacker scenario 7d: a merge that takes the pull request's side of a
// file and discards what the base branch changed in it since the pull
// request branched: an old branch merged over a reviewed control. The
// merged file is the reviewed head's, so the blobs match, yet the release
// loses a change no review of this pull request saw removed. Only a pull
// request its merge's base was not already in costs the question.
func TestMergeDiscardsTheBasesChange(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		content string // what #16 leaves src/search/index.go with
		paths   []string
		warn    bool
	}{
		{"the base changed the file otherwise", "the base's", []string{"src/search/index.go"}, true},
		{"the base made the same change", "", []string{"src/search/index.go"}, false},
		{"the base changed another file", "the base's", []string{"src/search/ranking.go"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := insertBefore(standardPulls(), 12, searchBefore12(tt.content, tt.paths...))
			pullNumber(ps, 12).branchedBefore = 1
			res := build(t, ps).gate(t, "v2.4.0", "")
			if len(res.DirectPushes) != 0 {
				t.Fatalf("direct pushes %+v; a merge of both sides is no direct push", res.DirectPushes)
			}
			w := findings(res.Release.Decision.Warnings, CodeMergeUnchecked)
			if !tt.warn {
				if len(w) != 0 {
					t.Fatalf("warnings = %+v, want no MERGE_RESULT_UNCHECKED", w)
				}
				return
			}
			if len(w) != 1 || w[0].File != "src/search/index.go" {
				t.Fatalf("warnings = %+v, want one MERGE_RESULT_UNCHECKED on src/search/index.go", res.Release.Decision.Warnings)
			}
			for _, want := range []string{"the merge of #12", "as #12's reviewed head", "discard"} {
				if !strings.Contains(w[0].Message, want) {
					t.Errorf("message = %q, want it to contain %q", w[0].Message, want)
				}
			}
		})
	}
}

// The content check's answers are in the release's transcript and replay
// to the same decision; a record made before blobs and parents were kept
// (the same answers without them, and no files_since) replays without new
// findings and without asking what it does not hold.
func TestMergeContentReplays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		ps   func() []pull
	}{
		{"altered", func() []pull {
			ps := standardPulls()
			pullNumber(ps, 12).mergeAlters = []string{"src/search/index.go"}
			return ps
		}},
		{"dropped", func() []pull {
			ps := standardPulls()
			pullNumber(ps, 11).mergeDrops = []string{"src/ui/allergy/banner.go"}
			return ps
		}},
		{"discarded", func() []pull {
			ps := insertBefore(standardPulls(), 12, searchBefore12("the base's", "src/search/index.go"))
			pullNumber(ps, 12).branchedBefore = 1
			return ps
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tt.ps())
			c, _ := r.client(t)
			req := r.request(t, "v2.4.0", "")
			rec := NewRecorder(c)
			res := Evaluate(context.Background(), rec, req)
			if len(res.DirectPushes) == 0 && len(res.MergesUnchecked) == 0 {
				t.Fatalf("the run found nothing to replay: %+v", res.Release.Decision)
			}
			tr := rec.Transcript()
			if !slices.ContainsFunc(tr.Exchanges, func(x Exchange) bool { return x.Call == "files_since" }) && tt.name != "altered" {
				t.Errorf("the transcript holds no files_since")
			}
			replay := func(tr *Transcript) *Result {
				p, err := NewReplayer(tr)
				if err != nil {
					t.Fatal(err)
				}
				again := Evaluate(context.Background(), p, req)
				if u := p.Unanswered(); len(u) > 0 {
					t.Fatalf("the replay asked what the record does not hold: %v", u)
				}
				if u := p.Unasked(); len(u) > 0 {
					t.Errorf("the replay did not ask %v", u)
				}
				return again
			}
			want, _ := json.Marshal(res.Release.Decision)
			got, _ := json.Marshal(replay(tr).Release.Decision)
			if string(want) != string(got) {
				t.Errorf("the replay decides\n%s\nthe run\n%s", got, want)
			}

			old := &Transcript{Blobs: tr.Blobs}
			for _, x := range tr.Exchanges {
				if x.Call == "files_since" {
					continue
				}
				var v any
				if err := json.Unmarshal(x.Answer, &v); err == nil && x.Answer != nil {
					x.Answer, _ = json.Marshal(withoutBlobsAndParents(v))
				}
				old.Exchanges = append(old.Exchanges, x)
			}
			again := replay(old)
			if len(again.MergesUnchecked) != 0 || slices.ContainsFunc(again.DirectPushes, func(dp DirectPush) bool { return len(dp.Altered) > 0 }) {
				t.Errorf("an older record replays with new findings: direct pushes %+v, unchecked %+v", again.DirectPushes, again.MergesUnchecked)
			}
		})
	}
}

// withoutBlobsAndParents drops what older records did not keep: files'
// blobs and commits' parents (not a comparison's map of them).
func withoutBlobsAndParents(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "Blob")
		if _, list := v["Parents"].([]any); list {
			delete(v, "Parents")
		}
		for k, e := range v {
			v[k] = withoutBlobsAndParents(e)
		}
	case []any:
		for i, e := range v {
			v[i] = withoutBlobsAndParents(e)
		}
	}
	return v
}

// A merge that renames or removes a file its pull request modified, or
// keeps one it removed, leaves it otherwise than the reviewed head.
func TestMergeRenamesOrRemoves(t *testing.T) {
	t.Parallel()
	const file = "src/ui/allergy/banner.go"
	for _, tt := range []struct {
		name        string
		own         []githubtest.File // #11's files; nil: as standard
		merged      githubtest.File   // what the merge lists instead of file (none: no path)
		files       []string          // the direct push's files
		altered     []string
		wantBlocked bool
	}{
		{"renamed by the merge", nil, githubtest.File{Path: "src/ui/allergy/banner2.go", PreviousPath: file, Status: "renamed"},
			[]string{"src/ui/allergy/banner2.go", file}, []string{file}, true},
		{"removed by the merge", nil, githubtest.File{Path: file, Status: "removed"},
			[]string{file}, []string{file}, true},
		{"removed by the pull request, kept by the merge", []githubtest.File{{Path: file, Status: "removed"}, {Path: "src/ui/allergy/banner_test.go"}},
			githubtest.File{Path: file, Content: "kept"}, []string{file}, []string{file}, true},
		{"removed by the pull request, left by the merge", []githubtest.File{{Path: file, Status: "removed"}, {Path: "src/ui/allergy/banner_test.go"}},
			githubtest.File{}, []string{file}, []string{file}, true},
		{"removed by both", []githubtest.File{{Path: file, Status: "removed"}, {Path: "src/ui/allergy/banner_test.go"}},
			githubtest.File{Path: file, Status: "removed"}, nil, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := standardPulls()
			p := pullNumber(ps, 11)
			if tt.own != nil {
				p.files = tt.own
			}
			p.mergeDrops = []string{file}
			if tt.merged.Path != "" {
				p.mergeExtra = []githubtest.File{tt.merged}
			}
			res := build(t, ps).gate(t, "v2.4.0", "")
			var files, altered []string
			for _, dp := range res.DirectPushes {
				files, altered = append(files, dp.Files...), append(altered, dp.Altered...)
			}
			if !slices.Equal(files, tt.files) || !slices.Equal(altered, tt.altered) {
				t.Errorf("direct pushes %+v, want files %v, altered %v", res.DirectPushes, tt.files, tt.altered)
			}
			if got := res.Release.Decision.Decision == decision.Blocked; got != tt.wantBlocked {
				t.Errorf("decision = %s %+v", res.Release.Decision.Decision, res.Release.Decision.Violations)
			}
		})
	}
}

// The careless-but-honest team: merges of up-to-date branches, of a
// long-lived branch that merged the main branch in, and of one merged behind
// a change to other files raise nothing; only the last costs a question.
func TestHonestMergesAskOnlyWhenBehind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		ps   func() []pull
		asks int
	}{
		{"up to date", standardPulls, 0},
		{"a long-lived branch that merged the main branch in", func() []pull {
			ps := insertBefore(standardPulls(), 12, searchBefore12("the base's", "src/search/index.go"))
			p := pullNumber(ps, 12)
			p.branchedBefore, p.mergesMainIn = 1, true
			return ps
		}, 0},
		{"behind a change to another file", func() []pull {
			ps := insertBefore(standardPulls(), 12, searchBefore12("the base's", "src/search/ranking.go"))
			pullNumber(ps, 12).branchedBefore = 1
			return ps
		}, 1},
		{"a rebase merge", func() []pull {
			ps := standardPulls()
			p := pullNumber(ps, 11)
			p.rebase, p.commits = true, 3
			return ps
		}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := build(t, tt.ps())
			res := r.gate(t, "v2.4.0", "")
			if len(res.DirectPushes) != 0 || len(res.MergesUnchecked) != 0 {
				t.Errorf("direct pushes %+v, unchecked %+v; want none", res.DirectPushes, res.MergesUnchecked)
			}
			asks := 0
			for _, q := range r.srv.Requests() {
				if strings.Contains(q.Path, "/compare/") && q.Query.Get("per_page") == "1" {
					asks++
				}
			}
			if asks != tt.asks {
				t.Errorf("%d questions for the base's changes, want %d", asks, tt.asks)
			}
		})
	}
}

// The base branch renamed a file the pull request modified, and the merge
// applied the pull request's change to the file under its new name: an
// honest merge of both sides, not a direct push of the new name nor a
// reviewed change left out. A warning names the merged file.
func TestMergeOfAFileTheBaseRenamed(t *testing.T) {
	t.Parallel()
	const (
		old     = "src/search/index.go"
		renamed = "src/search/search_index.go"
	)
	ps := insertBefore(standardPulls(), 12, pull{number: 16, title: "Rename the search index", author: "dev-dana",
		files: []githubtest.File{{Path: renamed, PreviousPath: old, Status: "renamed"}}, reviews: []review{{login: "alice-gp"}}})
	p := pullNumber(ps, 12)
	p.branchedBefore, p.mergeDrops = 1, []string{old}
	p.mergeExtra = []githubtest.File{{Path: renamed, Content: "merged"}}
	res := build(t, ps).gate(t, "v2.4.0", "")
	if len(res.DirectPushes) != 0 || len(findings(res.Release.Decision.Violations, CodeDirectPush)) != 0 {
		t.Fatalf("direct pushes %+v; the merge applied #12's change to the file the base renamed", res.DirectPushes)
	}
	w := findings(res.Release.Decision.Warnings, CodeMergeUnchecked)
	if len(w) != 1 || !strings.Contains(w[0].Message, renamed) || !strings.Contains(w[0].Message, "had also changed") {
		t.Fatalf("warnings = %+v, want one MERGE_RESULT_UNCHECKED naming %s as a merge of both sides", res.Release.Decision.Warnings, renamed)
	}
}
