package action

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/csogate/csogate/internal/evidence"
	"github.com/csogate/csogate/internal/github/githubtest"
)

// TestReleaseRecordReplaysOffline: the record of a release run replays to
// the whole release decision — every pull request's findings, the direct
// pushes, the sign-off — with GitHub gone and no checkout, and exits as the
// run did; the decision file says per pull request why each approval did
// or did not count.
func TestReleaseRecordReplaysOffline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(f *releaseFixture) string // returns the tag to push
		wantExit int
		// wantWhyNot is #11's first approval's why_not in the decision
		// file; "-" for no approval to look at.
		wantWhyNot string
		wantDirect bool
	}{
		{name: "clean release", wantExit: 0, wantWhyNot: "",
			setup: func(f *releaseFixture) string { return "v2.4.0" }},
		{name: "a clinical pull request approved only by a non-CSO", wantExit: 1, wantWhyNot: "APPROVER_NOT_REGISTERED",
			setup: func(f *releaseFixture) string {
				f.srv.AddReview(11, githubtest.Review{Login: "dev-bob", State: "APPROVED"})
				return "v2.4.0"
			}},
		{name: "a CSO approval that went stale before merge", wantExit: 1, wantWhyNot: "APPROVAL_STALE",
			setup: func(f *releaseFixture) string {
				f.srv.AddReview(11, githubtest.Review{Login: alice, UserID: aliceID, State: "APPROVED", CommitID: githubtest.SHA("pr-11-before-last-push")})
				return "v2.4.0"
			}},
		{name: "a direct push of a clinical file", wantExit: 1, wantWhyNot: "", wantDirect: true,
			setup: func(f *releaseFixture) string {
				hotfix := githubtest.SHA("hotfix-pushed-to-main")
				f.srv.AddCommit(githubtest.Commit{SHA: hotfix, AuthorLogin: author, Parents: []string{v240SHA},
					Files: []githubtest.File{{Path: "src/ui/allergy/banner.go"}}, Message: "Hotfix the banner"})
				// The hotfix names its release, so the direct push and the
				// missing sign-off are what block it.
				tree := maps.Clone(f.trees[v240SHA])
				tree["safety/changes.yaml"] = bytes.Replace(tree["safety/changes.yaml"], []byte("release: 2.4.0"), []byte("release: 2.4.1"), 1)
				f.setTree(hotfix, tree)
				f.srv.AddTag("v2.4.1", hotfix)
				return "v2.4.1"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newReleaseFixture(t, tc.name == "clean release" || tc.wantDirect)
			f.pushTag(tc.setup(f), "")
			o := f.run()
			if o.code != tc.wantExit {
				t.Fatalf("the run exits %d, want %d\n%s", o.code, tc.wantExit, o.stdout)
			}
			pulls, _ := o.decision["pull_requests"].([]any)
			if len(pulls) == 0 {
				t.Fatalf("the decision file has no pull_requests: %v", o.decision)
			}
			first := pulls[0].(map[string]any)
			if first["number"] != float64(11) || first["head_sha"] != githubtest.SHA("pr-11-head") || first["merge_commit_sha"] != githubtest.SHA("pr-11-merge") {
				t.Errorf("pull_requests[0] = %v, want #11 with its head and merge commit", first)
			}
			if tc.wantWhyNot != "" {
				approvals := first["approvals"].([]any)
				var whyNot []string
				for _, a := range approvals {
					whyNot = append(whyNot, a.(map[string]any)["why_not"].(string))
				}
				if !slices.Contains(whyNot, tc.wantWhyNot) || first["decision"] != "blocked" {
					t.Errorf("#11: decision %v, approvals' why_not %v; want blocked with %s", first["decision"], whyNot, tc.wantWhyNot)
				}
			}
			direct, _ := o.decision["direct_pushes"].([]any)
			if tc.wantDirect != (len(direct) > 0) {
				t.Errorf("direct_pushes = %v, want some: %v", direct, tc.wantDirect)
			}
			if tc.wantDirect && direct[0].(map[string]any)["clinical"] != true {
				t.Errorf("direct_pushes[0] = %v, want clinical", direct[0])
			}

			// GitHub is gone, and the replay has no checkout: the record
			// is all it stands on.
			f.srv.Close()
			res, err := evidence.Replay(context.Background(), filepath.Dir(o.outputs["record-file"]), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if !res.Matches() || res.ExitCode() != o.code || res.Decision.Decision != o.outputs["decision"] {
				t.Errorf("the replay derives %s exit %d, the run %s exit %d; differences:", res.Decision.Decision, res.ExitCode(), o.outputs["decision"], o.code)
				for _, d := range res.Differences {
					t.Errorf("  %s", d)
				}
			}
			if len(res.Decision.PullRequests) != len(pulls) {
				t.Errorf("the replay derives %d pull requests, the run %d", len(res.Decision.PullRequests), len(pulls))
			}
			// The safety case addendum the run wrote is what the replay
			// renders, byte for byte, and what the record names by hash.
			for _, sc := range []struct {
				output   string
				replayed []byte
				signed   *evidence.PredicateFile
			}{{"safety-case", res.SafetyCase, res.Record.Release.SafetyCase}, {"safety-case-html", res.SafetyCaseHTML, res.Record.Release.SafetyCaseHTML}} {
				written := readFile(t, o.outputs[sc.output])
				if !bytes.Equal(written, sc.replayed) {
					t.Errorf("%s: the replay renders another addendum than the run wrote:\n--- run\n%s\n--- replay\n%s", sc.output, written, sc.replayed)
				}
				if sc.signed == nil || sc.signed.Name != filepath.Base(o.outputs[sc.output]) || sc.signed.SHA256 != sha256Hex(written) {
					t.Errorf("%s: the record names %+v, the run wrote %s with sha256 %s", sc.output, sc.signed, o.outputs[sc.output], sha256Hex(written))
				}
			}
			wantSigned := "**SIGNED OFF**"
			if tc.wantExit != 0 {
				wantSigned = "**NOT SIGNED OFF**"
			}
			if !bytes.Contains(res.SafetyCase, []byte(wantSigned)) {
				t.Errorf("the addendum does not say %s:\n%s", wantSigned, res.SafetyCase)
			}
		})
	}
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
