package release

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/pullfacts"
)

// The merge check: what each first-parent commit of the range changed,
// compared with the pull request that brought it, by name and by content.

// checkMerges compares what each first-parent commit of the range changed
// with the files of the pull request that brought it. The first-parent line
// is what the branch went through, so its commits' changes are the release's;
// a merge commit may change more than its pull request did (an edit made
// while merging, or pushed as the merge), and no review saw that part: it is
// a direct push of those files.
func (e *evaluator) checkMerges(ctx context.Context, rng github.Comparison) error {
	byID := make(map[string]github.Commit, len(rng.Commits))
	for _, c := range rng.Commits {
		byID[c.SHA] = c
	}
	// The first-parent line's commits a pull request brought, newest first.
	var line []string
	full := firstParentLine(rng, e.res.ReleaseSHA)
	for _, sha := range full {
		if e.broughtBy[sha] != nil {
			line = append(line, sha)
		}
	}
	var beyondPulls []DirectPush
	changed := make([][]github.ChangedFile, len(line))
	err := inGroups(len(line), func(i int) error {
		var err error
		if changed[i], err = e.api.CommitFiles(ctx, e.req.Owner, e.req.Repo, line[i]); err != nil {
			return fmt.Errorf("reading the files of commit %s, which brought #%d: %w", decision.ShortSHA(line[i]), e.broughtBy[line[i]].pr.Number, err)
		}
		return nil
	}, func(i int) {
		sha, p := line[i], e.broughtBy[line[i]]
		own := map[string]bool{}
		for _, f := range p.req.ChangedFiles {
			own[f] = true
		}
		var beyond []string
		for _, f := range pullfacts.ChangedPaths(changed[i]) {
			if !own[f] {
				beyond = append(beyond, f)
			}
		}
		if len(beyond) > 0 {
			beyondPulls = append(beyondPulls, DirectPush{SHA: sha, Author: commitAuthor(byID[sha]), Files: beyond, Pull: p.pr.Number})
		}
	})
	if err != nil {
		return err
	}
	slices.Reverse(beyondPulls) // oldest first, like the other direct pushes
	altered, moved, err := e.checkMergedContent(ctx, rng, full, line, changed)
	if err != nil {
		return err
	}
	// A file the base branch renamed, which the merge changed under its new
	// name, is the pull request's own change merged with the rename.
	for i := range beyondPulls {
		if names := moved[beyondPulls[i].SHA]; len(names) > 0 {
			beyondPulls[i].Files = slices.DeleteFunc(beyondPulls[i].Files, func(f string) bool { return slices.Contains(names, f) })
		}
	}
	beyondPulls = slices.DeleteFunc(beyondPulls, func(dp DirectPush) bool { return len(dp.Files) == 0 })
	// An altered file joins its commit's entry, or makes one.
	for _, a := range altered {
		i := slices.IndexFunc(beyondPulls, func(dp DirectPush) bool { return dp.SHA == a.SHA })
		if i < 0 {
			beyondPulls = append(beyondPulls, DirectPush{SHA: a.SHA, Author: commitAuthor(byID[a.SHA]), Pull: a.Pull})
			i = len(beyondPulls) - 1
		}
		beyondPulls[i].Files = append(beyondPulls[i].Files, a.Files...)
		beyondPulls[i].Altered = append(beyondPulls[i].Altered, a.Files...)
	}
	// Oldest first again: line is newest first.
	position := make(map[string]int, len(line))
	for i, sha := range line {
		position[sha] = i
	}
	sort.SliceStable(beyondPulls, func(i, j int) bool { return position[beyondPulls[i].SHA] > position[beyondPulls[j].SHA] })
	e.res.DirectPushes = append(e.res.DirectPushes, beyondPulls...)
	return nil
}

// MergeAlteration is what a pull request's merge (or squash, or rebased)
// commit left of the pull request's own files otherwise than its reviewed
// head did.
type MergeAlteration struct {
	SHA   string // the commit that left them so: the newest on the line to change each
	Pull  int
	Files []string
	// Unchecked says why an unchecked one could not be checked: BothChanged,
	// BaseListCut or BaseDiscarded.
	Unchecked Unchecked
}

// Unchecked is why a merge's file could not be checked against the pull
// request's reviewed head.
type Unchecked int

const (
	// BothChanged: the base branch had also changed the file since the pull
	// request branched, and the merge left it otherwise than the head; the
	// merged file combines both sides.
	BothChanged Unchecked = iota
	// BaseListCut: GitHub's list of what the base branch changed since the
	// pull request branched is cut (300 files) and does not name the file,
	// which the merge left otherwise than the head: whether the base
	// changed it too cannot be told.
	BaseListCut
	// BaseDiscarded: the merge left the file as the head had it, but the
	// base branch had changed it otherwise since the pull request branched:
	// the merge discarded the base's change, unless the head had it too.
	BaseDiscarded
	// PullDiscarded: the merge left the file as the base branch had it,
	// which had changed it otherwise since the pull request branched: the
	// merge discarded the pull request's change, unless the base had it too.
	PullDiscarded
)

// checkMergedContent compares, for each pull request the line brought, the
// content its commits there left each of the pull request's files with the
// content at the head its reviews judged (GitHub's blob of each): an edit
// made while merging, to a file the pull request also changed, is no more
// reviewed than one to another file. A file of its own that none of its
// commits on the line changed is as the base branch had it, without the
// pull request's change, unless the base had the reviewed content already
// (a stacked pull request): dropping part of a reviewed change leaves the
// rest in a combination no review saw. A file the base branch also changed
// since the pull request branched is merged from both sides, so its content
// differs rightly and cannot be checked without the three versions: it is
// returned as unchecked (Result.MergesUnchecked), and so is every differing
// file GitHub's cut list of the base's changes does not name. Only a pull
// request with a differing or unchanged file costs a request (the base's
// changes since it branched). full is the range's first-parent line, line
// the commits of it a pull request brought, both newest first; changed[i]
// are line[i]'s files. moved holds, by commit, the files it changed beyond
// the pull request's own that are the base branch's new names for files of
// the pull request's own: merges of both sides, not direct pushes.
func (e *evaluator) checkMergedContent(ctx context.Context, rng github.Comparison, full, line []string, changed [][]github.ChangedFile) (altered []MergeAlteration, moved map[string][]string, err error) {
	moved = map[string][]string{}
	// What each commit of the first-parent line changed: those a pull
	// request brought, and the direct pushes.
	lineFiles := map[string][]string{}
	for i, sha := range line {
		lineFiles[sha] = pullfacts.ChangedPaths(changed[i])
	}
	for _, dp := range e.res.DirectPushes {
		if dp.Pull == 0 {
			lineFiles[dp.SHA] = dp.Files
		}
	}
	type landing struct {
		sha  string
		file github.ChangedFile
	}
	landed := map[*pullState]map[string]landing{}
	oldest, newest := map[*pullState]string{}, map[*pullState]string{}
	var order []*pullState // oldest merge first
	for i, sha := range line {
		p := e.broughtBy[sha]
		if landed[p] == nil {
			landed[p] = map[string]landing{}
			order = append(order, p)
			newest[p] = sha
		}
		for _, f := range changed[i] {
			if _, newer := landed[p][f.Path]; !newer {
				landed[p][f.Path] = landing{sha, f}
			}
		}
		oldest[p] = sha
	}
	slices.Reverse(order)
	type differing struct {
		sha  string
		file github.ChangedFile // the pull request's own, as its head left it
		// unchanged is true when none of its commits on the line
		// changed the file: it is as the base branch had it.
		unchanged bool
		// discards is true when the merge left the file as the head
		// had it although the base branch had changed it otherwise.
		discards bool
		landed   github.ChangedFile // as the merge left it, when it changed the file
	}
	// check is a pull request whose merge needs the base's changes since it
	// branched, and GitHub's answer.
	type check struct {
		p        *pullState
		own      []github.ChangedFile
		diffs    []differing
		base     string
		files    []github.ChangedFile
		complete bool
	}
	var checks []*check
	for _, p := range order {
		own := e.c.PullFiles(p.pr.Number)
		// A record made before blobs were kept has none: its files' content
		// cannot be told, and its replay must decide as the run did.
		blobs := slices.ContainsFunc(own, func(f github.ChangedFile) bool { return f.Blob != "" })
		var diffs []differing
		for _, f := range own {
			if l, ok := landed[p][f.Path]; ok {
				if !sameContent(l.file, f) {
					diffs = append(diffs, differing{sha: l.sha, file: f, landed: l.file})
				}
			} else if f.Blob != "" || (blobs && f.Status == "removed") {
				diffs = append(diffs, differing{sha: newest[p], file: f, unchanged: true})
			}
			// A renamed file's old path is gone at the head: the merge must
			// not keep it.
			if blobs && f.PreviousPath != "" && f.PreviousPath != f.Path {
				if l, ok := landed[p][f.Path]; ok && l.file.PreviousPath == f.PreviousPath {
					continue
				}
				gone := github.ChangedFile{Path: f.PreviousPath, Status: "removed"}
				if l, ok := landed[p][gone.Path]; !ok {
					diffs = append(diffs, differing{sha: newest[p], file: gone, unchanged: true})
				} else if !sameContent(l.file, gone) {
					diffs = append(diffs, differing{sha: l.sha, file: gone, landed: l.file})
				}
			}
		}
		// The base the line's first commit of this pull request was made on.
		base := ""
		if parents := rng.Parents[oldest[p]]; len(parents) > 0 {
			base = parents[0]
		}
		// A head that already had that base changed nothing the merge could
		// discard; otherwise a merge that matches the head may still have
		// dropped what the base changed meanwhile. Records without blobs,
		// which never asked, are not asked now.
		if len(diffs) == 0 && (!blobs || base == "" || headHas(p, base)) {
			continue
		}
		checks = append(checks, &check{p: p, own: own, diffs: diffs, base: base})
	}
	// The questions are independent: asked pullWorkers at a time, and
	// judged in merge order.
	if err := inGroups(len(checks), func(i int) error {
		c := checks[i]
		if c.base == "" {
			return nil
		}
		var err error
		if c.files, c.complete, err = e.api.FilesSince(ctx, e.req.Owner, e.req.Repo, c.p.pr.HeadSHA, c.base); err != nil {
			return fmt.Errorf("reading what the base branch changed since #%d branched, to check its merge %s: %w", c.p.pr.Number, decision.ShortSHA(oldest[c.p]), err)
		}
		return nil
	}, func(int) {}); err != nil {
		return nil, nil, err
	}
	for _, c := range checks {
		p, own, diffs, base, complete := c.p, c.own, c.diffs, c.base, c.complete
		baseChanged := map[string]github.ChangedFile{}
		for _, f := range c.files {
			baseChanged[f.Path] = f
		}
		// Files the base renamed: the merge rightly changes them under the
		// new name.
		renamedAway := map[string]string{}
		for _, f := range c.files {
			if f.PreviousPath != "" && f.PreviousPath != f.Path {
				renamedAway[f.PreviousPath] = f.Path
				if _, listed := baseChanged[f.PreviousPath]; !listed {
					baseChanged[f.PreviousPath] = github.ChangedFile{Path: f.PreviousPath, Status: "removed"}
				}
			}
		}
		// GitHub's list is cut: the range's own first-parent line may still
		// tell every file the base touched since the pull request branched.
		var touched map[string]bool
		if !complete && base != "" {
			touched = baseTouched(p, base, full, rng.Parents, lineFiles)
		}
		for _, f := range own {
			l, ok := landed[p][f.Path]
			bf, changedToo := baseChanged[f.Path]
			if ok && changedToo && sameContent(l.file, f) && !sameContent(bf, f) {
				diffs = append(diffs, differing{sha: l.sha, file: f, discards: true})
			}
		}
		type group struct {
			sha string
			why Unchecked
		}
		bySHA := map[string]*MergeAlteration{}
		unchecked := map[group]*MergeAlteration{}
		for _, d := range diffs {
			if to, ok := renamedAway[d.file.Path]; ok && d.unchanged && d.file.Status != "removed" {
				g := group{d.sha, PullDiscarded} // the merge left the new name as the base had it
				if l, ok := landed[p][to]; ok {
					g = group{l.sha, BothChanged}
					moved[l.sha] = append(moved[l.sha], to)
				}
				if unchecked[g] == nil {
					unchecked[g] = &MergeAlteration{SHA: g.sha, Pull: p.pr.Number, Unchecked: g.why}
				}
				unchecked[g].Files = append(unchecked[g].Files, to)
				continue
			}
			bf, changedToo := baseChanged[d.file.Path]
			if d.unchanged && changedToo && sameContent(bf, d.file) {
				continue // the base branch had the reviewed content already
			}
			if !changedToo && (complete || (touched != nil && !touched[d.file.Path])) {
				if bySHA[d.sha] == nil {
					bySHA[d.sha] = &MergeAlteration{SHA: d.sha, Pull: p.pr.Number}
				}
				bySHA[d.sha].Files = append(bySHA[d.sha].Files, d.file.Path)
				continue
			}
			g := group{d.sha, BothChanged}
			switch {
			case d.discards:
				g.why = BaseDiscarded
			case !changedToo && touched == nil:
				g.why = BaseListCut
			case d.unchanged || sameContent(d.landed, bf):
				g.why = PullDiscarded
			}
			if unchecked[g] == nil {
				unchecked[g] = &MergeAlteration{SHA: d.sha, Pull: p.pr.Number, Unchecked: g.why}
			}
			unchecked[g].Files = append(unchecked[g].Files, d.file.Path)
		}
		for _, sha := range slices.Sorted(maps.Keys(bySHA)) {
			altered = append(altered, *bySHA[sha])
		}
		for _, g := range slices.SortedFunc(maps.Keys(unchecked), func(a, b group) int {
			if c := strings.Compare(a.sha, b.sha); c != 0 {
				return c
			}
			return int(a.why) - int(b.why)
		}) {
			e.res.MergesUnchecked = append(e.res.MergesUnchecked, *unchecked[g])
		}
	}
	return altered, moved, nil
}

// baseTouched returns every file the first-parent line's commits from base
// back to where the pull request's head joins the line touched: a superset
// of what the base branch changed since the pull request branched, as
// every change reached the base through one of them. nil when the head
// joins the line before the range, or a commit's files are not known.
func baseTouched(p *pullState, base string, full []string, parents map[string][]string, lineFiles map[string][]string) map[string]bool {
	touched := map[string]bool{}
	if headHas(p, base) {
		return touched
	}
	i := slices.Index(full, base)
	if i < 0 {
		return nil
	}
	for ; i < len(full); i++ {
		if headHas(p, full[i]) {
			return touched
		}
		files, ok := lineFiles[full[i]]
		if !ok {
			return nil
		}
		for _, f := range files {
			touched[f] = true
		}
	}
	if start := parents[full[len(full)-1]]; len(start) > 0 && headHas(p, start[0]) {
		return touched
	}
	return nil
}

// headHas says whether the pull request's head had commit base already:
// base is the head, one of its commits, or a parent of one (where it
// branched, or a base it merged in). A base reached only further back is
// not found, and costs a question.
func headHas(p *pullState, base string) bool {
	if base == p.pr.HeadSHA {
		return true
	}
	for _, c := range p.commits {
		if c.SHA == base || slices.Contains(c.Parents, base) {
			return true
		}
	}
	return false
}

// sameContent says whether a commit left a file as the pull request's head
// did: both removed, or the same blob (both none for a change of mode only).
func sameContent(landed, head github.ChangedFile) bool {
	if (landed.Status == "removed") != (head.Status == "removed") {
		return false
	}
	return landed.Status == "removed" || landed.Blob == head.Blob
}
