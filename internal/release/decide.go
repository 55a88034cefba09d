package release

import (
	"fmt"
	"strings"
	"time"

	"github.com/csogate/csogate/internal/decision"
	"github.com/csogate/csogate/internal/gate"
	"github.com/csogate/csogate/internal/github"
	"github.com/csogate/csogate/internal/hazardlog"
	"github.com/csogate/csogate/internal/policy"
)

// Reason codes release mode raises itself (contract section 3).
const (
	CodeReleaseSignoffRequired = "CSO_RELEASE_SIGNOFF_REQUIRED"
	CodeDirectPush             = "DIRECT_PUSH"
	CodeMergeUnchecked         = "MERGE_RESULT_UNCHECKED"
)

// Reason codes of the default policies that release mode rewrites or
// deduplicates.
const (
	codeApprovalRequired   = "CSO_APPROVAL_REQUIRED"
	codeChangesRequested   = "CSO_CHANGES_REQUESTED"
	codeBlockDismissed     = "CSO_BLOCK_DISMISSED"
	codeUnacceptableRisk   = "UNACCEPTABLE_RESIDUAL_RISK"
	codeUndeclaredClinical = "UNDECLARED_CLINICAL_CHANGE"
)

// signoffRuleTitle names the release-level approval rule, which is the
// release's sign-off.
const signoffRuleTitle = "The CSO signed the release off on the final head of the pull request that prepared it"

// maxListedFiles bounds the files a direct push's message names.
const maxListedFiles = 10

// finish turns the release-level evaluation into the release decision: its
// missing approval becomes the missing sign-off, and every pull request's
// findings, the direct pushes, a manifest naming another release and
// clinically relevant changes missing from the release's manifest are added.
// An operational failure of the release-level gate stands as it is.
func (e *evaluator) finish(out *gate.Outcome) {
	res := e.res
	d := out.Decision
	// The release decision is about the released commit and the tag's
	// version; a manifest naming another release is reported below.
	d.HeadSHA, d.Release = res.ReleaseSHA, res.Version
	if d.ExitCode == decision.ExitOperational {
		return
	}
	exit := d.ExitCode
	releaseLevel := append([]policy.Finding(nil), d.Violations...)

	for i := range d.Violations {
		v := &d.Violations[i]
		switch v.Code {
		case codeApprovalRequired:
			v.Code, v.Message = CodeReleaseSignoffRequired, e.signoffMessage(d)
		case codeChangesRequested, codeBlockDismissed:
			// These come from the preparing pull request's reviews.
			if res.Preparing != nil {
				v.Message = fmt.Sprintf("#%d: %s", res.Preparing.Number, v.Message)
			}
		}
	}
	for i := range d.Rules {
		r := &d.Rules[i]
		if r.Code != codeApprovalRequired {
			continue
		}
		r.Code, r.Title = CodeReleaseSignoffRequired, signoffRuleTitle
		switch {
		case res.Preparing != nil:
			r.Detail = fmt.Sprintf("#%d: %s", res.Preparing.Number, r.Detail)
		case r.Status == "failed":
			r.Detail = fmt.Sprintf("No merged pull request in the release set release: to %s.", res.Version)
		}
	}

	if m := out.Manifest; m != nil && strings.TrimSpace(m.Release) != "" && versionOf(strings.TrimSpace(m.Release)) != res.Version {
		d.Violations = append(d.Violations, policy.Finding{Code: decision.CodeInputInvalid, File: e.req.Paths.Manifest,
			Message: fmt.Sprintf("%s at the released commit %s says release: %s, but the tag %s is release %s: "+
				"the manifest of a release must name it; set release: %s in a pull request a CSO approves, and tag its merge",
				e.req.Paths.Manifest, decision.ShortSHA(res.ReleaseSHA), out.Manifest.Release, res.Tag, res.Version, res.Version)})
		exit = max(exit, decision.ExitInvalid)
	}

	for _, p := range res.Pulls {
		if p.Outcome == nil {
			continue
		}
		added := false
		for _, v := range p.Outcome.Decision.Violations {
			if reportedAlready(releaseLevel, v) {
				continue
			}
			v.Message = fmt.Sprintf("#%d: %s", p.Number, v.Message)
			d.Violations = append(d.Violations, v)
			added = true
		}
		if added {
			exit = max(exit, p.Outcome.Decision.ExitCode)
		}
	}

	if out.Manifest != nil {
		listed := map[string]bool{}
		for _, c := range out.Manifest.Changes {
			listed[c.ID] = true
		}
		for _, p := range res.Pulls {
			if p.Outcome == nil {
				continue
			}
			for _, c := range p.Outcome.Decision.ClinicalChanges {
				if listed[c.ID] {
					continue
				}
				d.Violations = append(d.Violations, policy.Finding{Code: codeUndeclaredClinical, Change: c.ID,
					Message: fmt.Sprintf("%s, a clinically relevant change of #%d, is not in the release's manifest %s: "+
						"every clinically relevant change of release %s must be listed there, so that the CSO's sign-off covers it; "+
						"add it back, with its hazards and assessment, in a pull request a CSO approves",
						c.ID, p.Number, e.req.Paths.Manifest, res.Version)})
			}
		}
	}

	for i := range res.DirectPushes {
		dp := &res.DirectPushes[i]
		clinical, known := clinicalFiles(out, dp.Files)
		dp.Clinical = len(clinical) > 0 || !known
		f := policy.Finding{Code: CodeDirectPush, Message: directPushMessage(*dp, clinical, known)}
		if len(dp.Files) > 0 {
			f.File = dp.Files[0]
		}
		if len(clinical) > 0 {
			f.File = clinical[0]
		}
		if dp.Clinical {
			d.Violations = append(d.Violations, f)
		} else {
			d.Warnings = append(d.Warnings, f)
		}
	}

	for _, m := range res.MergesUnchecked {
		clinical, known := clinicalFiles(out, m.Files)
		if known && len(clinical) == 0 {
			continue
		}
		if !known {
			clinical = m.Files
		}
		it := pronoun(len(clinical))
		what := fmt.Sprintf("leaves %s otherwise than #%d's reviewed head, and the base branch had also changed %s since #%d branched: "+
			"the merged result combines both sides and no review saw it whole", fileList(clinical), m.Pull, it, m.Pull)
		switch m.Unchecked {
		case BaseListCut:
			what = fmt.Sprintf("leaves %s otherwise than #%d's reviewed head, and GitHub's list of the files the base branch changed since #%d branched "+
				"stops at %d and does not name %s: whether the base changed %s too, and the merge only combined both sides, cannot be told",
				fileList(clinical), m.Pull, m.Pull, github.CompareFilesListed, it, it)
		case PullDiscarded:
			what = fmt.Sprintf("leaves %s as the base branch had it, without #%d's reviewed change to %s (the base had changed %s otherwise since #%d branched): "+
				"the merge discarded #%d's change unless the base had it too, and no review saw the pull request's change dropped",
				fileList(clinical), m.Pull, it, it, m.Pull, m.Pull)
		case BaseDiscarded:
			what = fmt.Sprintf("leaves %s as #%d's reviewed head had %s, but the base branch had changed %s otherwise since #%d branched: "+
				"the merge discarded the base's change unless #%d's head had it too, and no review of either saw that",
				fileList(clinical), m.Pull, it, it, m.Pull, m.Pull)
		}
		d.Warnings = append(d.Warnings, policy.Finding{Code: CodeMergeUnchecked, File: clinical[0], Message: fmt.Sprintf(
			"commit %s, the merge of #%d, %s; the CSO should look at the merged file%s, "+
				"and a ruleset that requires branches to be up to date before merging removes the case",
			decision.ShortSHA(m.SHA), m.Pull, what, plural(len(clinical)))})
	}

	d.PullRequests, d.DirectPushes = pullDecisions(res.Pulls), directPushDecisions(res.DirectPushes)
	markAfterSignoff(res, d)
	d.HazardIssueEdits = issueEditDecisions(res.HazardIssueEdits)
	if !res.HazardIssuesSince.IsZero() {
		d.HazardIssuesSince = res.HazardIssuesSince.Format(time.RFC3339)
	}
	e.addOverrides(d)

	if len(d.Violations) > 0 {
		d.Decision, d.ExitCode = decision.Blocked, max(exit, decision.ExitBlocked)
	}
}

// pullDecisions is each pull request's verdict for the release decision, so
// a tool reading the decision file sees why each approval did or did not
// count without parsing the "#N:" messages.
func pullDecisions(pulls []Pull) []decision.PullRequest {
	out := make([]decision.PullRequest, 0, len(pulls))
	for _, p := range pulls {
		if p.Outcome == nil || p.Outcome.Decision == nil {
			continue
		}
		d := p.Outcome.Decision
		out = append(out, decision.PullRequest{Number: p.Number, Title: p.Title, Author: p.Author,
			HeadSHA: p.HeadSHA, MergeCommitSHA: p.MergeCommitSHA, Decision: d.Decision,
			ClinicalChanges: nonNil(d.ClinicalChanges), TouchedHazards: nonNil(d.TouchedHazards),
			Approvals: nonNil(d.Approvals), Violations: nonNil(d.Violations), Warnings: nonNil(d.Warnings)})
	}
	return out
}

// markAfterSignoff notes on each hazard issue edit made after the CSO's
// last counted sign-off approval that the sign-off predates it: the CSO
// approved the release before the issue said what it says now.
func markAfterSignoff(res *Result, d *decision.Decision) {
	var signed time.Time
	who := ""
	for _, a := range d.Approvals {
		t, err := time.Parse(time.RFC3339, a.SubmittedAt)
		if a.Counted && err == nil && t.After(signed) {
			signed, who = t, a.Login
		}
	}
	if signed.IsZero() {
		return
	}
	for i := range res.HazardIssueEdits {
		ed := &res.HazardIssueEdits[i]
		if ed.UpdatedAt.After(signed) && !strings.Contains(ed.What, "after the CSO's sign-off") {
			ed.What += fmt.Sprintf("; updated after the CSO's sign-off (@%s, %s), which therefore did not see it: the CSO must review this issue before the release ships",
				who, signed.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
}

func issueEditDecisions(edits []hazardlog.IssueEdit) []decision.HazardIssueEdit {
	if len(edits) == 0 {
		return nil
	}
	out := make([]decision.HazardIssueEdit, 0, len(edits))
	for _, e := range edits {
		out = append(out, decision.HazardIssueEdit{Issue: e.Number, Title: e.Title, URL: e.URL, State: e.State,
			Labels: nonNil(e.Labels), UpdatedAt: e.UpdatedAt.UTC().Format(time.RFC3339), What: e.What})
	}
	return out
}

func directPushDecisions(pushes []DirectPush) []decision.DirectPush {
	out := make([]decision.DirectPush, 0, len(pushes))
	for _, dp := range pushes {
		out = append(out, decision.DirectPush{SHA: dp.SHA, Author: dp.Author, Files: nonNil(dp.Files), Clinical: dp.Clinical, Pull: dp.Pull, Altered: dp.Altered})
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// signoffMessage explains a missing release sign-off: which pull request the
// CSO must approve, on which commit, or that none prepared the release.
func (e *evaluator) signoffMessage(d *decision.Decision) string {
	res := e.res
	var ids []string
	for _, c := range d.ClinicalChanges {
		ids = append(ids, c.ID)
	}
	what := "clinically relevant files or safety files changed"
	if len(ids) > 0 {
		what = "clinically relevant changes: " + strings.Join(ids, ", ")
	}
	if n := len(res.HazardIssueEdits); n > 0 {
		var nums []string
		for _, ed := range res.HazardIssueEdits {
			nums = append(nums, fmt.Sprintf("#%d", ed.Number))
		}
		since := "since the previous release " + res.PreviousTag + " passed the gate"
		if res.HazardIssuesSince.IsZero() {
			since = "that no earlier release that passed the gate read"
		}
		what += fmt.Sprintf(" and %d hazard issue%s updated %s (%s), changes to the hazard log no pull request carried",
			n, plural(n), since, fileList(nums))
	}
	if p := res.Preparing; p != nil {
		return fmt.Sprintf("release %s has %s, but #%d, the pull request that prepared it (it set release: %s in %s), has %d counted CSO approval%s of %d required on its final head %s. "+
			"DCB0129 needs the CSO's approval of each release: a registered, trained CSO in scope for %s who did not author #%d must approve commit %s on #%d.",
			res.Version, what, p.Number, res.Version, e.req.Paths.Manifest, d.CountedApprovals, plural(d.CountedApprovals), d.RequiredApprovals,
			decision.ShortSHA(p.HeadSHA), d.Product, p.Number, decision.ShortSHA(p.HeadSHA), p.Number)
	}
	return fmt.Sprintf("release %s has %s, but no merged pull request from %s to %s set release: to %s in %s, so no pull request carries the CSO's sign-off. "+
		"DCB0129 needs the CSO's approval of each release: merge a pull request that sets release: %s, have a CSO approve it on its final head, and tag the release on or after its merge.",
		res.Version, what, res.PreviousTag, res.Tag, res.Version, e.req.Paths.Manifest, res.Version)
}

// reportedAlready reports whether the release-level evaluation already
// reports a pull request's violation: the same hazard's unacceptable residual
// risk, the same undeclared file, or the very same finding (a CSO's stop on
// the preparing pull request).
func reportedAlready(releaseLevel []policy.Finding, v policy.Finding) bool {
	for _, r := range releaseLevel {
		if r.Code != v.Code {
			continue
		}
		switch {
		case v.Code == codeUnacceptableRisk && v.Hazard != "":
			if r.Hazard == v.Hazard {
				return true
			}
		case v.Code == codeUndeclaredClinical && v.File != "":
			if r.File == v.File {
				return true
			}
		case r == v:
			return true
		}
	}
	return false
}

// clinicalFiles lists the files the release-level evaluation found clinically
// relevant (a hazard component or clinical path, not ignored) or that are the
// gate's own inputs, in the given order. known is false when that evaluation
// stopped before the facts (invalid release files): then nothing can be
// cleared, and the caller treats the files as clinical.
func clinicalFiles(out *gate.Outcome, files []string) (clinical []string, known bool) {
	if out.Input == nil {
		return nil, false
	}
	relevant := map[string]bool{}
	for _, f := range out.Input.Files {
		relevant[f.Path] = true
	}
	for _, f := range out.Input.SafetyFiles {
		relevant[f.Path] = true
	}
	for _, f := range files {
		if relevant[f] {
			clinical = append(clinical, f)
		}
	}
	return clinical, true
}

func directPushMessage(dp DirectPush, clinical []string, known bool) string {
	head := fmt.Sprintf("commit %s by %s reached the release without a merged pull request", decision.ShortSHA(dp.SHA), mention(dp.Author))
	switch {
	case dp.Pull != 0 && len(dp.Altered) == len(dp.Files):
		head = fmt.Sprintf("commit %s by %s, the merge of #%d, leaves #%d's own files otherwise than its reviewed head (%s; the base branch had not changed them, so the merge itself did, and no review of #%d saw it)",
			decision.ShortSHA(dp.SHA), mention(dp.Author), dp.Pull, dp.Pull, fileList(dp.Altered), dp.Pull)
	case dp.Pull != 0 && len(dp.Altered) > 0:
		head = fmt.Sprintf("commit %s by %s, the merge of #%d, changes files beyond #%d's own, and leaves some of its own otherwise than its reviewed head (%s) (no review of #%d saw them)",
			decision.ShortSHA(dp.SHA), mention(dp.Author), dp.Pull, dp.Pull, fileList(dp.Altered), dp.Pull)
	case dp.Pull != 0:
		head = fmt.Sprintf("commit %s by %s, the merge of #%d, changes files beyond #%d's own (no review of #%d saw them)",
			decision.ShortSHA(dp.SHA), mention(dp.Author), dp.Pull, dp.Pull, dp.Pull)
	}
	switch {
	case len(clinical) > 0:
		return fmt.Sprintf("%s and changes clinically relevant files: %s. No CSO reviewed it: revert it, or bring the change in through a pull request a CSO approves",
			head, fileList(clinical))
	case !known:
		return fmt.Sprintf("%s; its files (%s) could not be checked against the release's hazard log, so they are treated as clinically relevant", head, fileList(dp.Files))
	case len(dp.Files) == 0:
		return head + "; it changes no file"
	}
	return fmt.Sprintf("%s; none of its files is clinically relevant (%s)", head, fileList(dp.Files))
}

// fileList names files, at most maxListedFiles of them.
func fileList(files []string) string {
	if len(files) <= maxListedFiles {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:maxListedFiles], ", "), len(files)-maxListedFiles)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
